import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { normal_ } from '../init.js';
import {
  EMBEDDING_OPTIONS, checkEmbeddingOptions, embedding, normalizePaddingIdx, rejectUnsupportedEmbeddingOptions,
} from '../../ops/embedding.js';
import { noGrad } from '../../tensor/graph.js';
import { TensorError, fmtShape } from '../../core/errors.js';
import { zeros } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../core/dtype.js';
import { checkBool, checkInt, describeArg, positionalOptions } from '../../tensor/args.js';
import { checkDtypeOption } from './args.js';

/** Options of {@link Embedding} (PyTorch's padding_idx, max_norm, norm_type, plus `dtype`). */
export interface EmbeddingLayerOptions {
  /** Row that gets no gradient and starts at zero (e.g. the padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /** Rows looked up with a larger norm are rescaled in place to this norm (PyTorch's max_norm). */
  maxNorm?: number | null;
  /** The p of the p-norm for maxNorm (default 2). */
  normType?: number;
  /** Floating dtype of `weight`. Default 'float32'. */
  dtype?: DType;
}

const OPTION_KEYS = [...EMBEDDING_OPTIONS, 'dtype'];

/** After (numEmbeddings, embeddingDim): PyTorch's positional (paddingIdx, maxNorm, normType) and/or an options object. */
export type EmbeddingLayerArgs =
  [paddingIdx?: number | null | EmbeddingLayerOptions, maxNorm?: number | null | EmbeddingLayerOptions, normType?: number | EmbeddingLayerOptions, opts?: EmbeddingLayerOptions];

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, as
 * torch.nn.Embedding: `weight` (the state-dict key) is
 * `[numEmbeddings, embeddingDim]`, initialised N(0, 1) with the `paddingIdx`
 * row zeroed. Not supported: scaleGradByFreq and sparse gradients.
 * Shape: int32 indices `[*]` -> `[*, embeddingDim]`.
 * @example
 * const emb = new tg.nn.Embedding(1000, 64, { paddingIdx: 0 });   // or new tg.nn.Embedding(1000, 64, 0), as PyTorch
 * emb.forward(tg.tensor([[5, 9, 0]], { dtype: 'int32' }))   // [1, 3, 64]
 */
export class Embedding extends Module {
  /** The learnable table, `[numEmbeddings, embeddingDim]`: row i is the vector of index i. */
  weight: Parameter;
  /** The row that gets no gradient (normalised to a non-negative index), or null. */
  readonly paddingIdx: number | null;
  /** Looked-up rows whose norm exceeds this are rescaled in place to it; null for no limit. */
  readonly maxNorm: number | null;
  /** The p of the p-norm used with maxNorm. Default 2. */
  readonly normType: number;

  /**
   * @param numEmbeddings Size of the table (valid indices are 0..numEmbeddings-1).
   * @param embeddingDim Size of each vector.
   */
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, ...rest: EmbeddingLayerArgs) {
    super();
    checkInt('Embedding', 'numEmbeddings', numEmbeddings, 1);
    checkInt('Embedding', 'embeddingDim', embeddingDim, 1);
    rejectUnsupportedEmbeddingOptions('Embedding', rest);
    const opts = positionalOptions('Embedding', rest, EMBEDDING_OPTIONS, OPTION_KEYS) as EmbeddingLayerOptions;
    checkEmbeddingOptions('Embedding', opts as Record<string, unknown>);
    checkDtypeOption('Embedding', opts.dtype);
    this.paddingIdx = normalizePaddingIdx('Embedding', opts.paddingIdx, numEmbeddings);
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.weight = new Parameter(normal_(zeros([numEmbeddings, embeddingDim], opts.dtype ? { dtype: opts.dtype } : {})));
    this.zeroPaddingRow();
  }

  /**
   * An Embedding whose weight is (a copy of) `embeddings` `[numEmbeddings, embeddingDim]`;
   * frozen (requiresGrad false) unless `freeze: false`. The padding row is not zeroed.
   * After embeddings: PyTorch's positional (freeze, paddingIdx, maxNorm, normType) and/or an options object.
   * @example tg.nn.Embedding.fromPretrained(tg.randn([100, 16]), { freeze: false }); tg.nn.Embedding.fromPretrained(tg.randn([100, 16]), false, 0)
   */
  static fromPretrained(
    embeddings: Tensor,
    ...rest: [opts?: EmbeddingLayerOptions & { freeze?: boolean }] | [freeze?: boolean, paddingIdx?: number | null, maxNorm?: number | null, normType?: number, opts?: EmbeddingLayerOptions & { freeze?: boolean }]
  ): Embedding {
    const op = 'Embedding.fromPretrained';
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) {
      throw new TensorError(`${op}: embeddings must be a 2-D Tensor [numEmbeddings, embeddingDim] (got ${embeddings instanceof Tensor ? fmtShape(embeddings.shape) : describeArg(embeddings)})`);
    }
    rejectUnsupportedEmbeddingOptions(op, rest);
    const names = ['freeze', ...EMBEDDING_OPTIONS];
    const o = positionalOptions(op, rest, names, names) as EmbeddingLayerOptions & { freeze?: boolean };
    const { freeze = true, ...opts } = o;
    checkBool(op, 'freeze', freeze);
    checkEmbeddingOptions(op, opts as Record<string, unknown>);
    const emb = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, { ...opts, dtype: embeddings.dtype });
    noGrad(() => emb.weight.copy_(embeddings));
    emb.weight.requiresGrad_(!freeze);
    return emb;
  }

  private zeroPaddingRow(): void {
    if (this.paddingIdx === null) return;
    noGrad(() => this.weight.select(0, this.paddingIdx!).zero_());
  }

  /**
   * Looks up the rows of `weight` at the int32 indices of `input` (as F.embedding).
   * `[*] -> [*, embeddingDim]`; an index out of range is a TensorError.
   * @example new tg.nn.Embedding(10, 4).forward(tg.tensor([[1, 2], [3, 9]], { dtype: 'int32' })) // [2, 2, 4]
   */
  forward(input: Tensor): Tensor {
    try {
      return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
    } catch (e) {
      if (e instanceof TensorError) throw new TensorError(`Embedding(${this.numEmbeddings}, ${this.embeddingDim}): ${e.message}`);
      throw e;
    }
  }

  override extraRepr(): string {
    const extra = [this.paddingIdx !== null ? `paddingIdx=${this.paddingIdx}` : '', this.maxNorm !== null ? `maxNorm=${this.maxNorm}` : ''].filter(Boolean);
    return [`${this.numEmbeddings}`, `${this.embeddingDim}`, ...extra].join(', ');
  }
}
