/**
 * `tensorgrad export RUN --format onnx --out model.onnx [--opset N] [--static-batch]`:
 * loads a run (as `tensorgrad eval` does: config.json + model.safetensors),
 * traces one forward of a sample input of the run's input shape and writes
 * the ONNX file atomically. The file takes the same normalized input as the
 * model in tensorgrad; the command prints the shape and normalization.
 */
import { dirname } from 'node:path';
import { exportModel } from '../onnx/export.js';
import { zeros } from '../tensor/create.js';
import { TensorError } from '../core/errors.js';
import { makeDirs, writeFileAtomic } from '../util/node.js';
import { openRun } from './run-folder.js';
import { UserError } from './errors.js';
import { cliOut } from './io.js';

export interface ExportCommandOptions {
  format?: string;
  out: string;
  opset?: number;
  staticBatch?: boolean;
}

/**
 * Runs `tensorgrad export`; returns the number of bytes written.
 * @example exportCommand('runs/lenet', { out: 'lenet.onnx' })
 */
export async function exportCommand(run: string, o: ExportCommandOptions): Promise<number> {
  const format = o.format ?? 'onnx';
  if (format !== 'onnx') throw new UserError(`export: unknown format '${format}' (supported: onnx)`);
  const loaded = openRun(run);
  const [c, h, w] = loaded.config.inputShape;
  let bytes: Uint8Array;
  try {
    bytes = exportModel(loaded.model, zeros([1, c, h, w]), { opset: o.opset ?? 17, dynamicBatch: !o.staticBatch });
  } catch (e) {
    if (e instanceof TensorError) throw new UserError(`export: ${e.message}`);
    throw e;
  }
  makeDirs('export', dirname(o.out));
  writeFileAtomic('export', o.out, bytes);
  const { mean, std } = loaded.config.normalize;
  cliOut(
    `wrote ${o.out} (${(bytes.length / 1e6).toFixed(2)} MB, ONNX opset ${o.opset ?? 17}): ${loaded.config.model}, ` +
    `input 'input' [${o.staticBatch ? 1 : 'batch'}, ${c}, ${h}, ${w}] float32 normalized with mean [${mean.join(', ')}] std [${std.join(', ')}], ` +
    `output 'output' [${o.staticBatch ? 1 : 'batch'}, ${loaded.config.numClasses}] logits\n`,
  );
  return bytes.length;
}
