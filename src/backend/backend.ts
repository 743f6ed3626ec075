import type { DType, TypedArray } from '../core/dtype.js';
import type { Shape } from '../core/shape.js';


/**
 * Where a tensor's elements sit inside its storage: element `idx` (a multi-index)
 * is at `offset + sum(idx[i] * strides[i])`. Strides may be 0 (broadcast/expand)
 * or negative (flip).
 */
export interface Layout {
  /** The view's dims. */
  readonly shape: Shape;
  /** Elements to step in the storage per unit of each dim (one per dim; 0 = broadcast, negative = flipped). */
  readonly strides: readonly number[];
  /** Storage index of element `[0, 0, ...]`. */
  readonly offset: number;
}

/**
 * A backend-owned buffer of `length` elements of one dtype. Opaque outside its
 * backend: a WebAssembly backend keeps a heap pointer here, a GPU backend a
 * device buffer. Backends that own memory free it when the Storage object is
 * garbage collected (FinalizationRegistry) or when `release()` is called.
 */
export interface Storage {
  /** Element type of the buffer. */
  readonly dtype: DType;
  /** Number of elements (not bytes). */
  readonly length: number;
  /** The backend that owns the buffer; only it can read or compute on it. */
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
 * cross-entropy, training batch norm, conv epilogues; see FusedKernels below);
 * without them the tensor-op composites that define them run.
 * @example
 * class MyBackend implements Backend { readonly name = 'mine'; alloc(dtype, n) { ... } ... }  // no `fused`: composites run
 */
export interface Backend {
  /** The backend's name: 'reference', 'wasm' or 'webgpu' for the built-in ones, any string for a custom one. */
  readonly name: string;
  /** Optional fused kernels; absent: every one runs as its composite. */
  readonly fused?: FusedKernels;

  /** A zero-filled buffer. */
  alloc(dtype: DType, length: number): Storage;
  /**
   * A buffer whose contents are unspecified (optional; absent: callers use
   * `alloc`), for a caller that writes every element before any is read: a
   * copy's destination, a kernel's index output. It skips alloc's zero fill
   * (LeNet-5's two pooling-index buffers: 31-117 us of a training step on the
   * 2-core VM). The ops call it through `allocForOverwrite` (src/backend/backend.ts).
   */
  allocUninitialized?(dtype: DType, length: number): Storage;
  /** A buffer holding a copy of `values` (already of the dtype's array type). */
  fromArray(dtype: DType, values: TypedArray): Storage;
  /** Contiguous copy of a view, in the storage's dtype. Synchronous. */
  read(src: Storage, layout: Layout): TypedArray;
  /**
   * Whether `read` can answer synchronously for this storage (optional;
   * absent = always). A GPU backend answers true only for storages that still
   * hold their host copy.
   */
  canReadSync?(storage: Storage): boolean;
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
  maxPool(x: Storage, p: PoolParams, withIndices?: boolean): {
    /** The pooled values, `[batch, channels, ...outSize]`. */
    out: Storage;
    /** int32 flat position of each max within its input plane; null when not asked for (`withIndices` false). */
    indices: Storage | null;
  };
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
  adaptiveMaxPool(x: Storage, p: AdaptivePoolParams): {
    /** The pooled values, `[batch, channels, ...outSize]`. */
    out: Storage;
    /** int32 flat position of each max within its input plane. */
    indices: Storage;
  };
}

// ---- optional fused kernels ----------------------------------------------

/**
 * Optional fused kernels a backend may offer beside the required contract
 * (Backend above). Each one computes, in one pass, what a short
 * composite of tensor ops computes; that composite is the definition, and
 * it runs whenever a backend lacks the kernel, declines a call, or fused
 * kernels are switched off (TENSORGRAD_FUSED=0, see src/ops/fused.ts). A new
 * backend needs none of them; test/backend/capabilities.test.ts checks every
 * kernel the wasm backend offers against its composite.
 *
 * Every kernel may DECLINE a call it does not handle (a dtype, a geometry) by
 * returning null (false for the in-place optimizer updates) before it writes
 * anything; the op layer then runs the composite. Inputs are whole
 * contiguous storages (offset 0) of one backend.
 */

/** One SGD step's settings (torch.optim.SGD); `firstStep` sets the momentum buffer to the gradient. */
export interface SgdStepOptions {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean; firstStep: boolean;
}

/** One Adam step's settings (torch.optim.Adam/AdamW); `step` counts from 1; `decoupled`: AdamW's weight decay. */
export interface AdamStepOptions {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; maximize: boolean; step: number;
}

/**
 * What a fused convolution does to its output before storing it: add a bias
 * `[outChannels]` (or not), then ReLU (or not), then (pool2x2) 2×2/stride-2
 * max pooling over the last two dims, which makes the stored output
 * `[batch, outChannels, oD, floor(oH/2), floor(oW/2)]`; the full-size
 * activation is never stored, so a backward needs `poolIndices`.
 */
export interface ConvEpilogue {
  bias: Storage | null;
  relu: boolean;
  pool2x2?: boolean;
  /**
   * With pool2x2, where to write the pooling's argmax indices (int32, shaped
   * like the pooled output, flat positions within each output plane
   * (oD, oH, oW), as maxPool returns them), for a backward; omitted: none are made.
   */
  poolIndices?: Storage;
}

/**
 * A buffer of `length` elements the caller overwrites whole before reading it:
 * the backend's `allocUninitialized` when it has one, else a zero-filled `alloc`.
 * @example const s = allocForOverwrite(backend, 'float32', 6); backend.copy(s, layout, src, srcLayout);
 */
export function allocForOverwrite(backend: Backend, dtype: DType, length: number): Storage {
  return backend.allocUninitialized ? backend.allocUninitialized(dtype, length) : backend.alloc(dtype, length);
}

/** The max-pooling parameters of a pooled conv epilogue (2×2 windows, stride 2, no padding). */
export function convPool2x2Params(p: ConvParams): PoolParams {
  const [oD, oH, oW] = p.outSize;
  return {
    batch: p.batch, channels: p.outChannels, inSize: [oD, oH, oW], kernelSize: [1, 2, 2],
    outSize: [oD, Math.floor(oH / 2), Math.floor(oW / 2)], stride: [1, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1],
  };
}

/**
 * The optional fused kernels. All members are optional; each names the
 * composite that defines it.
 * @example
 * const k = fusedKernels(backend);   // src/ops/fused.ts: null when absent or switched off
 * const y = k?.crossEntropyRows?.(x, t, rows, classes, -100, 0) ?? null;  // null: run the composite
 */
export interface FusedKernels {
  /**
   * SGD update in place on `n` elements of p, its gradient and the momentum
   * buffer (null without momentum):
   *   d = ±grad + wd·p;  buf = firstStep ? d : μ·buf + (1-dampening)·d;
   *   d = nesterov ? d + μ·buf : buf;  p -= lr·d.
   * The composite in src/optim/sgd.ts (SGD.update's tensor-op path) is the definition.
   * Returns false (nothing written) to decline.
   */
  sgdStep?(p: Storage, grad: Storage, buf: Storage | null, n: number, o: SgdStepOptions): boolean;
  /**
   * Adam/AdamW update in place (m, v: moment estimates; vMax: AMSGrad's running max, or null):
   *   d = ±grad (+ wd·p, or p *= 1 - lr·wd when decoupled);  m = β1 m + (1-β1) d;  v = β2 v + (1-β2) d²;
   *   v̂ = amsgrad ? (vMax = max(vMax, v)) : v;  p -= lr/(1-β1^t) · m / (sqrt(v̂)/sqrt(1-β2^t) + eps).
   * The composite in src/optim/adam.ts (adamStep's tensor-op path) is the definition.
   * Returns false (nothing written) to decline.
   */
  adamStep?(p: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null, n: number, o: AdamStepOptions): boolean;
  /**
   * Runs `run`, one optimizer step's per-parameter updates, letting the
   * backend defer the sgdStep/adamStep calls made inside it and run them
   * together when it returns (or throws: the deferred updates still run,
   * then the error propagates). Inside `run` nothing may read a parameter or
   * its state after its update call (each update touches only its own
   * parameter, gradient and state). Absent: the updates run one by one.
   */
  updateBatch?(run: () => void): void;

  /**
   * Softmax cross-entropy per row: logits `[rows, classes]` and int32 class
   * indices `[rows]` -> `[rows]` losses `-(1-ε) logp[t] - (ε/C) Σ_c logp[c]`
   * (logp = logSoftmax over the row), 0 where the target is `ignoreIndex`.
   * The composite in src/ops/loss-class.ts (crossEntropy's logSoftmax + pickTargets path) is the definition.
   */
  crossEntropyRows?(logits: Storage, targets: Storage, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number): Storage | null;
  /**
   * Its gradient w.r.t. the logits given the per-row upstream gradient g `[rows]`:
   * g·(softmax - (1-ε) onehot(t) - ε/C), 0 on ignored rows -> `[rows, classes]`.
   * The composite in src/ops/loss-prims.ts (crossEntropyRowsBackwardPrim) is the definition.
   */
  crossEntropyRowsBackward?(
    logits: Storage, targets: Storage, g: Storage, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number,
  ): Storage | null;
  /**
   * The same losses reduced to one number: `Σ_rows loss / divisor` as a
   * float32 scalar `[]` (divisor: the kept targets for 'mean', 1 for 'sum'),
   * summed as the backend's sum reduction sums. The composite in src/ops/loss-class.ts
   * (crossEntropyRows, then sum, then divide) is the definition; one call
   * instead of three, so the loss of a small batch costs one kernel.
   */
  crossEntropyReduced?(
    logits: Storage, targets: Storage, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number, divisor: number,
  ): Storage | null;
  /**
   * Its gradient w.r.t. the logits given the scalar upstream gradient g `[]`:
   * crossEntropyRowsBackward with every row's g = g / divisor -> `[rows, classes]`.
   * The composite in src/ops/loss-prims.ts (crossEntropyReducedBackwardPrim) is the definition.
   */
  crossEntropyReducedBackward?(
    logits: Storage, targets: Storage, g: Storage, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number, divisor: number,
  ): Storage | null;

  /**
   * Training-mode batch norm over x `[n, c, s]`: per-channel batch mean and
   * biased variance, y = (x - mean)/sqrt(var + eps)·weight + bias (weight/bias
   * `[c]`, null = 1/0). The composite in src/ops/norm.ts (batchNorm's training path) is the definition.
   */
  batchNormTrain?(x: Storage, weight: Storage | null, bias: Storage | null, n: number, c: number, s: number, eps: number):
    { y: Storage; mean: Storage; var: Storage } | null;
  /**
   * Its backward from gy `[n, c, s]`, with x̂ = (x - mean)/σ, M = n·s:
   * dbias = Σ gy, dweight = Σ gy·x̂, dx = weight/σ · (gy - dbias/M - x̂·dweight/M).
   * The composite in src/ops/norm-prims.ts (batchNormTrainBackwardPrim) is the definition.
   */
  batchNormTrainBackward?(x: Storage, gy: Storage, mean: Storage, variance: Storage, weight: Storage | null, n: number, c: number, s: number, eps: number):
    { dx: Storage; dweight: Storage; dbias: Storage } | null;

  /**
   * Convolution with an epilogue in the same pass: conv(x, w) + bias, then
   * ReLU, then (pool2x2) 2×2 max pooling writing `poolIndices` if given.
   * The composite in src/ops/conv-prims.ts (convPrim / convReluPoolPrim without
   * the kernel: conv, add, relu, maxPool) is the definition.
   */
  convEpilogue?(x: Storage, w: Storage, p: ConvParams, epilogue: ConvEpilogue): Storage | null;
  /**
   * Backward of the epilogue over g `[n, c, s]`: with `y` (the epilogue's
   * output, ReLU applied) g masked where y <= 0, else null (g passes unchanged);
   * with `bias`, the per-channel sums of that gradient `[c]`.
   * The composite in src/ops/conv-prims.ts (convEpilogueGrad: reluBackward, sum) is the definition.
   */
  convEpilogueBackward?(g: Storage, y: Storage | null, n: number, c: number, s: number, bias: boolean):
    { g: Storage | null; bias: Storage | null } | null;
  /**
   * The input and weight gradients of conv -> ReLU -> 2×2 max pooling (the
   * pool2x2 epilogue) from `g`, the pooled gradient `[N, Cout, floor(oH/2),
   * floor(oW/2)]` already masked by the ReLU, and the pooling's `indices`
   * (int32, positions in each oH·oW plane): gx `[N, Cin, ...in]` when `w` is
   * given, gw `[Cout, Cin/groups, ...k]` when `x` is given. The composite in
   * src/autograd/gradients.ts (convReluPool: maxPoolBackward, then the
   * convolution's gradients) is the definition; null declines.
   */
  convPoolBackward?(g: Storage, indices: Storage, x: Storage | null, w: Storage | null, p: ConvParams):
    { gx: Storage | null; gw: Storage | null } | null;

  /**
   * A linear layer with its epilogue in the same pass: x `[rows, inF]` ·
   * wᵀ (w `[outF, inF]`) + bias `[outF]` (null: none), then ReLU if `relu`
   * -> `[rows, outF]`. The composite in src/ops/linalg.ts (linearForward
   * without the kernel: matmul, add, relu) is the definition.
   */
  linearEpilogue?(x: Storage, w: Storage, bias: Storage | null, rows: number, inF: number, outF: number, relu: boolean): Storage | null;
  /**
   * Backward of that epilogue over g `[rows, features]`: with `y` (the
   * output, ReLU applied) g masked where y <= 0, else null (g passes
   * unchanged); with `bias`, the column sums of that gradient `[features]`.
   * The composite in src/ops/linear-fused.ts (linearEpilogueGrad: reluBackward, sum over rows) is the definition.
   */
  linearEpilogueBackward?(g: Storage, y: Storage | null, rows: number, features: number, bias: boolean):
    { g: Storage | null; bias: Storage | null } | null;
}
