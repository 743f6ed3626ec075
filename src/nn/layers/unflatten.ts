import { Module } from '../module.js';
import { unflatten } from '../../ops/movement.js';
import { TensorError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { describeArg, positionalOptions, checkArgs } from '../../tensor/args.js';

/**
 * Splits dim `dim` into `unflattenedSize` (one entry may be -1, inferred), as
 * torch.nn.Unflatten; the inverse of nn.Flatten.
 * Shape: `[*, S, *]` -> `[*, ...unflattenedSize, *]` where the sizes multiply to S.
 * @example new tg.nn.Unflatten(1, [16, 4, 4]).forward(tg.randn([2, 256]))   // [2, 256] -> [2, 16, 4, 4]
 * @example new tg.nn.Unflatten({ dim: 1, unflattenedSize: [16, 4, 4] })
 */
export class Unflatten extends Module {
  /** The dim to split (negative counts from the end). */
  readonly dim: number;
  /** The sizes that dim becomes; one entry may be -1 (inferred). */
  readonly unflattenedSize: number[];

  /** PyTorch's positional `(dim, unflattenedSize)` and/or an options object with those keys. */
  constructor(...args: [dim: number, unflattenedSize: readonly number[]] | [options: { dim: number; unflattenedSize: readonly number[] }] | [dim: number, options: { unflattenedSize: readonly number[] }]) {
    super();
    const o = positionalOptions('Unflatten', args, ['dim', 'unflattenedSize'], ['dim', 'unflattenedSize']);
    checkArgs('Unflatten', [o.dim, o.unflattenedSize], { dim: 'dim', unflattenedSize: 'shape' });
    const dim = o.dim as number, unflattenedSize = o.unflattenedSize as readonly number[];
    this.dim = dim;
    const ok = Array.isArray(unflattenedSize) && unflattenedSize.length > 0 &&
      unflattenedSize.every((s) => Number.isInteger(s) && (s >= 0 || s === -1)) && unflattenedSize.filter((s) => s === -1).length <= 1;
    if (!ok) {
      throw new TensorError(`Unflatten: unflattenedSize must be a non-empty list of sizes >= 0 with at most one -1 (got ${describeArg(unflattenedSize)}); e.g. new nn.Unflatten(1, [16, 4, 4])`);
    }
    this.unflattenedSize = [...unflattenedSize];
  }

  /**
   * Splits dim `dim` of x into `unflattenedSize`. `[*a, S, *b] -> [*a, ...unflattenedSize, *b]`,
   * the sizes multiplying to S (else a TensorError).
   * @example new tg.nn.Unflatten(1, [2, 3]).forward(tg.randn([4, 6])) // [4, 2, 3]
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TensorError(`Unflatten: input must be a Tensor (got ${describeArg(x)})`);
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) throw new TensorError(`Unflatten: dim ${this.dim} is out of range for an input with ${x.ndim} dims (input ${fmtShape(x.shape)})`);
    const n = x.shape[d]!;
    const known = this.unflattenedSize.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const fits = this.unflattenedSize.includes(-1) ? (known === 0 ? n === 0 : n % known === 0) : known === n;
    if (!fits) {
      throw new TensorError(`Unflatten: cannot split dim ${this.dim} of size ${n} into ${fmtShape(this.unflattenedSize)} (input ${fmtShape(x.shape)})`);
    }
    return unflatten(x, d, this.unflattenedSize);
  }

  override extraRepr(): string { return `dim=${this.dim}, unflattenedSize=${fmtShape(this.unflattenedSize)}`; }
}
