import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers/check-op.js';
import {
  assertCovered, assertSameBits, exportedCallables, expectTensorError, fixedComputations, runSweep, type SweepEntry, type WrongCall,
} from '../helpers/wrong-call.js';

/*
 * The wrong-call sweep over `tg` and `tg.F` (layers and optimizers: wrong-layers.test.ts).
 * Every exported function gets the generic wrong calls (a string, an object or
 * nothing where a tensor belongs; too many arguments) plus its own specific ones
 * (wrong dtypes, shapes, options, PyTorch positional misuse), each of which must
 * throw a TensorError naming the op; before and after, on both backends, a fixed
 * set of computations must agree bit for bit.
 */

// Deliberately untyped: these calls are what a plain-JavaScript user can write.
/* eslint-disable @typescript-eslint/no-explicit-any */
const T = tg as any;
const F = tg.F as any;

/**
 * Exports outside the sweep, each with the reason. Functions that take no
 * arguments (nothing to get wrong) or whose wrong calls are tested elsewhere.
 */
const TG_ALLOW: Record<string, string> = {
  Tensor: 'internal constructor (users call tg.tensor/zeros/...); its methods forward to the swept ops',
  TensorError: 'the error class itself',
  WasmBackend: 'backend class, constructed by initWasmBackend',
  WebGpuBackend: 'backend class, constructed by tg.ready({ backend: \'webgpu\' })',
  toBackendAsync: 'async form of toBackend; covered by test/tensor/async-reads',
  Generator: 'seed constructor; covered by test/tensor random tests',
  getBackend: 'takes no arguments',
  getNumThreads: 'takes no arguments',
  getWasmBackend: 'takes no arguments',
  isGradEnabled: 'takes no arguments',
  listBackends: 'takes no arguments',
  initWasmBackend: 'async, options-only; covered by test/backend',
  setNumThreads: 'async thread-pool resize; wrong values covered by test/backend/wasm-threads',
  ready: 'async, options as initWasmBackend; covered by test/backend/selection',
  save: 'file I/O; error paths covered by test/io/safetensors',
  load: 'file I/O; error paths covered by test/io/safetensors',
  saveCheckpoint: 'file I/O; error paths covered by test/io/checkpoint',
  loadCheckpoint: 'file I/O; error paths covered by test/io/checkpoint',
};

const F_ALLOW: Record<string, string> = {};

/** Generic wrong calls for an op whose first argument is a tensor. */
function generic(op: (...a: any[]) => unknown, x: tg.Tensor): WrongCall[] {
  return [
    ['(string)', () => op('bogus')],
    ['({})', () => op({})],
    ['()', () => op()],
    ['(nested array instead of tensor)', () => op([[1, 2], [3, 4]])],
    ['(x, + 9 extra arguments)', () => op(x, 1, 1, 1, 1, 1, 1, 1, 1, 1)],
  ];
}

/** The specific wrong calls, built on the current backend. */
function opsTable(): Record<string, Record<string, SweepEntry>> {
  const x = tg.randn([2, 3]);
  const xi = tg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' });
  const b = tg.tensor([[true, false, true], [false, true, true]]);
  const img = tg.randn([2, 3, 8, 8]);
  const w = tg.randn([4, 3, 3, 3]);
  const idx = tg.tensor([0, 2], { dtype: 'int32' });
  const unary = (name: string): SweepEntry => ({ calls: [['(x, 2)', () => T[name](x, 2)], ['(x, {})', () => T[name](x, {})]] });
  const binary = (name: string): SweepEntry => ({
    calls: [
      ['(2, 3)', () => T[name](2, 3)],
      ['(x, "a")', () => T[name](x, 'a')],
      ['(x, [1,2,3])', () => T[name](x, [1, 2, 3])],
      ['(x, x, x)', () => T[name](x, x, x)],
      ['shape mismatch', () => T[name](x, tg.randn([4]))],
    ],
  });
  const reduce = (name: string): SweepEntry => ({
    calls: [
      ['dim out of range', () => T[name](x, 2)],
      ['dim 1.5', () => T[name](x, 1.5)],
      ['dim "1"', () => T[name](x, '1')],
      ['keepdim 1', () => T[name](x, 1, 1)],
      ['{dim, keepdm}', () => T[name](x, { dim: 1, keepdm: true })],
      ['{dim} then more', () => T[name](x, { dim: 1 }, true)],
    ],
  });
  const tgTable: Record<string, SweepEntry> = {
    tensor: { calls: [['ragged', () => T.tensor([[1, 2], [3]])], ['string data', () => T.tensor('abc')], ['dtype int64', () => T.tensor([1], { dtype: 'int64' })], ['unknown key', () => T.tensor([1], { dtpye: 'float64' })], ['tensor of a tensor', () => T.tensor(x)], ['extra', () => T.tensor([1], {}, 3)]] },
    zeros: { calls: [['NaN', () => T.zeros(2, NaN)], ['negative', () => T.zeros([-1])], ['2.5', () => T.zeros(2.5)], ['Infinity', () => T.zeros([Infinity])], ['string', () => T.zeros('2')], ['boolean', () => T.zeros(true)], ['no shape', () => T.zeros()], ['options only', () => T.zeros({})], ['dtype float16', () => T.zeros(2, { dtype: 'float16' })], ['unknown key', () => T.zeros(2, { requiresgrad: true })], ['options not last', () => T.zeros(2, {}, 3)], ['requiresGrad 1', () => T.zeros(2, { requiresGrad: 1 })], ['backend string', () => T.zeros(2, { backend: 'wasm' })]] },
    ones: { calls: [['NaN', () => T.ones(NaN)], ['mixed', () => T.ones(2, '3')], ['dtype', () => T.ones([2], { dtype: 'uint8' })]] },
    full: { calls: [['value string', () => T.full([2], 'a')], ['spread shape', () => T.full(2, 3)], ['unknown key', () => T.full([2], 1, { dtyp: 'int32' })], ['extra', () => T.full([2], 1, {}, 4)]] },
    rand: { calls: [['int dtype', () => T.rand(2, { dtype: 'int32' })], ['generator seed number', () => T.rand(2, { generator: 5 })], ['negative', () => T.rand(-2)]] },
    randn: { calls: [['int dtype', () => T.randn([2], { dtype: 'bool' })], ['unknown key', () => T.randn(2, { seed: 1 })], ['object shape', () => T.randn({ shape: [2] })]] },
    randint: { calls: [['low >= high', () => T.randint(3, 3, [1])], ['float low', () => T.randint(0.5, 3, [1])], ['missing shape', () => T.randint(0, 3)], ['bool dtype', () => T.randint(0, 3, [2], { dtype: 'bool' })]] },
    randperm: { calls: [['negative', () => T.randperm(-1)], ['float', () => T.randperm(2.5)], ['string', () => T.randperm('3')], ['float dtype', () => T.randperm(3, { dtype: 'float32' })]] },
    arange: { calls: [['step 0', () => T.arange(0, 1, 0)], ['NaN', () => T.arange(NaN)], ['string', () => T.arange('5')], ['options not last', () => T.arange(5, { dtype: 'int32' }, 1)], ['unknown key', () => T.arange(5, { dtpe: 'int32' })]] },
    linspace: { calls: [['steps negative', () => T.linspace(0, 1, -1)], ['steps float', () => T.linspace(0, 1, 2.5)], ['missing steps', () => T.linspace(0, 1)]] },
    eye: { calls: [['negative', () => T.eye(-1)], ['float', () => T.eye(2.5)], ['string', () => T.eye('3')], ['unknown key', () => T.eye(3, { dtype: 'float64', x: 1 })]] },
    zerosLike: { calls: [['not a tensor', () => T.zerosLike([1, 2])], ['unknown key', () => T.zerosLike(x, { dtyp: 'int32' })]] },
    onesLike: { calls: [['not a tensor', () => T.onesLike(3)], ['dtype', () => T.onesLike(x, { dtype: 'half' })]] },
    fullLike: { calls: [['value object', () => T.fullLike(x, {})], ['not a tensor', () => T.fullLike('x', 1)]] },
    randLike: { calls: [['int tensor', () => T.randLike(xi)]] },
    randnLike: { calls: [['bool tensor', () => T.randnLike(b)]] },
    add: { calls: [['alpha string', () => T.add(x, x, 'a')], ['two numbers', () => T.add(1, 2)], ['shape', () => T.add(x, tg.randn([4]))]] },
    sub: { calls: [['alpha object', () => T.sub(x, x, {})], ['string', () => T.sub(x, 'a')]] },
    where: { calls: [['float condition', () => T.where(x, x, x)], ['condition array', () => T.where([true], x, x)], ['shape', () => T.where(b, x, tg.randn([4]))], ['extra', () => T.where(b, x, x, x)]] },
    clamp: { calls: [['no bounds', () => T.clamp(x)], ['min > max', () => T.clamp(x, 2, 1)], ['string bound', () => T.clamp(x, 'a')], ['extra', () => T.clamp(x, 0, 1, 2)]] },
    allclose: { calls: [['shape', () => T.allclose(x, tg.randn([4]))], ['rtol string', () => T.allclose(x, x, 'a')], ['number', () => T.allclose(x, 1)]] },
    softmax: { calls: [['dim out of range', () => T.softmax(x, 2)], ['no dim', () => T.softmax(x)], ['{dim, dtype}', () => T.softmax(x, { dim: 1, dtype: 'float64' })], ['int tensor', () => T.softmax(xi, 1)], ['dim string', () => T.softmax(x, '1')], ['extra', () => T.softmax(x, 1, 'float64')]] },
    logSoftmax: { calls: [['dim out of range', () => T.logSoftmax(x, -3)], ['dim true', () => T.logSoftmax(x, true)], ['int tensor', () => T.logSoftmax(xi, 1)]] },
    leakyRelu: { calls: [['slope string', () => T.leakyRelu(x, '0.1')], ['slope object', () => T.leakyRelu(x, { negativeSlope: 0.1 })]] },
    elu: { calls: [['alpha NaN', () => T.elu(x, NaN)], ['alpha object', () => T.elu(x, {})]] },
    gelu: { calls: [['approximate bogus', () => T.gelu(x, 'bogus')], ['approximate true', () => T.gelu(x, true)]] },
    softplus: { calls: [['beta string', () => T.softplus(x, 'a')], ['threshold object', () => T.softplus(x, 1, {})]] },
    sum: reduce('sum'), mean: { calls: [...reduce('mean').calls, ['int tensor', () => T.mean(xi)]] }, prod: reduce('prod'),
    amax: reduce('amax'), amin: reduce('amin'), logsumexp: { calls: [...reduce('logsumexp').calls, ['no dim', () => T.logsumexp(x)]] },
    max: { calls: [['dim out of range', () => T.max(x, 2)], ['several dims', () => T.max(x, [0, 1])], ['keepdim 1', () => T.max(x, 1, 1)], ['{dim, bad}', () => T.max(x, { dim: 1, bad: 1 })]] },
    min: { calls: [['dim out of range', () => T.min(x, -3)], ['dim "0"', () => T.min(x, '0')]] },
    argmax: { calls: [['several dims', () => T.argmax(x, [0, 1])], ['dim 1.5', () => T.argmax(x, 1.5)], ['keepdim "yes"', () => T.argmax(x, 1, 'yes')]] },
    argmin: { calls: [['dim out of range', () => T.argmin(x, 5)]] },
    var: { calls: [['dim out of range', () => T.var(x, 4)], ['correction string', () => T.var(x, 1, { correction: 'a' })], ['unknown key', () => T.var(x, { unbiased: false })], ['keepdim positional', () => T.var(x, 1, true)]] },
    std: { calls: [['int tensor', () => T.std(xi)], ['unknown key', () => T.std(x, 0, { ddof: 1 })]] },
    reshape: { calls: [['wrong numel', () => T.reshape(x, [4, 2])], ['spread shape', () => T.reshape(x, 3, 2)], ['two -1', () => T.reshape(x, [-1, -1])], ['string', () => T.reshape(x, '6')]] },
    view: { calls: [['wrong numel', () => T.view(x, [5])], ['not viewable', () => T.view(x.t(), [6])], ['NaN', () => T.view(x, [NaN])]] },
    flatten: { calls: [['startDim out of range', () => T.flatten(x, 3)], ['startDim > endDim', () => T.flatten(img, 2, 1)], ['string', () => T.flatten(x, '1')]] },
    unflatten: { calls: [['sizes mismatch', () => T.unflatten(x, 1, [2, 2])], ['sizes number', () => T.unflatten(x, 1, 3)]] },
    squeeze: { calls: [['dim out of range', () => T.squeeze(x, 3)], ['dim object', () => T.squeeze(x, { dim: 0 })]] },
    unsqueeze: { calls: [['dim out of range', () => T.unsqueeze(x, 4)], ['no dim', () => T.unsqueeze(x)]] },
    permute: { calls: [['wrong length', () => T.permute(x, [0])], ['repeated', () => T.permute(x, [0, 0])], ['spread', () => T.permute(x, 1, 0)]] },
    transpose: { calls: [['dim out of range', () => T.transpose(x, 0, 2)], ['missing dim', () => T.transpose(x, 0)]] },
    expand: { calls: [['incompatible', () => T.expand(x, [2, 4])], ['fewer dims', () => T.expand(x, [3])], ['spread', () => T.expand(x, 2, 3)]] },
    narrow: { calls: [['past the end', () => T.narrow(x, 1, 2, 5)], ['float start', () => T.narrow(x, 1, 0.5, 1)]] },
    slice: { calls: [['step 0', () => T.slice(x, 1, 0, 3, 0)], ['dim out of range', () => T.slice(x, 2)], ['start string', () => T.slice(x, 1, '0')]] },
    select: { calls: [['index out of range', () => T.select(x, 0, 5)], ['missing index', () => T.select(x, 0)]] },
    flip: { calls: [['dim out of range', () => T.flip(x, [3])], ['no dims', () => T.flip(x)]] },
    clone: { calls: [] }, contiguous: { calls: [] },
    split: { calls: [['sizes do not add up', () => T.split(x, [1, 1], 1)], ['size 0', () => T.split(x, 0)], ['dim out of range', () => T.split(x, 1, 5)]] },
    chunk: { calls: [['chunks 0', () => T.chunk(x, 0)], ['chunks float', () => T.chunk(x, 1.5)]] },
    repeat: { calls: [['fewer reps than dims', () => T.repeat(x, [2])], ['negative', () => T.repeat(x, [1, -1])]] },
    cat: { calls: [['not an array', () => T.cat(x)], ['empty', () => T.cat([])], ['shape mismatch', () => T.cat([x, tg.randn([3, 3])], 1)], ['dim out of range', () => T.cat([x, x], 2)], ['{dim, axis}', () => T.cat([x, x], { dim: 0, axis: 1 })], ['array of arrays', () => T.cat([[1], [2]])], ['extra', () => T.cat([x, x], 0, 1)]] },
    stack: { calls: [['shape mismatch', () => T.stack([x, tg.randn([3, 2])])], ['dim out of range', () => T.stack([x, x], 3)], ['{axis}', () => T.stack([x, x], { axis: 0 })]] },
    gather: { calls: [['float index', () => T.gather(x, 1, x)], ['dim out of range', () => T.gather(x, 2, idx)], ['index array', () => T.gather(x, 1, [0, 1])]] },
    scatterAdd: { calls: [['float index', () => T.scatterAdd(x, 1, x, x)], ['src missing', () => T.scatterAdd(x, 1, idx)]] },
    indexSelect: { calls: [['2-D index', () => T.indexSelect(x, 1, xi)], ['out of range', () => T.indexSelect(x, 1, tg.tensor([7], { dtype: 'int32' }))]] },
    oneHot: { calls: [['float index', () => T.oneHot(x)], ['numClasses too small', () => T.oneHot(idx, 2)], ['numClasses string', () => T.oneHot(idx, '3')]] },
    matmul: { calls: [['inner mismatch', () => T.matmul(x, x)], ['0-d', () => T.matmul(tg.tensor(1), x)], ['int', () => T.matmul(xi, xi.t())], ['array', () => T.matmul(x, [[1], [2], [3]])]] },
    linear: { calls: [['features mismatch', () => T.linear(x, tg.randn([4, 2]))], ['bias shape', () => T.linear(x, tg.randn([4, 3]), tg.randn([3]))], ['bias false', () => T.linear(x, tg.randn([4, 3]), false)]] },
    setBackend: { calls: [['object', () => T.setBackend({})], ['unknown name', () => T.setBackend('cuda')], ['null', () => T.setBackend(null)]] },
    noGrad: { calls: [['not a function', () => T.noGrad(x)], ['nothing', () => T.noGrad()]] },
    manualSeed: { calls: [['string', () => T.manualSeed('42')], ['float', () => T.manualSeed(0.5)], ['NaN', () => T.manualSeed(NaN)], ['two seeds', () => T.manualSeed(1, 2)]] },
    toBackend: { calls: [['unknown name', () => T.toBackend(x, 'cuda')], ['object', () => T.toBackend(x, {})]] },
    pow: binary('pow'), mul: binary('mul'), div: binary('div'), maximum: binary('maximum'), minimum: binary('minimum'),
    eq: binary('eq'), ne: binary('ne'), lt: binary('lt'), le: binary('le'), gt: binary('gt'), ge: binary('ge'),
    logicalAnd: binary('logicalAnd'), logicalOr: binary('logicalOr'), logicalNot: unary('logicalNot'), square: unary('square'),
  };
  for (const name of ['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'erf', 'floor', 'ceil', 'round', 'relu', 'sigmoid', 'tanh']) {
    tgTable[name] = unary(name);
  }
  const conv = (name: string, input: tg.Tensor, weight: tg.Tensor): SweepEntry => ({
    calls: [
      ['channels mismatch', () => F[name](input.narrow(1, 0, 2), weight)],
      ['typo option', () => F[name](input, weight, null, { paddding: 1 })],
      ['stride 0', () => F[name](input, weight, null, { stride: 0 })],
      ['padding -1 positional', () => F[name](input, weight, null, 1, -1)],
      ['too many positional', () => F[name](input, weight, null, 1, 0, 1, 1, 1, 1)],
      ['bias not a tensor', () => F[name](input, weight, [0, 0])],
      ['weight array', () => F[name](input, [[1]])],
      ['int input', () => F[name](input.int(), weight)],
      ['given twice', () => F[name](input, weight, null, 1, { stride: 2 })],
      ['stride string', () => F[name](input, weight, null, { stride: '2' })],
      ['groups 1.5', () => F[name](input, weight, null, { groups: 1.5 })],
    ],
  });
  const x1 = tg.randn([2, 3, 8]), w1 = tg.randn([4, 3, 3]);
  const x3 = tg.randn([1, 3, 4, 4, 4]), w3 = tg.randn([4, 3, 2, 2, 2]);
  const pool = (name: string, input: tg.Tensor, extra: any[] = []): SweepEntry => ({
    calls: [
      ['kernel 0', () => F[name](input, ...extra, 0)],
      ['kernel string', () => F[name](input, ...extra, '2')],
      ['kernel object', () => F[name](input, ...extra, { kernelSize: 2 })],
      ['typo option', () => F[name](input, ...extra, 2, { strid: 2 })],
      ['too many positional', () => F[name](input, ...extra, 2, 2, 0, 1, false, false, 1, 1)],
      ['ceilMode 1', () => F[name](input, ...extra, 2, { ceilMode: 1 })],
      ['1-D input', () => F[name](tg.randn([2]), ...extra, 2)],
      ['int input', () => F[name](input.int(), ...extra, 2)],
    ],
  });
  const adaptive = (name: string, input: tg.Tensor): SweepEntry => ({
    calls: [['size 0', () => F[name](input, 0)], ['size object', () => F[name](input, { outputSize: 1 })], ['size string', () => F[name](input, '2')], ['too many', () => F[name](input, 1, false, 1)], ['1-D input', () => F[name](tg.randn([4]), 1)]],
  });
  const loss = (name: string, input: tg.Tensor, target: tg.Tensor): SweepEntry => ({
    calls: [
      ['target shape', () => F[name](input, target.reshape([-1]).narrow(0, 0, 1))],
      ['typo option', () => F[name](input, target, { reductoin: 'sum' })],
      ['reduction bogus', () => F[name](input, target, { reduction: 'avg' })],
      ['options string', () => F[name](input, target, 'sum')],
      ['target array', () => F[name](input, [1, 2])],
    ],
  });
  const drop = (name: string, input: tg.Tensor): SweepEntry => ({
    calls: [['p 1.5', () => F[name](input, 1.5)], ['p string', () => F[name](input, '0.5')], ['training 1', () => F[name](input, 0.5, 1)], ['typo option', () => F[name](input, 0.5, true, { generatr: null })], ['{p, bogus}', () => F[name](input, { p: 0.5, bogus: 1 })], ['int input', () => F[name](input.int(), 0.5)]],
  });
  const probs = tg.rand([4, 3]).clamp(0.1, 0.9);
  const labels = tg.tensor([0, 2, 1, 1], { dtype: 'int32' });
  const fTable: Record<string, SweepEntry> = {
    conv1d: conv('conv1d', x1, w1), conv2d: conv('conv2d', img, w), conv3d: conv('conv3d', x3, w3),
    convNd: { names: ['convNd', 'conv2d'], calls: [['n 4', () => F.convNd(4, img, w)], ['n string', () => F.convNd('2', img, w)], ['typo', () => F.convNd(2, img, w, null, { dilaton: 1 })]] },
    convTranspose1d: { calls: [['channels', () => F.convTranspose1d(x1, tg.randn([4, 2, 3]))], ['typo', () => F.convTranspose1d(x1, tg.randn([3, 2, 3]), null, { outputpadding: 1 })], ['outputPadding >= stride', () => F.convTranspose1d(x1, tg.randn([3, 2, 3]), null, 1, 0, 1)]] },
    convTranspose2d: { calls: [['channels', () => F.convTranspose2d(img, tg.randn([4, 2, 3, 3]))], ['too many positional', () => F.convTranspose2d(img, tg.randn([3, 2, 3, 3]), null, 1, 0, 0, 1, 1, 1)]] },
    convTranspose3d: { calls: [['2-D input', () => F.convTranspose3d(img, tg.randn([3, 2, 2, 2, 2]))]] },
    convTransposeNd: { calls: [['n 5', () => F.convTransposeNd(5, img, w)]] },
    convOutputSize: { calls: [['no kernel', () => F.convOutputSize(32, {})], ['string', () => F.convOutputSize('32', { kernel: 3 })], ['typo', () => F.convOutputSize(32, { kernel: 3, paddng: 1 })], ['kernel 2.5', () => F.convOutputSize(32, { kernel: 2.5 })]] },
    convTransposeOutputSize: { calls: [['no kernel', () => F.convTransposeOutputSize(16, { stride: 2 })], ['opts number', () => F.convTransposeOutputSize(16, 3)]] },
    maxPool1d: pool('maxPool1d', x1), maxPool2d: pool('maxPool2d', img), maxPool3d: pool('maxPool3d', x3),
    avgPool1d: pool('avgPool1d', x1), avgPool2d: pool('avgPool2d', img), avgPool3d: pool('avgPool3d', x3),
    lpPool1d: pool('lpPool1d', x1, [2]), lpPool2d: pool('lpPool2d', img, [2]), lpPool3d: pool('lpPool3d', x3, [2]),
    adaptiveAvgPool1d: adaptive('adaptiveAvgPool1d', x1), adaptiveAvgPool2d: adaptive('adaptiveAvgPool2d', img), adaptiveAvgPool3d: adaptive('adaptiveAvgPool3d', x3),
    adaptiveMaxPool1d: adaptive('adaptiveMaxPool1d', x1), adaptiveMaxPool2d: adaptive('adaptiveMaxPool2d', img), adaptiveMaxPool3d: adaptive('adaptiveMaxPool3d', x3),
    globalAvgPool2d: { calls: [['extra', () => F.globalAvgPool2d(img, 1)], ['1-D', () => F.globalAvgPool2d(tg.randn([3]))]] },
    globalMaxPool2d: { calls: [['extra', () => F.globalMaxPool2d(img, 1)]] },
    batchNorm: { calls: [['channels', () => F.batchNorm(img, tg.zeros([4]), tg.ones([4]))], ['options in weight slot', () => F.batchNorm(img, null, null, { training: true })], ['typo', () => F.batchNorm(img, null, null, null, null, { trainig: true })], ['training 1 positional', () => F.batchNorm(img, null, null, null, null, 1)], ['eval without stats', () => F.batchNorm(img, null, null)], ['eps string', () => F.batchNorm(img, null, null, null, null, { training: true, eps: '1' })]] },
    layerNorm: { calls: [['shape mismatch', () => F.layerNorm(img, [4])], ['shape string', () => F.layerNorm(img, '8')], ['typo', () => F.layerNorm(img, [8], null, null, { epsilon: 1e-5 })], ['eps NaN', () => F.layerNorm(img, [8], null, null, { eps: NaN })]] },
    groupNorm: { calls: [['groups do not divide', () => F.groupNorm(img, 2)], ['groups float', () => F.groupNorm(img, 1.5)], ['typo', () => F.groupNorm(img, 3, null, null, { esp: 1 })]] },
    localResponseNorm: { calls: [['size 0', () => F.localResponseNorm(img, 0)], ['typo', () => F.localResponseNorm(img, 3, { alhpa: 1 })], ['2-D', () => F.localResponseNorm(x, 3)]] },
    dropout: drop('dropout', x), dropout1d: drop('dropout1d', x1), dropout2d: drop('dropout2d', img), dropout3d: drop('dropout3d', x3),
    alphaDropout: drop('alphaDropout', x), featureAlphaDropout: drop('featureAlphaDropout', img),
    pad: { calls: [['odd length', () => F.pad(x, [1])], ['float', () => F.pad(x, [1.5, 1])], ['mode bogus', () => F.pad(x, [1, 1], { mode: 'mirror' })], ['typo', () => F.pad(x, [1, 1], { mdoe: 'reflect' })], ['too many dims', () => F.pad(x, [1, 1, 1, 1, 1, 1])], ['number', () => F.pad(x, 1)]] },
    mseLoss: loss('mseLoss', x, x), l1Loss: loss('l1Loss', x, x),
    smoothL1Loss: { calls: [...loss('smoothL1Loss', x, x).calls, ['beta negative', () => F.smoothL1Loss(x, x, { beta: -1 })]] },
    huberLoss: { calls: [...loss('huberLoss', x, x).calls, ['delta 0', () => F.huberLoss(x, x, { delta: 0 })]] },
    crossEntropy: { calls: [...loss('crossEntropy', probs, labels).calls, ['float labels wrong shape', () => F.crossEntropy(probs, tg.randn([4]))], ['label out of range', () => F.crossEntropy(probs, tg.tensor([0, 1, 2, 3], { dtype: 'int32' }))], ['weight positional', () => F.crossEntropy(probs, labels, tg.ones([3]), 1)]] },
    nllLoss: loss('nllLoss', probs.log(), labels),
    binaryCrossEntropy: { calls: [...loss('binaryCrossEntropy', probs, probs).calls, ['int target', () => F.binaryCrossEntropy(probs, probs.int())]] },
    binaryCrossEntropyWithLogits: loss('binaryCrossEntropyWithLogits', x, x.sigmoid()),
    klDiv: loss('klDiv', probs.log(), probs),
    cosineEmbeddingLoss: { calls: [['y shape', () => F.cosineEmbeddingLoss(x, x, tg.ones([3]))], ['typo', () => F.cosineEmbeddingLoss(x, x, tg.ones([2]), { margn: 0 })], ['y missing', () => F.cosineEmbeddingLoss(x, x)]] },
    linear: { calls: [['features mismatch', () => F.linear(x, tg.randn([4, 2]))]] },
    oneHot: { calls: [['float', () => F.oneHot(x)]] },
  };
  for (const name of ['relu', 'sigmoid', 'tanh', 'selu', 'silu', 'mish', 'relu6', 'hardsigmoid', 'hardswish', 'logSigmoid', 'softsign']) {
    fTable[name] = { calls: [['(x, 2)', () => F[name](x, 2)], ['int x', () => F[name](xi, {})]] };
  }
  for (const name of ['leakyRelu', 'elu', 'gelu', 'softplus', 'softmax', 'logSoftmax']) fTable[name] = tgTable[name]!;
  fTable.hardtanh = { calls: [['min > max', () => F.hardtanh(x, 2, 1)], ['string', () => F.hardtanh(x, 'a')]] };
  Object.assign(fTable, newerFTable(x, xi, img));
  return { tg: tgTable, F: fTable };
}

/** F.celu/softmin/prelu/embedding/instanceNorm/interpolate/maxUnpoolNd: wrong types, extra arguments, typos. */
function newerFTable(x: tg.Tensor, xi: tg.Tensor, img: tg.Tensor): Record<string, SweepEntry> {
  const ids = tg.tensor([[0, 4], [2, 1]], { dtype: 'int32' });
  const table = tg.randn([5, 3]);
  const x3 = tg.randn([2, 3, 6]);
  const out: Record<string, SweepEntry> = {
    celu: { calls: [['alpha string', () => F.celu(x, '1')], ['alpha 0', () => F.celu(x, 0)], ['alpha NaN', () => F.celu(x, NaN)], ['{alpha}', () => F.celu(x, { alpha: 1 })], ['int x', () => F.celu(xi)], ['inplace extra', () => F.celu(x, 1, true)]] },
    softmin: { calls: [['no dim', () => F.softmin(x)], ['dim string', () => F.softmin(x, '1')], ['{dim} typo', () => F.softmin(x, { dimm: 1 })], ['dim 2.5', () => F.softmin(x, 2.5)], ['dim out of range', () => F.softmin(x, 2)], ['int x', () => F.softmin(xi, 1)], ['dtype extra', () => F.softmin(x, 1, 'float64')]] },
    prelu: {
      calls: [
        ['weight missing', () => F.prelu(x)], ['weight array', () => F.prelu(x, [0.25])], ['weight 2-D', () => F.prelu(x, tg.ones([3, 1]))],
        ['weight count', () => F.prelu(x, tg.ones([2]))], ['int x', () => F.prelu(xi, tg.ones([1]))], ['extra', () => F.prelu(x, tg.ones([1]), 1)],
      ],
    },
    embedding: {
      calls: [
        ['float input', () => F.embedding(x, table)], ['weight 1-D', () => F.embedding(ids, tg.randn([5]))], ['weight array', () => F.embedding(ids, [[1, 2]])],
        ['paddingIdx string', () => F.embedding(ids, table, '0')], ['paddingIdx 5', () => F.embedding(ids, table, 5)], ['paddingIdx 0.5', () => F.embedding(ids, table, { paddingIdx: 0.5 })],
        ['maxNorm -1', () => F.embedding(ids, table, null, -1)], ['normType 0', () => F.embedding(ids, table, null, 1, 0)], ['normType string', () => F.embedding(ids, table, { maxNorm: 1, normType: '2' })],
        ['typo', () => F.embedding(ids, table, { padding_idx: 0 })], ['sparse', () => F.embedding(ids, table, { sparse: true })],
        ['too many positional', () => F.embedding(ids, table, 0, 1, 2, false)], ['given twice', () => F.embedding(ids, table, 0, { paddingIdx: 1 })],
        ['index out of range', () => F.embedding(tg.tensor([5], { dtype: 'int32' }), table)], ['int weight', () => F.embedding(ids, table.int())],
      ],
    },
    instanceNorm: {
      calls: [
        ['2-D input', () => F.instanceNorm(x)], ['weight shape', () => F.instanceNorm(img, null, null, tg.ones([4]))], ['weight array', () => F.instanceNorm(img, null, null, [1, 1, 1])],
        ['runningMean only', () => F.instanceNorm(img, tg.zeros([3]))], ['no stats, useInputStats false', () => F.instanceNorm(img, null, null, null, null, false)],
        ['useInputStats string', () => F.instanceNorm(img, null, null, null, null, 'yes')], ['momentum NaN', () => F.instanceNorm(img, null, null, null, null, true, NaN)],
        ['eps -1', () => F.instanceNorm(img, null, null, null, null, { eps: -1 })], ['typo', () => F.instanceNorm(img, null, null, null, null, { epsilon: 1e-5 })],
        ['too many positional', () => F.instanceNorm(img, null, null, null, null, true, 0.1, 1e-5, 1)], ['int input', () => F.instanceNorm(img.int())],
      ],
    },
    interpolate: {
      calls: [
        ['neither size nor scale', () => F.interpolate(img)], ['both', () => F.interpolate(img, { size: 4, scaleFactor: 2 })], ['size string', () => F.interpolate(img, '4')],
        ['size 0', () => F.interpolate(img, 0)], ['size 2.5', () => F.interpolate(img, [2.5, 3])], ['scaleFactor -1', () => F.interpolate(img, null, -1)],
        ['scaleFactor string', () => F.interpolate(img, { scaleFactor: '2' })], ['mode bicubic', () => F.interpolate(img, 4, null, 'bicubic')],
        ['mode object', () => F.interpolate(img, { size: 4, mode: { m: 1 } })], ['linear on 4-D', () => F.interpolate(img, { size: 4, mode: 'linear' })],
        ['alignCorners with nearest', () => F.interpolate(img, { size: 4, alignCorners: true })], ['alignCorners 1', () => F.interpolate(img, { size: 4, mode: 'bilinear', alignCorners: 1 })],
        ['typo', () => F.interpolate(img, { scale_factor: 2 })], ['too many positional', () => F.interpolate(img, 4, null, 'nearest', null, null, 1)],
        ['2-D input', () => F.interpolate(x, { size: 4 })], ['int input', () => F.interpolate(img.int(), { size: 4 })], ['size list too long', () => F.interpolate(img, [4, 4, 4])],
      ],
    },
  };
  const pooled: Record<number, () => { values: tg.Tensor; indices: tg.Tensor }> = {
    1: () => F.maxPool1d(x3, 2, { returnIndices: true }),
    2: () => F.maxPool2d(img, 2, { returnIndices: true }),
    3: () => F.maxPool3d(tg.randn([1, 2, 4, 4, 4]), 2, { returnIndices: true }),
  };
  for (const n of [1, 2, 3]) {
    const op = `maxUnpool${n}d`;
    const p = () => pooled[n]!();
    out[op] = {
      calls: [
        ['indices missing', () => F[op](p().values)], ['indices array', () => F[op](p().values, [0, 1], 2)], ['float indices', () => F[op](p().values, p().indices.float(), 2)],
        ['indices shape', () => F[op](p().values, p().indices.reshape([-1]), 2)], ['kernel missing', () => F[op](p().values, p().indices)],
        ['kernel string', () => F[op](p().values, p().indices, '2')], ['kernel object', () => F[op](p().values, p().indices, { kernelSize: 2 })],
        ['stride -1', () => F[op](p().values, p().indices, 2, -1)], ['padding 1.5', () => F[op](p().values, p().indices, 2, { padding: 1.5 })],
        ['typo', () => F[op](p().values, p().indices, 2, { outputsize: null })], ['outputSize string', () => F[op](p().values, p().indices, 2, { outputSize: 'big' })],
        ['outputSize too big', () => F[op](p().values, p().indices, 2, { outputSize: new Array(n).fill(100) })],
        ['too many positional', () => F[op](p().values, p().indices, 2, 2, 0, null, 1)],
      ],
    };
  }
  return out;
}

/** Ops added by other changes in this release: generic wrong calls only here; see their own tests for the rest. */
const NEWER = {
  tg: ['all', 'any', 'argsort', 'atan', 'atan2', 'bmm', 'cumprod', 'cumsum', 'dot', 'einsum', 'isfinite', 'isinf', 'isnan', 'isneginf', 'isposinf',
    'log10', 'log2', 'maskedFill', 'mm', 'mv', 'norm', 'outer', 'sort', 'tan', 'topk', 'tril', 'triu'],
  F: [] as string[],
};

/** Names whose first argument is not a tensor: the generic tensor-slot calls do not apply. */
const NOT_TENSOR_FIRST = new Set([
  'tensor', 'zeros', 'ones', 'full', 'rand', 'randn', 'randint', 'randperm', 'arange', 'linspace', 'eye', 'cat', 'stack',
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'where',
  'convNd', 'convTransposeNd', 'convOutputSize', 'convTransposeOutputSize', 'einsum', 'setBackend', 'noGrad', 'manualSeed',
]);

function fullTable(ns: 'tg' | 'F'): Record<string, SweepEntry> {
  const specific = opsTable()[ns]!;
  const x = tg.randn([2, 3]);
  const nsObj = ns === 'tg' ? T : F;
  const out: Record<string, SweepEntry> = {};
  for (const name of exportedCallables(nsObj)) {
    if (name in (ns === 'tg' ? TG_ALLOW : F_ALLOW)) continue;
    const own = specific[name];
    const newer = NEWER[ns].includes(name);
    if (!own && !newer) continue; // reported by the coverage test
    const gen = NOT_TENSOR_FIRST.has(name) ? [] : generic(nsObj[name], x);
    out[name] = { names: own?.names ?? [name], calls: [...gen, ...(own?.calls ?? [])] };
  }
  return out;
}

test('every export of tg and tg.F is in the wrong-call sweep or its allow-list', () => {
  const withNewer = (ns: 'tg' | 'F') => ({ ...opsTable()[ns]!, ...Object.fromEntries(NEWER[ns].map((n) => [n, {}])) });
  assertCovered('tg', tg, withNewer('tg'), TG_ALLOW);
  assertCovered('tg.F', tg.F, withNewer('F'), F_ALLOW);
});

for (const backend of ['wasm', 'reference'] as const) {
  test(`wrong calls throw a TensorError naming the op, and leave ${backend} computing the same bits`, async (t) => {
    await tg.initWasmBackend();
    const before = withBackend(backend, fixedComputations);
    const n = withBackend(backend, () => runSweep('tg.', fullTable('tg')) + runSweep('F.', fullTable('F')));
    assert.ok(n > 600, `only ${n} wrong calls ran`);
    assertSameBits(before, withBackend(backend, fixedComputations), `${backend} after ${n} wrong calls`);
    t.diagnostic(`${n} wrong calls on ${backend}, then ${before.length} results bit-identical`);
  });
}

test('PyTorch positional and keyword forms are accepted where PyTorch has them', () => {
  const x = tg.randn([2, 3]);
  assert.deepEqual(tg.zeros(2, 3).shape, [2, 3]);
  assert.deepEqual(tg.ones(2, 3, { dtype: 'float64' }).dtype, 'float64');
  assert.deepEqual(tg.randn(4).shape, [4]);
  assert.deepEqual(T.randint(5, [3]).shape, [3]);
  assert.deepEqual(T.arange(3, { dtype: 'float32' }).dtype, 'float32');
  assert.deepEqual(T.eye(2, { dtype: 'float64' }).toArray(), [[1, 0], [0, 1]]);
  assert.deepEqual(T.softmax(x, { dim: 1 }).toArray(), tg.softmax(x, 1).toArray());
  assert.deepEqual(T.sum(x, { dim: 1, keepdim: true }).shape, [2, 1]);
  assert.deepEqual((x as any).sum({ dim: 0 }).toArray(), x.sum(0).toArray());
  assert.deepEqual((x as any).mean({ dim: [0, 1] }).shape, []);
  assert.deepEqual(x.reshape(3, 2).shape, [3, 2]);
  assert.deepEqual(x.view(6).shape, [6]);
  assert.deepEqual(x.permute(1, 0).shape, [3, 2]);
  assert.deepEqual(T.zeros([2, 3], { dtype: 'int32' }).dtype, 'int32');
  assert.deepEqual(T.randint(0, 5, [2, 2]).shape, [2, 2]);
  assert.deepEqual(T.cat([x, x], { dim: 1 }).shape, [2, 6]);
  assert.deepEqual(T.stack([x, x], { dim: 2 }).shape, [2, 3, 2]);
  assert.deepEqual(T.var(x, { dim: 1, correction: 0 }).toArray(), tg.var(x, 1, { correction: 0 }).toArray());
  const img = tg.randn([1, 2, 6, 6]), w = tg.randn([3, 2, 3, 3]);
  assert.deepEqual(F.conv2d(img, w, null, 2, 1).toArray(), F.conv2d(img, w, null, { stride: 2, padding: 1 }).toArray());
  assert.deepEqual(F.convTranspose2d(img, tg.randn([2, 3, 3, 3]), null, 2, 1, 1).shape, [1, 3, 12, 12]);
  assert.deepEqual(F.maxPool2d(img, 3, 2, 1).toArray(), F.maxPool2d(img, 3, { stride: 2, padding: 1 }).toArray());
  assert.deepEqual(F.avgPool2d(img, 2, 1, 0, false, false).shape, [1, 2, 5, 5]);
  assert.deepEqual(F.pad(x, [1, 1], 'reflect').shape, [2, 5]);
  assert.deepEqual(F.dropout(x, 0.5, false).toArray(), x.toArray());
  assert.deepEqual(F.dropout(x, { p: 0.5, training: false }).toArray(), x.toArray());
  assert.deepEqual(F.layerNorm(img, [6], null, null, 1e-3).shape, [1, 2, 6, 6]);
  expectTensorError('F.softmax', ['softmax'], '{dim} with a typo', () => F.softmax(x, { dimm: 1 }));
});
