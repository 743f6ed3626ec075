import { Module } from '../module.js';
import * as P from '../../ops/pool.js';
import type { AdaptiveSize, AvgPoolOptions, LpPoolOptions, MaxPoolOptions } from '../../ops/pool.js';
import type { SizeArg } from '../../ops/conv.js';
import type { Tensor } from '../../tensor/tensor.js';

/*
 * Pooling layers: thin modules over F.*Pool*. Max pools return values only
 * (use F.maxPool2d(x, k, { returnIndices: true }) for indices).
 */

type MaxOpts = Omit<MaxPoolOptions, 'returnIndices'>;
const fmt = (o: object) => JSON.stringify(o).slice(1, -1);

abstract class MaxPoolNd extends Module {
  constructor(readonly kernelSize: SizeArg, readonly opts: MaxOpts = {}) { super(); }
  override extraRepr(): string { return `kernelSize=${JSON.stringify(this.kernelSize)}${Object.keys(this.opts).length ? ', ' + fmt(this.opts) : ''}`; }
}
/** @example new nn.MaxPool1d(2) */
export class MaxPool1d extends MaxPoolNd { forward(x: Tensor): Tensor { return P.maxPool1d(x, this.kernelSize, this.opts); } }
/** @example new nn.MaxPool2d(2)  // [N,C,28,28] -> [N,C,14,14] */
export class MaxPool2d extends MaxPoolNd { forward(x: Tensor): Tensor { return P.maxPool2d(x, this.kernelSize, this.opts); } }
export class MaxPool3d extends MaxPoolNd { forward(x: Tensor): Tensor { return P.maxPool3d(x, this.kernelSize, this.opts); } }

abstract class AvgPoolNd extends Module {
  constructor(readonly kernelSize: SizeArg, readonly opts: AvgPoolOptions = {}) { super(); }
  override extraRepr(): string { return `kernelSize=${JSON.stringify(this.kernelSize)}${Object.keys(this.opts).length ? ', ' + fmt(this.opts) : ''}`; }
}
export class AvgPool1d extends AvgPoolNd { forward(x: Tensor): Tensor { return P.avgPool1d(x, this.kernelSize, this.opts); } }
/** @example new nn.AvgPool2d(2, { stride: 2 }) */
export class AvgPool2d extends AvgPoolNd { forward(x: Tensor): Tensor { return P.avgPool2d(x, this.kernelSize, this.opts); } }
export class AvgPool3d extends AvgPoolNd { forward(x: Tensor): Tensor { return P.avgPool3d(x, this.kernelSize, this.opts); } }

abstract class LPPoolNd extends Module {
  constructor(readonly normType: number, readonly kernelSize: SizeArg, readonly opts: LpPoolOptions = {}) { super(); }
  override extraRepr(): string { return `normType=${this.normType}, kernelSize=${JSON.stringify(this.kernelSize)}`; }
}
/** Power-average pooling (sum of x^p)^(1/p) over windows. */
export class LPPool1d extends LPPoolNd { forward(x: Tensor): Tensor { return P.lpPool1d(x, this.normType, this.kernelSize, this.opts); } }
export class LPPool2d extends LPPoolNd { forward(x: Tensor): Tensor { return P.lpPool2d(x, this.normType, this.kernelSize, this.opts); } }
export class LPPool3d extends LPPoolNd { forward(x: Tensor): Tensor { return P.lpPool3d(x, this.normType, this.kernelSize, this.opts); } }

abstract class AdaptivePool extends Module {
  constructor(readonly outputSize: AdaptiveSize) { super(); }
  override extraRepr(): string { return `outputSize=${JSON.stringify(this.outputSize)}`; }
}
export class AdaptiveAvgPool1d extends AdaptivePool { forward(x: Tensor): Tensor { return P.adaptiveAvgPool1d(x, this.outputSize); } }
/** @example new nn.AdaptiveAvgPool2d(1)  // global average pooling */
export class AdaptiveAvgPool2d extends AdaptivePool { forward(x: Tensor): Tensor { return P.adaptiveAvgPool2d(x, this.outputSize); } }
export class AdaptiveAvgPool3d extends AdaptivePool { forward(x: Tensor): Tensor { return P.adaptiveAvgPool3d(x, this.outputSize); } }
export class AdaptiveMaxPool1d extends AdaptivePool { forward(x: Tensor): Tensor { return P.adaptiveMaxPool1d(x, this.outputSize); } }
export class AdaptiveMaxPool2d extends AdaptivePool { forward(x: Tensor): Tensor { return P.adaptiveMaxPool2d(x, this.outputSize); } }
export class AdaptiveMaxPool3d extends AdaptivePool { forward(x: Tensor): Tensor { return P.adaptiveMaxPool3d(x, this.outputSize); } }
