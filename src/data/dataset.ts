import { TensorError, fmtShape } from '../core/errors.js';
import { randperm } from '../tensor/create.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { select } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A map-style dataset: `length` samples, sample `i` from `get(i)` (PyTorch's
 * `torch.utils.data.Dataset` with `__len__` / `__getitem__`).
 *
 * Why `get(i)` and not `dataset[i]`: JavaScript has no `__getitem__`. Indexing
 * with `[]` would need a Proxy around every dataset, which is slow on a hot path
 * (60k lookups an epoch), hides typos (`ds[-1]` is silently `undefined`), and
 * breaks `instanceof` and class fields. A method call is explicit, type-checked
 * and can validate its index.
 * @example
 * const squares: tg.data.Dataset<number> = { length: 10, get: (i) => i * i };
 */
export interface Dataset<T> {
  /** Number of samples (a non-negative integer): valid indices are 0..length-1. */
  readonly length: number;
  /**
   * Sample `i`, for an integer `i` in [0, length) (the library's datasets throw a TensorError otherwise).
   * @example const [x, y] = ds.get(0);
   */
  get(i: number): T;
}

/** Throws unless `i` is an integer in [0, length). @internal */
export function checkIndex(op: string, i: number, length: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new TensorError(`${op}: index ${i} is out of range for a dataset of length ${length}`);
  }
}

/**
 * Wraps tensors that share their first dim: sample `i` is the tuple of
 * `t.select(0, i)` for each tensor (views, no copy).
 * Shapes: every tensor `[N, ...]` -> items `[[...], [...], ...]`.
 * @example
 * const ds = new tg.data.TensorDataset(images, labels);   // [N,1,28,28], [N]
 * const [x, y] = ds.get(0);                               // [1,28,28], []
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The wrapped tensors, as given (not copied), each `[N, ...]`. */
  readonly tensors: T;

  /** Throws a TensorError without tensors, on a 0-D tensor, or when the first dims differ. */
  constructor(...tensors: T) {
    if (tensors.length === 0) throw new TensorError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, k) => {
      if (t.ndim === 0) throw new TensorError(`TensorDataset: tensor ${k} is 0-D; every tensor needs a first (sample) dim`);
    });
    const n = tensors[0]!.shape[0]!;
    tensors.forEach((t, k) => {
      if (t.shape[0] !== n) {
        const shapes = tensors.map((s) => fmtShape(s.shape)).join(', ');
        throw new TensorError(`TensorDataset: size mismatch between tensors: tensor ${k} has ${t.shape[0]} samples but tensor 0 has ${n} (shapes ${shapes})`);
      }
    });
    this.tensors = tensors;
  }

  /** Number of samples N, the tensors' first dim. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /**
   * Sample `i`: each tensor's row i, a view `[N, ...rest] -> [...rest]`. Throws a TensorError unless i is an integer in [0, N).
   * @example const [x, y] = ds.get(0);   // x [1,28,28], y [] (0-D)
   */
  get(i: number): T {
    checkIndex('TensorDataset.get', i, this.length);
    return this.tensors.map((t) => select(t, 0, i)) as T;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset).
 * @example const firstHundred = new tg.data.Subset(ds, Array.from({ length: 100 }, (_, i) => i));
 */
export class Subset<T> implements Dataset<T> {
  /** The positions in `dataset` of this subset's samples, in order (a copy of the indices given). */
  readonly indices: readonly number[];

  /** Throws a TensorError if an index is not an integer in [0, dataset.length). */
  constructor(
    /** The dataset the samples come from. */
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    const n = dataset.length;
    const copy = Array.from(indices);
    for (const i of copy) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new TensorError(`Subset: index ${i} is out of range for a dataset of length ${n}`);
      }
    }
    this.indices = copy;
  }

  /** Number of samples: `indices.length`. */
  get length(): number {
    return this.indices.length;
  }

  /**
   * Sample `i` of the subset, `dataset.get(indices[i])`; throws a TensorError unless i is in [0, length).
   * @example const sample = subset.get(0);
   */
  get(i: number): T {
    checkIndex('Subset.get', i, this.indices.length);
    return this.dataset.get(this.indices[i]!);
  }
}

/**
 * A random permutation of 0..n-1 drawn from `generator` (the same draw as
 * `tg.randperm`), as a plain Int32Array for indexing datasets.
 * @example tg.data.permutation(5, new tg.Generator(0))   // e.g. Int32Array [3, 0, 4, 1, 2]
 */
export function permutation(n: number, generator: Generator = defaultGenerator): Int32Array {
  return randperm(n, { generator }).data() as Int32Array;
}

/** Options of {@link randomSplit}. */
export interface RandomSplitOptions {
  /** Source of the permutation (default: the global generator, seeded by `tg.manualSeed`). */
  generator?: Generator;
}

/**
 * Splits a dataset into non-overlapping random subsets (torch.utils.data.random_split).
 * `lengths` are counts summing to `dataset.length`, or fractions summing to 1;
 * fractions are floored and the remainder is handed out one by one, round-robin
 * from the first subset, exactly like PyTorch.
 * @example
 * const [train, val] = tg.data.randomSplit(ds, [0.9, 0.1], { generator: new tg.Generator(42) });
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], opts: RandomSplitOptions = {}): Subset<T>[] {
  const n = dataset.length;
  const counts = splitCounts(n, lengths);
  const perm = permutation(n, opts.generator ?? defaultGenerator);
  const out: Subset<T>[] = [];
  let start = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.subarray(start, start + c)));
    start += c;
  }
  return out;
}

/** Resolves `lengths` (counts or fractions) to counts summing to `n`. */
function splitCounts(n: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((l) => typeof l !== 'number' || !(l >= 0))) {
    throw new TensorError(`randomSplit: lengths must be a non-empty list of non-negative numbers (got ${JSON.stringify(lengths)})`);
  }
  const total = lengths.reduce((a, b) => a + b, 0);
  // PyTorch's rule: lengths summing to 1 (within rounding) are fractions.
  const isFractions = Math.abs(total - 1) < 1e-6 && total <= n;
  if (isFractions) {
    const counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]!++;
    return counts;
  }
  if (lengths.some((l) => !Number.isInteger(l))) {
    throw new TensorError(`randomSplit: lengths ${JSON.stringify(lengths)} are neither integer counts nor fractions summing to 1`);
  }
  if (total !== n) {
    throw new TensorError(`randomSplit: sum of input lengths ${JSON.stringify(lengths)} is ${total}, which does not equal the length of the dataset (${n})`);
  }
  return [...lengths];
}
