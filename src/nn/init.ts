import { noGrad } from '../tensor/graph.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { typedArrayFor } from '../core/dtype.js';
import { erfinv, householderQ, normCdf } from './init-math.js';

/*
 * nn.init: in-place initialisers, as torch.nn.init. Each fills the tensor under
 * noGrad (so it works on parameters) and returns it.
 */

/** The nonlinearities {@link calculateGain} knows (PyTorch's names in camelCase: 'leakyRelu' is 'leaky_relu'). */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/**
 * Which fan the Kaiming initialisers scale by: 'fanIn' (default) keeps the variance of the
 * forward activations, 'fanOut' that of the backward gradients (PyTorch's 'fan_in' / 'fan_out').
 */
export type FanMode = 'fanIn' | 'fanOut';

/**
 * Recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: 1 for linear, the
 * convolutions and sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for
 * leakyRelu (`param` is the negative slope, default 0.01), 3/4 for selu.
 * Throws a TensorError for an unknown name.
 * @example tg.nn.init.calculateGain('relu')           // 1.4142...
 * @example tg.nn.init.calculateGain('leakyRelu', 0.2)
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d': case 'sigmoid':
      return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new TensorError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * The fans of a weight, PyTorch's convention: fanIn = size(1) * receptive field,
 * fanOut = size(0) * receptive field, where the receptive field is the product of the dims
 * after the first two (1 for a Linear weight `[out, in]`).
 * Shape: at least 2 dims (`[out, in, *kernel]`), else a TensorError.
 * @example tg.nn.init.calculateFans(tg.zeros([16, 3, 5, 5])) // { fanIn: 75, fanOut: 400 }
 */
export function calculateFans(t: Tensor): {
  /** `t.shape[1]` times the receptive field (the product of the dims after the first two). */
  fanIn: number;
  /** `t.shape[0]` times the receptive field. */
  fanOut: number;
} {
  if (t.ndim < 2) throw new TensorError(`init: fan in and fan out need a tensor with at least 2 dims (got ${fmtShape(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** Fills `t` with draws, straight into a typed array of its dtype (models have millions of weights). */
function fillWith(t: Tensor, draw: () => number): Tensor {
  // A meta tensor (shape analysis, see backend/meta) has no elements: skip the draws, which dominate building big models.
  if (t.backend.name === 'meta') return t;
  const values = typedArrayFor(t.dtype, t.numel());
  for (let i = 0; i < values.length; i++) values[i] = draw();
  noGrad(() => t.copy_(tensor(values, { dtype: t.dtype, shape: t.shape, backend: t.backend })));
  return t;
}

/** Options of the random initialisers. */
export interface InitOptions {
  /** The random generator to draw from (default the global one, seeded by `tg.manualSeed`). */
  generator?: Generator;
}

/**
 * Fills `t` in place with draws from the uniform distribution U(a, b) (defaults 0 and 1) and
 * returns it, as torch.nn.init.uniform_. Shape: any.
 * @example tg.nn.init.uniform_(tg.zeros([3, 4]), -0.1, 0.1)
 */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fillWith(t, () => a + (b - a) * g.uniform());
}

/**
 * Fills `t` in place with draws from the normal distribution N(mean, std^2) (defaults 0 and 1)
 * and returns it, as torch.nn.init.normal_. Shape: any.
 * @example tg.nn.init.normal_(new tg.nn.Linear(4, 2).weight, 0, 0.02)
 */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fillWith(t, () => mean + std * g.normal());
}

/**
 * Fills `t` in place with `value` and returns it, as torch.nn.init.constant_. Shape: any.
 * @example tg.nn.init.constant_(new tg.nn.Linear(4, 2).bias!, 0.1)
 */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}

/**
 * Fills `t` in place with 0 and returns it, as torch.nn.init.zeros_. Shape: any.
 * @example tg.nn.init.zeros_(new tg.nn.Linear(4, 2).bias!)
 */
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
/**
 * Fills `t` in place with 1 and returns it, as torch.nn.init.ones_. Shape: any.
 * @example tg.nn.init.ones_(tg.zeros([4]))
 */
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/**
 * Glorot/Xavier uniform, as torch.nn.init.xavier_uniform_: fills `t` in place with
 * U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)) (see {@link calculateFans}), and returns it.
 * Shape: at least 2 dims.
 * @example tg.nn.init.xavierUniform_(new tg.nn.Linear(784, 10).weight)
 * @example tg.nn.init.xavierUniform_(tg.zeros([8, 4]), tg.nn.init.calculateGain('tanh'))
 */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

/**
 * Glorot/Xavier normal, as torch.nn.init.xavier_normal_: fills `t` in place with
 * N(0, std^2), std = gain * sqrt(2 / (fanIn + fanOut)), and returns it. Shape: at least 2 dims.
 * @example tg.nn.init.xavierNormal_(new tg.nn.Linear(784, 10).weight)
 */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/** Options of {@link kaimingUniform_} and {@link kaimingNormal_} (PyTorch's `a`, `mode`, `nonlinearity`). */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the following leaky ReLU (PyTorch's `a`, default 0). */
  a?: number;
  /** Scale by the fan in (default, preserves forward variance) or the fan out (preserves backward variance). */
  mode?: FanMode;
  /** The nonlinearity whose gain is used (default 'leakyRelu' with slope `a`, as PyTorch). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const fans = calculateFans(t);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fans.fanIn : fans.fanOut;
  return calculateGain(o.nonlinearity ?? 'leakyRelu', o.a ?? 0) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform, as torch.nn.init.kaiming_uniform_: fills `t` in place with U(-b, b),
 * b = gain * sqrt(3 / fan), gain from `nonlinearity` (and `a`), fan from `mode`; returns `t`.
 * Shape: at least 2 dims.
 * @example tg.nn.init.kaimingUniform_(new tg.nn.Conv2d(3, 16, 3).weight, { nonlinearity: 'relu' })
 */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts);
}

/**
 * He/Kaiming normal, as torch.nn.init.kaiming_normal_: fills `t` in place with N(0, std^2),
 * std = gain / sqrt(fan); returns `t`. Shape: at least 2 dims.
 * @example tg.nn.init.kaimingNormal_(new tg.nn.Conv2d(3, 16, 3).weight, { mode: 'fanOut', nonlinearity: 'relu' })
 */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts), opts);
}

/**
 * Fills with N(mean, std^2) truncated to [a, b], by PyTorch's inverse-CDF method:
 * u ~ U(Phi(alpha), Phi(beta)) with alpha = (a - mean) / std, beta = (b - mean) / std,
 * then x = mean + std * Phi^-1(u) (computed as sqrt(2) erfinv(2u - 1)), clamped to [a, b].
 * Accurate while [a, b] is not far (more than ~2 std) from the mean, as PyTorch warns.
 * Shape: any; values in [a, b].
 * @example tg.nn.init.truncNormal_(new tg.nn.Linear(64, 64).weight, 0, 0.02) // ViT-style, cut at +-2 (absolute, like PyTorch)
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  for (const [name, v] of [['mean', mean], ['std', std], ['a', a], ['b', b]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v) || (name !== 'a' && name !== 'b' && !Number.isFinite(v))) {
      throw new TensorError(`truncNormal_: ${name} must be a number (got ${JSON.stringify(v)})`);
    }
  }
  if (!(std > 0)) throw new TensorError(`truncNormal_: std must be > 0 (got ${std})`);
  if (!(a < b)) throw new TensorError(`truncNormal_: the lower bound a must be less than the upper bound b (got a ${a}, b ${b})`);
  const g = opts.generator ?? defaultGenerator;
  const lo = 2 * normCdf((a - mean) / std) - 1;
  const hi = 2 * normCdf((b - mean) / std) - 1;
  return fillWith(t, () => Math.min(b, Math.max(a, mean + std * Math.SQRT2 * erfinv(lo + (hi - lo) * g.uniform()))));
}

/**
 * Fills with a (semi-)orthogonal matrix times `gain`, as PyTorch's orthogonal_:
 * the tensor is viewed as rows = shape[0] by cols = the rest; a standard normal
 * matrix of that shape (transposed when rows < cols) is factorised by QR
 * (Householder, float64), Q's columns are signed so R has a positive diagonal,
 * and Q (or its transpose) is copied in. Then rows are orthonormal when
 * rows <= cols, columns otherwise (W W^T = gain^2 I or W^T W = gain^2 I).
 * Shape: at least 2 dims.
 * @example tg.nn.init.orthogonal_(tg.zeros([4, 8]), 1) // rows orthonormal: W W^T = I
 */
export function orthogonal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  if (t.ndim < 2) throw new TensorError(`orthogonal_: only tensors with 2 or more dims are supported (got ${fmtShape(t.shape)})`);
  if (typeof gain !== 'number' || !Number.isFinite(gain)) throw new TensorError(`orthogonal_: gain must be a finite number (got ${JSON.stringify(gain)})`);
  const rows = t.shape[0]!;
  const cols = t.numel() / Math.max(rows, 1);
  if (t.numel() === 0) return t;
  const g = opts.generator ?? defaultGenerator;
  const flat = Float64Array.from({ length: rows * cols }, () => g.normal());
  // Factor the tall orientation: [rows, cols] if rows >= cols, else its transpose.
  const [m, n] = rows >= cols ? [rows, cols] : [cols, rows];
  const a = rows >= cols ? flat : Float64Array.from({ length: m * n }, (_, k) => flat[(k % n) * cols + Math.floor(k / n)]!);
  const q = householderQ(a, m, n);
  const values = typedArrayFor(t.dtype, rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = gain * (rows >= cols ? q[i * n + j]! : q[j * n + i]!);
  }
  noGrad(() => t.copy_(tensor(values, { dtype: t.dtype, shape: t.shape, backend: t.backend })));
  return t;
}

/** Aliases without the trailing underscore, as the issue and tf.js users may expect. */
export {
  uniform_ as uniform, normal_ as normal, constant_ as constant, zeros_ as zeros, ones_ as ones,
  xavierUniform_ as xavierUniform, xavierNormal_ as xavierNormal, kaimingUniform_ as kaimingUniform, kaimingNormal_ as kaimingNormal,
  truncNormal_ as truncNormal, orthogonal_ as orthogonal,
};
