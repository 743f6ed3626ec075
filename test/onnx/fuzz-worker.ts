/**
 * Child process of test/onnx/fuzz-import.test.ts: runs fuzz cases `from..to-1`
 * through tg.onnx.loadModel and, when a case loads, one forward and backward
 * at batch size 2. One JSON line per case on stdout:
 *   {"start": i}  before case i (the parent's watchdog), then
 *   {"i", "outcome": "accepted" | "rejected" | "foreign", "error"?}
 * Usage: node --import tsx fuzz-worker.ts <from> <to>
 */
import * as tg from '../../src/index.js';
import { TensorError } from '../../src/core/errors.js';
import { loadModel } from '../../src/onnx/import.js';
import { fuzzCase } from './fuzz-cases.js';

const [from, to] = process.argv.slice(2).map(Number) as [number, number];

function run(bytes: Uint8Array): void {
  const model = loadModel(bytes, { maxElements: 1 << 22 });
  const inputs = model.inputShapes.map((dims) => {
    const shape = (dims ?? [2]).map((d) => d ?? 2);
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > 1 << 20) throw new TensorError(`fuzz: input ${shape} too large to try`);
    return tg.randn(shape);
  });
  model.train();
  const out = model.forward(...inputs);
  const first = Array.isArray(out) ? out[0] : out;
  if (first && first.dtype !== 'bool' && first.dtype !== 'int32' && first.requiresGrad) first.sum().backward();
}

for (let i = from; i < to; i++) {
  process.stdout.write(`${JSON.stringify({ start: i })}\n`);
  let line: Record<string, unknown>;
  try {
    run(fuzzCase(i));
    line = { i, outcome: 'accepted' };
  } catch (e) {
    line = e instanceof TensorError ? { i, outcome: 'rejected' } : { i, outcome: 'foreign', error: `${(e as Error)?.name}: ${(e as Error)?.message}`.slice(0, 300) };
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
