import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { fromFn, get } from '../helpers/ndarray.js';
import type { ND } from '../helpers/ndarray.js';

describe('gather, scatterAdd, indexSelect, oneHot', () => {
  const index = tg.tensor([[0, 2, 1], [1, 1, 0]], { dtype: 'int32' });
  test('gather along dim 1 with gradient', async () => {
    await checkOp({ shapes: [[2, 4]], op: (x) => x.gather(1, index.toBackend(x.backend)), reference: (x) => fromFn([2, 3], ([i, j]) => get(x, [i!, [[0, 2, 1], [1, 1, 0]][i!]![j!]!])) });
  });
  test('gather along dim 0 with a smaller index', async () => {
    const idx = tg.tensor([[2, 0]], { dtype: 'int32' });
    await checkOp({ shapes: [[3, 4]], op: (x) => x.gather(0, idx.toBackend(x.backend)), reference: (x) => fromFn([1, 2], ([, j]) => get(x, [[2, 0][j!]!, j!])) });
  });
  test('scatterAdd accumulates duplicates and is differentiable in both inputs', async () => {
    const idx = tg.tensor([[0, 0, 2]], { dtype: 'int32' });
    await checkOp({
      shapes: [[2, 3], [1, 3]],
      op: (x, src) => x.scatterAdd(1, idx.toBackend(x.backend), src),
      reference: (x: ND, src: ND) => fromFn([2, 3], ([i, j]) => {
        let v = get(x, [i!, j!]);
        if (i === 0) [0, 0, 2].forEach((t, k) => t === j && (v += get(src, [0, k])));
        return v;
      }),
    });
  });
  test('indexSelect', async () => {
    const idx = tg.tensor([2, 0, 2], { dtype: 'int32' });
    await checkOp({ shapes: [[3, 2]], op: (x) => x.indexSelect(0, idx.toBackend(x.backend)), reference: (x) => fromFn([3, 2], ([i, j]) => get(x, [[2, 0, 2][i!]!, j!])) });
  });
  test('oneHot', () => {
    assert.deepEqual(tg.oneHot(tg.tensor([0, 2], { dtype: 'int32' })).toArray(), [[1, 0, 0], [0, 0, 1]]);
    assert.deepEqual(tg.F.oneHot(tg.tensor([1], { dtype: 'int32' }), 4).toArray(), [[0, 1, 0, 0]]);
  });
  test('errors: index dtype and range', () => {
    const x = tg.zeros([2, 3]);
    assert.throws(() => x.gather(1, tg.zeros([2, 3])), /gather: index must be an int32 tensor \(got float32\)/);
    assert.throws(() => x.gather(1, tg.tensor([[3]], { dtype: 'int32' })), /gather: index 3 is out of bounds for dim 1 with size 3/);
    assert.throws(() => tg.oneHot(tg.tensor([3], { dtype: 'int32' }), 2), /oneHot: class value 3 is out of range for numClasses 2/);
  });
});

const matmulRef = (a: ND, b: ND): ND => {
  // a [..., M, K] @ b [..., K, N] with batch broadcasting, plain loops.
  const ra = a.shape.length, rb = b.shape.length;
  const M = a.shape[ra - 2]!, K = a.shape[ra - 1]!, N = b.shape[rb - 1]!;
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const batch = Array.from({ length: r }, (_, i) => Math.max(ba[i - (r - ba.length)] ?? 1, bb[i - (r - bb.length)] ?? 1));
  return fromFn([...batch, M, N], (idx) => {
    const bi = idx.slice(0, r);
    const pick = (shape: number[]) => bi.slice(r - shape.length).map((v, i) => (shape[i] === 1 ? 0 : v));
    let s = 0;
    for (let k = 0; k < K; k++) s += get(a, [...pick(ba), idx[r]!, k]) * get(b, [...pick(bb), k, idx[r + 1]!]);
    return s;
  });
};

describe('matmul and linear', () => {
  test('2-D, batched and broadcast batch', async () => {
    await checkOp({ shapes: [[3, 4], [4, 5]], op: (a, b) => a.matmul(b), reference: matmulRef });
    await checkOp({ shapes: [[2, 3, 4], [2, 4, 2]], op: (a, b) => a.matmul(b), reference: matmulRef });
    await checkOp({ shapes: [[2, 1, 3, 4], [3, 4, 2]], op: (a, b) => a.matmul(b), reference: matmulRef });
    await checkOp({ shapes: [[5, 3, 4], [4, 2]], op: (a, b) => a.matmul(b), reference: matmulRef });
  });
  test('1-D operands', async () => {
    const dot = (a: ND, b: ND) => fromFn([], () => a.data.reduce((s, v, i) => s + v * b.data[i]!, 0));
    await checkOp({ shapes: [[4], [4]], op: (a, b) => a.matmul(b), reference: dot });
    await checkOp({ shapes: [[4], [4, 3]], op: (a, b) => a.matmul(b), reference: (a, b) => fromFn([3], ([j]) => a.data.reduce((s, v, k) => s + v * get(b, [k, j!]), 0)) });
    await checkOp({ shapes: [[2, 3, 4], [4]], op: (a, b) => a.matmul(b), reference: (a, b) => fromFn([2, 3], ([i, j]) => b.data.reduce((s, v, k) => s + v * get(a, [i!, j!, k]), 0)) });
  });
  test('linear = x W^T + b', async () => {
    await checkOp({
      shapes: [[5, 3], [4, 3], [4]],
      op: (x, w, b) => tg.linear(x, w, b),
      reference: (x, w, b) => fromFn([5, 4], ([i, o]) => get(b, [o!]) + [0, 1, 2].reduce((s, k) => s + get(x, [i!, k]) * get(w, [o!, k]), 0)),
    });
  });
  test('errors', () => {
    assert.throws(() => tg.zeros([2, 3]).matmul(tg.zeros([4, 2])), /matmul: inner dimensions differ \(\[2,3\] @ \[4,2\]: 3 vs 4\)/);
    assert.throws(() => tg.zeros([2, 2, 3]).matmul(tg.zeros([3, 3, 2])), /matmul: shapes \[2\] and \[3\] cannot be broadcast/);
    assert.throws(() => tg.linear(tg.zeros([2, 3]), tg.zeros([4, 5])), /linear: input has 3 features but weight expects 5/);
    assert.throws(() => tg.arange(3).matmul(tg.arange(3)), /matmul: expected a floating-point tensor/);
  });
});
