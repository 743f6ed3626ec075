import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { celu, prelu, softmin } from '../../ops/activation-more.js';
import { TensorError } from '../../tensor/errors.js';
import { full } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';

export interface PReLUOptions {
  /** Number of learnable slopes: 1 (shared) or the number of channels (default 1). */
  numParameters?: number;
  /** Initial slope (default 0.25). */
  init?: number;
  dtype?: DType;
}

/**
 * Parametric ReLU with learnable negative slopes (`weight`, shape
 * `[numParameters]`, PyTorch's state-dict key), as torch.nn.PReLU.
 * Shape: `[N, C, *]` -> same (numParameters must be 1 or C).
 * @example
 * new nn.PReLU()              // one shared slope, 0.25
 * new nn.PReLU(64, 0.1)       // one slope per channel
 * new nn.PReLU({ numParameters: 64, init: 0.1 })
 */
export class PReLU extends Module {
  weight: Parameter;

  constructor(numParameters: number | PReLUOptions = 1, init = 0.25) {
    super();
    const o: PReLUOptions = typeof numParameters === 'object' && numParameters !== null ? numParameters : { numParameters, init };
    const unknown = Object.keys(o).filter((k) => !['numParameters', 'init', 'dtype'].includes(k));
    if (unknown.length) throw new TensorError(`PReLU: unknown option(s) ${unknown.join(', ')} (expected numParameters, init, dtype)`);
    const n = o.numParameters ?? 1, v = o.init ?? 0.25;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new TensorError(`PReLU: numParameters must be a positive integer (got ${JSON.stringify(n)})`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TensorError(`PReLU: init must be a finite number (got ${JSON.stringify(v)})`);
    this.weight = new Parameter(full([n], v, o.dtype ? { dtype: o.dtype } : {}));
  }

  forward(x: Tensor): Tensor {
    try {
      return prelu(x, this.weight);
    } catch (e) {
      // Name the layer: the functional message talks about a weight the user never passed.
      if (e instanceof TensorError) throw new TensorError(`PReLU(numParameters=${this.weight.numel()}): ${e.message}`);
      throw e;
    }
  }
  override extraRepr(): string { return `numParameters=${this.weight.numel()}`; }
}

/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)). Shape `[*]` -> `[*]`. @example new nn.CELU(0.5) */
export class CELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha === 0) throw new TensorError(`CELU: alpha must be a finite non-zero number (got ${JSON.stringify(alpha)})`);
  }
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}

/** softmax(-x) over `dim`. Shape `[*]` -> `[*]`. @example new nn.Softmin(1) */
export class Softmin extends Module {
  constructor(readonly dim: number) {
    super();
    if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TensorError(`Softmin: dim must be an integer (got ${JSON.stringify(dim)}); call new nn.Softmin(1)`);
  }
  forward(x: Tensor): Tensor { return softmin(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
