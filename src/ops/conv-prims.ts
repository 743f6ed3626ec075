import { convPool2x2Params, type ConvParams } from '../backend/backend.js';
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

/** What the conv primitive does to its output in the same pass: add a bias [Cout], then ReLU. */
export interface ConvFusion {
  bias?: Tensor | null;
  relu?: boolean;
}

/**
 * y = conv(x, w) (+ bias, then ReLU, when fused): x [N, Cin, ...in],
 * w [Cout, Cin/g, ...k], bias [Cout] -> [N, Cout, ...out]. With ReLU the
 * output itself is saved: its sign is the mask the gradient needs.
 */
export function convPrim(x: Tensor, w: Tensor, p: ConvParams, fusion: ConvFusion = {}): Tensor {
  const bias = fusion.bias ?? null, relu = fusion.relu === true;
  const backend = bias ? sameBackend('conv', x, w, bias) : sameBackend('conv', x, w);
  const xc = dense(x), wc = dense(w), bc = bias && dense(bias);
  const epilogue = bc || relu ? { bias: bc ? bc._storage : null, relu } : undefined;
  const out = Tensor._fromStorage(backend.conv(xc._storage, wc._storage, p, epilogue), shape5(p.batch, p.outChannels, p.outSize), x.dtype);
  return record('conv', bc ? [xc, wc, bc] : [xc, wc], out, relu ? [xc, wc, out] : [xc, wc], { params: p, relu, bias: bc !== null });
}

/**
 * y = maxPool2x2(relu(conv(x, w) + bias)) in one pass per image (2×2 windows,
 * stride 2, floor), recorded with what its gradient needs: x, w, the pooled
 * output (its sign is the ReLU mask at each window's maximum, which is where
 * the gradient goes) and the pooling's indices. Output
 * [N, Cout, oD, floor(oH/2), floor(oW/2)].
 */
export function convReluPoolPrim(x: Tensor, w: Tensor, p: ConvParams, bias: Tensor | null): Tensor {
  const backend = bias ? sameBackend('conv', x, w, bias) : sameBackend('conv', x, w);
  const xc = dense(x), wc = dense(w), bc = bias && dense(bias);
  const shape = shape5(p.batch, p.outChannels, convPool2x2Params(p).outSize);
  const idx = backend.alloc('int32', shape.reduce((a, b) => a * b, 1));
  const s = backend.conv(xc._storage, wc._storage, p, { bias: bc ? bc._storage : null, relu: true, pool2x2: true, poolIndices: idx });
  const out = Tensor._fromStorage(s, shape, x.dtype), indices = Tensor._fromStorage(idx, shape, 'int32');
  return record('convReluPool', bc ? [xc, wc, bc] : [xc, wc], out, [xc, wc, out, indices], { params: p, bias: bc !== null });
}

/**
 * Backward of the conv epilogue, for the conv gradient rule: from the output
 * gradient g, the gradient at the pre-activation (masked where the saved
 * ReLU output y <= 0; g itself without ReLU) and, if `bias`, the bias
 * gradient [Cout] (g summed over images and positions). Not recorded.
 */
export function convEpilogueGrad(g: Tensor, y: Tensor | null, p: ConvParams, bias: boolean): { g: Tensor; bias: Tensor | null } {
  const gc = dense(g);
  const s = p.outSize[0] * p.outSize[1] * p.outSize[2];
  const r = g.backend.convEpilogueBackward(gc._storage, y ? dense(y)._storage : null, p.batch, p.outChannels, s, bias);
  return {
    g: r.g ? Tensor._fromStorage(r.g, g.shape, g.dtype) : g,
    bias: r.bias && Tensor._fromStorage(r.bias, [p.outChannels], g.dtype),
  };
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
