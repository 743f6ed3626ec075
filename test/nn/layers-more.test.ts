import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { fromFn, get, map, nd, type ND } from '../helpers/ndarray.js';

/*
 * Layers added for PyTorch parity: InstanceNorm, PReLU, CELU, Softmin,
 * Unflatten, the padding layers and Embedding. Forward and gradients go
 * through checkOp (float64 loops written here + finite differences on every
 * backend + non-contiguous inputs); then state-dict names, special points and
 * wrong calls.
 */
const { nn, F } = tg;
const throwsNamed = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && re.test(e.message), re.source);

/** Float64 instance norm over dims 2.. of [N, C, *]. */
function instanceNormRef(x: ND, w?: ND, b?: ND, eps = 1e-5): ND {
  const [n, c] = x.shape as [number, number];
  const s = x.data.length / (n * c);
  const out = nd(x.shape);
  for (let i = 0; i < n * c; i++) {
    let mean = 0, v = 0;
    for (let k = 0; k < s; k++) mean += x.data[i * s + k]! / s;
    for (let k = 0; k < s; k++) v += (x.data[i * s + k]! - mean) ** 2 / s;
    const ch = i % c;
    for (let k = 0; k < s; k++) out.data[i * s + k] = ((x.data[i * s + k]! - mean) / Math.sqrt(v + eps)) * (w ? w.data[ch]! : 1) + (b ? b.data[ch]! : 0);
  }
  return out;
}

/** Source index along a padded dim, or -1 for a constant fill. */
function source(i: number, n: number, mode: string): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return -1;
  if (mode === 'reflect') return i < 0 ? -i : 2 * (n - 1) - i;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
  return ((i % n) + n) % n;
}

function padRef(x: ND, pad: number[], mode: string, value = 0): ND {
  const k = pad.length / 2;
  const shape = x.shape.map((d, i) => (i >= x.shape.length - k ? d + pad[2 * (x.shape.length - 1 - i)]! + pad[2 * (x.shape.length - 1 - i) + 1]! : d));
  return fromFn(shape, (idx) => {
    const src = idx.map((v, i) => {
      if (i < x.shape.length - k) return v;
      const left = pad[2 * (x.shape.length - 1 - i)]!;
      return source(v - left, x.shape[i]!, mode);
    });
    return src.some((v) => v < 0) ? value : get(x, src);
  });
}

describe('new layers: forward and gradients (checkOp)', () => {
  test('F.celu / nn.CELU', async () => {
    for (const alpha of [1, 0.5, 2]) {
      await checkOp({ shapes: [[3, 4]], op: (x) => new nn.CELU(alpha).forward(x), reference: (x) => map(x, (v) => Math.max(0, v) + Math.min(0, alpha * Math.expm1(v / alpha))) });
    }
  });
  test('F.softmin / nn.Softmin', async () => {
    const ref = (x: ND, dim: number) => {
      const [r, c] = x.shape as [number, number];
      return fromFn(x.shape, ([i, j]) => {
        const vals = dim === 1 ? Array.from({ length: c }, (_, k) => get(x, [i!, k])) : Array.from({ length: r }, (_, k) => get(x, [k, j!]));
        return Math.exp(-get(x, [i!, j!])) / vals.reduce((s, v) => s + Math.exp(-v), 0);
      });
    };
    await checkOp({ shapes: [[3, 5]], op: (x) => new nn.Softmin(1).forward(x), reference: (x) => ref(x, 1) });
    await checkOp({ shapes: [[3, 5]], op: (x) => F.softmin(x, -2), reference: (x) => ref(x, 0) });
  });
  test('F.prelu / nn.PReLU: one shared slope and one per channel', async () => {
    const ref = (x: ND, w: ND) => fromFn(x.shape, (idx) => {
      const v = get(x, idx);
      return v > 0 ? v : v * w.data[w.data.length === 1 ? 0 : idx[1]!]!;
    });
    await checkOp({ shapes: [[2, 3, 4], [3]], op: (x, w) => F.prelu(x, w), reference: ref });
    await checkOp({ shapes: [[2, 3, 2, 2], [1]], op: (x, w) => F.prelu(x, w), reference: ref });
    await checkOp({ shapes: [[5], [1]], op: (x, w) => F.prelu(x, w), reference: ref });
  });
  test('F.instanceNorm / nn.InstanceNorm1d/2d/3d with affine parameters', async () => {
    await checkOp({ shapes: [[2, 3, 5]], op: (x) => F.instanceNorm(x), reference: (x) => instanceNormRef(x), tol: { f32: 1e-4, gradAtol: 1e-4 } });
    await checkOp({
      shapes: [[2, 3, 3, 4], [3], [3]], op: (x, w, b) => F.instanceNorm(x, null, null, w, b, { eps: 1e-3 }),
      reference: (x, w, b) => instanceNormRef(x, w, b, 1e-3), tol: { f32: 1e-4, gradAtol: 1e-4 },
    });
    await checkOp({ shapes: [[1, 2, 2, 2, 3]], op: (x) => new nn.InstanceNorm3d(2).forward(x), reference: (x) => instanceNormRef(x), tol: { f32: 1e-4, gradAtol: 1e-4 } });
    // Unbatched [C, L] is normalised like a batch of one.
    await checkOp({ shapes: [[3, 6]], op: (x) => new nn.InstanceNorm1d(3).forward(x), reference: (x) => ({ shape: x.shape, data: instanceNormRef({ shape: [1, ...x.shape], data: x.data }).data }), tol: { f32: 1e-4, gradAtol: 1e-4 } });
  });
  test('padding layers, every mode, 1-3 dims', async () => {
    const cases: [() => tg.nn.Module, number[], number[], string, number?][] = [
      [() => new nn.ZeroPad1d([1, 2]), [2, 3, 4], [1, 2], 'constant'],
      [() => new nn.ZeroPad2d(1), [3, 3, 4], [1, 1, 1, 1], 'constant'],
      [() => new nn.ConstantPad2d([2, 0, 1, 3], 1.5), [1, 2, 3, 3], [2, 0, 1, 3], 'constant', 1.5],
      [() => new nn.ConstantPad3d(1, -2), [1, 1, 2, 2, 2], [1, 1, 1, 1, 1, 1], 'constant', -2],
      [() => new nn.ReflectionPad1d([2, 1]), [2, 2, 4], [2, 1], 'reflect'],
      [() => new nn.ReflectionPad2d([1, 2, 2, 1]), [1, 2, 3, 4], [1, 2, 2, 1], 'reflect'],
      [() => new nn.ReflectionPad3d(1), [1, 1, 2, 3, 3], [1, 1, 1, 1, 1, 1], 'reflect'],
      [() => new nn.ReplicationPad1d([3, 1]), [2, 2, 3], [3, 1], 'replicate'],
      [() => new nn.ReplicationPad2d(2), [1, 1, 2, 3], [2, 2, 2, 2], 'replicate'],
      [() => new nn.ReplicationPad3d([1, 0, 0, 1, 1, 0]), [2, 1, 2, 2, 2], [1, 0, 0, 1, 1, 0], 'replicate'],
      [() => new nn.CircularPad1d(2), [1, 2, 3], [2, 2], 'circular'],
      [() => new nn.CircularPad2d([1, 0, 2, 1]), [1, 1, 3, 3], [1, 0, 2, 1], 'circular'],
      [() => new nn.CircularPad3d(1), [1, 1, 2, 2, 3], [1, 1, 1, 1, 1, 1], 'circular'],
    ];
    for (const [make, shape, pad, mode, value] of cases) {
      const layer = make();
      assert.deepEqual((layer as unknown as { padding: number[] }).padding, pad, layer.constructor.name);
      await checkOp({ shapes: [shape], op: (x) => layer.forward(x), reference: (x) => padRef(x, pad, mode, value ?? 0) });
    }
    // Negative amounts crop, as in PyTorch.
    assert.deepEqual(new nn.ZeroPad2d([-1, 1, 0, -2]).forward(tg.zeros([1, 1, 4, 4])).shape, [1, 1, 2, 4]);
  });
  test('nn.Unflatten', async () => {
    await checkOp({ shapes: [[2, 12]], op: (x) => new nn.Unflatten(1, [3, -1]).forward(x), reference: (x) => ({ shape: [2, 3, 4], data: x.data }) });
    assert.deepEqual(new nn.Unflatten(-1, [2, 2]).forward(tg.zeros([3, 4])).shape, [3, 2, 2]);
  });
  test('F.embedding / nn.Embedding: gradient to the rows used, none to paddingIdx', async () => {
    const ids = [[1, 3, 0], [3, 3, 4]];
    const lookup = (w: ND, pad: number | null) => ({ ref: fromFn([2, 3, w.shape[1]!], ([i, j, k]) => get(w, [ids[i!]![j!]!, k!])), pad });
    for (const pad of [null, 3, -1]) {
      await checkOp({
        shapes: [[5, 2]],
        op: (w) => F.embedding(tg.tensor(ids, { dtype: 'int32', backend: w.backend }), w, { paddingIdx: pad }),
        reference: (w) => lookup(w, pad).ref,
        // With a padding row the gradient is zero by definition, not the derivative: checked below instead.
        grad: pad === null ? [true] : false,
      });
    }
    for (const backend of tg.listBackends().filter((n) => n !== 'webgpu')) { // CPU backends only: float64 and synchronous reads
      tg.setBackend(backend);
      try {
        const w = tg.randn([5, 2], { dtype: 'float64', requiresGrad: true });
        F.embedding(tg.tensor(ids, { dtype: 'int32' }), w, { paddingIdx: 3 }).sum().backward();
        // Row 1 used once, row 0 once, row 4 once, row 3 three times but it is the padding row, row 2 never.
        assert.deepEqual(w.grad!.toArray(), [[1, 1], [1, 1], [0, 0], [0, 0], [1, 1]], backend);
      } finally {
        tg.setBackend('reference');
      }
    }
  });
});

describe('new layers: state, special points, modes', () => {
  test('state-dict keys use PyTorch names', () => {
    assert.deepEqual(Object.keys(new nn.PReLU(4).stateDict()), ['weight']);
    assert.deepEqual(Object.keys(new nn.Embedding(10, 3).stateDict()), ['weight']);
    assert.deepEqual(Object.keys(new nn.InstanceNorm2d(4).stateDict()), []);
    assert.deepEqual(Object.keys(new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }).stateDict()).sort(),
      ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']);
    const p = new nn.PReLU({ numParameters: 3, init: 0.1 });
    assert.deepEqual([...p.weight.data()].map((v) => +v.toFixed(6)), [0.1, 0.1, 0.1]);
    assert.deepEqual([...new nn.PReLU().weight.data()], [0.25]);
    const e = new nn.Embedding(4, 3, { paddingIdx: -2 });
    assert.equal(e.paddingIdx, 2);
    assert.deepEqual([...e.weight.select(0, 2).data()], [0, 0, 0]);
    const pre = nn.Embedding.fromPretrained(tg.tensor([[1, 2], [3, 4]]));
    assert.equal(pre.weight.requiresGrad, false);
    assert.deepEqual(pre.forward(tg.tensor([1], { dtype: 'int32' })).toArray(), [[3, 4]]);
  });

  test('derivatives at 0 match PyTorch: celu 1, prelu the slope (and 0 for the slope)', () => {
    const x = tg.tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    F.celu(x, 0.5).sum().backward();
    assert.deepEqual([...x.grad!.data()], [1, 1]);
    const y = tg.tensor([0, -1, 2], { dtype: 'float64', requiresGrad: true });
    const w = tg.tensor([0.3], { dtype: 'float64', requiresGrad: true });
    F.prelu(y, w).sum().backward();
    assert.deepEqual([...y.grad!.data()], [0.3, 0.3, 1]);
    assert.deepEqual([...w.grad!.data()], [-1]);
    // Large negative inputs: no overflow, no NaN gradient.
    const z = tg.tensor([-1000, 1000], { dtype: 'float64', requiresGrad: true });
    const out = F.celu(z, 0.5);
    out.sum().backward();
    assert.deepEqual([...out.data()], [-0.5, 1000]);
    assert.deepEqual([...z.grad!.data()], [0, 1]);
  });

  test('InstanceNorm running statistics: updated in training, used in eval (PyTorch rule)', () => {
    const layer = new nn.InstanceNorm1d(2, { trackRunningStats: true, momentum: 0.2 });
    const x = tg.tensor([[[1, 2, 3, 6], [0, 0, 2, 2]], [[2, 2, 2, 6], [1, 3, 5, 7]]], { dtype: 'float32' });
    layer.forward(x);
    // Per-instance means 3, 1 | 3, 4; unbiased variances 14/3, 4/3 | 4, 20/3; averaged over the batch.
    const rm = [...layer.runningMean!.data()], rv = [...layer.runningVar!.data()];
    [0.2 * 3, 0.2 * 2.5].forEach((v, i) => assert.ok(Math.abs(rm[i]! - v) < 1e-6, `running_mean ${i}`));
    [0.8 + 0.2 * (14 / 3 + 4) / 2, 0.8 + 0.2 * (4 / 3 + 20 / 3) / 2].forEach((v, i) => assert.ok(Math.abs(rv[i]! - v) < 1e-6, `running_var ${i}`));
    layer.eval();
    const y = layer.forward(x);
    const want = (x.sub(layer.runningMean!.reshape([1, 2, 1]))).div(layer.runningVar!.reshape([1, 2, 1]).add(1e-5).sqrt());
    assert.ok(y.allclose(want, 1e-5, 1e-6));
    // Without running stats, eval still normalises with the instance statistics (PyTorch).
    const plain = new nn.InstanceNorm1d(2).eval();
    assert.ok(plain.forward(x).allclose(F.instanceNorm(x), 1e-6, 1e-6));
  });

  test('Embedding maxNorm renormalises the rows looked up, in place', () => {
    const emb = nn.Embedding.fromPretrained(tg.tensor([[3, 4], [0.3, 0.4], [6, 8]], { dtype: 'float64' }), { maxNorm: 1 });
    const out = emb.forward(tg.tensor([0, 1], { dtype: 'int32' }));
    const w = emb.weight.toArray() as number[][];
    assert.ok(Math.abs(w[0]![0]! - 0.6) < 1e-6 && Math.abs(w[0]![1]! - 0.8) < 1e-6, 'row 0 scaled to norm 1');
    assert.deepEqual(w[1], [0.3, 0.4]);
    assert.deepEqual(w[2], [6, 8], 'rows not looked up are untouched');
    assert.ok(Math.abs((out.toArray() as number[][])[0]![1]! - 0.8) < 1e-6);
  });

  test('wrong calls throw a TensorError naming the layer or function', () => {
    const x4 = tg.randn([2, 3, 4, 4]);
    throwsNamed(() => new nn.InstanceNorm2d(3).forward(tg.randn([2, 3])), /^InstanceNorm2d: expected a 3-D \(unbatched\) or 4-D input .*got input \[2,3\]/);
    throwsNamed(() => new nn.InstanceNorm2d(4).forward(x4), /^InstanceNorm2d: input has 3 channels but the layer has numFeatures 4 \(input \[2,3,4,4\]\)/);
    throwsNamed(() => new nn.InstanceNorm1d(0), /^InstanceNorm1d: numFeatures must be a positive integer, got 0/);
    throwsNamed(() => new nn.InstanceNorm1d(3, { afine: true } as never), /^InstanceNorm1d: unknown option 'afine'/);
    throwsNamed(() => new nn.InstanceNorm1d(3, '1e-3' as never), /^InstanceNorm1d: eps must be a finite number >= 0, got '1e-3'/);
    throwsNamed(() => new nn.InstanceNorm2d(3).forward(tg.randn([2, 3, 1, 1])), /^instanceNorm: expected more than 1 spatial element per channel/);
    throwsNamed(() => F.instanceNorm(tg.randn([2, 3])), /^instanceNorm: expected an input of shape \[N, C, \*\] with at least one spatial dim \(got input \[2,3\]\)/);
    throwsNamed(() => F.instanceNorm(x4, null, null, tg.ones([4])), /^instanceNorm: weight must have shape \[3\] \(one per channel\) but has shape \[4\]/);
    throwsNamed(() => F.instanceNorm(x4, tg.zeros([3]), null), /^instanceNorm: runningMean and runningVar must both be given/);
    throwsNamed(() => F.instanceNorm(x4, null, null, null, null, { useInputStats: false }), /^instanceNorm: runningMean and runningVar are required when useInputStats is false/);
    throwsNamed(() => new nn.PReLU(4).forward(x4), /^PReLU\(numParameters=4\): prelu: weight has 4 slopes but the input has 3 channels/);
    throwsNamed(() => new nn.PReLU(0), /^PReLU: numParameters must be a positive integer, got 0/);
    throwsNamed(() => new nn.PReLU(2, Number.NaN), /^PReLU: init must be a finite number/);
    throwsNamed(() => F.prelu(x4, tg.ones([3, 1])), /^prelu: weight must be 0-D or 1-D/);
    throwsNamed(() => F.prelu([1, 2] as never, tg.ones([1])), /^prelu: input must be a Tensor \(got an array\)/);
    throwsNamed(() => new nn.CELU(0), /^CELU: alpha must be a finite non-zero number \(got 0\)/);
    throwsNamed(() => F.celu(tg.tensor([1], { dtype: 'int32' })), /^celu: expected a floating-point tensor/);
    throwsNamed(() => new nn.Softmin({ dim: '1' } as never), /^Softmin: dim must be an integer, got '1'/);
    throwsNamed(() => F.softmin(x4, '1' as never), /^softmin: dim must be an integer/);
    throwsNamed(() => new nn.Softmin(5).forward(x4), /^softmin: /);
    throwsNamed(() => new nn.Unflatten(1, [5, -1]).forward(tg.zeros([2, 12])), /^Unflatten: cannot split dim 1 of size 12 into \[5,-1\] \(input \[2,12\]\)/);
    throwsNamed(() => new nn.Unflatten(1, [-1, -1]), /^Unflatten: unflattenedSize must be a non-empty list/);
    throwsNamed(() => new nn.Unflatten(3, [2, 2]).forward(tg.zeros([2, 4])), /^Unflatten: dim 3 is out of range for an input with 2 dims/);
    throwsNamed(() => new nn.ZeroPad2d([1, 1]), /^ZeroPad2d: padding must be an integer or a list of 4 integers \[left, right, top, bottom\] \(got \[1,1\]\)/);
    throwsNamed(() => new nn.ReflectionPad1d(1.5), /^ReflectionPad1d: padding must be an integer/);
    throwsNamed(() => new nn.ConstantPad1d(1, 'x' as never), /^ConstantPad1d: value must be a number/);
    throwsNamed(() => new nn.ReflectionPad2d(4).forward(x4), /^ReflectionPad2d\(\[4,4,4,4\]\): pad: reflect padding 4 must be less than the size 4 of dim 3/);
    throwsNamed(() => new nn.ReplicationPad2d(1).forward(tg.zeros([4, 4])), /^ReplicationPad2d: expected a 3-D or 4-D input \(got input \[4,4\]\)/);
    throwsNamed(() => new nn.CircularPad1d(5).forward(tg.zeros([1, 1, 3])), /^CircularPad1d\(\[5,5\]\): pad: circular padding 5 must be at most the size 3/);
    const emb = new nn.Embedding(5, 2);
    throwsNamed(() => emb.forward(tg.tensor([1, 5], { dtype: 'int32' })), /^Embedding\(5, 2\): embedding: index 5 is out of range for 5 embeddings/);
    throwsNamed(() => emb.forward(tg.tensor([1, 2])), /^Embedding\(5, 2\): embedding: input must hold int32 indices \(got float32/);
    throwsNamed(() => emb.forward([1, 2] as never), /^Embedding\(5, 2\): embedding: input must be an int32 Tensor of indices \(got an array\)/);
    throwsNamed(() => new nn.Embedding(5, 2, { paddingIdx: 5 }), /^Embedding: paddingIdx must be an integer in \[-5, 4\] for 5 embeddings \(got 5\)/);
    throwsNamed(() => new nn.Embedding(5, 2, { maxNorm: -1 }), /^Embedding: maxNorm must be a finite number > 0/);
    throwsNamed(() => new nn.Embedding(5, 2, { sparse: true } as never), /^Embedding: sparse is not supported/);
    throwsNamed(() => new nn.Embedding(5, 2, { padIdx: 0 } as never), /^Embedding: unknown option 'padIdx'/);
    throwsNamed(() => new nn.Embedding(5.5, 2), /^Embedding: numEmbeddings must be a positive integer, got 5.5/);
    throwsNamed(() => F.embedding(tg.tensor([0], { dtype: 'int32' }), tg.zeros([5])), /^embedding: weight must be 2-D/);
    throwsNamed(() => F.embedding(tg.tensor([0], { dtype: 'int32' }), tg.zeros([5, 2]), '3' as never), /^embedding: paddingIdx must be an integer \(or omitted\), got '3'/);
    throwsNamed(() => F.embedding(tg.tensor([0], { dtype: 'int32' }), tg.zeros([5, 2]), { padding_idx: 0 } as never), /^embedding: unknown option 'padding_idx'/);
    throwsNamed(() => F.instanceNorm(x4, null, null, null, null, 'yes' as never), /^instanceNorm: useInputStats must be a boolean/);
    throwsNamed(() => F.instanceNorm(x4, null, null, null, null, { use_input_stats: false } as never), /^instanceNorm: unknown option 'use_input_stats'/);
    throwsNamed(() => new (nn.ConstantPad2d as unknown as new (p: number) => tg.nn.Module)(1), /^ConstantPad2d: value \(the fill value\) is required/);
    throwsNamed(() => new nn.PReLU({ num_parameters: 3 } as never), /^PReLU: unknown option 'num_parameters'/);
    // After the sweep the layers still compute (no state left behind).
    assert.deepEqual(new nn.ZeroPad1d(1).forward(tg.ones([1, 1, 1])).toArray(), [[[0, 1, 0]]]);
    assert.deepEqual(emb.forward(tg.tensor([0], { dtype: 'int32' })).shape, [1, 2]);
  });
});
