import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { ND } from './ndarray.js';

/**
 * The shared op checker. For every backend and every case it:
 *  1. draws seeded random inputs,
 *  2. compares the forward in float64 and float32 with an independent float64
 *     reference (plain loops in the tests),
 *  3. repeats the forward on non-contiguous views (permuted / strided storage),
 *  4. checks gradients with finite differences (tg.autograd.gradcheck, float64),
 *     through the non-contiguous inputs, and that float32 gradients agree,
 *  5. compares each backend's forward and gradients with the reference backend's.
 * On webgpu (no float64 on the GPU) it runs the float32 parts only: forward
 * (contiguous and non-contiguous) against the float64 reference and the
 * reference backend's float32 forward, and float32 gradients against the
 * reference backend's gradchecked float64 gradients and its float32 ones.
 */
export interface CheckOpSpec {
  /** Input shapes, or a function drawing them from a seeded generator (one call per case). */
  shapes: number[][] | ((g: tg.Generator) => number[][]);
  /** The op under test. */
  op: (...inputs: Tensor[]) => Tensor;
  /** Independent float64 reference. */
  reference: (...inputs: ND[]) => ND;
  /** Value generator per input (default standard normal). */
  values?: (g: tg.Generator, inputIndex: number) => number;
  /** Inputs that get gradient checks (default: all). */
  grad?: boolean[] | false;
  /** Number of random cases (default 3). */
  cases?: number;
  seed?: number;
  /** Tolerances: float64 forward (rtol), float32 forward (atol/rtol), gradcheck atol/rtol. */
  tol?: { f64?: number; f32?: number; gradAtol?: number; gradRtol?: number };
  /** Skip the non-contiguous pass (for ops whose inputs must be of a particular layout). */
  contiguousOnly?: boolean;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}: element ${i} is ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** A tensor with the given logical values stored non-contiguously (permuted for rank >= 2, strided otherwise). */
export function nonContiguous(values: Float64Array, shape: number[], dtype: tg.DType, backend: tg.Backend): Tensor {
  const n = shape.length;
  if (n >= 2) {
    // Store the transpose-reversed layout, then permute back: same values, reversed strides.
    const perm = [...shape.keys()].reverse();
    const t = tg.tensor(values, { dtype, shape, backend }).permute(perm).contiguous();
    return t.permute(perm);
  }
  // Interleave with junk and take every other element.
  const spread = new Float64Array(values.length * 2).fill(NaN);
  values.forEach((v, i) => (spread[2 * i] = v));
  const base = tg.tensor(spread, { dtype, shape: [values.length * 2], backend });
  return base.slice(0, 0, undefined, 2).reshape(shape);
}

function draw(spec: CheckOpSpec, g: tg.Generator, shapes: number[][]): Float64Array[] {
  return shapes.map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    return Float64Array.from({ length: n }, () => (spec.values ? spec.values(g, i) : g.normal()));
  });
}

/**
 * Runs the checks above for every built-in backend in use (`tg.listBackends()`:
 * webgpu only where something started it, e.g. the preload of
 * `npm run test:webgpu`). Async because GPU results can only be read
 * asynchronously; reference and wasm are read synchronously as before.
 */
export async function checkOp(spec: CheckOpSpec): Promise<void> {
  const { f64 = 1e-9, f32 = 1e-4, gradAtol = 1e-5, gradRtol = 1e-3 } = spec.tol ?? {};
  const g = new tg.Generator(spec.seed ?? 1234);
  const cases = typeof spec.shapes === 'function' ? spec.cases ?? 3 : 1;
  for (let c = 0; c < cases; c++) {
    const shapes = typeof spec.shapes === 'function' ? spec.shapes(g) : spec.shapes;
    const data = draw(spec, g, shapes);
    const expected = spec.reference(...data.map((d, i) => ({ shape: [...shapes[i]!], data: d })));
    const label = `case ${c} shapes ${JSON.stringify(shapes)}`;
    let refResult: { out: Float64Array; grads: (Float64Array | null)[] } | null = null;
    // The reference backend's float32 results and its gradcheck-verified float64 gradients, for the GPU pass.
    let refRun: ReferenceRun | null = null;
    for (const name of tg.listBackends()) {
      const backend = backendByName(name);
      const where = `${label} on ${name}`;
      if (name === 'webgpu') {
        assert.ok(refRun, `${where}: the reference backend must run before webgpu`);
        await checkOnGpu(spec, backend, { data, shapes, expected, where, ref: refRun, f32 });
        continue;
      }
      // float64 forward, contiguous
      const make = (dtype: tg.DType, nc: boolean) =>
        data.map((d, i) => (nc ? nonContiguous(d, shapes[i]!, dtype, backend) : tg.tensor(d, { dtype, shape: shapes[i]!, backend })));
      const y64 = spec.op(...make('float64', false));
      assert.deepEqual([...y64.shape], expected.shape, `${where}: output shape`);
      const out64 = Float64Array.from(y64.data());
      assertClose(out64, expected.data, f64, f64, `${where}: float64 forward`);
      // float32 forward
      const y32 = spec.op(...make('float32', false));
      assert.equal(y32.dtype === 'float64', false, `${where}: float32 inputs must not produce float64`);
      const out32 = y32.data();
      assertClose(out32, expected.data, f32, f32, `${where}: float32 forward`);
      if (name === 'reference') refRun = { out32: Float64Array.from(out32), grads32: null, grads64: null };
      // non-contiguous inputs
      if (!spec.contiguousOnly) {
        assertClose(spec.op(...make('float64', true)).data(), expected.data, f64, f64, `${where}: non-contiguous forward`);
      }
      if (spec.grad === false) continue;
      const want = wanted(spec, shapes);
      // finite differences in float64 through (non-)contiguous inputs
      const leaves = make('float64', false).map((t, i) => t.requiresGrad_(want[i]!));
      const fn = (...xs: Tensor[]) => spec.op(...xs.map((x, i) => (spec.contiguousOnly || !want[i] ? x : viaNonContiguous(x))));
      const r = tg.autograd.gradcheck(fn, leaves, { atol: gradAtol, rtol: gradRtol });
      assert.ok(r.passed, `${where}: ${r.report}`);
      // analytic float32 gradients agree with float64 ones
      const grads = (dtype: tg.DType) =>
        projectedBackward(spec, data, shapes, want, dtype, backend).map((x) => (x.grad ? Float64Array.from(x.grad.data()) : null));
      const g64 = grads('float64');
      const g32 = grads('float32');
      g64.forEach((gd, i) => {
        if (gd && g32[i]) assertClose(g32[i]!, gd, f32 * 10, f32 * 10, `${where}: float32 gradient of input ${i}`);
      });
      if (name === 'reference') refRun = { out32: refRun!.out32, grads32: g32, grads64: g64 };
      // every backend agrees with the reference backend
      if (!refResult) refResult = { out: out64, grads: g64 };
      else {
        assertClose(out64, refResult.out, f64, f64, `${where}: forward vs reference backend`);
        g64.forEach((gd, i) => gd && assertClose(gd, refResult!.grads[i]!, 1e-8, 1e-8, `${where}: gradient ${i} vs reference backend`));
      }
    }
  }
}

/** What the reference backend computed for one case: float32 forward, float32 and float64 (gradchecked) gradients. */
interface ReferenceRun {
  out32: Float64Array;
  grads32: (Float64Array | null)[] | null;
  grads64: (Float64Array | null)[] | null;
}

/** Which inputs get gradients. */
function wanted(spec: CheckOpSpec, shapes: number[][]): boolean[] {
  return shapes.map((_, i) => (spec.grad ? spec.grad[i] ?? false : true));
}

/**
 * Backward of sum(op(inputs) * sin-projection) from fresh leaves: the leaves
 * carry the analytic gradients. `nc` routes the leaves through non-contiguous
 * copies first (as gradcheck does on the CPU backends).
 */
function projectedBackward(spec: CheckOpSpec, data: Float64Array[], shapes: number[][], want: boolean[], dtype: tg.DType, backend: tg.Backend, nc = false): Tensor[] {
  const xs = data.map((d, i) => tg.tensor(d, { dtype, shape: shapes[i]!, backend }).requiresGrad_(want[i]!));
  const y = spec.op(...xs.map((x, i) => (nc && want[i] ? viaNonContiguous(x) : x)));
  const proj = tg.tensor(Float64Array.from({ length: y.numel() }, (_, k) => Math.sin(k + 1)), { dtype, shape: y.shape, backend });
  y.mul(proj).sum().backward();
  return xs;
}

/**
 * The GPU pass (float64 cannot live on the GPU): float32 forward against the
 * float64 reference, on contiguous and non-contiguous inputs, and float32
 * analytic gradients (plain, and through non-contiguous copies) against the
 * float64 gradients the reference backend's gradcheck verified; forward and
 * gradients also against the reference backend's float32 results. Everything
 * is read back asynchronously.
 */
async function checkOnGpu(
  spec: CheckOpSpec,
  backend: tg.Backend,
  c: { data: Float64Array[]; shapes: number[][]; expected: ND; where: string; ref: ReferenceRun; f32: number },
): Promise<void> {
  const { data, shapes, expected, where, ref, f32 } = c;
  const make = (nc: boolean) =>
    data.map((d, i) => (nc ? nonContiguous(d, shapes[i]!, 'float32', backend) : tg.tensor(d, { dtype: 'float32', shape: shapes[i]!, backend })));
  const y = spec.op(...make(false));
  assert.deepEqual([...y.shape], expected.shape, `${where}: output shape`);
  assert.equal(y.dtype === 'float64', false, `${where}: float32 inputs must not produce float64`);
  assert.equal(y.backend, backend, `${where}: the result must stay on the webgpu backend (got ${y.backend.name})`);
  const out = await y.dataAsync();
  assertClose(out, expected.data, f32, f32, `${where}: float32 forward`);
  assertClose(out, ref.out32, f32, f32, `${where}: float32 forward vs reference backend`);
  if (!spec.contiguousOnly) {
    assertClose(await spec.op(...make(true)).dataAsync(), expected.data, f32, f32, `${where}: non-contiguous float32 forward`);
  }
  if (spec.grad === false) return;
  for (const nc of spec.contiguousOnly ? [false] : [false, true]) {
    const xs = projectedBackward(spec, data, shapes, wanted(spec, shapes), 'float32', backend, nc);
    const how = nc ? ' (through a non-contiguous copy)' : '';
    for (const [i, x] of xs.entries()) {
      const want64 = ref.grads64?.[i];
      if (!want64) continue;
      assert.ok(x.grad, `${where}: no float32 gradient for input ${i}${how}`);
      const got = await x.grad.dataAsync();
      assertClose(got, want64, f32 * 10, f32 * 10, `${where}: float32 gradient of input ${i}${how}`);
      const want32 = ref.grads32?.[i];
      if (want32) assertClose(got, want32, f32 * 10, f32 * 10, `${where}: float32 gradient of input ${i}${how} vs reference backend`);
    }
  }
}

/** Routes a leaf through a non-contiguous copy (identity in value and gradient). */
function viaNonContiguous(x: Tensor): Tensor {
  if (x.ndim >= 2) {
    const perm = [...x.shape.keys()].reverse();
    return x.permute(perm).contiguous().permute(perm);
  }
  return tg.stack([x.reshape(-1), tg.zerosLike(x.reshape(-1))], 1).select(1, 0).reshape(x.shape);
}

export function backendByName(name: string): tg.Backend {
  const prev = tg.getBackend();
  tg.setBackend(name);
  const b = tg.getBackend();
  tg.setBackend(prev);
  return b;
}

/**
 * Runs `fn` with `backend` as the default backend and restores the previous
 * one after (after the promise settles, for an async `fn`).
 */
export function withBackend<T>(backend: string | tg.Backend, fn: () => T): T {
  const prev = tg.getBackend();
  tg.setBackend(backend);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    tg.setBackend(prev);
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => tg.setBackend(prev)) as T;
  tg.setBackend(prev);
  return result;
}

/** Random shape helper: rank in [minRank, maxRank], each dim in [1, maxDim]. */
export function randomShape(g: tg.Generator, minRank: number, maxRank: number, maxDim = 4): number[] {
  const r = g.randint(minRank, maxRank + 1);
  return Array.from({ length: r }, () => g.randint(1, maxDim + 1));
}

/** A shape broadcast-compatible with `shape`: some dims set to 1, maybe fewer leading dims. */
export function broadcastableTo(g: tg.Generator, shape: number[]): number[] {
  const drop = g.randint(0, shape.length + 1);
  return shape.slice(drop).map((d) => (g.uniform() < 0.4 ? 1 : d));
}
