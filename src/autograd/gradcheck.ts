import { noGrad } from '../tensor/graph.js';
import { TensorError } from '../core/errors.js';
import { isFloating } from '../core/dtype.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';

/** Options of `tg.autograd.gradcheck`: finite-difference step, tolerances, projection seed, printing. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random output projection (default 0). */
  seed?: number;
  /** Print the per-input report (`console.log`) before returning (default false). */
  verbose?: boolean;
}

/** The check of one input of `tg.autograd.gradcheck`: its errors and where the worst one is. */
export interface GradcheckInputResult {
  /** Position of the input in the `inputs` array. */
  index: number;
  /** The input's shape. */
  shape: number[];
  /** Largest |analytic - numeric| over the input's elements. */
  maxAbsError: number;
  /** Largest |analytic - numeric| / |numeric| over the elements whose |numeric| exceeds atol. */
  maxRelError: number;
  /** The element with the largest error relative to tolerance. */
  worst: { position: number; analytic: number; numeric: number } | null;
  /** Whether every element is within `atol + rtol * |numeric|`. */
  passed: boolean;
}

/** What `tg.autograd.gradcheck` returns: the verdict, the per-input errors and a printable report. */
export interface GradcheckResult {
  /** True when every checked input passed. */
  passed: boolean;
  /** One entry per checked input (the floating inputs with requiresGrad, or all floating ones). */
  inputs: GradcheckInputResult[];
  /** A readable multi-line report. */
  report: string;
}

type Fn = (...inputs: Tensor[]) => Tensor;

/**
 * Checks analytic gradients against central finite differences in float64.
 * Floating inputs with `requiresGrad` are checked (all floating inputs if none
 * has it). A non-scalar output is reduced with a fixed random projection
 * L = sum(fn(x) * v), so one backward checks the full vector-Jacobian product.
 * Returns the verdict, per-input errors and a readable `report`; with
 * `{ verbose: true }` the report is also printed.
 * @example
 * const r = tg.autograd.gradcheck((a, b) => a.mul(b).sin(), [tg.randn([3]), tg.randn([3])]);
 * if (!r.passed) console.log(r.report);
 * tg.autograd.gradcheck((a) => a.tanh(), [tg.randn([4])], { verbose: true });   // prints the report
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = opts;
  const floating = inputs.map((t) => isFloating(t.dtype));
  const flagged = inputs.map((t, i) => floating[i]! && t.requiresGrad);
  const checked = flagged.some(Boolean) ? flagged : floating;
  if (!checked.some(Boolean)) throw new TensorError('gradcheck: no floating-point input to check');

  const values = inputs.map((t) => (isFloating(t.dtype) ? Float64Array.from(t.data()) : null));
  const build = (override?: { i: number; data: Float64Array }, grad = false): Tensor[] =>
    inputs.map((t, i) => {
      const v = override?.i === i ? override.data : values[i];
      if (!v) return t;
      return tensor(v, { dtype: 'float64', shape: t.shape, backend: t.backend, requiresGrad: grad && checked[i]! });
    });

  const leaves = build(undefined, true);
  const y = fn(...leaves);
  if (!(y instanceof Tensor)) throw new TensorError('gradcheck: fn must return a Tensor');
  if (!isFloating(y.dtype)) throw new TensorError(`gradcheck: fn must return a floating tensor (got ${y.dtype})`);
  const gen = new Generator(seed);
  const proj = tensor(Float64Array.from({ length: y.numel() }, () => gen.normal()), { dtype: 'float64', shape: y.shape, backend: y.backend });
  const lossOf = (out: Tensor) => out.to('float64').mul(proj).sum();
  if (y.requiresGrad) lossOf(y).backward();

  const results: GradcheckInputResult[] = [];
  inputs.forEach((t, i) => {
    if (!checked[i]) return;
    const analytic = leaves[i]!.grad ? Float64Array.from(leaves[i]!.grad!.data()) : new Float64Array(t.numel());
    const base = values[i]!;
    const r: GradcheckInputResult = { index: i, shape: [...t.shape], maxAbsError: 0, maxRelError: 0, worst: null, passed: true };
    let worstRatio = -1;
    for (let k = 0; k < base.length; k++) {
      const probe = (delta: number) => {
        const data = Float64Array.from(base);
        data[k]! += delta;
        return noGrad(() => lossOf(fn(...build({ i, data }))).item());
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      const a = analytic[k]!;
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(numeric), 1e-12);
      const ratio = Number.isNaN(abs) ? Infinity : abs / (atol + rtol * Math.abs(numeric));
      r.maxAbsError = Math.max(r.maxAbsError, Number.isNaN(abs) ? Infinity : abs);
      if (Math.abs(numeric) > atol) r.maxRelError = Math.max(r.maxRelError, rel);
      if (ratio > worstRatio) {
        worstRatio = ratio;
        r.worst = { position: k, analytic: a, numeric };
      }
      if (!(ratio <= 1)) r.passed = false;
    }
    results.push(r);
  });
  const passed = results.every((r) => r.passed);
  const lines = results.map((r) => {
    const w = r.worst ? ` worst at flat index ${r.worst.position}: analytic ${r.worst.analytic.toPrecision(8)} vs numeric ${r.worst.numeric.toPrecision(8)}` : '';
    return `  input ${r.index} [${r.shape.join(',')}]: ${r.passed ? 'ok' : 'MISMATCH'} max abs err ${r.maxAbsError.toExponential(2)}, max rel err ${r.maxRelError.toExponential(2)};${w}`;
  });
  const report = `gradcheck ${passed ? 'passed' : 'FAILED'} (eps ${eps}, atol ${atol}, rtol ${rtol})\n${lines.join('\n')}`;
  if (opts.verbose) console.log(report);
  return { passed, inputs: results, report };
}
