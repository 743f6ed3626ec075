/**
 * Gradients no one read are freed as soon as they are replaced (zeroGrad,
 * `grad = null`, accumulation by a second backward), instead of waiting for a
 * garbage collection; a gradient that was read stays valid while it is
 * referenced. Training must give bit-identical parameters whichever way the
 * gradients are cleared or read, on the wasm backend (where freed memory is
 * reused at once) and the reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { Parameter } from '../../src/nn/parameter.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { Backend } from '../../src/backend/backend.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { WasmStorage } from '../../src/backend/wasm/storage.js';
import { clipGradNorm } from '../../src/optim/clip.js';

const wasm = await createWasmBackend({ name: 'wasm-grad-release', threads: 1 });
// Poison every explicitly released block (NaN, or -1 for integers): a storage freed while something can
// still read it then shows up as a wrong value, whether or not its memory was reused in the meantime.
const release = wasm.release.bind(wasm);
wasm.release = (s) => {
  const w = s as WasmStorage;
  if (!w.released) w.view().fill(w.dtype === 'float32' || w.dtype === 'float64' ? NaN : -1);
  release(s);
};
const backends: Backend[] = [wasm, referenceBackend];

/** Runs `fn` with `be` as the current backend (restored after). */
function on<T>(be: Backend, fn: () => T): T {
  const before = tg.getBackend();
  tg.setBackend(be);
  try {
    return fn();
  } finally {
    tg.setBackend(before);
  }
}

type Mode = 'none' | 'zeros' | 'read' | 'clip';

/** A 2-layer MLP trained `steps` steps with SGD (momentum, weight decay); returns its parameters' values. */
function train(be: Backend, mode: Mode, steps = 6, opt: 'sgd' | 'adam' = 'sgd'): number[][] {
  return on(be, () => {
    tg.manualSeed(7);
    const model = tg.models.mlp({ sizes: [12, 16, 5], activation: 'relu' });
    const x = tg.randn([8, 12]);
    const y = tg.tensor([0, 1, 2, 3, 4, 0, 1, 2], { dtype: 'int32' });
    const params = model.parameters();
    const o = opt === 'sgd'
      ? new tg.optim.SGD(params, { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 })
      : new tg.optim.Adam(params, { lr: 1e-2 });
    const held: Tensor[] = [];
    for (let i = 0; i < steps; i++) {
      if (mode === 'zeros') o.zeroGrad({ setToNone: false });
      else o.zeroGrad();
      tg.F.crossEntropy(model.forward(x), y).backward();
      if (mode === 'read') for (const p of params) held.push(p.grad!);
      if (mode === 'clip') clipGradNorm(params, 1e9);
      o.step();
    }
    // Gradients read along the way are still readable (nothing freed them).
    for (const g of held) assert.ok(g.data().every(Number.isFinite));
    return params.map((p) => [...p.data()]);
  });
}

test('training gives identical parameters whether gradients are set to none, zeroed, read or clipped', () => {
  for (const be of backends) {
    for (const opt of ['sgd', 'adam'] as const) {
      const base = train(be, 'none', 6, opt);
      for (const mode of ['zeros', 'read', 'clip'] as const) {
        assert.deepEqual(train(be, mode, 6, opt), base, `${be.name} ${opt}: ${mode} differs from setToNone`);
      }
    }
  }
});

const storageOf = (t: Tensor) => t._storage as WasmStorage;

test('an unread gradient is freed by zeroGrad; a read one keeps its values through later steps', () => {
  on(wasm, () => {
    const w = new Parameter(tg.tensor([1, 2, 3, 4]));
    const v = new Parameter(tg.tensor([1, -1, 2, -2]));
    const opt = new tg.optim.SGD([w, v], { lr: 0.1 });
    w.mul(w).sum().add(v.mul(3).sum()).backward();
    const wg = w._gradRef()!;
    const held = v.grad!; // read: handed out
    opt.step();
    opt.zeroGrad();
    assert.equal(storageOf(wg).released, true, 'the unread gradient was not freed');
    assert.equal(storageOf(held).released, false);
    assert.equal(w.grad, null);
    // Later steps reuse freed memory; the held gradient must not change.
    for (let i = 0; i < 5; i++) {
      w.mul(w).sum().add(v.mul(5).sum()).backward();
      opt.step();
      opt.zeroGrad();
    }
    assert.deepEqual([...held.data()], [3, 3, 3, 3]);
  });
});

test('accumulation over two backward passes: sums, frees the replaced unread gradient, keeps a read one', () => {
  for (const be of backends) {
    on(be, () => {
      const x = tg.tensor([1, 2, 3], { requiresGrad: true });
      x.mul(x).sum().backward();
      const first = x._gradRef()!;
      x.mul(x).sum().backward();
      assert.deepEqual([...x.grad!.data()], [4, 8, 12]);
      if (be === wasm) assert.equal(storageOf(first).released, true);
      const read = x.grad!;
      x.mul(2).sum().backward();
      assert.deepEqual([...read.data()], [4, 8, 12], 'a gradient someone holds changed');
      assert.deepEqual([...x.grad!.data()], [6, 10, 14]);
    });
  }
});

test('a leaf reached along several paths in one pass (its first gradient shared with a pending node gradient)', () => {
  for (const be of backends) {
    on(be, () => {
      // add's rule hands the same gradient buffer to x (a leaf) and to h (a node); x's later contributions
      // replace (and free) its first gradient while the pass runs.
      const x = tg.tensor([1, -2, 3], { requiresGrad: true });
      for (let i = 0; i < 2; i++) {
        const h = x.mul(3);
        const out = x.add(h).add(x.square());
        out.mul(tg.tensor([1, 2, 3])).sum().backward();
      }
      // d/dx of (x + 3x + x^2) * c = (4 + 2x) c, twice.
      assert.deepEqual([...x.grad!.data()], [12, 0, 60]);
      // The same with a matmul consuming the shared gradient (a GEMM must not write over what it reads).
      const a = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      const m = tg.tensor([[0.5, -1], [2, 1]]);
      const c = tg.tensor([[1, 2], [3, 4]]);
      a.add(a.matmul(m)).add(a.square()).mul(c).sum().backward();
      // d/da sum((a + a m + a^2) c) = c + c m^T + 2 a c.
      assert.deepEqual([...a.grad!.data()], [1 - 1.5 + 2, 2 + 4 + 8, 3 - 2.5 + 18, 4 + 10 + 32]);
    });
  }
});

test('an optimizer that overrides update is handed the gradient (it may keep it): never freed under it', () => {
  class KeepGrad extends tg.optim.SGD {
    kept: Tensor[] = [];
    protected override update(...args: Parameters<tg.optim.SGD['update']>): void {
      this.kept.push(args[1]);
      super.update(...args);
    }
  }
  on(wasm, () => {
    const w = new Parameter(tg.tensor([1, 2]));
    const opt = new KeepGrad([w], { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      w.mul(w).sum().backward();
      opt.step();
    }
    opt.zeroGrad();
    assert.ok(opt.kept.every((g) => !storageOf(g).released));
    assert.deepEqual([...opt.kept[0]!.data()], [2, 4]);
  });
});

test('zeroGrad({ setToNone: false }) zeroes gradients in place; bad options throw', () => {
  const w = new Parameter(tg.tensor([1, 2]));
  const opt = new tg.optim.SGD([w], { lr: 0.1 });
  opt.zeroGrad({ setToNone: false });
  assert.equal(w.grad, null, 'no gradient yet: stays null');
  w.mul(w).sum().backward();
  const g = w.grad!;
  opt.zeroGrad({ setToNone: false });
  assert.equal(w.grad, g);
  assert.deepEqual([...g.data()], [0, 0]);
  assert.throws(() => opt.zeroGrad({ setToNone: 'no' as never }), /SGD.zeroGrad: setToNone must be true or false/);
});
