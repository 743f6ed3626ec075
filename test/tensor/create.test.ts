import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

describe('tensor()', () => {
  test('infers shape and dtype', () => {
    const x = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(x.shape, [2, 3]);
    assert.equal(x.dtype, 'float32');
    assert.equal(tg.tensor([true, false]).dtype, 'bool');
    assert.equal(tg.tensor(new Float64Array([1])).dtype, 'float64');
    assert.equal(tg.tensor(new Int32Array([1])).dtype, 'int32');
    assert.equal(tg.tensor(5).ndim, 0);
    assert.equal(tg.tensor([1.7, -1.7], { dtype: 'int32' }).toArray().toString(), '1,-1');
  });
  test('typed arrays take a shape', () => {
    assert.deepEqual(tg.tensor(new Float32Array(6), { shape: [2, 3] }).shape, [2, 3]);
    assert.throws(() => tg.tensor(new Float32Array(5), { shape: [2, 3] }), /tensor: shape \[2,3\] needs 6 elements but the array has 5/);
  });
  test('ragged arrays and bad dtypes are refused clearly', () => {
    assert.throws(() => tg.tensor([[1, 2], [3]]), /tensor: ragged nested array: expected length 2 at \[1\] but found length 1/);
    assert.throws(() => tg.tensor([1, 2], { dtype: 'float16' as tg.DType }), /tensor: unknown dtype 'float16'/);
    assert.throws(() => tg.zeros([2, -1]), /zeros|full: shape \[2,-1\] must contain non-negative integers/);
  });
  test('read-out: toArray, data, item, array', async () => {
    const x = tg.tensor([[1, 2], [3, 4]]);
    assert.deepEqual(x.toArray(), [[1, 2], [3, 4]]);
    assert.ok(x.data() instanceof Float32Array);
    assert.deepEqual(await x.array(), [[1, 2], [3, 4]]);
    assert.equal(x.sum().item(), 10);
    assert.throws(() => x.item(), /item: only one-element tensors can be converted to a number \(got shape \[2,2\]\)/);
    assert.deepEqual(tg.tensor([true, false]).toArray(), [true, false]);
  });
});

describe('creation functions', () => {
  test('zeros, ones, full, eye, likes', () => {
    assert.deepEqual(tg.zeros([2]).toArray(), [0, 0]);
    assert.deepEqual(tg.ones([1, 2], { dtype: 'int32' }).toArray(), [[1, 1]]);
    assert.deepEqual(tg.full([2], 7).toArray(), [7, 7]);
    assert.deepEqual(tg.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    const d = tg.ones([2], { dtype: 'float64' });
    assert.equal(tg.zerosLike(d).dtype, 'float64');
    assert.deepEqual(tg.onesLike(d).toArray(), [1, 1]);
    assert.deepEqual(tg.fullLike(d, 3).toArray(), [3, 3]);
  });
  test('arange and linspace', () => {
    assert.deepEqual(tg.arange(4).toArray(), [0, 1, 2, 3]);
    assert.equal(tg.arange(4).dtype, 'int32');
    assert.deepEqual(tg.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(tg.arange(5, 0, -2).toArray(), [5, 3, 1]);
    assert.deepEqual(tg.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    assert.throws(() => tg.arange(0, 1, 0), /arange: step must be a non-zero finite number/);
  });
  test('requiresGrad option', () => {
    assert.equal(tg.zeros([1], { requiresGrad: true }).requiresGrad, true);
    assert.equal(tg.randn([1], { requiresGrad: true }).isLeaf, true);
  });
});

describe('random numbers', () => {
  test('manualSeed makes rand/randn/randint/randperm reproducible', () => {
    const draw = () => [tg.rand([5]).toArray(), tg.randn([5]).toArray(), tg.randint(0, 10, [5]).toArray(), tg.randperm(6).toArray()];
    tg.manualSeed(42);
    const a = draw();
    tg.manualSeed(42);
    const b = draw();
    assert.deepEqual(a, b);
    tg.manualSeed(43);
    assert.notDeepEqual(draw(), a);
  });
  test('a Generator object is independent of the global one and its state round-trips', () => {
    const g = new tg.Generator(7);
    const state = g.getState();
    const first = tg.randn([4], { generator: g }).toArray();
    g.setState(state);
    assert.deepEqual(tg.randn([4], { generator: g }).toArray(), first);
  });
  test('distributions have the right moments and ranges', () => {
    tg.manualSeed(0);
    const u = tg.rand([20000], { dtype: 'float64' });
    const n = tg.randn([20000], { dtype: 'float64' });
    assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
    assert.ok(u.min().item() >= 0 && u.max().item() < 1);
    assert.ok(Math.abs(n.mean().item()) < 0.03);
    assert.ok(Math.abs(n.std().item() - 1) < 0.03);
    const r = tg.randint(-2, 3, [5000]);
    assert.equal(r.min().item(), -2);
    assert.equal(r.max().item(), 2);
    assert.deepEqual([...tg.randperm(10).data()].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  test('random tensors need a floating dtype; randint needs low < high', () => {
    assert.throws(() => tg.rand([2], { dtype: 'int32' }), /rand: dtype must be float32 or float64 \(got int32\)/);
    assert.throws(() => tg.randint(3, 3, [1]), /randint: expected integers low < high/);
  });
});

describe('printing', () => {
  test('like PyTorch: values, shape, dtype, requiresGrad', () => {
    assert.equal(tg.tensor([[1, 2], [3, 4]]).toString(), 'tensor([[1., 2.],\n        [3., 4.]], shape=[2,2], dtype=float32)');
    assert.equal(tg.tensor([0.5, -1.25]).toString(), 'tensor([ 0.5000, -1.2500], shape=[2], dtype=float32)');
    assert.equal(tg.tensor([1, 2], { dtype: 'int32' }).toString(), 'tensor([1, 2], shape=[2], dtype=int32)');
    assert.equal(tg.tensor([true]).toString(), 'tensor([true], shape=[1], dtype=bool)');
    assert.match(tg.ones([1], { requiresGrad: true }).toString(), /requiresGrad=true/);
    assert.match(tg.tensor([1e-8, 1]).toString(), /1\.0000e-8/);
    assert.match(tg.tensor([NaN, Infinity]).toString(), /nan, +inf/);
  });
  test('large tensors are elided', () => {
    const s = tg.zeros([100, 100]).toString();
    assert.match(s, /\.\.\./);
    assert.ok(s.split('\n').length < 12);
  });
});
