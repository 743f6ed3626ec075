import { record } from '../tensor/graph.js';
import { promoteTypes } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireFloat, sameBackend } from './core.js';
import { cast, relu as reluOp } from './elementwise.js';
import { expand, squeeze, t, unsqueeze } from './movement.js';
import { checkArgs } from '../tensor/args.js';
import { linearFused } from './linear-fused.js';

/** The batched-matmul primitive: equal batch dims, rank >= 2. @internal */
export function matmulPrim(a: Tensor, b: Tensor): Tensor {
  const backend = sameBackend('matmul', a, b);
  const r = a.ndim;
  const s = backend.matmul(a._storage, a.layout, b._storage, b.layout, a.dtype);
  const out = Tensor._fromStorage(s, [...a.shape.slice(0, r - 1), b.shape[r - 1]!], a.dtype);
  return record('matmul', [a, b], out, [a, b]);
}

/**
 * Matrix product with PyTorch's rules: 1-D operands are promoted to matrices
 * (and the added dim removed after), leading batch dims broadcast.
 * @example tg.randn([8, 3, 4]).matmul(tg.randn([4, 5]))  // [8, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkArgs('matmul', arguments, { a: 'tensor', b: 'tensor' });
  requireFloat('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new TensorError(`matmul: both arguments need at least 1 dim (got ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`);
  }
  const dt = promoteTypes(a.dtype, b.dtype);
  let x = cast(a, dt), y = cast(b, dt);
  const aVec = x.ndim === 1, bVec = y.ndim === 1;
  if (aVec) x = unsqueeze(x, 0);
  if (bVec) y = unsqueeze(y, 1);
  const K = x.shape[x.ndim - 1]!;
  if (y.shape[y.ndim - 2] !== K) {
    throw new TensorError(`matmul: inner dimensions differ (${fmtShape(a.shape)} @ ${fmtShape(b.shape)}: ${K} vs ${y.shape[y.ndim - 2]})`);
  }
  const batch = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
  x = expand(x, [...batch, ...x.shape.slice(-2)]);
  y = expand(y, [...batch, ...y.shape.slice(-2)]);
  let out = matmulPrim(x, y);
  if (aVec) out = squeeze(out, out.ndim - 2);
  if (bVec) out = squeeze(out, out.ndim - 1);
  return out;
}

/**
 * y = x W^T + b. x `[..., in]`, weight `[out, in]`, bias `[out]` -> `[..., out]`.
 * With a bias, one GEMM that adds it as it stores (the backend's fused linear
 * epilogue, see ops/linear-fused.ts) where the backend has one; the same
 * numbers as matmul then add.
 * @example F.linear(x, layer.weight, layer.bias)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkArgs('linear', arguments, { x: 'tensor', weight: 'tensor', bias: 'tensor?' });
  checkLinear('linear', x, weight, bias ?? null);
  return linearForward(x, weight, bias ?? null, false);
}

/**
 * `relu(linear(x, weight, bias))`, in one pass where the backend has the fused
 * linear epilogue (the ReLU applied as the GEMM stores). INTERNAL: not in tg.F;
 * nn/fusion.ts (Sequential's Linear -> ReLU) is its caller. Same shapes and
 * errors as F.linear.
 * @example linearRelu(tg.randn([64, 784]), fc.weight, fc.bias)  // [64, out], all >= 0
 */
export function linearRelu(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  checkLinear('linear', x, weight, bias);
  return linearForward(x, weight, bias, true);
}

/** F.linear's argument checks (dtypes, shapes), shared by the fused form. */
function checkLinear(name: string, x: Tensor, weight: Tensor, bias: Tensor | null): void {
  requireFloat(name, x, weight, ...(bias ? [bias] : []));
  if (weight.ndim !== 2) throw new TensorError(`${name}: weight must be 2-D [out, in] (got ${fmtShape(weight.shape)})`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new TensorError(`${name}: input has ${x.shape[x.ndim - 1] ?? 0} features but weight expects ${weight.shape[1]} (input ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new TensorError(`${name}: bias must have shape [${weight.shape[0]}] (got ${fmtShape(bias.shape)})`);
  }
}

/**
 * relu?(x Wᵀ + b) for checked arguments: the fused kernel when x is `[rows,
 * in]`, there is an epilogue to fuse and the backend takes it, else the
 * composite (matmul, add, relu), which defines it. Inputs with batch dims
 * keep the composite: flattening them would merge their axes in the graph
 * (the receptive-field analysis follows a Linear over channels through a
 * batched matmul), and their weight gradient is the composite's sum order.
 */
function linearForward(x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  if ((bias || relu) && x.ndim === 2) {
    const y = linearFused(x, weight, bias, relu);
    if (y) return y;
  }
  const y = matmul(x, t(weight));
  const biased = bias ? y.add(bias) : y;
  return relu ? reluOp(biased) : biased;
}
