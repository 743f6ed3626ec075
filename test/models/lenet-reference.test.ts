// Must-hold of the training issue: a tensorgrad LeNet-5 and the same network written
// out in plain float64 JavaScript loops give the same loss and the same gradients for
// one batch. The reference below uses no library code at all: every layer's forward
// and backward is written straight from its definition.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

// ---------------------------------------------------------------------------------
// Plain float64 reference (no tensorgrad calls below this line until the tests).
// ---------------------------------------------------------------------------------

type F64 = Float64Array;

/** Zero-padded, stride-1 conv: x [N,C,H,W] * w [O,C,K,K] + b [O] -> [N,O,H+2p-K+1,W+2p-K+1]. */
function conv2dForward(x: F64, N: number, C: number, H: number, W: number, w: F64, b: F64, O: number, K: number, p: number) {
  const Ho = H + 2 * p - K + 1, Wo = W + 2 * p - K + 1;
  const y = new Float64Array(N * O * Ho * Wo);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let s = b[o]!;
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < K; ki++) {
              const hi = i + ki - p;
              if (hi < 0 || hi >= H) continue;
              for (let kj = 0; kj < K; kj++) {
                const wj = j + kj - p;
                if (wj < 0 || wj >= W) continue;
                s += x[((n * C + c) * H + hi) * W + wj]! * w[((o * C + c) * K + ki) * K + kj]!;
              }
            }
          }
          y[((n * O + o) * Ho + i) * Wo + j] = s;
        }
      }
    }
  }
  return { y, Ho, Wo };
}

/** Gradients of conv2dForward w.r.t. x, w and b given dy [N,O,Ho,Wo]. */
function conv2dBackward(x: F64, N: number, C: number, H: number, W: number, w: F64, O: number, K: number, p: number, dy: F64) {
  const Ho = H + 2 * p - K + 1, Wo = W + 2 * p - K + 1;
  const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          const g = dy[((n * O + o) * Ho + i) * Wo + j]!;
          db[o] += g;
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < K; ki++) {
              const hi = i + ki - p;
              if (hi < 0 || hi >= H) continue;
              for (let kj = 0; kj < K; kj++) {
                const wj = j + kj - p;
                if (wj < 0 || wj >= W) continue;
                const xi = ((n * C + c) * H + hi) * W + wj, wi = ((o * C + c) * K + ki) * K + kj;
                dw[wi] += g * x[xi]!;
                dx[xi] += g * w[wi]!;
              }
            }
          }
        }
      }
    }
  }
  return { dx, dw, db };
}

function reluForward(x: F64): F64 {
  return x.map((v) => (v > 0 ? v : 0));
}

/** dy * 1[x > 0] where x is the ReLU's input. */
function reluBackward(x: F64, dy: F64): F64 {
  return dy.map((g, i) => (x[i]! > 0 ? g : 0));
}

/** 2x2 max pool, stride 2, over [NC,H,W]; records the flat input index of each window's max (first max wins). */
function maxPoolForward(x: F64, NC: number, H: number, W: number) {
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const y = new Float64Array(NC * Ho * Wo), arg = new Int32Array(NC * Ho * Wo);
  for (let q = 0; q < NC; q++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let best = -Infinity, bestIdx = -1;
        for (let di = 0; di < 2; di++) {
          for (let dj = 0; dj < 2; dj++) {
            const idx = (q * H + 2 * i + di) * W + 2 * j + dj;
            if (x[idx]! > best) { best = x[idx]!; bestIdx = idx; }
          }
        }
        y[(q * Ho + i) * Wo + j] = best;
        arg[(q * Ho + i) * Wo + j] = bestIdx;
      }
    }
  }
  return { y, arg, Ho, Wo };
}

/** Routes each output gradient to its window's argmax. */
function maxPoolBackward(arg: Int32Array, inputSize: number, dy: F64): F64 {
  const dx = new Float64Array(inputSize);
  for (let k = 0; k < dy.length; k++) dx[arg[k]!] += dy[k]!;
  return dx;
}

/** y [N,O] = x [N,I] W^T + b with W [O,I]. */
function linearForward(x: F64, N: number, I: number, w: F64, b: F64, O: number): F64 {
  const y = new Float64Array(N * O);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let s = b[o]!;
      for (let i = 0; i < I; i++) s += x[n * I + i]! * w[o * I + i]!;
      y[n * O + o] = s;
    }
  }
  return y;
}

function linearBackward(x: F64, N: number, I: number, w: F64, O: number, dy: F64) {
  const dx = new Float64Array(N * I), dw = new Float64Array(O * I), db = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = dy[n * O + o]!;
      db[o] += g;
      for (let i = 0; i < I; i++) {
        dw[o * I + i] += g * x[n * I + i]!;
        dx[n * I + i] += g * w[o * I + i]!;
      }
    }
  }
  return { dx, dw, db };
}

/** Mean cross-entropy over class indices, and d loss / d logits = (softmax - onehot) / N. */
function crossEntropyRef(logits: F64, N: number, C: number, labels: Int32Array) {
  let loss = 0;
  const d = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[n * C + c]!);
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(logits[n * C + c]! - m);
    const lse = m + Math.log(z);
    loss += lse - logits[n * C + labels[n]!]!;
    for (let c = 0; c < C; c++) d[n * C + c] = (Math.exp(logits[n * C + c]! - lse) - (c === labels[n] ? 1 : 0)) / N;
  }
  return { loss: loss / N, d };
}

type Params = Record<string, F64>;

/** LeNet-5 (relu variant) forward + backward for a [N,1,28,28] batch; returns loss and all gradients. */
function lenetReference(P: Params, x: F64, N: number, labels: Int32Array) {
  // features
  const c1 = conv2dForward(x, N, 1, 28, 28, P['features.0.weight']!, P['features.0.bias']!, 6, 5, 2); // [N,6,28,28]
  const r1 = reluForward(c1.y);
  const p1 = maxPoolForward(r1, N * 6, 28, 28); // [N,6,14,14]
  const c2 = conv2dForward(p1.y, N, 6, 14, 14, P['features.3.weight']!, P['features.3.bias']!, 16, 5, 0); // [N,16,10,10]
  const r2 = reluForward(c2.y);
  const p2 = maxPoolForward(r2, N * 16, 10, 10); // [N,16,5,5]
  // classifier (flatten of a contiguous [N,16,5,5] is the same buffer as [N,400])
  const f = p2.y;
  const l1 = linearForward(f, N, 400, P['classifier.1.weight']!, P['classifier.1.bias']!, 120);
  const a1 = reluForward(l1);
  const l2 = linearForward(a1, N, 120, P['classifier.3.weight']!, P['classifier.3.bias']!, 84);
  const a2 = reluForward(l2);
  const logits = linearForward(a2, N, 84, P['classifier.5.weight']!, P['classifier.5.bias']!, 10);
  const ce = crossEntropyRef(logits, N, 10, labels);

  // backward
  const g: Params = {};
  const b5 = linearBackward(a2, N, 84, P['classifier.5.weight']!, 10, ce.d);
  g['classifier.5.weight'] = b5.dw; g['classifier.5.bias'] = b5.db;
  const b3 = linearBackward(a1, N, 120, P['classifier.3.weight']!, 84, reluBackward(l2, b5.dx));
  g['classifier.3.weight'] = b3.dw; g['classifier.3.bias'] = b3.db;
  const b1 = linearBackward(f, N, 400, P['classifier.1.weight']!, 120, reluBackward(l1, b3.dx));
  g['classifier.1.weight'] = b1.dw; g['classifier.1.bias'] = b1.db;
  const dr2 = maxPoolBackward(p2.arg, r2.length, b1.dx);
  const bc2 = conv2dBackward(p1.y, N, 6, 14, 14, P['features.3.weight']!, 16, 5, 0, reluBackward(c2.y, dr2));
  g['features.3.weight'] = bc2.dw; g['features.3.bias'] = bc2.db;
  const dr1 = maxPoolBackward(p1.arg, r1.length, bc2.dx);
  const bc1 = conv2dBackward(x, N, 1, 28, 28, P['features.0.weight']!, 6, 5, 2, reluBackward(c1.y, dr1));
  g['features.0.weight'] = bc1.dw; g['features.0.bias'] = bc1.db;
  return { loss: ce.loss, logits, grads: g, dx: bc1.dx };
}

// ---------------------------------------------------------------------------------
// Seeded data shared by the library and the reference.
// ---------------------------------------------------------------------------------

const N = 4;
const SHAPES: [string, number[]][] = [
  ['features.0.weight', [6, 1, 5, 5]], ['features.0.bias', [6]],
  ['features.3.weight', [16, 6, 5, 5]], ['features.3.bias', [16]],
  ['classifier.1.weight', [120, 400]], ['classifier.1.bias', [120]],
  ['classifier.3.weight', [84, 120]], ['classifier.3.bias', [84]],
  ['classifier.5.weight', [10, 84]], ['classifier.5.bias', [10]],
];
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

function makeData(seed: number, n = N) {
  const g = new tg.Generator(seed);
  const params: Params = {};
  for (const [name, shape] of SHAPES) {
    const fanIn = numel(shape.slice(1));
    // He-style scale keeps activations O(1) through the ReLUs; biases small but non-zero.
    const scale = shape.length > 1 ? Math.sqrt(2 / fanIn) : 0.1;
    params[name] = Float64Array.from({ length: numel(shape) }, () => g.normal() * scale);
  }
  const x = Float64Array.from({ length: n * 28 * 28 }, () => g.normal());
  const labels = Int32Array.from({ length: n }, () => g.randint(0, 10));
  return { params, x, labels };
}

/** Float32-rounded copies, so the float32 comparison measures arithmetic error only. */
const roundF32 = (a: F64): F64 => Float64Array.from(a, Math.fround);

// ---------------------------------------------------------------------------------
// Building the library model.
// ---------------------------------------------------------------------------------

/**
 * tg.models.lenet5() has no dtype option (its layers do: Conv2d/Linear take `{dtype}`,
 * but LeNet5 does not pass one through), and loadStateDict copies (and casts) values
 * into the existing float32 parameters. So for float64 we swap every Parameter of the
 * built model for a float64 one; Module discovers parameters from instance properties,
 * so this is a clean, public-API way to retype a model.
 */
function lenetFloat64(params: Params) {
  const model = tg.models.lenet5();
  for (const [prefix, m] of model.namedModules()) {
    const rec = m as unknown as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      const p = rec[key];
      if (!(p instanceof tg.nn.Parameter)) continue;
      const name = prefix ? `${prefix}.${key}` : key;
      const values = params[name];
      assert.ok(values, `no reference values for parameter ${name}`);
      rec[key] = new tg.nn.Parameter(tg.tensor(values, { dtype: 'float64', shape: p.shape }));
    }
  }
  return model;
}

/** float32 path: the stock model, loaded through loadStateDict from float64 tensors (which must cast). */
function lenetFloat32(params: Params) {
  const model = tg.models.lenet5();
  const sd: Record<string, Tensor> = {};
  for (const [name, shape] of SHAPES) sd[name] = tg.tensor(params[name]!, { dtype: 'float64', shape });
  const res = model.loadStateDict(sd);
  assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  return model;
}

function runLibrary(model: ReturnType<typeof tg.models.lenet5>, dtype: 'float32' | 'float64', x: F64, labels: Int32Array) {
  const xs = tg.tensor(dtype === 'float64' ? x : Float32Array.from(x), { dtype, shape: [N, 1, 28, 28], requiresGrad: true });
  const y = tg.tensor(labels, { dtype: 'int32', shape: [N] });
  model.zeroGrad();
  const logits = model.forward(xs);
  assert.equal(logits.dtype, dtype, 'logits dtype');
  assert.deepEqual(logits.shape, [N, 10]);
  const loss = tg.F.crossEntropy(logits, y);
  assert.equal(loss.dtype, dtype, 'loss dtype');
  loss.backward();
  const grads: Record<string, Tensor | null> = {};
  for (const [name, p] of model.namedParameters()) grads[name] = p.grad;
  return { loss: loss.item(), logits: logits.data(), grads, dx: xs.grad };
}

// ---------------------------------------------------------------------------------
// Comparison.
// ---------------------------------------------------------------------------------

interface ErrStats { maxAbs: number; maxRel: number; scale: number; worst: number }

/** Worst |a - r| / (atol + rtol |r|) with atol = rtol * max|r| (a relative/absolute mix), plus plain stats. */
function compare(actual: ArrayLike<number>, ref: F64, rtol: number): ErrStats {
  assert.equal(actual.length, ref.length, 'length');
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  const atol = rtol * scale;
  let maxAbs = 0, maxRel = 0, worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = Number(actual[i]), r = ref[i]!;
    assert.ok(Number.isFinite(a), `non-finite value at ${i}: ${a}`);
    const e = Math.abs(a - r);
    maxAbs = Math.max(maxAbs, e);
    if (r !== 0) maxRel = Math.max(maxRel, e / Math.abs(r));
    worst = Math.max(worst, e / (atol + rtol * Math.abs(r) || Number.MIN_VALUE));
  }
  return { maxAbs, maxRel, scale, worst };
}

const fmt = (v: number) => v.toExponential(2);
const VERBOSE = !!process.env.LENET_REF_VERBOSE;

function checkAll(dtype: 'float32' | 'float64', lossRtol: number, gradRtol: number) {
  const { params, x, labels } = makeData(20240607);
  const P = dtype === 'float64' ? params : Object.fromEntries(Object.entries(params).map(([k, v]) => [k, roundF32(v)]));
  const xin = dtype === 'float64' ? x : roundF32(x);
  const ref = lenetReference(P, xin, N, labels);
  const model = dtype === 'float64' ? lenetFloat64(params) : lenetFloat32(params);

  // The model holds exactly the reference's numbers, in the right dtype, under the PyTorch keys.
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), SHAPES.map(([k]) => k));
  for (const [name, shape] of SHAPES) {
    assert.equal(sd[name]!.dtype, dtype, `${name} dtype`);
    assert.deepEqual(sd[name]!.shape, shape, `${name} shape`);
    assert.deepEqual(Array.from(sd[name]!.data()), Array.from(P[name]!), `${name} values`);
  }
  assert.equal(model.numParameters(), 61706);

  const lib = runLibrary(model, dtype, x, labels);
  const report: string[] = [];
  const lossRel = Math.abs(lib.loss - ref.loss) / Math.abs(ref.loss);
  report.push(`${dtype} loss lib=${lib.loss} ref=${ref.loss} rel=${fmt(lossRel)}`);
  assert.ok(lossRel <= lossRtol, `${dtype} loss: library ${lib.loss} vs reference ${ref.loss} (rel ${lossRel})`);

  const lg = compare(lib.logits, ref.logits, gradRtol);
  report.push(`${dtype} logits maxAbs=${fmt(lg.maxAbs)} maxRel=${fmt(lg.maxRel)}`);
  assert.ok(lg.worst <= 1, `${dtype} logits differ: max abs ${lg.maxAbs}`);

  const names = model.namedParameters().map(([n]) => n);
  assert.deepEqual(names, SHAPES.map(([k]) => k));
  for (const name of names) {
    const gt = lib.grads[name];
    assert.ok(gt, `${dtype} ${name}: no gradient`);
    assert.equal(gt.dtype, dtype, `${name} grad dtype`);
    assert.deepEqual(gt.shape, SHAPES.find(([k]) => k === name)![1], `${name} grad shape`);
    const s = compare(gt.data(), ref.grads[name]!, gradRtol);
    report.push(`${dtype} ${name.padEnd(20)} maxAbs=${fmt(s.maxAbs)} maxRel=${fmt(s.maxRel)} (max|g|=${fmt(s.scale)}) score=${s.worst.toFixed(3)}`);
    assert.ok(s.scale > 0, `${dtype} ${name}: reference gradient is all zero (test data too degenerate)`);
    assert.ok(s.worst <= 1, `${dtype} ${name} grad: max abs err ${s.maxAbs}, max rel err ${s.maxRel}, max |g| ${s.scale}`);
  }
  assert.ok(lib.dx, `${dtype} input: no gradient`);
  const sx = compare(lib.dx.data(), ref.dx, gradRtol);
  report.push(`${dtype} input grad          maxAbs=${fmt(sx.maxAbs)} maxRel=${fmt(sx.maxRel)} (max|g|=${fmt(sx.scale)}) score=${sx.worst.toFixed(3)}`);
  assert.ok(sx.worst <= 1, `${dtype} input grad: max abs err ${sx.maxAbs}`);
  if (VERBOSE) console.log(report.join('\n'));
}

describe('LeNet-5 vs plain float64 reference (one batch)', () => {
  test('float64 model: loss to 1e-10 relative, all gradients to 1e-9', () => {
    checkAll('float64', 1e-10, 1e-9);
  });

  test('float32 model: loss and all gradients to 1e-4', () => {
    checkAll('float32', 1e-4, 1e-4);
  });

  test('the reference itself agrees with central finite differences (spot checks)', () => {
    // One example keeps the 21 reference passes cheap; the loops do not depend on N's value.
    const n = 1;
    const { params, x, labels } = makeData(7, n);
    const base = lenetReference(params, x, n, labels);
    const h = 1e-6;
    const picks: [string, number][] = [
      ['features.0.weight', 12], ['features.0.bias', 3], ['features.3.weight', 777], ['features.3.bias', 9],
      ['classifier.1.weight', 4321], ['classifier.1.bias', 17], ['classifier.3.weight', 2000], ['classifier.3.bias', 40],
      ['classifier.5.weight', 500], ['classifier.5.bias', 6],
    ];
    for (const [name, i] of picks) {
      const plus = { ...params, [name]: params[name]!.slice() };
      const minus = { ...params, [name]: params[name]!.slice() };
      plus[name]![i] += h;
      minus[name]![i] -= h;
      const fd = (lenetReference(plus, x, n, labels).loss - lenetReference(minus, x, n, labels).loss) / (2 * h);
      const an = base.grads[name]![i]!;
      assert.ok(Math.abs(fd - an) <= 1e-6 + 1e-5 * Math.abs(an), `${name}[${i}]: analytic ${an} vs finite difference ${fd}`);
    }
  });
});
