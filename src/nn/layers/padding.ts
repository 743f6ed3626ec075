import { Module } from '../module.js';
import { pad, type PadMode } from '../../ops/pad.js';
import { TensorError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { describeArg, positionalOptions } from '../../tensor/args.js';

/** A padding amount: one integer for every side or 2k integers. */
export type PadArg = number | readonly number[];
/** The arguments of the Zero/Reflection/Replication/Circular pads: `(padding)` or `({ padding })`. */
export type PadArgs = [padding: PadArg | { padding: PadArg }];
/** The arguments of the ConstantPad layers: `(padding, value)`, `(padding, { value })` or `({ padding, value })`. */
export type ConstantPadArgs = [padding: PadArg, value: number] | [padding: PadArg, options: { value: number }] | [options: { padding: PadArg; value: number }];

/*
 * Padding layers over F.pad, as torch.nn's ZeroPad/ConstantPad/ReflectionPad/
 * ReplicationPad/CircularPad{1,2,3}d. `padding` is one number for every side
 * or the (left, right[, top, bottom[, front, back]]) list F.pad takes, last
 * dim first; negative amounts crop. Shapes: 1d `[N, C, W]` or `[C, W]`;
 * 2d `[N, C, H, W]` or `[C, H, W]`; 3d `[N, C, D, H, W]` or `[C, D, H, W]`;
 * each padded dim grows by the sum of its two amounts.
 */
abstract class PadNd extends Module {
  /** The 2k amounts, (left, right) for the last dim first, as PyTorch stores them. */
  readonly padding: number[];

  /** The fill value of the constant pads (ConstantPad: as given; ZeroPad: 0; unused by the other modes). */
  readonly value: number;

  /**
   * `args`: the constructor's arguments, PyTorch's positional `(padding[, value])` and/or an options object.
   * @param mode The F.pad mode: 'constant' (Zero/ConstantPad), 'reflect', 'replicate' or 'circular'.
   */
  constructor(args: readonly unknown[], private readonly k: number, readonly mode: PadMode) {
    super();
    const name = this.constructor.name;
    const constant = name.startsWith('Constant');
    const names = constant ? ['padding', 'value'] : ['padding'];
    const o = positionalOptions(name, args, names, names);
    const padding = o.padding;
    const list = typeof padding === 'number' ? new Array<number>(2 * k).fill(padding) : padding;
    if (!Array.isArray(list) || list.length !== 2 * k || list.some((p) => typeof p !== 'number' || !Number.isInteger(p))) {
      const sides = ['left, right', 'left, right, top, bottom', 'left, right, top, bottom, front, back'][k - 1];
      throw new TensorError(`${name}: padding must be an integer or a list of ${2 * k} integers [${sides}] (got ${describeArg(padding)})`);
    }
    if (constant && o.value === undefined) {
      throw new TensorError(`${name}: value (the fill value) is required, e.g. new nn.${name}(1, 0.5); use ZeroPad${k}d for zeros`);
    }
    const value = o.value ?? 0;
    if (typeof value !== 'number' || Number.isNaN(value)) throw new TensorError(`${name}: value must be a number (got ${describeArg(value)})`);
    this.value = value;
    this.padding = [...(list as number[])];
  }

  /**
   * Pads (or, with negative amounts, crops) the last k dims of x (k = 1, 2, 3 for the 1d, 2d, 3d
   * layers) by `padding`, as F.pad with the layer's mode. `[N, C, *s] -> [N, C, *s']` (or `[C, *s]`),
   * each padded dim growing by the sum of its two amounts.
   * @example new tg.nn.ZeroPad2d(1).forward(tg.ones([1, 1, 2, 2])) // [1, 1, 4, 4]
   */
  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    const k = this.k;
    if (!(x instanceof Tensor)) throw new TensorError(`${name}: input must be a Tensor (got ${typeof x})`);
    if (x.ndim !== k + 1 && x.ndim !== k + 2) {
      throw new TensorError(`${name}: expected a ${k + 1}-D or ${k + 2}-D input (got input ${fmtShape(x.shape)})`);
    }
    try {
      return pad(x, this.padding, this.mode === 'constant' ? { mode: 'constant', value: this.value } : { mode: this.mode });
    } catch (e) {
      // Name the layer and its padding; F.pad's message says which amount does not fit which dim.
      if (e instanceof TensorError) throw new TensorError(`${name}(${fmtShape(this.padding)}): ${e.message}`);
      throw e;
    }
  }

  override extraRepr(): string {
    return this.mode === 'constant' && this.constructor.name.startsWith('Constant') ? `${fmtShape(this.padding)}, value=${this.value}` : fmtShape(this.padding);
  }
}

/** Pads the last dim with zeros. @example new tg.nn.ZeroPad1d([1, 2]).forward(tg.ones([1, 2, 4])) // [N, C, W] -> [N, C, W+3]: [1, 2, 7] */
export class ZeroPad1d extends PadNd { constructor(...args: PadArgs) { super(args, 1, 'constant'); } }
/** Pads the last 2 dims with zeros. @example new tg.nn.ZeroPad2d(1) // [N, C, H, W] -> [N, C, H+2, W+2] */
export class ZeroPad2d extends PadNd { constructor(...args: PadArgs) { super(args, 2, 'constant'); } }
/** Pads the last 3 dims with zeros. @example new tg.nn.ZeroPad3d(1) */
export class ZeroPad3d extends PadNd { constructor(...args: PadArgs) { super(args, 3, 'constant'); } }

/** Pads the last dim with `value`. @example new tg.nn.ConstantPad1d(2, 3.5) */
export class ConstantPad1d extends PadNd { constructor(...args: ConstantPadArgs) { super(args, 1, 'constant'); } }
/** Pads the last 2 dims with `value`. @example new tg.nn.ConstantPad2d([1, 1, 2, 0], -1) */
export class ConstantPad2d extends PadNd { constructor(...args: ConstantPadArgs) { super(args, 2, 'constant'); } }
/** Pads the last 3 dims with `value`. @example new tg.nn.ConstantPad3d(1, 0.5) */
export class ConstantPad3d extends PadNd { constructor(...args: ConstantPadArgs) { super(args, 3, 'constant'); } }

/** Mirrors the last dim without repeating the edge (each amount < its dim). @example new tg.nn.ReflectionPad1d(2) */
export class ReflectionPad1d extends PadNd { constructor(...args: PadArgs) { super(args, 1, 'reflect'); } }
/** Mirrors the last 2 dims. @example new tg.nn.ReflectionPad2d(1) */
export class ReflectionPad2d extends PadNd { constructor(...args: PadArgs) { super(args, 2, 'reflect'); } }
/** Mirrors the last 3 dims. @example new tg.nn.ReflectionPad3d(1) */
export class ReflectionPad3d extends PadNd { constructor(...args: PadArgs) { super(args, 3, 'reflect'); } }

/** Repeats the edge of the last dim. @example new tg.nn.ReplicationPad1d([3, 1]) */
export class ReplicationPad1d extends PadNd { constructor(...args: PadArgs) { super(args, 1, 'replicate'); } }
/** Repeats the edges of the last 2 dims. @example new tg.nn.ReplicationPad2d(2) */
export class ReplicationPad2d extends PadNd { constructor(...args: PadArgs) { super(args, 2, 'replicate'); } }
/** Repeats the edges of the last 3 dims. @example new tg.nn.ReplicationPad3d(1) */
export class ReplicationPad3d extends PadNd { constructor(...args: PadArgs) { super(args, 3, 'replicate'); } }

/** Wraps the last dim around (periodic; each amount <= its dim). @example new tg.nn.CircularPad1d(1) */
export class CircularPad1d extends PadNd { constructor(...args: PadArgs) { super(args, 1, 'circular'); } }
/** Wraps the last 2 dims around. @example new tg.nn.CircularPad2d(1) */
export class CircularPad2d extends PadNd { constructor(...args: PadArgs) { super(args, 2, 'circular'); } }
/** Wraps the last 3 dims around. @example new tg.nn.CircularPad3d(1) */
export class CircularPad3d extends PadNd { constructor(...args: PadArgs) { super(args, 3, 'circular'); } }
