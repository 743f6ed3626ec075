import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers/check-op.js';
import { assertCovered, assertSameBits, expectTensorError, fixedComputations, runSweep, type SweepEntry, type WrongCall } from '../helpers/wrong-call.js';

/*
 * The wrong-call sweep over `tg.nn` layers, `tg.optim` constructors and a few
 * Tensor methods (ops: wrong-calls.test.ts). Every layer class gets the generic
 * wrong calls (a string as first argument, 12 extra arguments, forward on a
 * string, on an int tensor, with no input) plus its own; after the sweep, on
 * both backends, a fixed set of computations must agree bit for bit.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
const nn = tg.nn as any;
const optim = tg.optim as any;

/** Exports outside the layer sweep, with the reason. */
const NN_ALLOW: Record<string, string> = {
  Module: 'abstract base class; covered by test/nn/module',
  Parameter: 'wraps a tensor (rejects non-tensors); covered by test/nn/module',
  Identity: "PyTorch's Identity ignores its constructor arguments by design; forward returns its input",
  ModuleList: 'container, no forward: swept through its constructor below',
  ModuleDict: 'container, no forward: swept through its constructor below',
};

/** How to build each layer validly and what it takes as input (the generic calls use both). */
interface LayerSpec {
  ctor: unknown[];
  input?: () => tg.Tensor;
  /** Names the error may use instead of the class name (its functional form). */
  names?: string[];
  calls?: WrongCall[];
  /** Skip the generic "12 extra constructor arguments" call (layers that take varargs). */
  varargs?: boolean;
  /** Run the generic "int tensor input" call (layers with parameters: activations accept integers, as in PyTorch). */
  floatOnly?: boolean;
}

function layerSpecs(): Record<string, LayerSpec> {
  const x2 = () => tg.randn([2, 4]);
  const x3 = () => tg.randn([2, 3, 8]);
  const x4 = () => tg.randn([2, 3, 8, 8]);
  const x5 = () => tg.randn([1, 3, 4, 4, 4]);
  const conv = (n: number, input: () => tg.Tensor): LayerSpec => ({
    ctor: [3, 4, 3], input, names: [`Conv${n}d`, `conv${n}d`], floatOnly: true,
    calls: [
      ['kernelSize missing', () => new nn[`Conv${n}d`](3, 4)],
      ['typo option', () => new nn[`Conv${n}d`](3, 4, 3, { paddding: 1 })],
      ['positional padding -1', () => new nn[`Conv${n}d`](3, 4, 3, 1, -1)],
      ['bias 0', () => new nn[`Conv${n}d`](3, 4, 3, { bias: 0 })],
      ['bias positional "false"', () => new nn[`Conv${n}d`](3, 4, 3, 1, 0, 1, 1, 'false')],
      ['groups not dividing', () => new nn[`Conv${n}d`](3, 4, 3, { groups: 2 })],
      ['paddingMode bogus', () => new nn[`Conv${n}d`](3, 4, 3, { paddingMode: 'mirror' })],
      ['stride 0', () => new nn[`Conv${n}d`](3, 4, 3, 0)],
      ['given twice', () => new nn[`Conv${n}d`](3, 4, 3, 1, { stride: 2 })],
      ['dtype int32', () => new nn[`Conv${n}d`](3, 4, 3, { dtype: 'int32' })],
      ['inChannels 0', () => new nn[`Conv${n}d`](0, 4, 3)],
      ['inChannels NaN', () => new nn[`Conv${n}d`](NaN, 4, 3)],
      ['inChannels true', () => new nn[`Conv${n}d`](true, 4, 3)],
      ['wrong channels in forward', () => new nn[`Conv${n}d`](5, 4, 3).forward(input())],
    ],
  });
  const convT = (n: number, input: () => tg.Tensor): LayerSpec => ({
    ctor: [3, 4, 2], input, names: [`ConvTranspose${n}d`, `convTranspose${n}d`], floatOnly: true,
    calls: [
      ['outputPadding >= stride', () => new nn[`ConvTranspose${n}d`](3, 4, 2, 1, 0, 1)],
      ['typo', () => new nn[`ConvTranspose${n}d`](3, 4, 2, { outputpadding: 1 })],
      ['paddingMode reflect', () => new nn[`ConvTranspose${n}d`](3, 4, 2, { paddingMode: 'reflect' })],
      ['groups 0', () => new nn[`ConvTranspose${n}d`](3, 4, 2, { groups: 0 })],
    ],
  });
  const pool = (cls: string, n: number, input: () => tg.Tensor, lead: unknown[] = []): LayerSpec => ({
    ctor: [...lead, 2], input, names: [cls, cls[0]!.toLowerCase() + cls.slice(1)],
    calls: [
      ['kernel 0', () => new nn[cls](...lead, 0)],
      ['kernel string', () => new nn[cls](...lead, '2')],
      ['kernel object', () => new nn[cls](...lead, { kernelSize: 2 })],
      ['typo', () => new nn[cls](...lead, 2, { strid: 1 })],
      ['stride -1 positional', () => new nn[cls](...lead, 2, -1)],
      ['ceilMode 1', () => new nn[cls](...lead, 2, { ceilMode: 1 })],
      [`kernel list of ${n + 1}`, () => new nn[cls](...lead, new Array(n + 1).fill(2))],
    ],
  });
  const adaptive = (cls: string, input: () => tg.Tensor): LayerSpec => ({
    ctor: [1], input, names: [cls, cls[0]!.toLowerCase() + cls.slice(1)],
    calls: [['size 0', () => new nn[cls](0)], ['size string', () => new nn[cls]('1')], ['returnIndices true', () => new nn[cls](1, true)]],
  });
  const bn = (cls: string, input: () => tg.Tensor): LayerSpec => ({
    ctor: [3], input, floatOnly: true,
    calls: [
      ['numFeatures 0', () => new nn[cls](0)], ['typo', () => new nn[cls](3, { momentun: 0.1 })], ['eps string', () => new nn[cls](3, '1e-5')],
      ['affine 1', () => new nn[cls](3, { affine: 1 })], ['momentum 2', () => new nn[cls](3, 1e-5, 2)], ['wrong channels', () => new nn[cls](4).forward(input())],
      ['too many positional', () => new nn[cls](3, 1e-5, 0.1, true, true, true)],
    ],
  });
  const drop = (cls: string, input: () => tg.Tensor): LayerSpec => ({
    ctor: [0.5], input, names: [cls, cls[0]!.toLowerCase() + cls.slice(1)],
    calls: [['p 1.5', () => new nn[cls](1.5)], ['p string', () => new nn[cls]('0.5')], ['typo', () => new nn[cls]({ prob: 0.5 })], ['inplace 1', () => new nn[cls](0.5, 1)]],
  });
  const act = (cls: string, fn: string, ctor: unknown[] = []): LayerSpec => ({ ctor, input: x2, names: [cls, fn] });
  const loss = (cls: string, fn: string, input: () => tg.Tensor, target: () => tg.Tensor, forwardArgs = 2): LayerSpec => ({
    ctor: [], input, names: [cls, fn],
    calls: [
      ['typo', () => new nn[cls]({ reductoin: 'sum' })], ['reduction bogus', () => new nn[cls]({ reduction: 'avg' })], ['string', () => new nn[cls]('sum')],
      ['target missing', () => new nn[cls]().forward(input())], ['target shape', () => (forwardArgs === 2 ? new nn[cls]().forward(input(), target().reshape([-1]).narrow(0, 0, 1)) : new nn[cls]().forward(input(), input(), tg.ones([7])))],
    ],
  });
  const pad = (cls: string, n: number, lead: unknown[] = []): LayerSpec => ({
    ctor: [1, ...lead], input: [x3, x4, x5][n - 1], names: [cls, 'pad'],
    calls: [
      ['padding -1.5', () => new nn[cls](-1.5, ...lead)], ['padding string', () => new nn[cls]('1', ...lead)], ['padding wrong length', () => new nn[cls]([1, 1, 1], ...lead)],
      ['padding NaN', () => new nn[cls](NaN, ...lead)], ['padding missing', () => new nn[cls]()], ['typo', () => new nn[cls]({ paddding: 1 })],
      ['padding given twice', () => new nn[cls](1, ...lead, { padding: 1 })], ['too many positional', () => new nn[cls](1, ...lead, 0)],
      ['forward 2-D', () => new nn[cls](1, ...lead).forward(tg.randn([4, 4]).reshape(n === 1 ? [16] : [4, 4]))],
    ],
  });
  const instanceNorm = (cls: string, input: () => tg.Tensor): LayerSpec => ({
    ctor: [3], input, names: [cls, 'instanceNorm'], floatOnly: true,
    calls: [
      ['numFeatures 0', () => new nn[cls](0)], ['numFeatures string', () => new nn[cls]('3')], ['eps string', () => new nn[cls](3, '1e-5')], ['eps -1', () => new nn[cls](3, -1)],
      ['momentum NaN', () => new nn[cls](3, 1e-5, NaN)], ['affine 1 positional', () => new nn[cls](3, 1e-5, 0.1, 1)], ['trackRunningStats "yes"', () => new nn[cls](3, { trackRunningStats: 'yes' })],
      ['typo', () => new nn[cls](3, { afine: true })], ['too many positional', () => new nn[cls](3, 1e-5, 0.1, true, true, true)], ['dtype int32', () => new nn[cls](3, { dtype: 'int32' })],
      ['given twice', () => new nn[cls](3, 1e-5, { eps: 1e-3 })], ['wrong channels', () => new nn[cls](4).forward(input())],
    ],
  });
  const upsample = (cls: string, extra: WrongCall[]): LayerSpec => ({
    ctor: [{ scaleFactor: 2 }], input: x4, names: [cls, 'interpolate'],
    calls: [
      ['neither', () => new nn[cls]()], ['both', () => new nn[cls]({ size: 4, scaleFactor: 2 })], ['size 0', () => new nn[cls](0)], ['size string', () => new nn[cls]('4')],
      ['size 2.5', () => new nn[cls]([2.5, 3])], ['scaleFactor -1', () => new nn[cls](null, -1)], ['scaleFactor NaN', () => new nn[cls]({ scaleFactor: NaN })],
      ['scaleFactor object', () => new nn[cls](null, { factor: 2 })], ['typo', () => new nn[cls]({ scale_factor: 2 })], ['given twice', () => new nn[cls](4, { size: 4 })],
      ...extra,
    ],
  });
  const unpool = (n: number): LayerSpec => {
    const cls = `MaxUnpool${n}d`;
    const pooled = () => tg.F[`maxPool${n}d` as 'maxPool2d']([tg.randn([2, 3, 8]), tg.randn([2, 3, 8, 8]), tg.randn([1, 3, 4, 4, 4])][n - 1]!, 2, { returnIndices: true });
    return {
      ctor: [2], names: [cls, `maxUnpool${n}d`],
      calls: [
        ['kernel missing', () => new nn[cls]()], ['kernel 0', () => new nn[cls](0)], ['kernel string', () => new nn[cls]('2')], ['kernel object', () => new nn[cls]({ kernelSize: 2 })],
        [`kernel list of ${n + 1}`, () => new nn[cls](new Array(n + 1).fill(2))], ['stride -1 positional', () => new nn[cls](2, -1)], ['padding 1.5', () => new nn[cls](2, { padding: 1.5 })],
        ['typo', () => new nn[cls](2, { strid: 1 })], ['too many positional', () => new nn[cls](2, 2, 0, 1)],
        ['forward(string)', () => new nn[cls](2).forward('bogus')], ['forward without indices', () => new nn[cls](2).forward(pooled().values)],
        ['forward float indices', () => new nn[cls](2).forward(pooled().values, pooled().indices.float())],
        ['forward outputSize string', () => new nn[cls](2).forward(pooled().values, pooled().indices, 'big')],
        ['forward extra', () => new nn[cls](2).forward(pooled().values, pooled().indices, null, 1)],
      ],
    };
  };
  const probs = () => tg.rand([4, 3]).clamp(0.1, 0.9);
  const labels = () => tg.tensor([0, 2, 1, 1], { dtype: 'int32' });
  const specs: Record<string, LayerSpec> = {
    Linear: {
      ctor: [4, 2], input: x2, names: ['Linear', 'linear'], floatOnly: true,
      calls: [['bias "no"', () => new nn.Linear(4, 2, 'no')], ['typo', () => new nn.Linear(4, 2, { bais: false })], ['too many', () => new nn.Linear(4, 2, false, 'float64')], ['inFeatures 2.5', () => new nn.Linear(2.5, 2)], ['wrong features', () => new nn.Linear(5, 2).forward(x2())], ['dtype float16', () => new nn.Linear(4, 2, { dtype: 'float16' })]],
    },
    Conv1d: conv(1, x3), Conv2d: conv(2, x4), Conv3d: conv(3, x5),
    ConvNd: { ctor: [2, 3, 4, 3], input: x4, names: ['Conv2d', 'conv2d', 'ConvNd'], calls: [['typo', () => new nn.ConvNd(2, 3, 4, 3, { strid: 1 })]] },
    ConvTranspose1d: convT(1, x3), ConvTranspose2d: convT(2, x4), ConvTranspose3d: convT(3, x5),
    ConvTransposeNd: { ctor: [2, 3, 4, 2], input: x4, names: ['ConvTranspose2d', 'convTranspose2d', 'ConvTransposeNd'], calls: [['typo', () => new nn.ConvTransposeNd(2, 3, 4, 2, { strid: 1 })]] },
    MaxPool1d: pool('MaxPool1d', 1, x3), MaxPool2d: { ...pool('MaxPool2d', 2, x4), calls: [...pool('MaxPool2d', 2, x4).calls!, ['returnIndices true', () => new nn.MaxPool2d(2, 2, 0, 1, true)]] }, MaxPool3d: pool('MaxPool3d', 3, x5),
    AvgPool1d: pool('AvgPool1d', 1, x3), AvgPool2d: pool('AvgPool2d', 2, x4), AvgPool3d: pool('AvgPool3d', 3, x5),
    LPPool1d: { ...pool('LPPool1d', 1, x3, [2]), names: ['LPPool1d', 'lpPool1d'] }, LPPool2d: { ...pool('LPPool2d', 2, x4, [2]), names: ['LPPool2d', 'lpPool2d'] },
    LPPool3d: { ...pool('LPPool3d', 3, x5, [2]), names: ['LPPool3d', 'lpPool3d'] },
    AdaptiveAvgPool1d: adaptive('AdaptiveAvgPool1d', x3), AdaptiveAvgPool2d: adaptive('AdaptiveAvgPool2d', x4), AdaptiveAvgPool3d: adaptive('AdaptiveAvgPool3d', x5),
    AdaptiveMaxPool1d: adaptive('AdaptiveMaxPool1d', x3), AdaptiveMaxPool2d: adaptive('AdaptiveMaxPool2d', x4), AdaptiveMaxPool3d: adaptive('AdaptiveMaxPool3d', x5),
    BatchNorm1d: bn('BatchNorm1d', x3), BatchNorm2d: bn('BatchNorm2d', x4), BatchNorm3d: bn('BatchNorm3d', x5),
    LayerNorm: { ctor: [8], input: x4, names: ['LayerNorm', 'layerNorm'], calls: [['shape 0', () => new nn.LayerNorm(0)], ['typo', () => new nn.LayerNorm(8, { elementwiseAfine: false })], ['eps string', () => new nn.LayerNorm(8, 'a')], ['wrong shape', () => new nn.LayerNorm(7).forward(x4())]] },
    GroupNorm: { ctor: [3, 3], input: x4, names: ['GroupNorm', 'groupNorm'], calls: [['not dividing', () => new nn.GroupNorm(2, 3)], ['typo', () => new nn.GroupNorm(3, 3, { afine: false })], ['numChannels missing', () => new nn.GroupNorm(3)]] },
    LocalResponseNorm: { ctor: [3], input: x4, names: ['LocalResponseNorm', 'localResponseNorm'], calls: [['size 0', () => new nn.LocalResponseNorm(0)], ['typo', () => new nn.LocalResponseNorm(3, { alhpa: 1 })], ['alpha string', () => new nn.LocalResponseNorm(3, 'a')]] },
    Dropout: drop('Dropout', x2), Dropout1d: drop('Dropout1d', x3), Dropout2d: drop('Dropout2d', x4), Dropout3d: drop('Dropout3d', x5), AlphaDropout: drop('AlphaDropout', x2),
    ReLU: act('ReLU', 'relu'), SELU: act('SELU', 'selu'), Sigmoid: act('Sigmoid', 'sigmoid'), Tanh: act('Tanh', 'tanh'), SiLU: act('SiLU', 'silu'), Mish: act('Mish', 'mish'), ReLU6: act('ReLU6', 'relu6'),
    LeakyReLU: { ...act('LeakyReLU', 'leakyRelu'), calls: [['slope string', () => new nn.LeakyReLU('0.1')], ['typo', () => new nn.LeakyReLU({ slope: 0.1 })], ['inplace 1', () => new nn.LeakyReLU(0.1, 1)]] },
    ELU: { ...act('ELU', 'elu'), calls: [['alpha NaN', () => new nn.ELU(NaN)]] },
    GELU: { ...act('GELU', 'gelu'), calls: [['approximate bogus', () => new nn.GELU('fast')], ['typo', () => new nn.GELU({ approx: 'tanh' })]] },
    Softplus: { ...act('Softplus', 'softplus'), calls: [['beta 0', () => new nn.Softplus(0)], ['threshold string', () => new nn.Softplus(1, 'a')]] },
    Hardtanh: { ...act('Hardtanh', 'hardtanh'), calls: [['min > max', () => new nn.Hardtanh(2, 1)], ['typo', () => new nn.Hardtanh({ min: -2 })]] },
    Softmax: { ...act('Softmax', 'softmax', [1]), calls: [['no dim', () => new nn.Softmax()], ['dim string', () => new nn.Softmax('1')], ['typo', () => new nn.Softmax({ axis: 1 })], ['dim out of range', () => new nn.Softmax(3).forward(x2())]] },
    LogSoftmax: { ...act('LogSoftmax', 'logSoftmax', [1]), calls: [['no dim', () => new nn.LogSoftmax()]] },
    Flatten: { ctor: [], input: x4, names: ['Flatten', 'flatten'], calls: [['startDim string', () => new nn.Flatten('1')], ['typo', () => new nn.Flatten({ start: 1 })], ['out of range', () => new nn.Flatten(5).forward(x4())]] },
    Sequential: { ctor: [new nn.ReLU()], input: x2, varargs: true, calls: [['not a module', () => new nn.Sequential(new nn.ReLU(), 'relu')], ['append number', () => new nn.Sequential().append(3)], ['index out of range', () => new nn.Sequential().at(0)]] },
    Residual: { ctor: [new nn.ReLU()], input: x2, calls: [['no body', () => new nn.Residual()], ['typo', () => new nn.Residual(new nn.ReLU(), { shortcutt: null })], ['shortcut not a module', () => new nn.Residual(new nn.ReLU(), { shortcut: 3 })]] },
    MSELoss: loss('MSELoss', 'mseLoss', x2, x2), L1Loss: loss('L1Loss', 'l1Loss', x2, x2), SmoothL1Loss: loss('SmoothL1Loss', 'smoothL1Loss', x2, x2), HuberLoss: loss('HuberLoss', 'huberLoss', x2, x2),
    CrossEntropyLoss: { ...loss('CrossEntropyLoss', 'crossEntropy', probs, labels), calls: [...loss('CrossEntropyLoss', 'crossEntropy', probs, labels).calls!, ['weight array', () => new nn.CrossEntropyLoss([1, 2, 3])]] },
    NLLLoss: loss('NLLLoss', 'nllLoss', probs, labels), BCELoss: loss('BCELoss', 'binaryCrossEntropy', probs, probs),
    BCEWithLogitsLoss: loss('BCEWithLogitsLoss', 'binaryCrossEntropyWithLogits', x2, x2), KLDivLoss: loss('KLDivLoss', 'klDiv', probs, probs),
    CosineEmbeddingLoss: loss('CosineEmbeddingLoss', 'cosineEmbeddingLoss', x2, x2, 3),
  };
  const ids = () => tg.tensor([0, 4], { dtype: 'int32' });
  Object.assign(specs, {
    CELU: {
      ctor: [], input: x2, names: ['CELU', 'celu'], floatOnly: true,
      calls: [['alpha string', () => new nn.CELU('1')], ['alpha NaN', () => new nn.CELU(NaN)], ['alpha 0', () => new nn.CELU(0)], ['typo', () => new nn.CELU({ alpah: 1 })], ['inplace 1', () => new nn.CELU(1, 1)]],
    },
    Softmin: {
      ctor: [1], input: x2, names: ['Softmin', 'softmin'], floatOnly: true,
      calls: [['no dim', () => new nn.Softmin()], ['dim string', () => new nn.Softmin('1')], ['dim 1.5', () => new nn.Softmin(1.5)], ['typo', () => new nn.Softmin({ axis: 1 })], ['dim out of range', () => new nn.Softmin(3).forward(x2())]],
    },
    PReLU: {
      ctor: [], input: x2, names: ['PReLU', 'prelu'], floatOnly: true,
      calls: [
        ['numParameters 0', () => new nn.PReLU(0)], ['numParameters -1', () => new nn.PReLU(-1)], ['numParameters 2.5', () => new nn.PReLU(2.5)], ['numParameters string', () => new nn.PReLU('3')],
        ['init NaN', () => new nn.PReLU(1, NaN)], ['init string', () => new nn.PReLU(1, '0.25')], ['typo', () => new nn.PReLU({ num_parameters: 3 })], ['dtype int32', () => new nn.PReLU({ dtype: 'int32' })],
        ['given twice', () => new nn.PReLU(3, { numParameters: 3 })], ['wrong channels', () => new nn.PReLU(3).forward(x2())],
      ],
    },
    Embedding: {
      ctor: [5, 3], input: ids, names: ['Embedding', 'embedding'],
      calls: [
        ['numEmbeddings 0', () => new nn.Embedding(0, 3)], ['numEmbeddings string', () => new nn.Embedding('5', 3)], ['embeddingDim 2.5', () => new nn.Embedding(5, 2.5)],
        ['embeddingDim NaN', () => new nn.Embedding(5, NaN)], ['embeddingDim missing', () => new nn.Embedding(5)], ['paddingIdx 5', () => new nn.Embedding(5, 3, 5)],
        ['paddingIdx string', () => new nn.Embedding(5, 3, '0')], ['maxNorm -1 positional', () => new nn.Embedding(5, 3, null, -1)], ['normType string', () => new nn.Embedding(5, 3, { normType: '2' })],
        ['typo', () => new nn.Embedding(5, 3, { padIdx: 0 })], ['sparse', () => new nn.Embedding(5, 3, { sparse: true })], ['too many positional', () => new nn.Embedding(5, 3, 0, 1, 2, false)],
        ['dtype int32', () => new nn.Embedding(5, 3, { dtype: 'int32' })], ['float input', () => new nn.Embedding(5, 3).forward(x2())], ['index out of range', () => new nn.Embedding(5, 3).forward(tg.tensor([5], { dtype: 'int32' }))],
        ['fromPretrained array', () => nn.Embedding.fromPretrained([[1, 2]])], ['fromPretrained 1-D', () => nn.Embedding.fromPretrained(tg.randn([4]))],
        ['fromPretrained freeze "yes"', () => nn.Embedding.fromPretrained(tg.randn([4, 2]), 'yes')], ['fromPretrained typo', () => nn.Embedding.fromPretrained(tg.randn([4, 2]), { frozen: true })],
        ['fromPretrained too many', () => nn.Embedding.fromPretrained(tg.randn([4, 2]), true, 0, null, 2, false)], ['fromPretrained paddingIdx 4', () => nn.Embedding.fromPretrained(tg.randn([4, 2]), { paddingIdx: 4 })],
      ],
    },
    InstanceNorm1d: instanceNorm('InstanceNorm1d', x3), InstanceNorm2d: instanceNorm('InstanceNorm2d', x4), InstanceNorm3d: instanceNorm('InstanceNorm3d', x5),
    Unflatten: {
      ctor: [1, [2, 2]], input: x2, names: ['Unflatten', 'unflatten'],
      calls: [
        ['dim string', () => new nn.Unflatten('1', [2, 2])], ['dim 1.5', () => new nn.Unflatten(1.5, [2, 2])], ['sizes missing', () => new nn.Unflatten(1)], ['sizes number', () => new nn.Unflatten(1, 4)],
        ['sizes string entry', () => new nn.Unflatten(1, [2, '2'])], ['two -1', () => new nn.Unflatten(1, [-1, -1])], ['typo', () => new nn.Unflatten({ dim: 1, sizes: [2, 2] })],
        ['cannot split', () => new nn.Unflatten(1, [3, 2]).forward(x2())], ['dim out of range', () => new nn.Unflatten(2, [2, 2]).forward(x2())],
      ],
    },
    Upsample: upsample('Upsample', [
      ['mode bicubic', () => new nn.Upsample(null, 2, 'bicubic')], ['mode object', () => new nn.Upsample({ scaleFactor: 2, mode: {} })],
      ['alignCorners 1', () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: 1 })], ['linear on 4-D', () => new nn.Upsample({ scaleFactor: 2, mode: 'linear' }).forward(x4())],
    ]),
    UpsamplingNearest2d: upsample('UpsamplingNearest2d', [['mode', () => new nn.UpsamplingNearest2d({ scaleFactor: 2, mode: 'bilinear' })], ['size list of 3 on 4-D', () => new nn.UpsamplingNearest2d([4, 4, 4]).forward(x4())]]),
    UpsamplingBilinear2d: upsample('UpsamplingBilinear2d', [['alignCorners', () => new nn.UpsamplingBilinear2d({ scaleFactor: 2, alignCorners: false })], ['3-D input', () => new nn.UpsamplingBilinear2d(2).forward(x3())]]),
    MaxUnpool1d: unpool(1), MaxUnpool2d: unpool(2), MaxUnpool3d: unpool(3),
  });
  for (const [cls, n] of [['ZeroPad', 0], ['ReflectionPad', 0], ['ReplicationPad', 0], ['CircularPad', 0]] as const) {
    void n;
    for (const d of [1, 2, 3]) specs[`${cls}${d}d`] = pad(`${cls}${d}d`, d);
  }
  for (const d of [1, 2, 3]) specs[`ConstantPad${d}d`] = pad(`ConstantPad${d}d`, d, [0.5]);
  return specs;
}

/** The generic wrong calls of a layer, from its spec. */
function generic(cls: string, spec: LayerSpec): WrongCall[] {
  const C = nn[cls];
  const calls: WrongCall[] = [];
  calls.push(['new (string first)', () => new C('bogus', ...spec.ctor.slice(1))]);
  if (!spec.varargs) calls.push(['new (+ 12 extra arguments)', () => new C(...spec.ctor, ...new Array(12).fill(1))]);
  if (spec.input) {
    calls.push(['forward(string)', () => new C(...spec.ctor).forward('bogus')]);
    calls.push(['forward(nested array)', () => new C(...spec.ctor).forward([[1, 2], [3, 4]])]);
    calls.push(['forward(input, + 3 extra arguments)', () => new C(...spec.ctor).forward(spec.input!(), 1, 1, 1)]);
    if (spec.floatOnly) {
      calls.push(['forward(int tensor)', () => new C(...spec.ctor).forward(spec.input!().int())]);
    }
  }
  return calls;
}

function layerTable(): Record<string, SweepEntry> {
  const out: Record<string, SweepEntry> = {};
  for (const [cls, spec] of Object.entries(layerSpecs())) {
    // Sequential/Residual forward whatever their children report, so any layer name is fine for them.
    const names = spec.names ?? (cls === 'Sequential' || cls === 'Residual' ? [cls, 'relu', 'linear'] : [cls]);
    out[cls] = { names, calls: [...generic(cls, spec), ...(spec.calls ?? [])] };
  }
  out.ModuleList = { calls: [['not an array', () => new nn.ModuleList(new nn.ReLU())], ['element not a module', () => new nn.ModuleList([3])], ['extra', () => new nn.ModuleList([], 1)], ['forward', () => new nn.ModuleList([]).forward(tg.randn([2]))]] };
  out.ModuleDict = { calls: [['string', () => new nn.ModuleDict('relu')], ['value not a module', () => new nn.ModuleDict({ a: 3 })], ['dotted key', () => new nn.ModuleDict({ 'a.b': new nn.ReLU() })]] };
  return out;
}

const OPTIM_ALLOW: Record<string, string> = {
  Optimizer: 'abstract base class',
  LRScheduler: 'abstract base class',
};

function optimTable(): Record<string, SweepEntry> {
  const params = () => [tg.randn([2], { requiresGrad: true })];
  const opt = () => new tg.optim.SGD(params(), { lr: 0.1 });
  const optimizer = (name: string, typo: Record<string, unknown>): SweepEntry => ({
    calls: [
      ['params string', () => new optim[name]('bogus', { lr: 0.1 })],
      ['params module', () => new optim[name](new nn.Linear(2, 2), { lr: 0.1 })],
      ['typo', () => new optim[name](params(), typo)],
      ['extra', () => new optim[name](params(), { lr: 0.1 }, 0.9)],
      ['lr string', () => new optim[name](params(), { lr: '0.1' })],
      ['lr -1 positional', () => new optim[name](params(), -1)],
      ['maximize 1', () => new optim[name](params(), { lr: 0.1, maximize: 1 })],
      ['empty params', () => new optim[name]([], { lr: 0.1 })],
    ],
  });
  const sched = (name: string, bad: (() => unknown)[]): SweepEntry => ({
    calls: [['optimizer string', () => new optim[name]('bogus', 1)], ['optimizer missing', () => new optim[name]()], ...bad.map((f, i): WrongCall => [`case ${i}`, f])],
  });
  return {
    SGD: optimizer('SGD', { lr: 0.1, momentm: 0.9 }), Adam: optimizer('Adam', { lr: 0.1, beta: [0.9, 0.99] }), AdamW: optimizer('AdamW', { weight_decay: 0.1 }),
    RMSprop: optimizer('RMSprop', { lr: 0.1, decay: 0.9 }), Adagrad: optimizer('Adagrad', { lr_decay: 0 }), NAdam: optimizer('NAdam', { momentum_decay: 0 }),
    RAdam: optimizer('RAdam', { betas1: 0.9 }), Adadelta: optimizer('Adadelta', { roh: 0.9 }), Adamax: optimizer('Adamax', { epsilon: 1e-8 }),
    StepLR: sched('StepLR', [() => new optim.StepLR(opt(), 0), () => new optim.StepLR(opt(), { stepSize: 2 }), () => new optim.StepLR(opt(), 2, 0.1, 5)]),
    MultiStepLR: sched('MultiStepLR', [() => new optim.MultiStepLR(opt(), 3), () => new optim.MultiStepLR(opt(), [2], 'a')]),
    ExponentialLR: sched('ExponentialLR', [() => new optim.ExponentialLR(opt()), () => new optim.ExponentialLR(opt(), 0.9, 1)]),
    CosineAnnealingLR: sched('CosineAnnealingLR', [() => new optim.CosineAnnealingLR(opt(), 0), () => new optim.CosineAnnealingLR(opt(), 10, 0, 1)]),
    LinearLR: sched('LinearLR', [() => new optim.LinearLR(opt(), 2), () => new optim.LinearLR(opt(), 0.5, 1, 2.5)]),
    LambdaLR: sched('LambdaLR', [() => new optim.LambdaLR(opt(), 0.5)]),
    OneCycleLR: sched('OneCycleLR', [() => new optim.OneCycleLR(opt(), { maxLr: 0.1 })]),
    ReduceLROnPlateau: sched('ReduceLROnPlateau', [() => new optim.ReduceLROnPlateau(opt(), { patiense: 3 }), () => new optim.ReduceLROnPlateau(opt(), { factor: 2 })]),
    CosineAnnealingWarmRestarts: sched('CosineAnnealingWarmRestarts', [() => new optim.CosineAnnealingWarmRestarts(opt(), 0)]),
    PolynomialLR: sched('PolynomialLR', [() => new optim.PolynomialLR(opt(), -1)]),
    SequentialLR: sched('SequentialLR', [() => new optim.SequentialLR(opt(), [], [])]),
    EarlyStopping: { calls: [['typo', () => new optim.EarlyStopping({ patiense: 3 })], ['string', () => new optim.EarlyStopping('valLoss')]] },
    clipGradNorm: { calls: [['params number', () => optim.clipGradNorm(3, 1)], ['maxNorm string', () => optim.clipGradNorm(params(), '1')], ['maxNorm -1', () => optim.clipGradNorm(params(), -1)]] },
    clipGradNormTensor: { calls: [['params number', () => optim.clipGradNormTensor(3 as never, 1)], ['maxNorm string', () => optim.clipGradNormTensor(params(), '1' as never)], ['maxNorm -1', () => optim.clipGradNormTensor(params(), -1)]] },
    clipGradValue: { calls: [['params module', () => optim.clipGradValue(new nn.ReLU(), 1)], ['value string', () => optim.clipGradValue(params(), 'a')]] },
  };
}

/** Tensor methods plain-JavaScript users get wrong (the methods forward to the swept ops). */
function methodTable(): Record<string, SweepEntry> {
  const x = tg.randn([2, 3]);
  const m = x as any;
  return {
    to: { calls: [['device', () => m.to('cpu')], ['cuda', () => m.to('cuda')], ['int64', () => m.to('int64')], ['float16', () => m.to({ dtype: 'float16' })], ['undefined', () => m.to()]] },
    sum: { calls: [['{dim} typo', () => m.sum({ dimm: 1 })], ['dim out of range', () => m.sum(3)], ['extra', () => m.sum(1, false, 1)]] },
    mean: { calls: [['{dim} then keepdim', () => m.mean({ dim: 1 }, true)]] },
    softmax: { calls: [['no dim', () => m.softmax()], ['{dim, dtype}', () => m.softmax({ dim: 1, dtype: 'float64' })]] },
    reshape: { calls: [['string', () => m.reshape('6')], ['numel', () => m.reshape(4, 2)]] },
    view: { calls: [['NaN', () => m.view(NaN)]] },
    permute: { calls: [['repeated', () => m.permute(0, 0)]] },
    max: { calls: [['several dims', () => m.max([0, 1])]] },
    var: { calls: [['typo', () => m.var({ unbiased: false })]] },
    relu: { calls: [['extra', () => m.relu(0.1)]] },
    exp: { calls: [['extra', () => m.exp(2)]] },
    t: { calls: [['extra', () => m.t(0, 1)]] },
    transpose: { calls: [['three dims', () => m.transpose(0, 1, 2)]] },
    fill_: { calls: [['string', () => x.clone().fill_('a' as never)], ['extra', () => (x.clone() as any).fill_(1, 2)]] },
    copy_: { calls: [['array', () => (x.clone() as any).copy_([1, 2, 3])]] },
    add_: { calls: [['string', () => (x.clone() as any).add_('a')]] },
    requiresGrad_: { names: ['requiresGrad'], calls: [['1', () => (x.clone() as any).requiresGrad_(1)]] },
    backward: { calls: [['array gradient', () => (tg.randn([2], { requiresGrad: true }).mul(2) as any).backward([1, 1])]] },
    flatten: { calls: [['extra', () => m.flatten(0, 1, 2)]] },
    add: { calls: [['extra', () => m.add(x, 1, 2)], ['alpha string', () => m.add(x, 'a')]] },
    leakyRelu: { calls: [['extra', () => m.leakyRelu(0.1, true)]] },
    matmul: { calls: [['extra', () => m.matmul(x.t(), x)]] },
  };
}

test('every export of tg.nn and tg.optim is in the wrong-call sweep or its allow-list', () => {
  assertCovered('tg.nn', tg.nn, layerTable(), NN_ALLOW);
  assertCovered('tg.optim', tg.optim, optimTable(), OPTIM_ALLOW);
});

for (const backend of ['wasm', 'reference'] as const) {
  test(`wrong layer, optimizer and method calls throw a TensorError naming them, and leave ${backend} computing the same bits`, async (t) => {
    await tg.initWasmBackend();
    const before = withBackend(backend, fixedComputations);
    const n = withBackend(backend, () => runSweep('nn.', layerTable()) + runSweep('optim.', optimTable()) + runSweep('Tensor.', methodTable()));
    assert.ok(n > 500, `only ${n} wrong calls ran`);
    assertSameBits(before, withBackend(backend, fixedComputations), `${backend} after ${n} wrong calls`);
    t.diagnostic(`${n} wrong calls on ${backend}, then ${before.length} results bit-identical`);
  });
}

test("layers accept PyTorch's positional forms and options objects alike", () => {
  const sameConv = (a: tg.nn.Conv2d, b: tg.nn.Conv2d) => assert.deepEqual([a.stride, a.padding, a.dilation, a.groups, a.bias === null, a.paddingMode], [b.stride, b.padding, b.dilation, b.groups, b.bias === null, b.paddingMode]);
  sameConv(new nn.Conv2d(1, 8, 3, 1, 1), new tg.nn.Conv2d(1, 8, 3, { stride: 1, padding: 1 }));
  sameConv(new nn.Conv2d(2, 8, 3, 2, 1, 1, 2, false, 'reflect'), new tg.nn.Conv2d(2, 8, 3, { stride: 2, padding: 1, groups: 2, bias: false, paddingMode: 'reflect' }));
  sameConv(new nn.Conv2d(1, 8, 3, 2, { padding: 1 }), new tg.nn.Conv2d(1, 8, 3, { stride: 2, padding: 1 }));
  assert.deepEqual(new nn.Conv2d(1, 8, 3, 1, 1).forward(tg.randn([1, 1, 5, 5])).shape, [1, 8, 5, 5]);
  assert.equal(new nn.Linear(4, 2, false).bias, null);
  assert.notEqual(new nn.Linear(4, 2, true).bias, null);
  const bn = new nn.BatchNorm2d(3, 1e-3, 0.01, false);
  assert.deepEqual([bn.eps, bn.momentum, bn.weight], [1e-3, 0.01, null]);
  assert.equal(new nn.BatchNorm1d(3, { momentum: null }).momentum, null);
  assert.deepEqual(new nn.ConvTranspose2d(3, 2, 3, 2, 1, 1).forward(tg.randn([1, 3, 4, 4])).shape, [1, 2, 8, 8]);
  assert.deepEqual(new nn.MaxPool2d(3, 2, 1).forward(tg.randn([1, 1, 8, 8])).shape, [1, 1, 4, 4]);
  assert.deepEqual(new nn.AvgPool2d(2, 1).forward(tg.randn([1, 1, 4, 4])).shape, [1, 1, 3, 3]);
  assert.equal(new nn.Dropout(0.3).p, 0.3);
  assert.equal(new nn.Dropout({ p: 0.2 }).p, 0.2);
  assert.equal(new nn.LeakyReLU(0.2).negativeSlope, 0.2);
  assert.equal(new nn.LeakyReLU(0.2, true).negativeSlope, 0.2);
  assert.deepEqual([new nn.Flatten(0, 1).startDim, new nn.Flatten(0, 1).endDim], [0, 1]);
  assert.equal(new nn.Softmax({ dim: 0 }).dim, 0);
  assert.equal(new nn.GELU('tanh').approximate, 'tanh');
  assert.equal(new nn.LayerNorm(4, 1e-3).opts.eps, 1e-3);
  const w = tg.ones([3]);
  assert.equal(new nn.CrossEntropyLoss(w).opts.weight, w);
  const opt = new optim.Adam([tg.randn([2], { requiresGrad: true })], 0.05);
  assert.equal(opt.paramGroups[0].lr, 0.05);
  expectTensorError('nn.Conv2d', ['Conv2d'], 'typo', () => new nn.Conv2d(1, 8, 3, { paddding: 1 }));
  // The layers and functional forms added later: PyTorch's positional form, options objects, or both.
  assert.deepEqual([new nn.Embedding(5, 3, 0).paddingIdx, new nn.Embedding(5, 3, null, 1).maxNorm, new nn.Embedding(5, 3, { paddingIdx: -1 }).paddingIdx], [0, 1, 4]);
  const pre = nn.Embedding.fromPretrained(tg.randn([4, 2]), false, 0);
  assert.deepEqual([pre.weight.requiresGrad, pre.paddingIdx], [true, 0]);
  assert.equal(nn.Embedding.fromPretrained(tg.randn([4, 2]), { freeze: true }).weight.requiresGrad, false);
  const inorm = new nn.InstanceNorm2d(3, 1e-3, 0.2, true, true);
  assert.deepEqual([inorm.eps, inorm.momentum, inorm.affine, inorm.trackRunningStats], [1e-3, 0.2, true, true]);
  assert.deepEqual([new nn.InstanceNorm1d(3, 1e-3, { affine: true }).affine, new nn.InstanceNorm3d(3, { momentum: 0.3 }).momentum], [true, 0.3]);
  assert.deepEqual(new nn.PReLU(3, 0.1).weight.toArray(), Array.from(new Float32Array([0.1, 0.1, 0.1])));
  assert.deepEqual([new nn.PReLU({ numParameters: 2 }).weight.numel(), new nn.PReLU(2, { dtype: 'float64' }).weight.dtype], [2, 'float64']);
  assert.deepEqual([new nn.CELU(0.5).alpha, new nn.CELU({ alpha: 0.5 }).alpha, new nn.CELU(0.5, true).alpha], [0.5, 0.5, 0.5]);
  assert.deepEqual([new nn.Softmin(1).dim, new nn.Softmin({ dim: 0 }).dim], [1, 0]);
  for (const u of [new nn.Unflatten(1, [2, 2]), new nn.Unflatten({ dim: 1, unflattenedSize: [2, 2] }), new nn.Unflatten(1, { unflattenedSize: [2, 2] })]) {
    assert.deepEqual(u.forward(tg.randn([3, 4])).shape, [3, 2, 2]);
  }
  assert.deepEqual([new nn.ConstantPad2d(1, 0.5).value, new nn.ConstantPad2d({ padding: 1, value: 0.5 }).value, new nn.ConstantPad2d([1, 1, 0, 0], { value: 2 }).value], [0.5, 0.5, 2]);
  assert.deepEqual(new nn.ZeroPad2d({ padding: [1, 1, 0, 0] }).forward(tg.randn([1, 1, 2, 2])).shape, [1, 1, 2, 4]);
  const pooled = tg.F.maxPool2d(tg.randn([1, 1, 4, 4]), 2, { returnIndices: true });
  assert.deepEqual(new nn.MaxUnpool2d(2, 2, 0).forward(pooled.values, pooled.indices).toArray(), new nn.MaxUnpool2d(2, { stride: 2 }).forward(pooled.values, pooled.indices).toArray());
  const img = tg.randn([1, 2, 3, 3]);
  assert.ok(new nn.Upsample(null, 2, 'bilinear', true).forward(img).allclose(tg.F.interpolate(img, { scaleFactor: 2, mode: 'bilinear', alignCorners: true })));
  const ids = tg.tensor([0, 2, 0], { dtype: 'int32' }), table = tg.randn([3, 2]);
  assert.deepEqual(tg.F.embedding(ids, table, 0).toArray(), tg.F.embedding(ids, table, { paddingIdx: 0 }).toArray());
  assert.deepEqual((tg.F as any).instanceNorm(img, null, null, null, null, true, 0.1, 1e-3).toArray(), tg.F.instanceNorm(img, null, null, null, null, { eps: 1e-3 }).toArray());
  assert.deepEqual((tg.F as any).softmin(img, { dim: 1 }).toArray(), tg.F.softmin(img, 1).toArray());
});

test("a layer's forward rejects extra arguments; user modules' forwards are left alone", () => {
  const x = tg.randn([2, 4]);
  assert.throws(() => (new nn.Linear(4, 2) as any).forward(x, true), /^TensorError: Linear\.forward: takes 1 argument \(the input\), got 2; extra argument true$/);
  assert.throws(() => (new nn.MSELoss() as any).forward(x, x, 'mean'), /MSELoss\.forward: takes 2 arguments, got 3/);
  assert.deepEqual(new nn.ReLU().forward(x, undefined).shape, [2, 4]); // trailing undefined is harmless
  class Scaled extends tg.nn.Linear {} // inherits Linear's forward, so its check too
  assert.throws(() => (new Scaled(4, 2) as any).forward(x, 1), /Scaled\.forward: takes 1 argument/);
  class WithMask extends tg.nn.Module {
    forward(y: tg.Tensor, scale = 1): tg.Tensor { return y.mul(scale); } // Function.length 1: must not be checked
  }
  assert.deepEqual((new WithMask().forward(x, 2) as tg.Tensor).toArray(), x.mul(2).toArray());
});
