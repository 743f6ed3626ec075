import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { stack } from '../ops/movement.js';

/**
 * The batch type `defaultCollate` makes from samples of type `T`: tensors and
 * numbers become one tensor with a leading batch dim, strings a list, and
 * tuples/arrays/objects keep their structure with each field collated.
 */
export type Collated<T> =
  T extends Tensor ? Tensor
    : T extends number | boolean ? Tensor
      : T extends string ? string[]
        : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
          : T extends object ? { [K in keyof T]: Collated<T[K]> }
            : never;

/**
 * Merges a list of samples into one batch (PyTorch's `default_collate`):
 * - tensors of equal shape `[...]` are stacked to `[B, ...]` (`tg.stack`);
 * - numbers become a `[B]` int32 tensor when all are integers, else float32;
 *   booleans a bool tensor; strings stay a `string[]`;
 * - tuples/arrays and plain objects are collated field by field (recursively).
 * @example
 * tg.data.defaultCollate([[x0, 3], [x1, 5]])   // [stack([x0, x1]), tensor([3, 5], int32)]
 * tg.data.defaultCollate([{ img: a, y: 1 }, { img: b, y: 0 }])  // { img: [2,...], y: [2] }
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new TensorError('defaultCollate: expected a non-empty list of samples');
  return collateAt(samples as readonly unknown[], '') as Collated<T>;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `Tensor ${fmtShape(v.shape)}`;
  return Array.isArray(v) ? 'array' : typeof v;
}

function mismatch(path: string, k: number, got: unknown, first: unknown): TensorError {
  return new TensorError(`defaultCollate: sample ${k} has ${describe(got)} at ${path || 'top level'} but sample 0 has ${describe(first)}`);
}

/** Collates `values` (one per sample) found at `path` inside each sample. */
function collateAt(values: readonly unknown[], path: string): unknown {
  const first = values[0];
  if (first instanceof Tensor) {
    values.forEach((v, k) => {
      if (!(v instanceof Tensor) || v.shape.join() !== first.shape.join()) throw mismatch(path, k, v, first);
    });
    return stack(values as Tensor[]);
  }
  if (typeof first === 'number' || typeof first === 'boolean') {
    values.forEach((v, k) => {
      if (typeof v !== typeof first) throw mismatch(path, k, v, first);
    });
    if (typeof first === 'boolean') return tensor(values as boolean[], { dtype: 'bool' });
    const nums = values as number[];
    const dtype = nums.every((v) => Number.isInteger(v) && Math.abs(v) <= 0x7fffffff) ? 'int32' : 'float32';
    return tensor(nums, { dtype });
  }
  if (typeof first === 'string') {
    values.forEach((v, k) => {
      if (typeof v !== 'string') throw mismatch(path, k, v, first);
    });
    return [...values];
  }
  if (Array.isArray(first)) {
    values.forEach((v, k) => {
      if (!Array.isArray(v) || v.length !== first.length) {
        throw new TensorError(`defaultCollate: sample ${k} has ${Array.isArray(v) ? `an array of length ${v.length}` : describe(v)} at ${path || 'top level'} but sample 0 has an array of length ${first.length}`);
      }
    });
    return first.map((_, j) => collateAt(values.map((v) => (v as unknown[])[j]), `${path}[${j}]`));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const at = `${path}.${key}`;
      out[key] = collateAt(values.map((v, k) => {
        if (v === null || typeof v !== 'object' || !(key in v)) {
          throw new TensorError(`defaultCollate: sample ${k} has no field '${key}' (at ${at}), which sample 0 has`);
        }
        return (v as Record<string, unknown>)[key];
      }), at);
    }
    return out;
  }
  throw new TensorError(`defaultCollate: cannot collate ${describe(first)} at ${path || 'top level'}; samples may contain tensors, numbers, booleans, strings, arrays and plain objects (pass a custom collate for anything else)`);
}
