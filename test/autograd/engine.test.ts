import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

describe('backward', () => {
  test('fills .grad on leaves that require grad only', () => {
    const a = tg.tensor([1, 2, 3], { requiresGrad: true });
    const b = tg.tensor([4, 5, 6]);
    a.mul(b).sum().backward();
    assert.deepEqual(a.grad!.toArray(), [4, 5, 6]);
    assert.equal(b.grad, null);
  });
  test('gradients accumulate across backward calls until zeroed', () => {
    const w = tg.tensor([1, -1], { requiresGrad: true });
    w.mul(3).sum().backward();
    w.mul(3).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [6, 6]);
    w.grad = null;
    w.mul(2).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [2, 2]);
    w.zeroGrad();
    assert.equal(w.grad, null);
  });
  test('a tensor used twice receives both contributions (diamond graph)', () => {
    const x = tg.tensor([2], { requiresGrad: true, dtype: 'float64' });
    const y = x.mul(x).add(x.exp()).mul(x.sin());
    y.backward();
    const v = 2;
    const expected = (2 * v + Math.exp(v)) * Math.sin(v) + (v * v + Math.exp(v)) * Math.cos(v);
    assert.ok(Math.abs(x.grad!.item() - expected) < 1e-12);
  });
  test('non-scalar outputs need an explicit gradient of the same shape', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /backward: grad can be implicitly created only for scalar outputs \(got shape \[2\]\)/);
    assert.throws(() => x.mul(2).backward(tg.ones([3])), /backward: gradient has shape \[3\] but the tensor has shape \[2\]/);
    x.mul(2).backward(tg.tensor([1, 10]));
    assert.deepEqual(x.grad!.toArray(), [2, 20]);
  });
  test('a second backward through a freed graph raises; retainGraph allows it', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), /backward: trying to backward through the graph a second time.*retainGraph/);
    const z = x.exp().sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    assert.ok(Math.abs((x.grad!.toArray() as number[])[0]! - 2 * Math.E) < 1e-5);
  });
  test('backward on a tensor without grad explains why', () => {
    assert.throws(() => tg.ones([1]).sum().backward(), /backward: tensor does not require grad/);
  });
  test('leaf gradients are contiguous even when the op broadcast', () => {
    const b = tg.tensor([1, 2, 3], { requiresGrad: true });
    tg.ones([4, 3]).add(b).sum().backward();
    assert.deepEqual(b.grad!.toArray(), [4, 4, 4]);
    assert.equal(b.grad!.isContiguous(), true);
  });
  test('leaf gradients never share storage with each other, the seed or saved tensors', () => {
    // add passes g through to both leaves; in-place updates of one grad must not touch the other.
    const a = tg.tensor([1, 2, 3], { requiresGrad: true });
    const b = tg.tensor([4, 5, 6], { requiresGrad: true });
    const seed = tg.tensor([1, 1, 1]);
    a.add(b).backward(seed);
    tg.noGrad(() => a.grad!.mul_(10));
    assert.deepEqual(b.grad!.toArray(), [1, 1, 1], 'b.grad is not a view of a.grad');
    assert.deepEqual(seed.toArray(), [1, 1, 1], 'the seed was not modified');
    // x * w saves w; the gradient of x is w itself times g — a fresh tensor, stored as is.
    const w = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tg.tensor([[1, 0], [0, 1]], { requiresGrad: true });
    tg.linear(x, w).sum().backward();
    assert.ok(w.grad!.isContiguous() && x.grad!.isContiguous(), 'linear grads are contiguous');
    assert.deepEqual(w.grad!.toArray(), [[1, 1], [1, 1]], 'dW = gᵀx');
    assert.deepEqual(x.grad!.toArray(), [[4, 6], [4, 6]], 'dx = g W');
  });

  test('deep chains do not overflow the stack', () => {
    const x = tg.tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [1]);
  });
});

describe('noGrad, detach, requiresGrad', () => {
  test('noGrad records nothing and restores the mode (also after a throw)', () => {
    const x = tg.ones([2], { requiresGrad: true });
    const y = tg.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(tg.isGradEnabled(), true);
    assert.throws(() => tg.noGrad(() => { throw new Error('boom'); }));
    assert.equal(tg.isGradEnabled(), true);
    assert.equal(x.mul(2).requiresGrad, true);
  });
  test('detach cuts the graph but shares storage', () => {
    const x = tg.ones([2], { requiresGrad: true });
    const d = x.mul(2).detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
  });
  test('only floating tensors can require grad; non-leaves cannot stop requiring it', () => {
    assert.throws(() => tg.arange(3).requiresGrad_(), /requiresGrad: only floating-point tensors can require gradients \(got int32\)/);
    assert.throws(() => tg.tensor([1], { dtype: 'int32', requiresGrad: true }), /tensor: only floating-point tensors can require gradients/);
    const y = tg.ones([1], { requiresGrad: true }).mul(2);
    assert.throws(() => { y.requiresGrad = false; }, /requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach\(\)/);
  });
  test('frozen inputs get no grad and cost no gradient work', () => {
    const w = tg.ones([2], { requiresGrad: true });
    const frozen = tg.ones([2]);
    w.mul(frozen).sum().backward();
    assert.equal(frozen.grad, null);
  });
});

describe('in-place ops', () => {
  test('are refused on tensors that require grad unless under noGrad', () => {
    const w = tg.ones([2], { requiresGrad: true });
    assert.throws(() => w.add_(1), /add_: a tensor that requires grad cannot be modified in place while gradients are recorded; wrap the update in tg.noGrad/);
    tg.noGrad(() => w.sub_(tg.tensor([0.5, 0.25]), 2));
    assert.deepEqual(w.toArray(), [0, 0.5]);
  });
  test('fill_, zero_, copy_, mul_, div_, clamp_ on plain tensors', () => {
    const x = tg.zeros([2, 2]);
    x.fill_(3);
    assert.deepEqual(x.toArray(), [[3, 3], [3, 3]]);
    x.copy_(tg.tensor([1, 2]));
    assert.deepEqual(x.toArray(), [[1, 2], [1, 2]]);
    x.mul_(tg.tensor([[2], [3]]));
    assert.deepEqual(x.toArray(), [[2, 4], [3, 6]]);
    x.div_(2).clamp_(1.2, 2.5);
    assert.deepEqual(x.toArray(), [[1.2, 2], [1.5, 2.5]].map((r) => r.map((v) => Math.fround(v))));
    x.zero_();
    assert.deepEqual(x.toArray(), [[0, 0], [0, 0]]);
    assert.throws(() => x.add_(tg.ones([3])), /add_: shapes \[2,2\] and \[3\] cannot be broadcast/);
  });
  test('an SGD step written with in-place ops', () => {
    const w = tg.tensor([1, 2], { requiresGrad: true });
    w.square().sum().backward();
    tg.noGrad(() => w.sub_(w.grad!, 0.1));
    assert.deepEqual(w.toArray(), [0.8, 1.6].map(Math.fround));
  });
});

describe('gradcheck', () => {
  test('passes for correct gradients and reports per input', () => {
    const r = tg.autograd.gradcheck((a, b) => a.mul(b).tanh(), [tg.randn([3, 2]), tg.randn([2])]);
    assert.equal(r.passed, true);
    assert.equal(r.inputs.length, 2);
    assert.match(r.report, /gradcheck passed[\s\S]*input 0 \[3,2\]: ok[\s\S]*input 1 \[2\]: ok/);
  });
  test('detects a wrong gradient (a function whose backward is cut)', () => {
    // detach() hides part of the dependency, so the analytic gradient misses a term.
    const r = tg.autograd.gradcheck((a) => a.mul(a.detach()), [tg.tensor([1.5, -2])]);
    assert.equal(r.passed, false);
    assert.match(r.report, /MISMATCH/);
    assert.ok(r.inputs[0]!.maxAbsError > 0.5);
  });
  test('only checks inputs flagged requiresGrad when some are', () => {
    const r = tg.autograd.gradcheck((a, b) => a.mul(b), [tg.randn([2], { requiresGrad: true }), tg.randn([2])]);
    assert.equal(r.inputs.length, 1);
  });
});
