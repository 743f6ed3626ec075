import { Module } from '../module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkArgs, describeArg, isPlainObject, positionalOptions } from '../../tensor/args.js';
import { TensorError } from '../../core/errors.js';
import { INTERPOLATE_MODES, interpolate, type InterpolateMode, type InterpolateOptions } from '../../ops/interpolate.js';
import { maxUnpool1d, maxUnpool2d, maxUnpool3d, type MaxUnpoolOptions } from '../../ops/unpool.js';
import type { SizeArg } from '../../ops/pool-args.js';

/*
 * Resizing layers over F.interpolate and F.maxUnpoolNd. They hold no
 * parameters. Settings that need no input are checked when the module is
 * built; the rest (mode against the input's rank, sizes per spatial dim) by
 * the functional call on each forward.
 */

const NAMES = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'] as const;

/** A size or scale: a number or a list of numbers, each passing `ok`. */
function checkNumbers(layer: string, name: string, v: unknown, ok: (x: number) => boolean, what: string): void {
  if (v === null || v === undefined) return;
  const list = typeof v === 'number' ? [v] : Array.isArray(v) && v.length > 0 ? v : null;
  if (!list || !list.every((x) => typeof x === 'number' && ok(x))) {
    throw new TensorError(`${layer}: ${name} must be ${what} or a list of them (one per spatial dim), got ${describeArg(v)}`);
  }
}

/** A size-like argument of the unpool layers: a positive (min 1) or non-negative (min 0) integer, or a list of them. */
function checkSizeArg(layer: string, name: string, v: unknown, n: number, min: number): void {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (!list || (list.length !== 1 && list.length !== n) || !list.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= min)) {
    throw new TensorError(`${layer}: ${name} must be a ${min ? 'positive' : 'non-negative'} integer or ${n} of them, got ${describeArg(v)}`);
  }
}

/**
 * Upsamples `[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]` by `scaleFactor`
 * or to `size` (PyTorch's nn.Upsample): mode 'nearest' (default),
 * 'nearest-exact', 'linear', 'bilinear', 'trilinear'; `alignCorners` for the
 * linear modes. Positional form as PyTorch: `new nn.Upsample(size, scaleFactor, mode, alignCorners)`.
 * @example new tg.nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(tg.randn([1, 3, 4, 4]))  // [N,C,H,W] -> [N,C,2H,2W]: [1, 3, 8, 8]
 */
export class Upsample extends Module {
  /** The output's spatial size (one number or one per dim), or null when `scaleFactor` is given. */
  readonly size: number | readonly number[] | null;
  /** The multiplier of each spatial size (one number or one per dim), or null when `size` is given. */
  readonly scaleFactor: number | readonly number[] | null;
  /** The interpolation: 'nearest' (default), 'nearest-exact', 'linear', 'bilinear' or 'trilinear'. */
  readonly mode: InterpolateMode;
  /** For the linear modes: align the corner pixels' centres of input and output (PyTorch's align_corners). Default null (false). */
  readonly alignCorners: boolean | null;
  /** With scaleFactor: compute the sampling scale from the rounded output size instead of the factor (PyTorch's recompute_scale_factor). Default null (false). */
  readonly recomputeScaleFactor: boolean | null;

  constructor(...args: [options?: InterpolateOptions] | unknown[]) {
    super();
    const name = this.constructor.name;
    // Subclasses pass one merged options object; a user's call to Upsample itself may be positional.
    const o = name === 'Upsample' || !isPlainObject(args[0]) ? positionalOptions(name, args, NAMES, NAMES) : args[0];
    this.size = (o.size ?? null) as Upsample['size'];
    this.scaleFactor = (o.scaleFactor ?? null) as Upsample['scaleFactor'];
    this.mode = (o.mode ?? 'nearest') as InterpolateMode;
    this.alignCorners = (o.alignCorners ?? null) as boolean | null;
    this.recomputeScaleFactor = (o.recomputeScaleFactor ?? null) as boolean | null;
    if ((this.size === null) === (this.scaleFactor === null)) {
      throw new TensorError(`${name}: give exactly one of size and scaleFactor (got ${this.size === null ? 'neither' : `size ${describeArg(this.size)} and scaleFactor ${describeArg(this.scaleFactor)}`})`);
    }
    checkNumbers(name, 'size', this.size, (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
    checkNumbers(name, 'scaleFactor', this.scaleFactor, (x) => x > 0 && Number.isFinite(x), 'a positive finite number');
    if (!INTERPOLATE_MODES.includes(this.mode)) {
      throw new TensorError(`${name}: mode must be one of ${INTERPOLATE_MODES.map((m) => `'${m}'`).join(', ')} (got ${describeArg(this.mode)})`);
    }
    checkArgs(name, [this.alignCorners, this.recomputeScaleFactor], { alignCorners: 'bool?', recomputeScaleFactor: 'bool?' });
  }

  /**
   * Resizes the spatial dims of x as F.interpolate with the layer's settings.
   * `[N, C, *in] -> [N, C, *out]` with out = `size`, or floor(in * scaleFactor).
   * @example new tg.nn.Upsample({ scaleFactor: 2 }).forward(tg.randn([1, 3, 4, 4])) // [1, 3, 8, 8]
   */
  forward(x: Tensor): Tensor {
    return interpolate(x, {
      size: this.size, scaleFactor: this.scaleFactor, mode: this.mode,
      alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const what = this.size !== null ? `size=${describeArg(this.size)}` : `scaleFactor=${describeArg(this.scaleFactor)}`;
    return `${what}, mode='${this.mode}'${this.alignCorners !== null ? `, alignCorners=${this.alignCorners}` : ''}`;
  }
}

/** Nearest upsampling of `[N, C, H, W]` (PyTorch's UpsamplingNearest2d). @example new tg.nn.UpsamplingNearest2d({ scaleFactor: 2 }) */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: [options?: { size?: number | readonly number[]; scaleFactor?: number | readonly number[] }] | unknown[]) {
    const o = positionalOptions('UpsamplingNearest2d', args, ['size', 'scaleFactor'], ['size', 'scaleFactor']);
    super({ ...o, mode: 'nearest' });
  }
}

/** Bilinear upsampling with alignCorners true (PyTorch's UpsamplingBilinear2d). @example new tg.nn.UpsamplingBilinear2d({ scaleFactor: 2 }) */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: [options?: { size?: number | readonly number[]; scaleFactor?: number | readonly number[] }] | unknown[]) {
    const o = positionalOptions('UpsamplingBilinear2d', args, ['size', 'scaleFactor'], ['size', 'scaleFactor']);
    super({ ...o, mode: 'bilinear', alignCorners: true });
  }
}

const UNPOOL = { 1: maxUnpool1d, 2: maxUnpool2d, 3: maxUnpool3d } as const;

/** MaxUnpool1d/2d/3d: one class, differing in the number of spatial dims. */
abstract class MaxUnpoolNd extends Module {
  /** The window size of the max pooling being inverted: one number or one per spatial dim. */
  readonly kernelSize: SizeArg;
  /** That pooling's stride; null means the kernel size (the default). */
  readonly stride: SizeArg | null;
  /** That pooling's padding. Default 0. */
  readonly padding: SizeArg;

  constructor(private readonly n: 1 | 2 | 3, kernelSize: SizeArg, rest: readonly unknown[]) {
    super();
    const name = `MaxUnpool${n}d`;
    if (kernelSize === undefined) throw new TensorError(`${name}: kernelSize is required, e.g. new nn.${name}(2)`);
    const o = positionalOptions(name, rest, ['stride', 'padding'], ['stride', 'padding']);
    checkSizeArg(name, 'kernelSize', kernelSize, n, 1);
    if (o.stride != null) checkSizeArg(name, 'stride', o.stride, n, 1);
    if (o.padding !== undefined) checkSizeArg(name, 'padding', o.padding, n, 0);
    this.kernelSize = kernelSize;
    this.stride = (o.stride ?? null) as SizeArg | null;
    this.padding = (o.padding ?? 0) as SizeArg;
  }

  /**
   * Unpools `input` with the `indices` of the matching max pooling (`returnIndices: true`): each
   * value goes to its recorded position, everything else is 0. `[N, C, *in] -> [N, C, *out]`,
   * out = (in - 1) * stride - 2 * padding + kernelSize unless `outputSize` says otherwise (as in F.maxUnpool2d).
   * @example const { values, indices } = tg.F.maxPool2d(tg.randn([1, 1, 4, 4]), 2, { returnIndices: true }); new tg.nn.MaxUnpool2d(2).forward(values, indices) // [1, 1, 4, 4]
   */
  forward(input: Tensor, indices?: Tensor, outputSize?: readonly number[]): Tensor {
    const opts: MaxUnpoolOptions = { stride: this.stride, padding: this.padding, outputSize: outputSize ?? null };
    return UNPOOL[this.n](input, indices as Tensor, this.kernelSize, opts);
  }

  override extraRepr(): string {
    return `kernelSize=${describeArg(this.kernelSize)}, stride=${describeArg(this.stride ?? this.kernelSize)}, padding=${describeArg(this.padding)}`;
  }
}

/** Inverse of MaxPool1d with returnIndices (PyTorch's MaxUnpool1d). @example new tg.nn.MaxUnpool1d(2) // .forward(values, indices) of a MaxPool1d(2) with returnIndices */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: SizeArg, ...rest: [stride?: SizeArg | null, padding?: SizeArg] | [options?: { stride?: SizeArg | null; padding?: SizeArg }] | unknown[]) { super(1, kernelSize, rest); }
}

/** Inverse of MaxPool2d with returnIndices (PyTorch's MaxUnpool2d). @example new tg.nn.MaxUnpool2d(2) // .forward(values, indices) of a MaxPool2d(2) with returnIndices */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: SizeArg, ...rest: [stride?: SizeArg | null, padding?: SizeArg] | [options?: { stride?: SizeArg | null; padding?: SizeArg }] | unknown[]) { super(2, kernelSize, rest); }
}

/** Inverse of MaxPool3d with returnIndices (PyTorch's MaxUnpool3d). @example new tg.nn.MaxUnpool3d(2) // .forward(values, indices) of a MaxPool3d(2) with returnIndices */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: SizeArg, ...rest: [stride?: SizeArg | null, padding?: SizeArg] | [options?: { stride?: SizeArg | null; padding?: SizeArg }] | unknown[]) { super(3, kernelSize, rest); }
}
