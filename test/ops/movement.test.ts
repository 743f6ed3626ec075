import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { fromFn, get, nd } from '../helpers/ndarray.js';
import type { ND } from '../helpers/ndarray.js';

/** True when `b` reads the same storage as `a` (a view, not a copy). */
const sharesStorage = (a: tg.Tensor, b: tg.Tensor) => a._storage === b._storage;

describe('views share storage', () => {
  const x = tg.arange(24, undefined, 1, { dtype: 'float32' }).reshape(2, 3, 4);
  const cases: [string, (t: tg.Tensor) => tg.Tensor][] = [
    ['reshape', (t) => t.reshape(6, 4)],
    ['view', (t) => t.view([4, -1])],
    ['transpose', (t) => t.transpose(0, 2)],
    ['permute', (t) => t.permute(2, 0, 1)],
    ['expand', (t) => t.unsqueeze(0).expand(5, 2, 3, 4)],
    ['squeeze/unsqueeze', (t) => t.unsqueeze(1).squeeze(1)],
    ['flatten', (t) => t.flatten(1)],
    ['narrow', (t) => t.narrow(2, 1, 2)],
    ['slice with step', (t) => t.slice(2, 0, 4, 2)],
    ['select', (t) => t.select(1, 2)],
    ['flip', (t) => t.flip([0, 2])],
    ['split', (t) => t.split(2, 2)[1]!],
    ['chunk', (t) => t.chunk(3, 1)[2]!],
    ['detach', (t) => t.detach()],
  ];
  for (const [name, f] of cases) test(name, () => assert.ok(sharesStorage(x, f(x))));
  test('contiguous() of a contiguous tensor is itself; of a transpose, a copy', () => {
    assert.equal(x.contiguous(), x);
    const tr = x.transpose(0, 1);
    assert.equal(tr.isContiguous(), false);
    assert.ok(!sharesStorage(tr, tr.contiguous()));
    assert.equal(tr.contiguous().isContiguous(), true);
  });
  test('reshape of a non-viewable layout copies; view refuses', () => {
    const tr = x.transpose(1, 2);
    assert.ok(!sharesStorage(tr, tr.reshape(-1)));
    assert.throws(() => tr.view(-1), /view: shape \[24\] is not compatible with input size \[2,4,3\]/);
  });
  test('writes through a view reach the base', () => {
    const base = tg.zeros([3, 4]);
    tg.noGrad(() => base.narrow(1, 1, 2).fill_(7));
    assert.deepEqual(base.toArray(), [[0, 7, 7, 0], [0, 7, 7, 0], [0, 7, 7, 0]]);
    base.t().select(0, 0).fill_(1);
    assert.deepEqual(base.toArray(), [[1, 7, 7, 0], [1, 7, 7, 0], [1, 7, 7, 0]]);
  });
});

/** Reference permutation of an ND array. */
const permuteRef = (x: ND, dims: number[]) => fromFn(dims.map((d) => x.shape[d]!), (idx) => {
  const src = new Array<number>(dims.length);
  dims.forEach((d, i) => (src[d] = idx[i]!));
  return get(x, src);
});

describe('view ops: values and gradients', () => {
  test('permute / transpose', async () => {
    await checkOp({ shapes: [[2, 3, 4]], op: (x) => x.permute(1, 2, 0).mul(1), reference: (x) => permuteRef(x, [1, 2, 0]) });
    await checkOp({ shapes: [[3, 5]], op: (x) => x.t().mul(1), reference: (x) => permuteRef(x, [1, 0]) });
  });
  test('reshape / flatten / unflatten keep row-major order', async () => {
    await checkOp({ shapes: [[2, 3, 4]], op: (x) => x.reshape(4, -1).mul(2), reference: (x) => nd([4, 6], x.data.map((v) => 2 * v)) });
    await checkOp({ shapes: [[2, 3, 4]], op: (x) => x.flatten(0, 1).unflatten(0, [3, 2]).sin(), reference: (x) => nd([3, 2, 4], x.data.map(Math.sin)) });
  });
  test('expand sums gradients over broadcast dims', async () => {
    await checkOp({ shapes: [[3, 1]], op: (x) => x.expand(2, 3, 4).mul(tg.arange(4, undefined, 1, { dtype: x.dtype, backend: x.backend })), reference: (x) => fromFn([2, 3, 4], (i) => get(x, [i[1]!, 0]) * i[2]!) });
  });
  test('slice with step and negative bounds', async () => {
    await checkOp({ shapes: [[4, 7]], op: (x) => x.slice(1, -6, 7, 2).square(), reference: (x) => fromFn([4, 3], (i) => get(x, [i[0]!, 1 + 2 * i[1]!]) ** 2) });
    assert.deepEqual(tg.arange(5).slice(0, -100, 100).toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(tg.arange(5).slice(0, 4, 2).toArray(), []);
  });
  test('narrow and select', async () => {
    await checkOp({ shapes: [[3, 5]], op: (x) => x.narrow(1, 1, 3).exp(), reference: (x) => fromFn([3, 3], (i) => Math.exp(get(x, [i[0]!, i[1]! + 1]))) });
    await checkOp({ shapes: [[3, 5]], op: (x) => x.select(0, -1).mul(3), reference: (x) => fromFn([5], (i) => 3 * get(x, [2, i[0]!])) });
  });
  test('flip', async () => {
    await checkOp({ shapes: [[3, 4]], op: (x) => x.flip([0, 1]).mul(tg.arange(4, undefined, 1, { dtype: x.dtype, backend: x.backend })), reference: (x) => fromFn([3, 4], (i) => get(x, [2 - i[0]!, 3 - i[1]!]) * i[1]!) });
  });
  test('repeat', async () => {
    await checkOp({ shapes: [[2, 3]], op: (x) => x.repeat(2, 1, 2), reference: (x) => fromFn([2, 2, 6], (i) => get(x, [i[1]!, i[2]! % 3])) });
  });
});

describe('cat, stack, split, chunk', () => {
  test('cat along each dim with gradients', async () => {
    await checkOp({ shapes: [[2, 3], [2, 1], [2, 2]], op: (a, b, c) => tg.cat([a, b, c], 1), reference: (a, b, c) => fromFn([2, 6], ([i, j]) => (j! < 3 ? get(a, [i!, j!]) : j! < 4 ? get(b, [i!, 0]) : get(c, [i!, j! - 4]))) });
    await checkOp({ shapes: [[1, 3], [2, 3]], op: (a, b) => tg.cat([a, b], 0), reference: (a, b) => fromFn([3, 3], ([i, j]) => (i === 0 ? get(a, [0, j!]) : get(b, [i! - 1, j!]))) });
  });
  test('stack', async () => {
    await checkOp({ shapes: [[2, 3], [2, 3]], op: (a, b) => tg.stack([a, b], 1), reference: (a, b) => fromFn([2, 2, 3], ([i, k, j]) => get(k === 0 ? a : b, [i!, j!])) });
  });
  test('split and chunk sizes follow PyTorch', () => {
    const x = tg.arange(10);
    assert.deepEqual(x.split(4).map((t) => t.shape[0]), [4, 4, 2]);
    assert.deepEqual(x.split([3, 7]).map((t) => t.shape[0]), [3, 7]);
    assert.deepEqual(x.chunk(3).map((t) => t.shape[0]), [4, 4, 2]);
    assert.deepEqual(tg.arange(6).chunk(4).map((t) => t.shape[0]), [2, 2, 2]);
  });
  test('split gradient flows back to each piece', () => {
    const x = tg.arange(6, undefined, 1, { dtype: 'float32' }).requiresGrad_();
    const [a, b] = x.split([2, 4]);
    a!.mul(2).sum().add(b!.mul(3).sum()).backward();
    assert.deepEqual(x.grad!.toArray(), [2, 2, 3, 3, 3, 3]);
  });
  test('cat promotes dtypes', () => {
    assert.equal(tg.cat([tg.ones([1]), tg.ones([1], { dtype: 'float64' })]).dtype, 'float64');
  });
});

describe('shape errors name the op and shapes', () => {
  const x = tg.zeros([2, 3]);
  const cases: [() => unknown, RegExp][] = [
    [() => x.reshape(4, 2), /reshape: shape \[4,2\] is invalid for input of size 6/],
    [() => x.reshape(-1, -1), /reshape: only one dimension can be -1/],
    [() => x.permute(0), /permute: got 1 dims \[0\] for a tensor of rank 2/],
    [() => x.permute(0, 0), /permute: dims \[0,0\] repeat an axis/],
    [() => x.expand(4, 3), /expand: the input size 2 at dim 0 must match the target size 4/],
    [() => x.transpose(0, 2), /transpose: dim1 2 is out of range for a tensor of rank 2/],
    [() => x.narrow(1, 2, 2), /narrow: start 2 and length 2 are out of range for dim 1 of size 3/],
    [() => x.select(0, 5), /select: index 5 is out of range for dim 0 of size 2/],
    [() => tg.cat([x, tg.zeros([3, 3])], 1), /cat: tensor 1 has shape \[3,3\] but tensor 0 has shape \[2,3\]/],
    [() => tg.stack([x, tg.zeros([3, 2])]), /stack: tensor 1 has shape \[3,2\]/],
    [() => x.split([1, 2]), /split: sizes \[1,2\] must be non-negative and sum to 2/],
    [() => x.sum(2), /sum: dim 2 is out of range/],
    [() => x.slice(0, 0, 1, 0), /slice: step must be a positive integer/],
  ];
  for (const [f, re] of cases) {
    test(re.source.slice(0, 60), () => {
      assert.throws(f, (e: unknown) => e instanceof tg.TensorError && re.test((e as Error).message));
    });
  }
});

describe('kernels that take whole buffers see the right elements of a view', () => {
  test('conv and pools of a contiguous slice with an offset', () => {
    const big = tg.randn([3, 2, 6, 6]);
    const part = big.narrow(0, 1, 2); // contiguous, offset 72
    assert.equal(part.isContiguous(), true);
    const w = tg.randn([4, 2, 3, 3]);
    assert.ok(tg.F.conv2d(part, w).allclose(tg.F.conv2d(part.clone(), w)));
    assert.ok(tg.F.maxPool2d(part, 2).allclose(tg.F.maxPool2d(part.clone(), 2)));
    assert.ok(tg.F.avgPool2d(part, 2).allclose(tg.F.avgPool2d(part.clone(), 2)));
    assert.ok(tg.F.adaptiveAvgPool2d(part, 1).allclose(tg.F.adaptiveAvgPool2d(part.clone(), 1)));
  });
});
