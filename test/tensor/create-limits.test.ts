import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../src/index.js';

// A tensor too large for the backend must fail at once with a TensorError,
// not after filling gigabytes of values in JavaScript (it used to run > 60 s).
const noWasm = !tg.listBackends().includes('wasm') && 'the wasm backend is not loaded (TENSORGRAD_BACKEND=reference)';

test('creation functions refuse tensors the backend cannot hold before filling them (wasm: 4 GiB heap)', { skip: noWasm }, () => {
  const prev = tg.getBackend();
  tg.setBackend('wasm');
  try {
  const huge: [string, () => unknown][] = [
    ['randn', () => tg.randn([2 ** 31])],
    ['full', () => tg.full([2 ** 30, 2], 1)],
    ['zeros', () => tg.zeros(2 ** 16, 2 ** 16)],
    ['rand', () => tg.rand([2 ** 30], { dtype: 'float64' })],
    ['randint', () => tg.randint(0, 5, [2 ** 31 - 1])],
    ['arange', () => tg.arange(0, 2 ** 30, 1, { dtype: 'float64' })],
    ['linspace', () => tg.linspace(0, 1, 2 ** 30, { dtype: 'float64' })],
    ['eye', () => tg.eye(2 ** 16)],
  ];
  for (const [op, make] of huge) {
    const started = Date.now();
    assert.throws(make, (e: unknown) => e instanceof tg.TensorError, op);
    assert.ok(Date.now() - started < 5000, `${op} took ${Date.now() - started} ms to fail`);
  }
  // The backend still computes correctly afterwards.
  assert.deepEqual(tg.tensor([[1, 2], [3, 4]]).pow(2).toArray(), [[1, 4], [9, 16]]);
  assert.deepEqual(tg.arange(0, 3, 0.5, { dtype: 'int32' }).toArray(), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(tg.linspace(0, 1, 3, { dtype: 'bool' }).toArray(), [false, true, true]);
  } finally {
    tg.setBackend(prev);
  }
});

test('the reference backend refuses unknown dtypes and impossible sizes with a TensorError', () => {
  const prev = tg.getBackend();
  tg.setBackend('reference');
  try {
    assert.throws(() => tg.getBackend().alloc('cpu' as never, 3), (e: unknown) => e instanceof tg.TensorError && /unknown dtype "cpu"/.test((e as Error).message));
    assert.throws(() => tg.getBackend().alloc('float32', -1), tg.TensorError);
    assert.throws(() => tg.zeros([2 ** 31]), tg.TensorError);
    assert.deepEqual(tg.tensor([1, 2]).mul(2).toArray(), [2, 4]);
  } finally {
    tg.setBackend(prev);
  }
});
