import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../backend/backend.js';
import { isGradEnabled, record } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { dense } from './movement.js';
import { numel, type Shape } from '../core/shape.js';

/*
 * Pooling primitives on 5-D tensors [N, C, D, H, W]; the user-facing pools in
 * pool.ts normalise arguments and reshape. Max pools save their int32 indices
 * (flat positions in each input plane) for a scatter-add backward. Every
 * pooling node records its geometry as `attrs.params` (the receptive-field
 * trace in analysis/ reads it).
 */

const shape5 = (n: number, c: number, s: readonly number[]) => [n, c, s[0]!, s[1]!, s[2]!];

export interface PoolResult {
  out: Tensor;
  /** int32 flat index of each max within its input plane (-1 where a window saw only padding). */
  indices: Tensor;
}

/**
 * Max pooling with its indices. With `returnIndices` false and no gradient
 * to record, the backend may skip computing them (indices null).
 */
export function maxPoolPrim(x: Tensor, p: PoolParams, returnIndices = true): { out: Tensor; indices: Tensor | null } {
  const xc = dense(x);
  const needed = returnIndices || (isGradEnabled() && x.requiresGrad);
  const r = x.backend.maxPool(xc._storage, p, needed);
  const shape = shape5(p.batch, p.channels, p.outSize);
  const out = Tensor._fromStorage(r.out, shape, x.dtype);
  if (!r.indices) return { out, indices: null };
  const indices = Tensor._fromStorage(r.indices, shape, 'int32');
  // Indices nobody asked for are the node's alone: backward gives them back when it frees the graph.
  if (!returnIndices) return { out: record('maxPool', [xc], out, [indices], { inSize: p.inSize, params: p }, [indices]), indices: null };
  return { out: record('maxPool', [xc], out, [indices], { inSize: p.inSize, params: p }), indices };
}

export function adaptiveMaxPoolPrim(x: Tensor, p: AdaptivePoolParams): PoolResult {
  const xc = dense(x);
  const r = x.backend.adaptiveMaxPool(xc._storage, p);
  const shape = shape5(p.batch, p.channels, p.outSize);
  const indices = Tensor._fromStorage(r.indices, shape, 'int32');
  const out = record('maxPool', [xc], Tensor._fromStorage(r.out, shape, x.dtype), [indices], { inSize: p.inSize, params: p });
  return { out, indices };
}

/**
 * Max pooling backward (not differentiable further): gy and indices
 * `[batch, channels, ...outSize]` -> the input's shape `[batch, channels, ...inSize]`,
 * gy summed at each max's position, zero elsewhere.
 */
export function maxPoolBackwardPrim(gy: Tensor, indices: Tensor, inShape: Shape): Tensor {
  const [n, ch] = [indices.shape[0]!, indices.shape[1]!];
  const planes = n * ch;
  const outPlane = planes ? indices.numel() / planes : 0, inPlane = planes ? numel(inShape) / planes : 0;
  const storage = gy.backend.maxPoolBackward(dense(gy)._storage, dense(indices)._storage, planes, outPlane, inPlane);
  return Tensor._fromStorage(storage, inShape, gy.dtype);
}

export function avgPoolPrim(x: Tensor, p: AvgPoolParams): Tensor {
  const xc = dense(x);
  const out = Tensor._fromStorage(x.backend.avgPool(xc._storage, p), shape5(p.batch, p.channels, p.outSize), x.dtype);
  return record('avgPool', [xc], out, [], { params: p });
}

export function avgPoolBackwardPrim(gy: Tensor, p: AvgPoolParams): Tensor {
  const gc = dense(gy);
  const out = Tensor._fromStorage(gy.backend.avgPoolBackward(gc._storage, p), shape5(p.batch, p.channels, p.inSize), gy.dtype);
  return record('avgPoolBackward', [gc], out, [], { params: p });
}

export function adaptiveAvgPoolPrim(x: Tensor, p: AdaptivePoolParams): Tensor {
  const xc = dense(x);
  const out = Tensor._fromStorage(x.backend.adaptiveAvgPool(xc._storage, p), shape5(p.batch, p.channels, p.outSize), x.dtype);
  return record('adaptiveAvgPool', [xc], out, [], { params: p });
}

export function adaptiveAvgPoolBackwardPrim(gy: Tensor, p: AdaptivePoolParams): Tensor {
  const gc = dense(gy);
  const s = gy.backend.adaptiveAvgPoolBackward(gc._storage, p);
  const out = Tensor._fromStorage(s, shape5(p.batch, p.channels, p.inSize), gy.dtype);
  return record('adaptiveAvgPoolBackward', [gc], out, [], { params: p });
}
