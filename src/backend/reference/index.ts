import type {
  AdamStepOptions, AdaptivePoolParams, AvgPoolParams, Backend, BinaryOp, ConvEpilogue, ConvParams, Layout, PoolParams, ReduceOp,
  SgdStepOptions, Storage, UnaryOp,
} from '../backend.js';
import { convPool2x2Params } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { toTypedArray, typedArrayFor } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { isContiguous, numel } from '../../tensor/shape.js';
import { RefStorage, dataOf, gatherView, offsetsOf } from './storage.js';
import { BINARY, UNARY, mapBinary, mapUnary, mapWhere } from './elementwise.js';
import { reduce } from './reduce.js';
import { matmul } from './matmul.js';
import { gather, scatterAdd } from './indexing.js';
import * as conv from './conv.js';
import * as pool from './pool.js';
import * as optim from './optim.js';
import * as loss from './loss.js';
import * as bn from './batchnorm.js';

/**
 * The reference backend: plain TypeScript over typed arrays, float32 and float64.
 * It is the executable specification every faster backend is tested against, so
 * it favours obvious loops over speed.
 */
class ReferenceBackend implements Backend {
  readonly name = 'reference';

  private wrap(dtype: DType, data: TypedArray): RefStorage {
    return new RefStorage(this, dtype, data);
  }

  alloc(dtype: DType, length: number): Storage {
    return this.wrap(dtype, typedArrayFor(dtype, length));
  }
  fromArray(dtype: DType, values: TypedArray): Storage {
    return this.wrap(dtype, toTypedArray(dtype, values));
  }
  read(src: Storage, layout: Layout): TypedArray {
    return gatherView(dataOf(src), layout, src.dtype);
  }
  readAsync(src: Storage, layout: Layout): Promise<TypedArray> {
    return Promise.resolve(this.read(src, layout));
  }
  release(_storage: Storage): void {
    // Plain typed arrays are reclaimed by the garbage collector.
  }

  copy(dst: Storage, dstLayout: Layout, src: Storage, srcLayout: Layout): void {
    const d = dataOf(dst), s = dataOf(src);
    const n = numel(dstLayout.shape);
    if (dst.dtype === src.dtype && d !== s && isContiguous(dstLayout.shape, dstLayout.strides) && isContiguous(srcLayout.shape, srcLayout.strides)) {
      // Same type, distinct buffers, both dense: one block copy.
      d.set(s.subarray(srcLayout.offset, srcLayout.offset + n), dstLayout.offset);
      return;
    }
    const od = offsetsOf(dstLayout), os = offsetsOf(srcLayout);
    // Read everything first: source and destination may overlap (x.copy_(x.flip(0))).
    const vals = new Float64Array(os.length);
    for (let i = 0; i < os.length; i++) vals[i] = s[os[i]!]!;
    const toBool = dst.dtype === 'bool', toInt = dst.dtype === 'int32';
    for (let i = 0; i < od.length; i++) {
      const v = vals[i]!;
      d[od[i]!] = toBool ? (v ? 1 : 0) : toInt ? Math.trunc(v) : v;
    }
  }
  fill(dst: Storage, dstLayout: Layout, value: number): void {
    const d = dataOf(dst);
    for (const o of offsetsOf(dstLayout)) d[o] = value;
  }

  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType): Storage {
    return this.wrap(outDtype, mapUnary(UNARY[op], dataOf(x), xl, outDtype));
  }
  binary(op: BinaryOp, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    return this.wrap(outDtype, mapBinary(BINARY[op], dataOf(a), al, dataOf(b), bl, outDtype));
  }
  where(cond: Storage, cl: Layout, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    return this.wrap(outDtype, mapWhere(dataOf(cond), cl, dataOf(a), al, dataOf(b), bl, outDtype));
  }
  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage {
    return this.wrap(outDtype, reduce(op, dataOf(x), xl, axes, outDtype));
  }
  matmul(a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    return this.wrap(outDtype, matmul(dataOf(a), al, dataOf(b), bl, outDtype));
  }
  gather(x: Storage, xl: Layout, dim: number, index: Storage, il: Layout): Storage {
    return this.wrap(x.dtype, gather(dataOf(x), xl, dim, dataOf(index), il, x.dtype));
  }
  scatterAdd(dst: Storage, dstShape: Shape, dim: number, index: Storage, il: Layout, src: Storage, sl: Layout): void {
    scatterAdd(dataOf(dst), dstShape, dim, dataOf(index), il, dataOf(src), sl);
  }

  conv(x: Storage, w: Storage, p: ConvParams, epilogue?: ConvEpilogue): Storage {
    const epi = epilogue && { bias: epilogue.bias && dataOf(epilogue.bias), relu: epilogue.relu };
    const y = conv.convForward(dataOf(x), dataOf(w), p, x.dtype, epi);
    if (!epilogue?.pool2x2) return this.wrap(x.dtype, y);
    const pooled = pool.maxPool(y, convPool2x2Params(p), x.dtype);
    if (epilogue.poolIndices) (dataOf(epilogue.poolIndices) as Int32Array).set(pooled.indices);
    return this.wrap(x.dtype, pooled.out);
  }
  convEpilogueBackward(g: Storage, y: Storage | null, n: number, c: number, s: number, bias: boolean): { g: Storage | null; bias: Storage | null } {
    const r = conv.convEpilogueBackward(dataOf(g), y && dataOf(y), n, c, s, bias, g.dtype);
    return { g: r.g && this.wrap(g.dtype, r.g), bias: r.bias && this.wrap(g.dtype, r.bias) };
  }
  convBackwardInput(gy: Storage, w: Storage, p: ConvParams): Storage {
    return this.wrap(gy.dtype, conv.convBackwardInput(dataOf(gy), dataOf(w), p, gy.dtype));
  }
  convBackwardWeight(x: Storage, gy: Storage, p: ConvParams): Storage {
    return this.wrap(x.dtype, conv.convBackwardWeight(dataOf(x), dataOf(gy), p, x.dtype));
  }

  sgdStep(p: Storage, grad: Storage, buf: Storage | null, n: number, o: SgdStepOptions): void {
    optim.sgdStep(dataOf(p), dataOf(grad), buf ? dataOf(buf) : null, n, o);
  }
  adamStep(p: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null, n: number, o: AdamStepOptions): void {
    optim.adamStep(dataOf(p), dataOf(grad), dataOf(m), dataOf(v), vMax ? dataOf(vMax) : null, n, o);
  }

  crossEntropyRows(logits: Storage, targets: Storage, rows: number, classes: number, ignoreIndex: number, eps: number): Storage {
    return this.wrap(logits.dtype, loss.crossEntropyRows(dataOf(logits), dataOf(targets) as Int32Array, rows, classes, ignoreIndex, eps, logits.dtype));
  }
  crossEntropyRowsBackward(logits: Storage, targets: Storage, g: Storage, rows: number, classes: number, ignoreIndex: number, eps: number): Storage {
    const out = loss.crossEntropyRowsBackward(dataOf(logits), dataOf(targets) as Int32Array, dataOf(g), rows, classes, ignoreIndex, eps, logits.dtype);
    return this.wrap(logits.dtype, out);
  }

  batchNormTrain(x: Storage, weight: Storage | null, bias: Storage | null, n: number, c: number, s: number, eps: number) {
    const r = bn.batchNormTrain(dataOf(x), weight ? dataOf(weight) : null, bias ? dataOf(bias) : null, n, c, s, eps, x.dtype);
    return { y: this.wrap(x.dtype, r.y), mean: this.wrap(x.dtype, r.mean), var: this.wrap(x.dtype, r.var) };
  }
  batchNormTrainBackward(x: Storage, gy: Storage, mean: Storage, variance: Storage, weight: Storage | null, n: number, c: number, s: number, eps: number) {
    const r = bn.batchNormTrainBackward(dataOf(x), dataOf(gy), dataOf(mean), dataOf(variance), weight ? dataOf(weight) : null, n, c, s, eps, x.dtype);
    return { dx: this.wrap(x.dtype, r.dx), dweight: this.wrap(x.dtype, r.dweight), dbias: this.wrap(x.dtype, r.dbias) };
  }

  maxPool(x: Storage, p: PoolParams): { out: Storage; indices: Storage } {
    const r = pool.maxPool(dataOf(x), p, x.dtype);
    return { out: this.wrap(x.dtype, r.out), indices: this.wrap('int32', r.indices) };
  }
  maxPoolBackward(gy: Storage, indices: Storage, planes: number, outPlane: number, inPlane: number): Storage {
    return this.wrap(gy.dtype, pool.maxPoolBackward(dataOf(gy), dataOf(indices) as Int32Array, planes, outPlane, inPlane, gy.dtype));
  }
  avgPool(x: Storage, p: AvgPoolParams): Storage {
    return this.wrap(x.dtype, pool.avgPool(dataOf(x), p, x.dtype));
  }
  avgPoolBackward(gy: Storage, p: AvgPoolParams): Storage {
    return this.wrap(gy.dtype, pool.avgPoolBackward(dataOf(gy), p, gy.dtype));
  }
  adaptiveAvgPool(x: Storage, p: AdaptivePoolParams): Storage {
    return this.wrap(x.dtype, pool.adaptiveAvgPool(dataOf(x), p, x.dtype));
  }
  adaptiveAvgPoolBackward(gy: Storage, p: AdaptivePoolParams): Storage {
    return this.wrap(gy.dtype, pool.adaptiveAvgPoolBackward(dataOf(gy), p, gy.dtype));
  }
  adaptiveMaxPool(x: Storage, p: AdaptivePoolParams): { out: Storage; indices: Storage } {
    const r = pool.adaptiveMaxPool(dataOf(x), p, x.dtype);
    return { out: this.wrap(x.dtype, r.out), indices: this.wrap('int32', r.indices) };
  }
}

/** The single reference backend instance. */
export const referenceBackend: Backend = new ReferenceBackend();
