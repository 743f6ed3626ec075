// Shared by the ONNX export tests: export a model, run the bytes in onnxruntime-node
// and compare with tensorgrad's eval-mode forward at several batch sizes.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

type Module = tg.nn.Module;

/** Max |a - b| over two equally long arrays (NaN where one side is NaN and the other is not). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return NaN;
    if (!Number.isNaN(x)) m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

/** Runs ONNX bytes in ORT on `x` (float32), returning the first output's data and dims. */
export async function runOrt(bytes: Uint8Array, x: Tensor, inputName = 'input'): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const r = await session.run({ [inputName]: new ort.Tensor('float32', x.data() as Float32Array, [...x.shape]) });
  const out = r[session.outputNames[0]!]!;
  return { data: out.data as Float32Array, dims: out.dims };
}

export interface OrtCheck {
  /** Batch sizes to compare at (default [2, 3]); the export traces the first. */
  batches?: number[];
  tol?: number;
  opts?: tg.onnx.ExportOptions;
}

/**
 * Exports `model` traced at a random input `[batches[0], ...sample]`, then
 * checks ORT against model.forward (eval mode) on that input and on fresh
 * random inputs at the other batch sizes;
 * returns the bytes and the worst error.
 */
export async function checkAgainstOrt(model: Module, sample: readonly number[], c: OrtCheck = {}): Promise<{ bytes: Uint8Array; err: number }> {
  const batches = c.batches ?? [2, 3];
  model.eval();
  const traced = tg.randn([batches[0]!, ...sample]);
  const bytes = tg.onnx.exportModel(model, traced, c.opts);
  const session = await ort.InferenceSession.create(bytes);
  let worst = 0;
  for (const [i, b] of batches.entries()) {
    const x = i === 0 ? traced : tg.randn([b, ...sample]);
    const want = tg.noGrad(() => model.forward(x)) as Tensor;
    const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.data() as Float32Array, [...x.shape]) });
    const got = r[session.outputNames[0]!]!;
    assert.deepEqual([...got.dims], want.shape, `output shape at batch ${b}`);
    const err = maxAbsDiff(want.data() as Float32Array, got.data as Float32Array);
    assert.ok(err <= (c.tol ?? 1e-4), `batch ${b}: max abs error ${err} > ${c.tol ?? 1e-4}`);
    worst = Math.max(worst, err);
  }
  return { bytes, err: worst };
}

/** Gives BatchNorm layers non-trivial running statistics, so eval mode is really tested. */
export function randomizeBatchNorm(model: Module): void {
  tg.noGrad(() => {
    for (const [name, b] of model.namedBuffers()) {
      if (name.endsWith('running_mean')) b.copy_(tg.randn(b.shape).mul(0.1));
      if (name.endsWith('running_var')) b.copy_(tg.rand(b.shape).add(0.5));
    }
  });
}

/**
 * Builds a big model fast: the layers' random initialisation (most of the
 * build time for AlexNet/VGG) is skipped, then every parameter is filled from a
 * seeded xorshift generator, uniform in +-1/sqrt(fan in), as PyTorch's default.
 */
export function buildFast<T extends Module>(seed: number, build: () => T): T {
  const protos = [tg.nn.ConvNd.prototype, tg.nn.Linear.prototype, tg.models.AlexNet.prototype, tg.models.VGG.prototype] as unknown as { resetParameters(): void }[];
  const saved = protos.map((p) => p.resetParameters);
  for (const p of protos) p.resetParameters = () => {};
  let m: T;
  try {
    m = build();
  } finally {
    protos.forEach((p, i) => (p.resetParameters = saved[i]!));
  }
  let s = seed >>> 0 || 1;
  tg.noGrad(() => {
    for (const p of m.parameters()) {
      const fanIn = p.ndim > 1 ? p.numel() / p.shape[0]! : p.numel();
      const bound = 1 / Math.sqrt(fanIn);
      const a = new Float32Array(p.numel());
      for (let i = 0; i < a.length; i++) {
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        a[i] = ((s >>> 0) / 4294967296 * 2 - 1) * bound;
      }
      p.copy_(tg.tensor(a, { shape: p.shape }));
    }
  });
  randomizeBatchNorm(m);
  return m;
}
