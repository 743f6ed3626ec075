import type {
  AdaptivePoolParams, AvgPoolParams, Backend, ConvParams, Layout, PoolParams, Storage,
} from '../backend.js';
import { getBackend, setBackend } from '../current.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import type { Shape } from '../../core/shape.js';

/*
 * The meta backend (PyTorch's device='meta'): tensors with a shape, a dtype and
 * an autograd graph but no elements. Every kernel returns a storage of the right
 * length and computes nothing, so a forward pass through a model costs its
 * bookkeeping only (it implements the required contract only, so fused
 * operations run as their composites, node by node): `tensorgrad summary vgg11` builds the model and traces it on
 * meta tensors in a fraction of a second and a few MB, where real weights take
 * 515 MB and their random initialisation seconds. Reading elements throws.
 * Internal: used by the analysis code through {@link withMetaBackend}; not
 * selectable by name (there is nothing to compute with).
 */

/** A storage that records its dtype and length and holds nothing. */
class MetaStorage implements Storage {
  constructor(readonly backend: Backend, readonly dtype: DType, readonly length: number) {}
}

const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

function noData(what: string): never {
  throw new TensorError(`${what}: a meta tensor has a shape but no elements to read (it was made for shape analysis: ` +
    'a model that reads tensor values while it is built or run cannot be summarised from a builder function; pass the built model)');
}

class MetaBackend implements Backend {
  readonly name = 'meta';
  private out(dtype: DType, length: number): MetaStorage {
    return new MetaStorage(this, dtype, length);
  }
  alloc(dtype: DType, length: number): Storage { return this.out(dtype, length); }
  fromArray(dtype: DType, values: TypedArray): Storage { return this.out(dtype, values.length); }
  read(): TypedArray { return noData('read'); }
  readAsync(): Promise<TypedArray> {
    try {
      return noData('readAsync');
    } catch (e) {
      return Promise.reject(e);
    }
  }
  release(): void {}
  copy(): void {}
  fill(): void {}
  unary(_op: string, _x: Storage, xl: Layout, outDtype: DType): Storage { return this.out(outDtype, prod(xl.shape)); }
  binary(_op: string, _a: Storage, al: Layout, _b: Storage, _bl: Layout, outDtype: DType): Storage { return this.out(outDtype, prod(al.shape)); }
  where(_c: Storage, cl: Layout, _a: Storage, _al: Layout, _b: Storage, _bl: Layout, outDtype: DType): Storage { return this.out(outDtype, prod(cl.shape)); }
  reduce(_op: string, _x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage {
    return this.out(outDtype, prod(xl.shape.filter((_, i) => !axes.includes(i))));
  }
  matmul(_a: Storage, al: Layout, _b: Storage, bl: Layout, outDtype: DType): Storage {
    return this.out(outDtype, prod(al.shape.slice(0, -1)) * bl.shape[bl.shape.length - 1]!);
  }
  gather(x: Storage, _xl: Layout, _dim: number, _index: Storage, il: Layout): Storage { return this.out(x.dtype, prod(il.shape)); }
  scatterAdd(_dst: Storage, _shape: Shape): void {}
  conv(x: Storage, _w: Storage, p: ConvParams): Storage { return this.out(x.dtype, p.batch * p.outChannels * prod(p.outSize)); }
  convBackwardInput(gy: Storage, _w: Storage, p: ConvParams): Storage { return this.out(gy.dtype, p.batch * p.inChannels * prod(p.inSize)); }
  convBackwardWeight(x: Storage, _gy: Storage, p: ConvParams): Storage {
    return this.out(x.dtype, p.outChannels * (p.inChannels / p.groups) * prod(p.kernelSize));
  }
  maxPool(x: Storage, p: PoolParams, withIndices?: boolean): { out: Storage; indices: Storage | null } {
    const n = p.batch * p.channels * prod(p.outSize);
    return { out: this.out(x.dtype, n), indices: withIndices === false ? null : this.out('int32', n) };
  }
  maxPoolBackward(gy: Storage, _i: Storage, planes: number, _outPlane: number, inPlane: number): Storage { return this.out(gy.dtype, planes * inPlane); }
  avgPool(x: Storage, p: AvgPoolParams): Storage { return this.out(x.dtype, p.batch * p.channels * prod(p.outSize)); }
  avgPoolBackward(gy: Storage, p: AvgPoolParams): Storage { return this.out(gy.dtype, p.batch * p.channels * prod(p.inSize)); }
  adaptiveAvgPool(x: Storage, p: AdaptivePoolParams): Storage { return this.out(x.dtype, p.batch * p.channels * prod(p.outSize)); }
  adaptiveAvgPoolBackward(gy: Storage, p: AdaptivePoolParams): Storage { return this.out(gy.dtype, p.batch * p.channels * prod(p.inSize)); }
  adaptiveMaxPool(x: Storage, p: AdaptivePoolParams): { out: Storage; indices: Storage } {
    const n = p.batch * p.channels * prod(p.outSize);
    return { out: this.out(x.dtype, n), indices: this.out('int32', n) };
  }
}

/** The one meta backend. */
export const metaBackend: Backend = new MetaBackend();

/**
 * Runs `fn` with the meta backend as the current backend (restored afterwards,
 * also on a throw): tensors created inside, a model's parameters included, have
 * shapes and no elements.
 * @example const s = withMetaBackend(() => tg.analysis.summary(tg.models.vgg11(), [1, 3, 224, 224]));
 */
export function withMetaBackend<T>(fn: () => T): T {
  const before = getBackend();
  setBackend(metaBackend);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}
