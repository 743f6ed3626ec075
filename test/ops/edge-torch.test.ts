import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertClose, backendByName } from '../helpers/check-op.js';

/**
 * Forward values and gradients at the points where conventions matter (kinks of
 * activations, ties of max/min, ±Inf/NaN in reductions, normalisation of inputs
 * far from zero), compared with PyTorch 1.13 on every backend in float64 and
 * float32. The expected numbers are test/fixtures/edge-torch.json, written by
 * scripts/make-edge-fixtures.py (tests never need torch). Gradients are of
 * sum(out * upstream), upstream = ones unless the case gives one.
 */

type Num = number | 'nan' | 'inf' | '-inf';
interface Case {
  name: string;
  op: string;
  args: Record<string, unknown>;
  inputs: { shape: number[]; data: Num[] }[];
  out: { shape: number[]; data: Num[]; dtype: 'int' | 'float' };
  f32: boolean;
  f32Tol?: number;
  f64Tol?: number;
  upstream?: Num[] | null;
  grads?: (Num[] | null)[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/edge-torch.json', import.meta.url), 'utf8')) as { cases: Case[] };
const dec = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const decode = (a: Num[]): Float64Array => Float64Array.from(a, dec);

type OpFn = (xs: Tensor[], a: Record<string, any>) => Tensor;
const F = tg.F;
/** tensorgrad's spelling of each fixture op. */
const OPS: Record<string, OpFn> = {
  relu: ([x]) => F.relu(x!),
  leakyRelu: ([x], a) => F.leakyRelu(x!, a.negativeSlope),
  elu: ([x], a) => F.elu(x!, a.alpha),
  selu: ([x]) => F.selu(x!),
  hardtanh: ([x], a) => F.hardtanh(x!, a.minVal ?? -1, a.maxVal ?? 1),
  relu6: ([x]) => F.relu6(x!),
  hardsigmoid: ([x]) => F.hardsigmoid(x!),
  hardswish: ([x]) => F.hardswish(x!),
  softplus: ([x], a) => F.softplus(x!, a.beta ?? 1, a.threshold ?? 20),
  gelu: ([x], a) => F.gelu(x!, a.approximate ?? 'none'),
  mish: ([x]) => F.mish(x!),
  silu: ([x]) => F.silu(x!),
  sigmoid: ([x]) => F.sigmoid(x!),
  tanh: ([x]) => F.tanh(x!),
  logSigmoid: ([x]) => F.logSigmoid(x!),
  softsign: ([x]) => F.softsign(x!),
  celu: ([x], a) => F.celu(x!, a.alpha),
  prelu: ([x, w]) => F.prelu(x!, w!),
  softmin: ([x], a) => F.softmin(x!, a.dim),
  instanceNorm: ([x]) => F.instanceNorm(x!),
  cumsum: ([x], a) => tg.cumsum(x!, a.dim),
  cumprod: ([x], a) => tg.cumprod(x!, a.dim),
  abs: ([x]) => tg.abs(x!),
  sign: ([x]) => tg.sign(x!),
  clamp: ([x], a) => tg.clamp(x!, a.min, a.max),
  round: ([x]) => tg.round(x!),
  floor: ([x]) => tg.floor(x!),
  ceil: ([x]) => tg.ceil(x!),
  sqrt: ([x]) => tg.sqrt(x!),
  rsqrt: ([x]) => tg.rsqrt(x!),
  log: ([x]) => tg.log(x!),
  reciprocal: ([x]) => tg.reciprocal(x!),
  powScalar: ([x], a) => tg.pow(x!, a.exponent),
  pow: ([x, y]) => tg.pow(x!, y!),
  maximum: ([x, y]) => tg.maximum(x!, y!),
  minimum: ([x, y]) => tg.minimum(x!, y!),
  sum: ([x], a) => tg.sum(x!, a.dim),
  mean: ([x], a) => tg.mean(x!, a.dim),
  prod: ([x], a) => tg.prod(x!, a.dim),
  var: ([x], a) => tg.var(x!, a.dim),
  std: ([x], a) => tg.std(x!, a.dim),
  amax: ([x], a) => tg.amax(x!, a.dim),
  amin: ([x], a) => tg.amin(x!, a.dim),
  max: ([x]) => tg.max(x!),
  min: ([x]) => tg.min(x!),
  maxDimValues: ([x], a) => tg.max(x!, a.dim as number, a.keepdim ?? false).values,
  maxDimIndices: ([x], a) => x!.max(a.dim as number, a.keepdim ?? false).indices,
  minDimValues: ([x], a) => tg.min(x!, a.dim as number, a.keepdim ?? false).values,
  minDimIndices: ([x], a) => x!.min(a.dim as number, a.keepdim ?? false).indices,
  argmax: ([x], a) => tg.argmax(x!, a.dim),
  argmin: ([x], a) => tg.argmin(x!, a.dim),
  logsumexp: ([x], a) => tg.logsumexp(x!, a.dim),
  softmax: ([x], a) => F.softmax(x!, a.dim),
  logSoftmax: ([x], a) => F.logSoftmax(x!, a.dim),
  batchNormTrain: ([x, w, b]) => F.batchNorm(x!, null, null, w, b, { training: true }),
  layerNorm: ([x, w, b], a) => F.layerNorm(x!, a.normalizedShape, w, b),
  groupNorm: ([x, w, b], a) => F.groupNorm(x!, a.numGroups, w, b),
};

/** Runs one case on a backend and dtype: the output and the gradients of sum(out * upstream). */
function run(c: Case, backend: tg.Backend, dtype: tg.DType): { out: Tensor; grads: (Float64Array | null)[] } {
  const wants = c.inputs.map((_, i) => c.grads?.[i] != null);
  const xs = c.inputs.map((inp, i) => tg.tensor(decode(inp.data), { shape: inp.shape, dtype, backend, requiresGrad: wants[i] }));
  const out = OPS[c.op]!(xs, c.args);
  if (!wants.some(Boolean)) return { out, grads: [] };
  const up = c.upstream ? tg.tensor(decode(c.upstream), { shape: out.shape, dtype, backend }) : tg.onesLike(out);
  out.mul(up).sum().backward();
  return { out, grads: xs.map((x, i) => (wants[i] ? Float64Array.from(x.grad!.data()) : null)) };
}

describe('edge cases against PyTorch 1.13 (test/fixtures/edge-torch.json)', () => {
  for (const name of tg.listBackends().filter((n) => n !== 'webgpu')) { // CPU backends only: float64 and synchronous reads
    test(`${name}: ${fixture.cases.length} cases, float64 and float32`, () => {
      const backend = backendByName(name);
      // Collect every mismatch, so one run shows them all.
      const failures: string[] = [];
      const check = (fn: () => void) => {
        try {
          fn();
        } catch (e) {
          failures.push((e as Error).message.split('\n')[0]!);
        }
      };
      for (const c of fixture.cases) {
        assert.ok(OPS[c.op], `no tensorgrad op for fixture op '${c.op}'`);
        const dtypes: [tg.DType, number][] = [['float64', c.f64Tol ?? (c.f32Tol ? 1e-9 : 1e-12)]];
        if (c.f32) dtypes.push(['float32', c.f32Tol ?? 2e-6]);
        for (const [dtype, tol] of dtypes) {
          const what = `${name} ${dtype} '${c.name}'`;
          check(() => {
            const r = run(c, backend, dtype);
            assert.deepEqual([...r.out.shape], c.out.shape, `${what}: output shape`);
            if (c.out.dtype === 'int') assert.equal(r.out.dtype, 'int32', `${what}: indices are int32`);
            check(() => assertClose(Float64Array.from(r.out.data()), decode(c.out.data), tol, tol, `${what}: forward`));
            c.grads?.forEach((g, i) => g && check(() => assertClose(r.grads[i]!, decode(g), tol, tol, `${what}: gradient of input ${i}`)));
          });
        }
      }
      assert.deepEqual(failures, [], `${failures.length} mismatches with PyTorch`);
    });
  }
});
