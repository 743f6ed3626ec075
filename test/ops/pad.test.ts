import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { fromFn, get, type ND } from '../helpers/ndarray.js';

type Mode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * Independent reference: for each output index, the source index per padded
 * dim by the plain definition of each mode (null = the fill value).
 * reflect/replicate measure from the original edges; circular crops negative
 * amounts first and then wraps around what is left (PyTorch's semantics).
 */
function sourceIndex(mode: Mode, o: number, n: number, left: number, right: number): number | null {
  const i = o - left;
  switch (mode) {
    case 'constant':
      return i >= 0 && i < n ? i : null;
    case 'reflect':
      return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    case 'replicate':
      return Math.min(Math.max(i, 0), n - 1);
    case 'circular': {
      const cropL = Math.max(-left, 0), m = n - cropL - Math.max(-right, 0);
      const j = o - Math.max(left, 0);
      return cropL + (((j % m) + m) % m);
    }
  }
}

function padRef(x: ND, pads: number[], mode: Mode, value = 0): ND {
  const nd = x.shape.length;
  const info = x.shape.map((n, d) => {
    const k = nd - 1 - d;
    return 2 * k < pads.length ? { n, left: pads[2 * k]!, right: pads[2 * k + 1]! } : { n, left: 0, right: 0 };
  });
  const outShape = info.map(({ n, left, right }) => n + left + right);
  return fromFn(outShape, (idx) => {
    const src: number[] = [];
    for (let d = 0; d < nd; d++) {
      const s = sourceIndex(mode, idx[d]!, info[d]!.n, info[d]!.left, info[d]!.right);
      if (s === null) return value;
      src.push(s);
    }
    return get(x, src);
  });
}

const cases: [Mode, number[], number[], number?][] = [
  // constant: any number of dims, asymmetric, negative (cropping), mixed, a custom value
  ['constant', [5], [1, 2]],
  ['constant', [2, 3, 4], [1, 0, 2, 1]],
  ['constant', [2, 3, 4], [0, 1, 1, 0, 2, 1], 1.5],
  ['constant', [2, 3, 4], [-1, 2, 1, -2]],
  ['constant', [2, 5], [-2, -1]],
  ['constant', [1, 2, 3, 4], [1, 1, -1, 0, 0, 1, 1, 0], -2],
  // reflect: 1-3 padded dims, pad up to size - 1, negative on one side
  ['reflect', [2, 5], [2, 1]],
  ['reflect', [2, 3, 5], [4, 3]],
  ['reflect', [1, 2, 3, 4], [3, 1, 2, 2]],
  ['reflect', [3, 3, 4], [0, 2, 1, 0]],
  ['reflect', [1, 1, 3, 3, 4], [1, 2, 2, 1, 0, 2]],
  ['reflect', [1, 2, 5], [-2, 3]],
  // replicate
  ['replicate', [2, 4], [3, 1]],
  ['replicate', [1, 2, 3, 4], [2, 0, 1, 3]],
  ['replicate', [2, 2, 3, 2], [1, 1, 0, 2, 2, 1]],
  ['replicate', [1, 2, 4], [-3, 2]],
  // circular: pad up to the size, negatives crop first
  ['circular', [2, 4], [4, 1]],
  ['circular', [1, 2, 3, 4], [1, 3, 3, 0]],
  ['circular', [1, 1, 2, 3, 2], [2, 1, 0, 3, 1, 2]],
  ['circular', [1, 2, 5], [-2, 3]],
  ['circular', [1, 2, 5], [2, -1]],
];

describe('pad forward and gradients (all modes)', () => {
  for (const [mode, shape, pads, value] of cases) {
    test(`${mode} ${JSON.stringify(shape)} pad ${JSON.stringify(pads)}${value !== undefined ? ` value ${value}` : ''}`, async () => {
      await checkOp({
        shapes: [shape],
        op: (x) => tg.F.pad(x, pads, { mode, value }),
        reference: (x) => padRef(x, pads, mode, value),
      });
    });
  }
});

describe('pad: small hand-checked examples', () => {
  const row = tg.tensor([[[0, 1, 2, 3, 4]]]);
  test('1-D modes', () => {
    assert.deepEqual(tg.F.pad(row, [2, 3], { mode: 'reflect' }).toArray(), [[[2, 1, 0, 1, 2, 3, 4, 3, 2, 1]]]);
    assert.deepEqual(tg.F.pad(row, [2, 3], { mode: 'replicate' }).toArray(), [[[0, 0, 0, 1, 2, 3, 4, 4, 4, 4]]]);
    assert.deepEqual(tg.F.pad(row, [2, 3], { mode: 'circular' }).toArray(), [[[3, 4, 0, 1, 2, 3, 4, 0, 1, 2]]]);
    assert.deepEqual(tg.F.pad(row, [-1, 2], { value: 9 }).toArray(), [[[1, 2, 3, 4, 9, 9]]]);
  });
  test('reflect gradient counts how often each element is used', () => {
    const x = tg.tensor([[[1, 2, 3]]], { requiresGrad: true });
    tg.F.pad(x, [2, 2], { mode: 'reflect' }).sum().backward();
    // output sources: [2, 1, 0, 1, 2, 1, 0]
    assert.deepEqual(x.grad!.toArray(), [[[2, 3, 2]]]);
  });
  test('zero pads return a copy, not the input', () => {
    const x = tg.tensor([[1, 2]]);
    const y = tg.F.pad(x, [0, 0]);
    assert.notEqual(y, x);
    y.fill_(5);
    assert.deepEqual(x.toArray(), [[1, 2]]);
    assert.deepEqual(tg.F.pad(x, []).toArray(), [[1, 2]]);
  });
  test('keeps dtype', () => {
    assert.equal(tg.F.pad(tg.tensor([1, 2], { dtype: 'int32' }), [1, 1], { value: 7 }).dtype, 'int32');
    assert.deepEqual(tg.F.pad(tg.tensor([1, 2], { dtype: 'int32' }), [1, 1], { value: 7 }).toArray(), [7, 1, 2, 7]);
  });
});

describe('pad errors', () => {
  const throwsMsg = (fn: () => unknown, msg: RegExp) => assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && msg.test((e as Error).message));
  const x4 = tg.zeros([1, 1, 3, 5]);
  const x3 = tg.zeros([1, 3, 5]);
  test('reflect amount must be less than the dim size', () => {
    throwsMsg(() => tg.F.pad(x4, [1, 1, 4, 4], { mode: 'reflect' }), /^pad: reflect padding 4 must be less than the size 3 of dim 2 \(input \[1,1,3,5\]\)$/);
    throwsMsg(() => tg.F.pad(x3, [5, 0], { mode: 'reflect' }), /reflect padding 5 must be less than the size 5 of dim 2/);
  });
  test('circular amount must be at most the dim size', () => {
    throwsMsg(() => tg.F.pad(x4, [0, 0, 4, 0], { mode: 'circular' }), /^pad: circular padding 4 must be at most the size 3 of dim 2 \(input \[1,1,3,5\]\)/);
    throwsMsg(() => tg.F.pad(x3, [-3, 3], { mode: 'circular' }), /circular padding 3 must be at most the size 2 of dim 2 after cropping/);
    assert.deepEqual(tg.F.pad(x3, [5, 5], { mode: 'circular' }).shape, [1, 3, 15]);
  });
  test('pad length must be even and at most 2 * ndim', () => {
    throwsMsg(() => tg.F.pad(x4, [1, 2, 3]), /^pad: pad length must be even/);
    throwsMsg(() => tg.F.pad(tg.zeros([2, 3]), [1, 1, 1, 1, 1, 1]), /pads 3 dims but the input has only 2 \(input \[2,3\]\)/);
  });
  test('non-constant modes need 1 or 2 leading dims', () => {
    throwsMsg(() => tg.F.pad(tg.zeros([5, 5]), [1, 1, 1, 1], { mode: 'reflect' }), /padding of the last 2 dims expects a 3-D or 4-D input \(got input \[5,5\]\)/);
    throwsMsg(() => tg.F.pad(tg.zeros([1, 1, 1, 5]), [1, 1], { mode: 'replicate' }), /expects a 2-D or 3-D input/);
    throwsMsg(() => tg.F.pad(tg.zeros([1, 1, 2, 2, 2, 2]), [1, 1, 1, 1, 1, 1, 1, 1], { mode: 'circular' }), /2, 4 or 6 entries/);
  });
  test('other argument errors', () => {
    throwsMsg(() => tg.F.pad(x3, [1, 1], { mode: 'reflect', value: 2 }), /mode 'reflect' takes no fill value/);
    throwsMsg(() => tg.F.pad(x4, [1, 1], { mode: 'wrap' as never }), /unknown mode 'wrap'/);
    throwsMsg(() => tg.F.pad(x4, [1.5, 1]), /pad must be a list of integers/);
    throwsMsg(() => tg.F.pad(x4, [-3, -3]), /crops 6 elements from dim 3 of size 5/);
    throwsMsg(() => tg.F.pad(x3, [-3, -3], { mode: 'replicate' }), /leaves dim 2 of size 5 with size -1/);
    throwsMsg(() => tg.F.pad(tg.zeros([1, 1, 0]), [1, 1], { mode: 'replicate' }), /needs a non-empty dim 2/);
  });
});
