import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { normal_ } from '../init.js';
import { embedding, normalizePaddingIdx } from '../../ops/embedding.js';
import { noGrad } from '../../autograd/engine.js';
import { TensorError, fmtShape } from '../../tensor/errors.js';
import { zeros } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';

export interface EmbeddingLayerOptions {
  /** Row that gets no gradient and starts at zero (e.g. the padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /** Rows looked up with a larger norm are rescaled in place to this norm (PyTorch's max_norm). */
  maxNorm?: number | null;
  /** The p of the p-norm for maxNorm (default 2). */
  normType?: number;
  dtype?: DType;
}

const OPTION_KEYS = ['paddingIdx', 'maxNorm', 'normType', 'dtype'];

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, as
 * torch.nn.Embedding: `weight` (the state-dict key) is
 * `[numEmbeddings, embeddingDim]`, initialised N(0, 1) with the `paddingIdx`
 * row zeroed. Not supported: scaleGradByFreq and sparse gradients.
 * Shape: int32 indices `[*]` -> `[*, embeddingDim]`.
 * @example
 * const emb = new nn.Embedding(1000, 64, { paddingIdx: 0 });
 * emb.forward(tg.tensor([[5, 9, 0]], { dtype: 'int32' }))   // [1, 3, 64]
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    for (const [k, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TensorError(`Embedding: ${k} must be a positive integer (got ${JSON.stringify(v)})`);
    }
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
      throw new TensorError(`Embedding: options must be an object such as { paddingIdx: 0 } (got ${JSON.stringify(opts)}); call new nn.Embedding(${numEmbeddings}, ${embeddingDim}, { paddingIdx })`);
    }
    const unknown = Object.keys(opts).filter((k) => !OPTION_KEYS.includes(k));
    if (unknown.length) throw new TensorError(`Embedding: unknown option(s) ${unknown.join(', ')} (expected ${OPTION_KEYS.join(', ')}; scaleGradByFreq and sparse are not supported)`);
    this.paddingIdx = normalizePaddingIdx('Embedding', opts.paddingIdx, numEmbeddings);
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    if (this.maxNorm !== null && (typeof this.maxNorm !== 'number' || !(this.maxNorm > 0) || !Number.isFinite(this.maxNorm))) {
      throw new TensorError(`Embedding: maxNorm must be a finite number > 0 (got ${JSON.stringify(this.maxNorm)})`);
    }
    if (typeof this.normType !== 'number' || !(this.normType > 0)) throw new TensorError(`Embedding: normType must be a number > 0 (got ${JSON.stringify(this.normType)})`);
    this.weight = new Parameter(normal_(zeros([numEmbeddings, embeddingDim], opts.dtype ? { dtype: opts.dtype } : {})));
    this.zeroPaddingRow();
  }

  /**
   * An Embedding whose weight is (a copy of) `embeddings` `[numEmbeddings, embeddingDim]`;
   * frozen (requiresGrad false) unless `freeze: false`. The padding row is not zeroed.
   * @example nn.Embedding.fromPretrained(vectors, { freeze: false })
   */
  static fromPretrained(embeddings: Tensor, opts: EmbeddingLayerOptions & { freeze?: boolean } = {}): Embedding {
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) {
      throw new TensorError(`Embedding.fromPretrained: embeddings must be a 2-D Tensor [numEmbeddings, embeddingDim] (got ${embeddings instanceof Tensor ? fmtShape(embeddings.shape) : typeof embeddings})`);
    }
    const { freeze = true, ...rest } = opts;
    const emb = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, { ...rest, dtype: embeddings.dtype });
    noGrad(() => emb.weight.copy_(embeddings));
    emb.weight.requiresGrad_(!freeze);
    return emb;
  }

  private zeroPaddingRow(): void {
    if (this.paddingIdx === null) return;
    noGrad(() => this.weight.select(0, this.paddingIdx!).zero_());
  }

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
