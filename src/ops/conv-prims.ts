import { allocForOverwrite, convPool2x2Params, type ConvParams } from '../backend/backend.js';
import { numel } from '../core/shape.js';
import { isGradEnabled, record } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { sameBackend } from './core.js';
import * as E from './elementwise.js';
import { fusedKernels } from './fused.js';
import { dense, reshape } from './movement.js';
import { maxPoolPrim } from './pool-prims.js';
import { sum } from './reduce.js';

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
 * The definition of the conv epilogue, in recorded tensor ops: conv output y
 * [N, Cout, ...] plus bias [Cout] (per channel), then ReLU.
 */
function epilogueComposite(y: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  const biased = bias ? E.add(y, reshape(bias, [1, bias.numel(), 1, 1, 1])) : y;
  return relu ? E.relu(biased) : biased;
}

/**
 * y = conv(x, w) (+ bias, then ReLU, when fused): x [N, Cin, ...in],
 * w [Cout, Cin/g, ...k], bias [Cout] -> [N, Cout, ...out]. With the backend's
 * convEpilogue kernel, one pass recorded as one node (with ReLU the output
 * itself is saved: its sign is the mask the gradient needs); without it, the
 * composite conv -> add -> relu, each op recorded.
 * @example convPrim(x5, w5, params, { bias, relu: true })  // [N, Cout, oD, oH, oW]
 */
export function convPrim(x: Tensor, w: Tensor, p: ConvParams, fusion: ConvFusion = {}): Tensor {
  const bias = fusion.bias ?? null, relu = fusion.relu === true;
  const backend = bias ? sameBackend('conv', x, w, bias) : sameBackend('conv', x, w);
  const xc = dense(x), wc = dense(w), bc = bias && dense(bias);
  const shape = shape5(p.batch, p.outChannels, p.outSize);
  if (bc || relu) {
    const fused = fusedKernels(backend)?.convEpilogue?.(xc._storage, wc._storage, p, { bias: bc ? bc._storage : null, relu }) ?? null;
    if (!fused) return epilogueComposite(convPrim(xc, wc, p), bc, relu);
    const out = Tensor._fromStorage(fused, shape, x.dtype);
    return record('conv', bc ? [xc, wc, bc] : [xc, wc], out, relu ? [xc, wc, out] : [xc, wc], { params: p, relu, bias: bc !== null });
  }
  const out = Tensor._fromStorage(backend.conv(xc._storage, wc._storage, p), shape, x.dtype);
  return record('conv', [xc, wc], out, [xc, wc], { params: p, relu: false, bias: false });
}

/**
 * y = maxPool2x2(relu(conv(x, w) + bias)) (2×2 windows, stride 2, floor) ->
 * [N, Cout, oD, floor(oH/2), floor(oW/2)]. With the backend's convEpilogue
 * kernel, one pass per image; when a gradient is needed it is recorded with
 * what the gradient needs (x, w, the pooled output, whose sign is the ReLU
 * mask at each window's maximum, and the pooling's indices), otherwise
 * (inference) no indices are made and nothing is recorded. Without the kernel:
 * the composite convPrim (bias, ReLU) -> maxPool, each recorded.
 * @example convReluPoolPrim(x5, w5, params, bias)  // LeNet's conv -> relu -> pool in one kernel
 */
export function convReluPoolPrim(x: Tensor, w: Tensor, p: ConvParams, bias: Tensor | null): Tensor {
  const backend = bias ? sameBackend('conv', x, w, bias) : sameBackend('conv', x, w);
  const xc = dense(x), wc = dense(w), bc = bias && dense(bias);
  const pool = convPool2x2Params(p);
  const kernel = fusedKernels(backend)?.convEpilogue;
  if (kernel) {
    const shape = shape5(p.batch, p.outChannels, pool.outSize);
    const training = isGradEnabled() && (x.requiresGrad || w.requiresGrad || bias?.requiresGrad === true);
    // Every index is written by the kernel (or the buffer released if it declines): no zero fill.
    const idx = training ? allocForOverwrite(backend, 'int32', numel(shape)) : null;
    const epilogue = { bias: bc ? bc._storage : null, relu: true, pool2x2: true, ...(idx ? { poolIndices: idx } : {}) };
    const s = kernel(xc._storage, wc._storage, p, epilogue);
    if (s) {
      const out = Tensor._fromStorage(s, shape, x.dtype);
      if (!idx) return out;
      const indices = Tensor._fromStorage(idx, shape, 'int32');
      return record('convReluPool', bc ? [xc, wc, bc] : [xc, wc], out, [xc, wc, out, indices], { params: p, bias: bc !== null }, [indices]);
    }
    if (idx) backend.release(idx); // declined: the composite below makes its own
  }
  return maxPoolPrim(convPrim(xc, wc, p, { bias: bc, relu: true }), pool, false).out;
}

/**
 * Backward of the conv epilogue, for the conv gradient rules: from the output
 * gradient g [N, C, ...], the gradient at the pre-activation (masked where the
 * saved ReLU output y <= 0; g itself without ReLU) and, if `bias`, the bias
 * gradient [C] (g summed over images and positions). The backend's
 * convEpilogueBackward kernel when it has one; otherwise this composite:
 * reluBackward(g, y), then a sum. Not recorded.
 * @example const e = convEpilogueGrad(g, yOut, params, true);  // e.g, e.bias [Cout]
 */
export function convEpilogueGrad(g: Tensor, y: Tensor | null, p: ConvParams, bias: boolean): { g: Tensor; bias: Tensor | null } {
  const gc = dense(g), yc = y && dense(y);
  const s = p.outSize[0] * p.outSize[1] * p.outSize[2];
  const r = fusedKernels(g.backend)?.convEpilogueBackward?.(gc._storage, yc ? yc._storage : null, p.batch, p.outChannels, s, bias) ?? null;
  if (r) {
    return {
      g: r.g ? Tensor._fromStorage(r.g, g.shape, g.dtype) : g,
      bias: r.bias && Tensor._fromStorage(r.bias, [p.outChannels], g.dtype),
    };
  }
  const masked = yc ? E.reluBackwardPrim(gc, yc) : gc;   // y > 0 exactly where the pre-activation is
  return { g: masked, bias: bias ? sum(masked, [0, 2, 3, 4]) : null };
}

/**
 * The input gradient (when `w` is given) and weight gradient (when `x` is
 * given) of conv -> ReLU -> 2×2 max pooling, straight from the pooled
 * gradient g [N, Cout, pH, pW] (already masked by the ReLU) and the pooling's
 * indices, with the backend's convPoolBackward kernel; null where it has none
 * or declines (the caller then scatters g to full size and runs the
 * convolution's gradients). Not recorded.
 * @example const r = convPoolGrads(e.g, indices, x, w, params);  // r?.gx [N, Cin, ...], r?.gw [Cout, Cin, ...k]
 */
export function convPoolGrads(g: Tensor, indices: Tensor, x: Tensor | null, w: Tensor | null, p: ConvParams): { gx: Tensor | null; gw: Tensor | null } | null {
  const kernel = fusedKernels(g.backend)?.convPoolBackward;
  if (!kernel || (!x && !w)) return null;
  const r = kernel(dense(g)._storage, dense(indices)._storage, x && dense(x)._storage, w && dense(w)._storage, p);
  if (!r) return null;
  return {
    gx: r.gx && Tensor._fromStorage(r.gx, shape5(p.batch, p.inChannels, p.inSize), g.dtype),
    gw: r.gw && Tensor._fromStorage(r.gw, [p.outChannels, p.inChannels / p.groups, ...p.kernelSize], g.dtype),
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
