import type { DType, TypedArray } from '../core/dtype.js';
import type { Shape } from '../core/shape.js';
import type { FusedKernels } from './capabilities.js';

export { convPool2x2Params } from './capabilities.js';
export type { AdamStepOptions, ConvEpilogue, FusedKernels, SgdStepOptions } from './capabilities.js';

/**
 * Where a tensor's elements sit inside its storage: element `idx` (a multi-index)
 * is at `offset + sum(idx[i] * strides[i])`. Strides may be 0 (broadcast/expand)
 * or negative (flip).
 */
export interface Layout {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * A backend-owned buffer of `length` elements of one dtype. Opaque outside its
 * backend: a WebAssembly backend keeps a heap pointer here, a GPU backend a
 * device buffer. Backends that own memory free it when the Storage object is
 * garbage collected (FinalizationRegistry) or when `release()` is called.
 */
export interface Storage {
  readonly dtype: DType;
  readonly length: number;
  readonly backend: Backend;
}

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt' | 'reciprocal'
  | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'floor' | 'ceil' | 'round' | 'logicalNot'
  | 'tan' | 'atan' | 'log2' | 'log10';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr'
  /** ReLU's gradient, fused: a where b > 0, else 0 (a = incoming gradient, b = the forward input). */
  | 'reluBackward';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * Convolution geometry, always in 3 spatial dims (1-D and 2-D convolutions use
 * size-1 leading dims). Input `[batch, inChannels, ...inSize]`, weight
 * `[outChannels, inChannels/groups, ...kernelSize]`, output
 * `[batch, outChannels, ...outSize]`. `padding` is the padding before each spatial
 * dim; padding after is implied by `outSize` (input positions outside `[0, inSize)` read 0).
 */
export interface ConvParams {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly inSize: readonly [number, number, number];
  readonly kernelSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  readonly stride: readonly [number, number, number];
  readonly padding: readonly [number, number, number];
  readonly dilation: readonly [number, number, number];
}

/**
 * Pooling geometry in 3 spatial dims (like ConvParams). Input
 * `[batch, channels, ...inSize]`, output `[batch, channels, ...outSize]`.
 * Window `o` along a dim starts at input position `o*stride - padding`.
 */
export interface PoolParams {
  readonly batch: number;
  readonly channels: number;
  readonly inSize: readonly [number, number, number];
  readonly kernelSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  readonly stride: readonly [number, number, number];
  readonly padding: readonly [number, number, number];
  readonly dilation: readonly [number, number, number];
}

/** Average pooling adds PyTorch's divisor rules. */
export interface AvgPoolParams extends PoolParams {
  readonly countIncludePad: boolean;
  readonly divisorOverride?: number;
}

/** Adaptive pooling: window `o` spans `[floor(o*in/out), ceil((o+1)*in/out))` per dim. */
export interface AdaptivePoolParams {
  readonly batch: number;
  readonly channels: number;
  readonly inSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
}

/**
 * The primitive kernels every backend implements (24 methods: memory 5,
 * copy/fill 2, elementwise 3, reduce, matmul, gather/scatterAdd 2, convolution 3,
 * pooling 7). Tensor ops, broadcasting, views and autograd are written once above
 * this interface; a backend only moves and computes numbers. Unless a kernel says
 * otherwise, it returns a new contiguous Storage of the result shape, and inputs
 * are given as storage + layout (any strides). Floating kernels compute in the
 * dtype of their inputs; callers cast operands to a common dtype first.
 *
 * `fused` optionally adds one-pass kernels (optimizer updates, softmax
 * cross-entropy, training batch norm, conv epilogues; see capabilities.ts);
 * without them the tensor-op composites that define them run.
 * @example
 * class MyBackend implements Backend { readonly name = 'mine'; alloc(dtype, n) { ... } ... }  // no `fused`: composites run
 */
export interface Backend {
  readonly name: string;
  /** Optional fused kernels; absent: every one runs as its composite. */
  readonly fused?: FusedKernels;

  /** A zero-filled buffer. */
  alloc(dtype: DType, length: number): Storage;
  /** A buffer holding a copy of `values` (already of the dtype's array type). */
  fromArray(dtype: DType, values: TypedArray): Storage;
  /** Contiguous copy of a view, in the storage's dtype. Synchronous. */
  read(src: Storage, layout: Layout): TypedArray;
  /** Asynchronous read; GPU backends resolve once the data is on the host. */
  readAsync(src: Storage, layout: Layout): Promise<TypedArray>;
  /** Frees the buffer now (optional eager release; GC does it otherwise). */
  release(storage: Storage): void;

  /** dst[view] = src[view] elementwise, converting dtypes; shapes are equal. */
  copy(dst: Storage, dstLayout: Layout, src: Storage, srcLayout: Layout): void;
  /** dst[view] = value. */
  fill(dst: Storage, dstLayout: Layout, value: number): void;

  /** out = op(x), out dtype `outDtype` (bool for logicalNot). */
  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType): Storage;
  /** out = op(a, b); both layouts already have the output shape (broadcast by 0 strides). */
  binary(op: BinaryOp, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage;
  /** out = cond ? a : b; all three layouts have the output shape. */
  where(cond: Storage, cl: Layout, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage;
  /** Reduces the sorted `axes` away; out shape = shape without those axes. argmax/argmin give int32 indices into the flattened reduced axes. */
  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage;
  /** a `[...B, M, K]` @ b `[...B, K, N]` (same batch dims B) -> `[...B, M, N]`. */
  matmul(a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage;
  /** out[i] = x[i with i[dim] replaced by index[i]]; out shape = index shape. */
  gather(x: Storage, xl: Layout, dim: number, index: Storage, il: Layout): Storage;
  /** In place: dst[i with i[dim] replaced by index[i]] += src[i], over the index shape; dst is contiguous of `dstShape`. */
  scatterAdd(dst: Storage, dstShape: Shape, dim: number, index: Storage, il: Layout, src: Storage, sl: Layout): void;

  /** Convolution forward; x and w contiguous -> `[batch, outChannels, ...outSize]`. */
  conv(x: Storage, w: Storage, p: ConvParams): Storage;
  /** Gradient of conv w.r.t. its input (= transposed convolution): gy `[batch, outChannels, ...outSize]` -> `[batch, inChannels, ...inSize]`. */
  convBackwardInput(gy: Storage, w: Storage, p: ConvParams): Storage;
  /** Gradient of conv w.r.t. its weight: -> `[outChannels, inChannels/groups, ...kernelSize]`. */
  convBackwardWeight(x: Storage, gy: Storage, p: ConvParams): Storage;

  /**
   * Max pooling; `indices` (int32) hold each max's flat position within its
   * input plane `inSize` (PyTorch's convention). Padding reads as -Infinity.
   * With `withIndices` false (inference) a backend may skip them and return null.
   */
  maxPool(x: Storage, p: PoolParams, withIndices?: boolean): { out: Storage; indices: Storage | null };
  /**
   * Max pooling backward (also adaptive max pooling): gy and indices (int32, as
   * maxPool returns them, -1 = no input) both `[planes, outPlane]` ->
   * `[planes, inPlane]`, zero except gy summed at each index.
   */
  maxPoolBackward(gy: Storage, indices: Storage, planes: number, outPlane: number, inPlane: number): Storage;
  /** Average pooling forward. */
  avgPool(x: Storage, p: AvgPoolParams): Storage;
  /** Average pooling backward: gy `[batch, channels, ...outSize]` -> `[batch, channels, ...inSize]`. */
  avgPoolBackward(gy: Storage, p: AvgPoolParams): Storage;
  /** Adaptive average pooling forward. */
  adaptiveAvgPool(x: Storage, p: AdaptivePoolParams): Storage;
  /** Adaptive average pooling backward. */
  adaptiveAvgPoolBackward(gy: Storage, p: AdaptivePoolParams): Storage;
  /** Adaptive max pooling with indices (as maxPool). */
  adaptiveMaxPool(x: Storage, p: AdaptivePoolParams): { out: Storage; indices: Storage };
}
