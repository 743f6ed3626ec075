/**
 * The reference kernels behind the Backend methods that compute (elementwise,
 * reduce, matmul, indexing, convolution, pooling), adapted once to any storage
 * type that can lend a typed-array view of its elements and wrap a result
 * array: the reference backend uses them over plain arrays, the wasm backend
 * (fallback.ts) over zero-copy views of its heap for what it has no wasm
 * kernel for.
 *
 * Views are taken right before each kernel call and results wrapped after
 * it: wrapping may allocate (and, in wasm, grow the memory, which detaches
 * older views).
 */
import type {
  AdaptivePoolParams, AvgPoolParams, BinaryOp, ConvParams, Layout, PoolParams, ReduceOp, Storage, UnaryOp,
} from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import type { Shape } from '../../core/shape.js';
import { BINARY, UNARY, mapBinary, mapUnary, mapWhere } from './elementwise.js';
import { reduce } from './reduce.js';
import { matmul } from './matmul.js';
import { gather, scatterAdd } from './indexing.js';
import * as conv from './conv.js';
import * as pool from './pool.js';

/**
 * The computing Backend methods, each as `wrap(kernel(view(inputs)))`. A
 * subclass says how to view a storage's elements and wrap a result.
 * @example
 * class Mine extends ArrayKernels<MyStorage> { protected view(s) { return s.data; } protected wrap(d, a) { return new MyStorage(d, a); } }
 */
export abstract class ArrayKernels<S extends Storage> {
  /** The storage's elements (a view, not a copy, so in-place kernels write through). */
  protected abstract view(s: S): TypedArray;
  /** A storage of `dtype` holding `data`. */
  protected abstract wrap(dtype: DType, data: TypedArray): S;
  /** Called before each kernel with a name such as `unary:exp:float64` (fallback counts); the name is built only when set. */
  protected onCall?(name: string): void;

  unary(op: UnaryOp, x: S, xl: Layout, outDtype: DType): S {
    this.onCall?.(`unary:${op}:${x.dtype}`);
    return this.wrap(outDtype, mapUnary(UNARY[op], this.view(x), xl, outDtype));
  }
  binary(op: BinaryOp, a: S, al: Layout, b: S, bl: Layout, outDtype: DType): S {
    this.onCall?.(`binary:${op}:${a.dtype}`);
    return this.wrap(outDtype, mapBinary(BINARY[op], this.view(a), al, this.view(b), bl, outDtype));
  }
  where(c: S, cl: Layout, a: S, al: Layout, b: S, bl: Layout, outDtype: DType): S {
    this.onCall?.(`where:${a.dtype}`);
    return this.wrap(outDtype, mapWhere(this.view(c), cl, this.view(a), al, this.view(b), bl, outDtype));
  }
  reduce(op: ReduceOp, x: S, xl: Layout, axes: readonly number[], outDtype: DType): S {
    this.onCall?.(`reduce:${op}:${x.dtype}`);
    return this.wrap(outDtype, reduce(op, this.view(x), xl, axes, outDtype));
  }
  matmul(a: S, al: Layout, b: S, bl: Layout, outDtype: DType): S {
    this.onCall?.(`matmul:${a.dtype}`);
    return this.wrap(outDtype, matmul(this.view(a), al, this.view(b), bl, outDtype));
  }
  gather(x: S, xl: Layout, dim: number, index: S, il: Layout): S {
    this.onCall?.(`gather:${x.dtype}`);
    return this.wrap(x.dtype, gather(this.view(x), xl, dim, this.view(index), il, x.dtype));
  }
  /** In place: the kernel writes straight into dst's view. */
  scatterAdd(dst: S, dstShape: Shape, dim: number, index: S, il: Layout, src: S, sl: Layout): void {
    this.onCall?.(`scatterAdd:${dst.dtype}`);
    scatterAdd(this.view(dst), dstShape, dim, this.view(index), il, this.view(src), sl);
  }

  conv(x: S, w: S, p: ConvParams): S {
    this.onCall?.(`conv:${x.dtype}`);
    return this.wrap(x.dtype, conv.convForward(this.view(x), this.view(w), p, x.dtype));
  }
  convBackwardInput(gy: S, w: S, p: ConvParams): S {
    this.onCall?.(`convBackwardInput:${gy.dtype}`);
    return this.wrap(gy.dtype, conv.convBackwardInput(this.view(gy), this.view(w), p, gy.dtype));
  }
  convBackwardWeight(x: S, gy: S, p: ConvParams): S {
    this.onCall?.(`convBackwardWeight:${x.dtype}`);
    return this.wrap(x.dtype, conv.convBackwardWeight(this.view(x), this.view(gy), p, x.dtype));
  }

  maxPool(x: S, p: PoolParams): { out: S; indices: S } {
    this.onCall?.(`maxPool:${x.dtype}`);
    const r = pool.maxPool(this.view(x), p, x.dtype);
    return { out: this.wrap(x.dtype, r.out), indices: this.wrap('int32', r.indices) };
  }
  maxPoolBackward(gy: S, indices: S, planes: number, outPlane: number, inPlane: number): S {
    this.onCall?.(`maxPoolBackward:${gy.dtype}`);
    return this.wrap(gy.dtype, pool.maxPoolBackward(this.view(gy), this.view(indices) as Int32Array, planes, outPlane, inPlane, gy.dtype));
  }
  avgPool(x: S, p: AvgPoolParams): S {
    this.onCall?.(`avgPool:${x.dtype}`);
    return this.wrap(x.dtype, pool.avgPool(this.view(x), p, x.dtype));
  }
  avgPoolBackward(gy: S, p: AvgPoolParams): S {
    this.onCall?.(`avgPoolBackward:${gy.dtype}`);
    return this.wrap(gy.dtype, pool.avgPoolBackward(this.view(gy), p, gy.dtype));
  }
  adaptiveAvgPool(x: S, p: AdaptivePoolParams): S {
    this.onCall?.(`adaptiveAvgPool:${x.dtype}`);
    return this.wrap(x.dtype, pool.adaptiveAvgPool(this.view(x), p, x.dtype));
  }
  adaptiveAvgPoolBackward(gy: S, p: AdaptivePoolParams): S {
    this.onCall?.(`adaptiveAvgPoolBackward:${gy.dtype}`);
    return this.wrap(gy.dtype, pool.adaptiveAvgPoolBackward(this.view(gy), p, gy.dtype));
  }
  adaptiveMaxPool(x: S, p: AdaptivePoolParams): { out: S; indices: S } {
    this.onCall?.(`adaptiveMaxPool:${x.dtype}`);
    const r = pool.adaptiveMaxPool(this.view(x), p, x.dtype);
    return { out: this.wrap(x.dtype, r.out), indices: this.wrap('int32', r.indices) };
  }
}
