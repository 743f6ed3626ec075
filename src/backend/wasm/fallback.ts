/**
 * Correct-by-construction fallbacks: run the reference backend's TypeScript
 * kernels directly on zero-copy typed-array views of the wasm heap, then copy
 * the result into a new heap block. Every Backend method has one, so the wasm
 * backend is complete even where no wasm kernel exists yet (float64 GEMM and
 * convolution, argmax, gather, adaptive pooling, ...).
 *
 * Views are made right before the reference call and the output is allocated
 * after it: an allocation may grow the memory, which detaches older views.
 */
import type {
  AdaptivePoolParams, AvgPoolParams, BinaryOp, ConvParams, Layout, PoolParams, ReduceOp, UnaryOp,
} from '../backend.js';
import { convPool2x2Params } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { BINARY, UNARY, mapBinary, mapUnary, mapWhere } from '../reference/elementwise.js';
import { reduce } from '../reference/reduce.js';
import { matmul } from '../reference/matmul.js';
import { gather, scatterAdd } from '../reference/indexing.js';
import * as conv from '../reference/conv.js';
import * as pool from '../reference/pool.js';
import type { WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';
import type { WasmEpilogue } from './conv.js';

/** Counts fallback calls per kernel name (for benchmarks and coverage reports). */
export const fallbackCounts = new Map<string, number>();

function count(name: string): void {
  fallbackCounts.set(name, (fallbackCounts.get(name) ?? 0) + 1);
}

export class Fallback {
  constructor(private readonly ctx: WasmContext) {}

  private out(dtype: DType, data: TypedArray): WasmStorage {
    return this.ctx.fromTyped(dtype, data);
  }

  unary(op: UnaryOp, x: WasmStorage, xl: Layout, outDtype: DType): WasmStorage {
    count(`unary:${op}:${x.dtype}`);
    return this.out(outDtype, mapUnary(UNARY[op], x.view(), xl, outDtype));
  }
  binary(op: BinaryOp, a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout, outDtype: DType): WasmStorage {
    count(`binary:${op}:${a.dtype}`);
    return this.out(outDtype, mapBinary(BINARY[op], a.view(), al, b.view(), bl, outDtype));
  }
  where(c: WasmStorage, cl: Layout, a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout, outDtype: DType): WasmStorage {
    count(`where:${a.dtype}`);
    return this.out(outDtype, mapWhere(c.view(), cl, a.view(), al, b.view(), bl, outDtype));
  }
  reduce(op: ReduceOp, x: WasmStorage, xl: Layout, axes: readonly number[], outDtype: DType): WasmStorage {
    count(`reduce:${op}:${x.dtype}`);
    return this.out(outDtype, reduce(op, x.view(), xl, axes, outDtype));
  }
  matmul(a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout, outDtype: DType): WasmStorage {
    count(`matmul:${a.dtype}`);
    return this.out(outDtype, matmul(a.view(), al, b.view(), bl, outDtype));
  }
  gather(x: WasmStorage, xl: Layout, dim: number, index: WasmStorage, il: Layout): WasmStorage {
    count(`gather:${x.dtype}`);
    return this.out(x.dtype, gather(x.view(), xl, dim, index.view(), il, x.dtype));
  }
  /** In place, so no copy back: the reference writes straight into the heap view. */
  scatterAdd(dst: WasmStorage, dstShape: Shape, dim: number, index: WasmStorage, il: Layout, src: WasmStorage, sl: Layout): void {
    count(`scatterAdd:${dst.dtype}`);
    scatterAdd(dst.view(), dstShape, dim, index.view(), il, src.view(), sl);
  }

  conv(x: WasmStorage, w: WasmStorage, p: ConvParams, epi?: WasmEpilogue): WasmStorage {
    count(`conv:${x.dtype}`);
    const epilogue = epi && { bias: epi.bias && epi.bias.view(), relu: epi.relu };
    const y = conv.convForward(x.view(), w.view(), p, x.dtype, epilogue);
    if (!epi?.pool2x2) return this.out(x.dtype, y);
    const pooled = pool.maxPool(y, convPool2x2Params(p), x.dtype);
    if (epi.poolIndices) (epi.poolIndices.view() as Int32Array).set(pooled.indices);
    return this.out(x.dtype, pooled.out);
  }
  convEpilogueBackward(g: WasmStorage, y: WasmStorage | null, n: number, c: number, s: number, bias: boolean): { g: WasmStorage | null; bias: WasmStorage | null } {
    count(`convEpilogueBackward:${g.dtype}`);
    const r = conv.convEpilogueBackward(g.view(), y && y.view(), n, c, s, bias, g.dtype);
    // Views first, then allocations (which may grow the memory).
    const gOut = r.g && this.out(g.dtype, r.g);
    return { g: gOut, bias: r.bias && this.out(g.dtype, r.bias) };
  }
  convBackwardInput(gy: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage {
    count(`convBackwardInput:${gy.dtype}`);
    return this.out(gy.dtype, conv.convBackwardInput(gy.view(), w.view(), p, gy.dtype));
  }
  convBackwardWeight(x: WasmStorage, gy: WasmStorage, p: ConvParams): WasmStorage {
    count(`convBackwardWeight:${x.dtype}`);
    return this.out(x.dtype, conv.convBackwardWeight(x.view(), gy.view(), p, x.dtype));
  }

  maxPool(x: WasmStorage, p: PoolParams): { out: WasmStorage; indices: WasmStorage } {
    count(`maxPool:${x.dtype}`);
    const r = pool.maxPool(x.view(), p, x.dtype);
    return { out: this.out(x.dtype, r.out), indices: this.out('int32', r.indices) };
  }
  avgPool(x: WasmStorage, p: AvgPoolParams): WasmStorage {
    count(`avgPool:${x.dtype}`);
    return this.out(x.dtype, pool.avgPool(x.view(), p, x.dtype));
  }
  maxPoolBackward(gy: WasmStorage, indices: WasmStorage, planes: number, outPlane: number, inPlane: number): WasmStorage {
    count(`maxPoolBackward:${gy.dtype}`);
    return this.out(gy.dtype, pool.maxPoolBackward(gy.view(), indices.view() as Int32Array, planes, outPlane, inPlane, gy.dtype));
  }
  avgPoolBackward(gy: WasmStorage, p: AvgPoolParams): WasmStorage {
    count(`avgPoolBackward:${gy.dtype}`);
    return this.out(gy.dtype, pool.avgPoolBackward(gy.view(), p, gy.dtype));
  }
  adaptiveAvgPool(x: WasmStorage, p: AdaptivePoolParams): WasmStorage {
    count(`adaptiveAvgPool:${x.dtype}`);
    return this.out(x.dtype, pool.adaptiveAvgPool(x.view(), p, x.dtype));
  }
  adaptiveAvgPoolBackward(gy: WasmStorage, p: AdaptivePoolParams): WasmStorage {
    count(`adaptiveAvgPoolBackward:${gy.dtype}`);
    return this.out(gy.dtype, pool.adaptiveAvgPoolBackward(gy.view(), p, gy.dtype));
  }
  adaptiveMaxPool(x: WasmStorage, p: AdaptivePoolParams): { out: WasmStorage; indices: WasmStorage } {
    count(`adaptiveMaxPool:${x.dtype}`);
    const r = pool.adaptiveMaxPool(x.view(), p, x.dtype);
    return { out: this.out(x.dtype, r.out), indices: this.out('int32', r.indices) };
  }
}
