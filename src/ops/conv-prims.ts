import type { ConvParams } from '../backend/backend.js';
import { record } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { sameBackend } from './core.js';
import { dense } from './movement.js';

/*
 * The three convolution primitives on 5-D tensors [N, C, D, H, W]. User-facing
 * conv1d/2d/3d and convTranspose* normalise their arguments into ConvParams and
 * reshape to 5-D; these record the graph. Each one's gradient is another of them.
 */

const shape5 = (n: number, c: number, s: readonly number[]) => [n, c, s[0]!, s[1]!, s[2]!];

/** y = conv(x, w): x [N, Cin, ...in], w [Cout, Cin/g, ...k] -> [N, Cout, ...out]. */
export function convPrim(x: Tensor, w: Tensor, p: ConvParams): Tensor {
  const backend = sameBackend('conv', x, w);
  const xc = dense(x), wc = dense(w);
  const out = Tensor._fromStorage(backend.conv(xc._storage, wc._storage, p), shape5(p.batch, p.outChannels, p.outSize), x.dtype);
  return record('conv', [xc, wc], out, [xc, wc], { params: p });
}

/** gx = conv^T(gy, w): gy [N, Cout, ...out] -> [N, Cin, ...in]; also the transposed convolution. */
export function convTransposePrim(gy: Tensor, w: Tensor, p: ConvParams): Tensor {
  const backend = sameBackend('convTranspose', gy, w);
  const gc = dense(gy), wc = dense(w);
  const out = Tensor._fromStorage(backend.convBackwardInput(gc._storage, wc._storage, p), shape5(p.batch, p.inChannels, p.inSize), gy.dtype);
  return record('convTranspose', [gc, wc], out, [gc, wc], { params: p });
}

/** gw from input x and output gradient gy -> [Cout, Cin/g, ...k]. */
export function convWeightGradPrim(x: Tensor, gy: Tensor, p: ConvParams): Tensor {
  const backend = sameBackend('convWeightGrad', x, gy);
  const xc = dense(x), gc = dense(gy);
  const s = backend.convBackwardWeight(xc._storage, gc._storage, p);
  const out = Tensor._fromStorage(s, [p.outChannels, p.inChannels / p.groups, ...p.kernelSize], x.dtype);
  return record('convWeightGrad', [xc, gc], out, [], { params: p });
}
