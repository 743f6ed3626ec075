/**
 * The optional fused kernels (Backend.fused, src/backend/backend.ts, FusedKernels)
 * against the tensor-op composites that define them: every kernel the wasm
 * backend offers, forward and gradients, float32 tolerance, random shapes
 * including odd sizes, with and without bias/weight, SGD momentum / nesterov /
 * weight decay / maximize, Adam / AdamW / AMSGrad, cross-entropy ignoreIndex
 * and label smoothing. Each case runs twice on the same backend, fused kernels
 * on and off (setFusedKernelsEnabled), and counts the kernel calls to prove
 * the fused run used them. Also: the reference and meta backends offer none,
 * and TENSORGRAD_FUSED is parsed as documented.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { Parameter } from '../../src/nn/parameter.js';
import type { ConvParams, FusedKernels } from '../../src/backend/backend.js';
import { convPool2x2Params } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { metaBackend } from '../../src/backend/meta/index.js';
import { fusedKernels, setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { convPrim, convReluPoolPrim } from '../../src/ops/conv-prims.js';
import { linearRelu } from '../../src/ops/linalg.js';
import { crossEntropyReducedPrim, crossEntropyRowsPrim } from '../../src/ops/loss-prims.js';
import { TensorError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { prng, randInt } from '../helpers/prng.js';

const F = tg.F;
const be = await createWasmBackend({ name: 'wasm-capabilities' });

/** Calls per fused kernel on `be` (each kernel is wrapped once to count). */
const calls = new Map<string, number>();
const kernels = be.fused as Record<string, unknown>;
for (const [name, fn] of Object.entries(kernels)) {
  kernels[name] = (...args: unknown[]) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return (fn as (...a: unknown[]) => unknown)(...args);
  };
}

after(() => setFusedKernelsEnabled(undefined));

/** Runs `fn` with fused kernels on and off; returns both results and the kernels the fused run called. */
function both<T>(fn: () => T): { fused: T; composite: T; used: Set<string> } {
  calls.clear();
  setFusedKernelsEnabled(true);
  const fused = fn();
  const used = new Set(calls.keys());
  setFusedKernelsEnabled(false);
  calls.clear();
  const composite = fn();
  assert.equal(calls.size, 0, `fused kernels ran while switched off: ${[...calls.keys()].join(', ')}`);
  setFusedKernelsEnabled(undefined);
  return { fused, composite, used };
}

function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 2e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= tol * (1 + Math.abs(w) + 0.1 * scale))) {
      assert.fail(`${what}: [${i}] fused ${g} vs composite ${w}`);
    }
  }
}

const values = (rnd: () => number, n: number, spread = 2) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * spread);
const leaf = (rnd: () => number, shape: number[], spread = 2) =>
  tg.tensor(values(rnd, shape.reduce((a, b) => a * b, 1), spread), { shape, backend: be, requiresGrad: true });

/** A backward from a random linear functional of `out`, so every output element gets its own upstream gradient. */
function backwardFrom(out: Tensor, seed: number): void {
  const w = tg.tensor(values(prng(seed), out.numel()), { shape: out.shape, backend: be });
  out.mul(w).sum().backward();
}

const gradOf = (t: Tensor) => [...t.grad!.data()];

describe('reference and meta backends implement the required contract only', () => {
  test('no fused kernels', () => {
    assert.equal(referenceBackend.fused, undefined);
    assert.equal(metaBackend.fused, undefined);
    assert.equal(fusedKernels(referenceBackend), null);
  });
  test('the wasm backend offers every fused kernel', () => {
    const names: (keyof FusedKernels)[] = ['sgdStep', 'adamStep', 'crossEntropyRows', 'crossEntropyRowsBackward',
      'crossEntropyReduced', 'crossEntropyReducedBackward',
      'batchNormTrain', 'batchNormTrainBackward', 'convEpilogue', 'convEpilogueBackward', 'convPoolBackward', 'linearEpilogue',
      'linearEpilogueBackward', 'updateBatch'];
    assert.deepEqual(Object.keys(be.fused).sort(), [...names].sort());
  });
});

describe('TENSORGRAD_FUSED', () => {
  function withEnv(value: string | undefined, fn: () => void): void {
    const before = process.env.TENSORGRAD_FUSED;
    if (value === undefined) delete process.env.TENSORGRAD_FUSED;
    else process.env.TENSORGRAD_FUSED = value;
    setFusedKernelsEnabled(undefined); // read again on the next lookup
    try {
      fn();
    } finally {
      if (before === undefined) delete process.env.TENSORGRAD_FUSED;
      else process.env.TENSORGRAD_FUSED = before;
      setFusedKernelsEnabled(undefined);
    }
  }
  test('0 switches fused kernels off, 1 or unset leaves them on', () => {
    withEnv('0', () => assert.equal(fusedKernels(be), null));
    withEnv('1', () => assert.equal(fusedKernels(be), be.fused));
    withEnv(undefined, () => assert.equal(fusedKernels(be), be.fused));
  });
  test('an invalid value is a TensorError naming the variable', () => {
    withEnv('yes', () => assert.throws(() => fusedKernels(be), (e: unknown) => e instanceof TensorError && /TENSORGRAD_FUSED/.test(e.message) && /"yes"/.test(e.message)));
  });
});

describe('softmax cross-entropy rows', () => {
  const rnd = prng(11);
  for (let c = 0; c < 12; c++) {
    const rows = randInt(rnd, 1, 9), classes = randInt(rnd, 1, 13);
    const ignoreIndex = c % 3 === 0 ? -100 : randInt(rnd, 0, classes - 1);
    const labelSmoothing = [0, 0.1, 0.35][c % 3]!;
    const reduction = (['mean', 'sum', 'none'] as const)[c % 3]!;
    const seed = 100 + c;
    test(`[${rows}, ${classes}] ignoreIndex ${ignoreIndex}, labelSmoothing ${labelSmoothing}, ${reduction}`, () => {
      const r = prng(seed);
      const logits = values(r, rows * classes, 4);
      const targets = Int32Array.from({ length: rows }, () => randInt(r, 0, classes - 1));
      if (ignoreIndex >= 0) targets[0] = ignoreIndex; // at least one ignored row
      const run = () => {
        const x = tg.tensor(logits, { shape: [rows, classes], backend: be, requiresGrad: true });
        const t = tg.tensor(targets, { shape: [rows], dtype: 'int32', backend: be });
        const loss = F.crossEntropy(x, t, { ignoreIndex, labelSmoothing, reduction });
        backwardFrom(loss, seed + 1);
        return { loss: [...loss.data()], grad: gradOf(x) };
      };
      const { fused, composite, used } = both(run);
      // 'none' runs the per-row kernels, 'sum' and 'mean' (targets counted on the host) the reduced ones.
      const want = reduction === 'none' ? ['crossEntropyRows', 'crossEntropyRowsBackward'] : ['crossEntropyReduced', 'crossEntropyReducedBackward'];
      assert.ok(want.every((k) => used.has(k)), `fused kernels used: ${[...used]}`);
      close('loss', fused.loss, composite.loss);
      close('dlogits', fused.grad, composite.grad);
    });
  }
});

describe('reduced softmax cross-entropy', () => {
  // crossEntropyReduced computes what the per-row kernel followed by sum and div computes, bit for bit.
  const rnd = prng(31);
  for (let c = 0; c < 10; c++) {
    const rows = [1, 3, 4, 7, 8, 9, 64, 65, 5, 6][c]!, classes = randInt(rnd, 1, 12);
    const ignoreIndex = c % 2 ? randInt(rnd, 0, classes - 1) : -100;
    const labelSmoothing = [0, 0.2][c % 2]!;
    test(`[${rows}, ${classes}] ignoreIndex ${ignoreIndex}, labelSmoothing ${labelSmoothing}: equal to rows -> sum -> div, loss and gradient`, () => {
      const r = prng(300 + c);
      const logits = values(r, rows * classes, 5);
      const targets = Int32Array.from({ length: rows }, () => randInt(r, 0, classes - 1));
      const kept = targets.filter((v) => v !== ignoreIndex).length;
      setFusedKernelsEnabled(true); // the prims under test, also when TENSORGRAD_FUSED=0 switches them off for the suite
      try {
        compareReduced(logits, targets, rows, classes, ignoreIndex, labelSmoothing, kept);
      } finally {
        setFusedKernelsEnabled(undefined);
      }
    });
  }
  /** Loss and gradient of crossEntropyReducedPrim against crossEntropyRowsPrim -> sum -> div, for divisors 1 and kept. */
  function compareReduced(
    logits: Float32Array, targets: Int32Array, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number, kept: number,
  ): void {
    for (const divisor of [1, kept]) {
      const x = tg.tensor(logits, { shape: [rows, classes], backend: be, requiresGrad: true });
      const t = tg.tensor(targets, { shape: [rows], dtype: 'int32', backend: be });
      const reduced = crossEntropyReducedPrim(x, t, ignoreIndex, labelSmoothing, divisor)!;
      reduced.mul(1.75).backward();
      const x2 = tg.tensor(logits, { shape: [rows, classes], backend: be, requiresGrad: true });
      const viaRows = crossEntropyRowsPrim(x2, t, ignoreIndex, labelSmoothing)!.sum().div(divisor);
      viaRows.mul(1.75).backward();
      assert.deepEqual([...reduced.data()], [...viaRows.data()], `loss, divisor ${divisor}`);
      assert.deepEqual([...x.grad!.data()], [...x2.grad!.data()], `gradient, divisor ${divisor}`);
    }
  }
  test("an empty batch: 'sum' is 0 and 'mean' NaN, with and without the fused kernels", () => {
    for (const reduction of ['sum', 'mean'] as const) {
      const { fused, composite } = both(() => {
        const x = tg.tensor([], { shape: [0, 3], backend: be, requiresGrad: true });
        const loss = F.crossEntropy(x, tg.tensor([], { dtype: 'int32', backend: be }), { reduction });
        loss.backward();
        return { loss: loss.item(), grad: x.grad!.shape };
      });
      assert.deepEqual(fused, composite, reduction);
      assert.deepEqual(fused.loss, reduction === 'sum' ? 0 : NaN);
    }
  });
  test("'mean' with every target ignored is NaN, and its gradient 0, as in PyTorch", () => {
    const x = tg.tensor([[1, 2], [3, 4]], { backend: be, requiresGrad: true });
    const t = tg.tensor([5, 5], { dtype: 'int32', backend: be });
    const loss = F.crossEntropy(x, t, { ignoreIndex: 5 });
    assert.ok(Number.isNaN(loss.item()));
    loss.backward();
    assert.deepEqual([...x.grad!.data()], [0, 0, 0, 0]);
  });
});

describe('training batch norm', () => {
  const shapes = [[5, 3], [3, 4, 7], [2, 5, 3, 3], [7, 1, 5], [2, 3, 1, 2, 3]];
  shapes.forEach((shape, k) => {
    for (const affine of [true, false]) {
      const seed = 200 + 2 * k + (affine ? 1 : 0);
      test(`[${shape}] ${affine ? 'with' : 'without'} weight and bias`, () => {
        const r = prng(seed);
        const c = shape[1]!;
        const xv = Float32Array.from(values(r, shape.reduce((a, b) => a * b, 1)), (v) => v * 3 + 1.5);
        const wv = values(r, c), bv = values(r, c);
        const run = () => {
          const x = tg.tensor(xv, { shape, backend: be, requiresGrad: true });
          const w = affine ? tg.tensor(wv, { backend: be, requiresGrad: true }) : null;
          const b = affine ? tg.tensor(bv, { backend: be, requiresGrad: true }) : null;
          const rm = tg.zeros([c], { backend: be }), rv = tg.ones([c], { backend: be });
          const y = F.batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.3, eps: 1e-3 });
          backwardFrom(y, seed + 50);
          return {
            y: [...y.data()], rm: [...rm.data()], rv: [...rv.data()],
            grads: [gradOf(x), ...(w && b ? [gradOf(w), gradOf(b)] : [])],
          };
        };
        const { fused, composite, used } = both(run);
        assert.ok(used.has('batchNormTrain') && used.has('batchNormTrainBackward'), `fused kernels used: ${[...used]}`);
        close('y', fused.y, composite.y);
        close('runningMean', fused.rm, composite.rm);
        close('runningVar', fused.rv, composite.rv);
        fused.grads.forEach((g, i) => close(['dx', 'dweight', 'dbias'][i]!, g, composite.grads[i]!, 1e-4));
      });
    }
  });
});

describe('conv epilogues (bias + ReLU, and the 2×2 max-pool variant)', () => {
  /** A random conv geometry: 1-D/2-D/3-D, odd sizes, stride 1 or 2, padding, groups. */
  function geometry(r: () => number, poolable: boolean): ConvParams {
    const groups = randInt(r, 1, 2);
    const inChannels = groups * randInt(r, 1, 3), outChannels = groups * randInt(r, 1, 4);
    const rank = poolable ? randInt(r, 2, 3) : randInt(r, 1, 3);
    const k = [1, 1, 1], inSize = [1, 1, 1], stride = [1, 1, 1], padding = [0, 0, 0], outSize = [1, 1, 1];
    for (let d = 3 - rank; d < 3; d++) {
      k[d] = randInt(r, 1, 3);
      inSize[d] = randInt(r, k[d]! + (poolable && d > 0 ? 2 : 0), 9);
      stride[d] = poolable ? 1 : randInt(r, 1, 2);
      padding[d] = randInt(r, 0, Math.floor(k[d]! / 2));
      outSize[d] = Math.floor((inSize[d]! + 2 * padding[d]! - k[d]!) / stride[d]!) + 1;
    }
    const t = (v: number[]) => v as unknown as readonly [number, number, number];
    return {
      batch: randInt(r, 1, 3), inChannels, outChannels, groups,
      inSize: t(inSize), kernelSize: t(k), outSize: t(outSize), stride: t(stride), padding: t(padding), dilation: [1, 1, 1],
    };
  }
  const inputs = (p: ConvParams, seed: number) => {
    const r = prng(seed);
    const x = leaf(r, [p.batch, p.inChannels, ...p.inSize]);
    const w = leaf(r, [p.outChannels, p.inChannels / p.groups, ...p.kernelSize]);
    const b = leaf(r, [p.outChannels]);
    return { x, w, b };
  };

  const rnd = prng(33);
  for (let c = 0; c < 16; c++) {
    const p = geometry(rnd, false), withBias = c % 2 === 0, relu = c % 4 !== 2; // always some epilogue
    const seed = 300 + c;
    test(`convPrim ${withBias ? '+ bias ' : ''}${relu ? '+ relu ' : ''}${JSON.stringify(p)}`, () => {
      const run = () => {
        const { x, w, b } = inputs(p, seed);
        const y = convPrim(x, w, p, { bias: withBias ? b : null, relu });
        backwardFrom(y, seed + 7);
        return { y: [...y.data()], grads: [gradOf(x), gradOf(w), ...(withBias ? [gradOf(b)] : [])] };
      };
      const { fused, composite, used } = both(run);
      assert.ok(used.has('convEpilogue') && used.has('convEpilogueBackward'), `fused kernels used: ${[...used]}`);
      close('y', fused.y, composite.y);
      fused.grads.forEach((g, i) => close(['dx', 'dw', 'dbias'][i]!, g, composite.grads[i]!, 1e-4));
    });
  }

  for (let c = 0; c < 12; c++) {
    const p = geometry(rnd, true), withBias = c % 2 === 0;
    const seed = 400 + c;
    test(`convReluPoolPrim ${withBias ? 'with' : 'without'} bias ${JSON.stringify(p)}`, () => {
      const run = () => {
        const { x, w, b } = inputs(p, seed);
        const y = convReluPoolPrim(x, w, p, withBias ? b : null);
        assert.deepEqual(y.shape, [p.batch, p.outChannels, ...convPool2x2Params(p).outSize]);
        backwardFrom(y, seed + 7);
        const inference = tg.noGrad(() => convReluPoolPrim(x, w, p, withBias ? b : null));
        assert.equal(inference._node, null, 'inference records nothing');
        return { y: [...y.data()], inference: [...inference.data()], grads: [gradOf(x), gradOf(w), ...(withBias ? [gradOf(b)] : [])] };
      };
      const { fused, composite, used } = both(run);
      assert.ok(used.has('convEpilogue') && used.has('convEpilogueBackward'), `fused kernels used: ${[...used]}`);
      close('y', fused.y, composite.y);
      close('y (inference)', fused.inference, composite.y);
      close('y (inference, composite)', composite.inference, composite.y);
      fused.grads.forEach((g, i) => close(['dx', 'dw', 'dbias'][i]!, g, composite.grads[i]!, 1e-4));
    });
  }
});

describe('linear epilogue (F.linear with a bias, Linear -> ReLU)', () => {
  // The kernels themselves against float64 (these run whatever the op layer does).
  test('linearEpilogue = relu?(x·wᵀ + b) and its backward = (mask, column sums), float64 reference, NaN/Inf included', () => {
    const rnd = prng(91);
    for (const [rows, inF, outF] of [[1, 1, 1], [3, 5, 7], [64, 33, 10], [70, 9, 130], [2, 300, 3], [5, 0, 4]] as const) {
      for (const [withBias, relu] of [[true, true], [true, false], [false, true]] as const) {
        const x = values(rnd, rows * inF), w = values(rnd, outF * inF), b = values(rnd, outF), g = values(rnd, rows * outF);
        if (rows * inF > 2) { x[1] = NaN; x[2] = Infinity; }
        const st = (v: Float32Array) => be.fromArray('float32', v);
        const y = [...be.read(be.fused.linearEpilogue!(st(x), st(w), withBias ? st(b) : null, rows, inF, outF, relu)!,
          { shape: [rows * outF], strides: [1], offset: 0 })];
        const want = new Float64Array(rows * outF);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < outF; j++) {
            let s = 0;
            for (let q = 0; q < inF; q++) s += x[i * inF + q]! * w[j * inF + q]!;
            if (withBias) s += b[j]!;
            want[i * outF + j] = relu ? (s > 0 || Number.isNaN(s) ? s : 0) : s;
          }
        }
        y.forEach((v, i) => assert.ok(Number.isNaN(want[i]!) ? Number.isNaN(v) : Math.abs(v - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)) || v === want[i],
          `y [${rows},${inF}]->${outF} bias=${withBias} relu=${relu} [${i}]: ${v} vs ${want[i]}`));
        const back = be.fused.linearEpilogueBackward!(st(g), relu ? st(Float32Array.from(y)) : null, rows, outF, withBias)!;
        const gm = back.g ? [...be.read(back.g, { shape: [rows * outF], strides: [1], offset: 0 })] : [...g];
        assert.equal(back.g === null, !relu, 'masked gradient only with ReLU');
        gm.forEach((v, i) => assert.equal(v, relu && !(y[i]! > 0) ? 0 : g[i]!, `masked g [${i}]`));
        if (withBias) {
          const db = [...be.read(back.bias!, { shape: [outF], strides: [1], offset: 0 })];
          for (let j = 0; j < outF; j++) {
            let s = 0;
            for (let i = 0; i < rows; i++) s += gm[i * outF + j]!;
            assert.ok(Math.abs(db[j]! - s) <= 1e-5 * (1 + Math.abs(s)), `db [${j}]: ${db[j]} vs ${s}`);
          }
        } else assert.equal(back.bias, null);
      }
    }
  });

  // The op layer: fused vs composite, forward and gradients (batch dims, odd sizes, with and without bias).
  const rnd = prng(92);
  for (let c = 0; c < 10; c++) {
    const lead = c % 3 === 0 ? [randInt(rnd, 1, 3), randInt(rnd, 1, 9)] : [randInt(rnd, 1, 70)];
    const inF = randInt(rnd, 1, 40), outF = randInt(rnd, 1, 40), withBias = c % 4 !== 1, relu = c % 2 === 0;
    const seed = 900 + c;
    test(`${relu ? 'linearRelu' : 'F.linear'} ${withBias ? '+ bias ' : ''}[${lead}, ${inF}] -> ${outF}`, () => {
      const run = () => {
        const r = prng(seed);
        const x = leaf(r, [...lead, inF]), w = leaf(r, [outF, inF]), b = leaf(r, [outF]);
        const y = relu ? linearRelu(x, w, withBias ? b : null) : F.linear(x, w, withBias ? b : null);
        assert.deepEqual(y.shape, [...lead, outF]);
        backwardFrom(y, seed + 7);
        const inference = tg.noGrad(() => (relu ? linearRelu(x, w, withBias ? b : null) : F.linear(x, w, withBias ? b : null)));
        return { y: [...y.data()], inference: [...inference.data()], grads: [gradOf(x), gradOf(w), ...(withBias ? [gradOf(b)] : [])] };
      };
      const { fused, composite, used } = both(run);
      // Inputs [rows, in] take the fused kernels; inputs with batch dims keep the composite (ops/linalg.ts says why).
      if ((withBias || relu) && lead.length === 1) {
        assert.ok(used.has('linearEpilogue') && used.has('linearEpilogueBackward'), `fused kernels used: ${[...used]}`);
      }
      if (lead.length > 1) assert.ok(!used.has('linearEpilogue'), 'batch dims: the composite runs');
      close('y', fused.y, composite.y);
      close('y (inference)', fused.inference, composite.y);
      fused.grads.forEach((g, i) => close(['dx', 'dw', 'dbias'][i]!, g, composite.grads[i]!, 1e-4));
    });
  }
});

describe('optimizer updates', () => {
  const makers: [string, (p: Parameter) => optim.Optimizer<{ lr: number }>][] = [
    ['SGD', (p) => new optim.SGD([p], { lr: 0.05 })],
    ['SGD momentum, dampening, weight decay', (p) => new optim.SGD([p], { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 })],
    ['SGD nesterov, maximize', (p) => new optim.SGD([p], { lr: 0.01, momentum: 0.8, nesterov: true, maximize: true })],
    ['Adam', (p) => new optim.Adam([p], { lr: 0.1 })],
    ['Adam amsgrad, L2 weight decay, maximize', (p) => new optim.Adam([p], { lr: 0.05, amsgrad: true, weightDecay: 0.1, maximize: true })],
    ['AdamW', (p) => new optim.AdamW([p], { lr: 0.1, weightDecay: 0.1 })],
    ['AdamW amsgrad', (p) => new optim.AdamW([p], { lr: 0.02, weightDecay: 0.05, amsgrad: true, betas: [0.8, 0.9] })],
  ];
  for (const [name, make] of makers) {
    for (const n of [1, 37, 1000]) {
      test(`${name}, ${n} elements`, () => {
        const r = prng(500 + n);
        const init = values(r, n), w = values(r, n);
        const run = () => {
          const p = new Parameter(tg.tensor(init, { backend: be }));
          const wt = tg.tensor(w, { backend: be });
          const opt = make(p);
          for (let i = 0; i < 5; i++) {
            opt.zeroGrad();
            p.square().mul(wt).add(p.pow(3).div(10)).sum().backward();
            opt.step();
          }
          return [...p.data()];
        };
        const { fused, composite, used } = both(run);
        assert.ok(used.has(name.startsWith('SGD') ? 'sgdStep' : 'adamStep'), `fused kernels used: ${[...used]}`);
        close('parameter after 5 steps', fused, composite);
      });
    }
  }
});

describe('float64 on the wasm backend: the kernels decline, the composites run', () => {
  test('each float32 kernel declines float64 storages', () => {
    const k = be.fused;
    const f = (n: number) => be.alloc('float64', n), i32 = be.alloc('int32', 2);
    const p: ConvParams = { batch: 1, inChannels: 1, outChannels: 1, groups: 1, inSize: [1, 4, 4], kernelSize: [1, 1, 1],
      outSize: [1, 4, 4], stride: [1, 1, 1], padding: [0, 0, 0], dilation: [1, 1, 1] };
    const sgd = { lr: 1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true };
    const adam = { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, decoupled: false, maximize: false, step: 1 };
    assert.equal(k.sgdStep!(f(4), f(4), null, 4, sgd), false);
    assert.equal(k.adamStep!(f(4), f(4), f(4), f(4), null, 4, adam), false);
    assert.equal(k.crossEntropyRows!(f(6), i32, 2, 3, -100, 0), null);
    assert.equal(k.crossEntropyRowsBackward!(f(6), i32, f(2), 2, 3, -100, 0), null);
    assert.equal(k.crossEntropyReduced!(f(6), i32, 2, 3, -100, 0, 2), null);
    assert.equal(k.crossEntropyReducedBackward!(f(6), i32, f(1), 2, 3, -100, 0, 2), null);
    assert.equal(k.batchNormTrain!(f(6), null, null, 2, 3, 1, 1e-5), null);
    assert.equal(k.batchNormTrainBackward!(f(6), f(6), f(3), f(3), null, 2, 3, 1, 1e-5), null);
    assert.equal(k.convEpilogue!(f(16), f(1), p, { bias: null, relu: true }), null);
    assert.equal(k.convEpilogueBackward!(f(16), f(16), 1, 1, 16, true), null);
    assert.equal(k.convPoolBackward!(f(4), be.alloc('int32', 4), f(16), f(1), p), null);
    assert.equal(k.linearEpilogue!(f(6), f(6), f(3), 2, 3, 2, true), null);
    assert.equal(k.linearEpilogueBackward!(f(6), f(6), 2, 3, true), null);
  });
  test('float64 cross-entropy (composite) matches the float32 fused kernel', () => {
    const rnd = prng(77);
    const logits = values(rnd, 15), t = Int32Array.from([0, 2, 4]);
    const ce = (dtype: 'float32' | 'float64') => {
      const x = tg.tensor(logits, { shape: [3, 5], backend: be, dtype, requiresGrad: true });
      const l = F.crossEntropy(x, tg.tensor(t, { dtype: 'int32', backend: be }), { labelSmoothing: 0.1 });
      l.backward();
      return [...l.data(), ...x.grad!.data()];
    };
    close('crossEntropy float32 fused vs float64 composite', ce('float32'), ce('float64'));
  });
});
