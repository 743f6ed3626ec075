import { deferCheck, hostData } from '../tensor/deferred-checks.js';
import { noGrad } from '../tensor/graph.js';
import { checkArgs, describeArg, isPlainObject, positionalOptions } from '../tensor/args.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { requireFloat, sameBackend } from './core.js';
import * as E from './elementwise.js';
import { indexSelect, scatterAdd } from './indexing.js';
import { expand, reshape, unsqueeze } from './movement.js';
import { norm } from './norms.js';

/** Options of `F.embedding` (PyTorch's padding_idx, max_norm, norm_type keyword arguments). */
export interface EmbeddingOptions {
  /** Row whose gradient is always zero (e.g. a padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /** Before the lookup, rows used by `input` whose `normType`-norm exceeds this are rescaled IN PLACE to this norm. */
  maxNorm?: number | null;
  /** The p of the p-norm for maxNorm (default 2). */
  normType?: number;
}

/** Validates paddingIdx against `num` rows and returns it non-negative (or null). */
export function normalizePaddingIdx(op: string, paddingIdx: number | null | undefined, num: number): number | null {
  if (paddingIdx == null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
    throw new TensorError(`${op}: paddingIdx must be an integer in [${-num}, ${num - 1}] for ${num} embeddings (got ${describeArg(paddingIdx)})`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

export const EMBEDDING_OPTIONS = ['paddingIdx', 'maxNorm', 'normType'] as const;

/** After (input, weight): PyTorch's positional (paddingIdx, maxNorm, normType) and/or an options object. */
export type EmbeddingArgs =
  [paddingIdx?: number | null | EmbeddingOptions, maxNorm?: number | null | EmbeddingOptions, normType?: number | EmbeddingOptions, opts?: EmbeddingOptions];

/**
 * Checks embedding options (from F.embedding or nn.Embedding): paddingIdx an
 * integer, maxNorm a positive finite number, normType a positive number;
 * scaleGradByFreq / sparse are named as unsupported rather than unknown.
 */
export function checkEmbeddingOptions(op: string, o: Record<string, unknown>): void {
  checkArgs(op, [o.paddingIdx, o.maxNorm, o.normType], { paddingIdx: 'int?', maxNorm: 'number?', normType: 'number?' });
  if (o.maxNorm != null && (!((o.maxNorm as number) > 0) || !Number.isFinite(o.maxNorm))) {
    throw new TensorError(`${op}: maxNorm must be a finite number > 0 (got ${describeArg(o.maxNorm)})`);
  }
  if (o.normType != null && !((o.normType as number) > 0)) throw new TensorError(`${op}: normType must be a number > 0 (got ${describeArg(o.normType)})`);
}

/** Rejects PyTorch's scale_grad_by_freq / sparse by name (not supported) before the generic unknown-key check. */
export function rejectUnsupportedEmbeddingOptions(op: string, rest: readonly unknown[]): void {
  const given = rest.filter((v) => v !== undefined);
  const last = given[given.length - 1];
  if (isPlainObject(last)) {
    for (const key of ['scaleGradByFreq', 'sparse', 'scale_grad_by_freq']) {
      if (key in last) throw new TensorError(`${op}: ${key} is not supported (dense gradients only); accepted options: ${[...EMBEDDING_OPTIONS].join(', ')}`);
    }
  }
}

/**
 * Looks up rows of an embedding table, as `F.embedding`: `out[...i] = weight[input[...i]]`.
 * Gradients flow to the rows used (summed over repeats), except to row
 * `paddingIdx`, whose gradient is zero (its value is still returned).
 * Options as PyTorch's positional (paddingIdx, maxNorm, normType) or an object.
 * Shapes: input `[*]` int32 indices in [0, numEmbeddings); weight
 * `[numEmbeddings, embeddingDim]`; output `[*, embeddingDim]`.
 * @example
 * const w = tg.randn([10, 3]);
 * F.embedding(tg.tensor([[1, 2], [4, 0]], { dtype: 'int32' }), w)   // [2, 2, 3]
 * F.embedding(ids, w, 0)   // same as F.embedding(ids, w, { paddingIdx: 0 })
 */
export function embedding(input: Tensor, weight: Tensor, ...rest: EmbeddingArgs): Tensor {
  const op = 'embedding';
  if (!(input instanceof Tensor)) throw new TensorError(`${op}: input must be an int32 Tensor of indices (got ${Array.isArray(input) ? 'an array' : describeArg(input)}); use tg.tensor(ids, { dtype: 'int32' })`);
  if (!(weight instanceof Tensor)) throw new TensorError(`${op}: weight must be a Tensor of shape [numEmbeddings, embeddingDim] (got ${describeArg(weight)})`);
  if (input.dtype !== 'int32') {
    throw new TensorError(`${op}: input must hold int32 indices (got ${input.dtype} of shape ${fmtShape(input.shape)}); convert with .to({ dtype: 'int32' })`);
  }
  rejectUnsupportedEmbeddingOptions(op, rest);
  const opts = positionalOptions(op, rest, EMBEDDING_OPTIONS, EMBEDDING_OPTIONS) as EmbeddingOptions;
  checkEmbeddingOptions(op, opts as Record<string, unknown>);
  requireFloat(op, weight);
  if (weight.ndim !== 2) throw new TensorError(`${op}: weight must be 2-D [numEmbeddings, embeddingDim] (got weight ${fmtShape(weight.shape)})`);
  sameBackend(op, input, weight);
  const [num, dim] = [weight.shape[0]!, weight.shape[1]!];
  const pad = normalizePaddingIdx(op, opts.paddingIdx, num);
  const ids = hostData(input);
  if (!ids) {
    // Indices computed on a GPU: range-checked there, reported at the next asynchronous read.
    if (opts.maxNorm != null) {
      throw new TensorError(`${op}: maxNorm renormalises the looked-up rows on the host, which needs the indices there; these were computed on the ${input.backend.name} backend: read them first (await tg.toBackendAsync(input, 'wasm'), then back) or drop maxNorm`);
    }
    deferCheck(E.logicalOr(E.lt(input, 0), E.ge(input, num)).any(),
      `${op}: some index is out of range for ${num} embeddings (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)}; checked on the device, reported at this read)`);
  }
  for (let i = 0; ids && i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= num) {
      throw new TensorError(`${op}: index ${v} is out of range for ${num} embeddings (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)})`);
    }
  }
  if (opts.maxNorm != null && ids) renormRows(weight, Int32Array.from(new Set(ids)), opts.maxNorm, opts.normType ?? 2);
  const flat = reshape(input, [input.numel()]);
  let rows = indexSelect(weight, 0, flat);
  if (pad !== null) {
    // Same values, but rows read from the padding entry carry no gradient back to it.
    const keep = unsqueeze(E.ne(flat, pad), 1);
    rows = E.where(expand(keep, rows.shape), rows, rows.detach());
  }
  return reshape(rows, [...input.shape, dim]);
}

/**
 * PyTorch's embedding_renorm_: rows `ids` with norm > maxNorm are scaled by maxNorm / (norm + 1e-7), in place.
 * maxNorm and normType were checked by checkEmbeddingOptions.
 */
function renormRows(weight: Tensor, ids: Int32Array, maxNorm: number, normType: number): void {
  if (!ids.length) return;
  noGrad(() => {
    const idx = tensor(ids, { dtype: 'int32', backend: weight.backend });
    const rows = indexSelect(weight, 0, idx);
    const norms = norm(rows, normType, 1, true);
    const scale = E.where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
    const index = expand(unsqueeze(idx, 1), rows.shape);
    weight.copy_(scatterAdd(weight, 0, index, rows.mul(scale).sub(rows)));
  });
}
