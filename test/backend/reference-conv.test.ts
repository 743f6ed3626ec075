import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvParams } from '../../src/backend/backend.js';
import type { DType, TypedArray } from '../../src/core/dtype.js';
import { convBackwardInput, convBackwardWeight, convForward } from '../../src/backend/reference/conv.js';
import { prng, randInt } from '../helpers/prng.js';

type Triple = [number, number, number];



function randomArray(rnd: () => number, n: number, dtype: DType): TypedArray {
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rnd() * 2 - 1;
  return a;
}

const numelOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const xLen = (p: ConvParams): number => p.batch * p.inChannels * numelOf(p.inSize);
const wLen = (p: ConvParams): number => p.outChannels * (p.inChannels / p.groups) * numelOf(p.kernelSize);
const yLen = (p: ConvParams): number => p.batch * p.outChannels * numelOf(p.outSize);

/**
 * A random conv geometry. Spatial dims beyond `rank` are the size-1 leading dims
 * that 1-D / 2-D convolutions use. Padding after ranges over -1..2 (independent
 * of padding before), so outputs may be asymmetric, may stop short of the input's
 * end, and may consist purely of padding at the edges.
 */
function randomParams(rnd: () => number, opts: { negativePadding?: boolean } = {}): ConvParams {
  const rank = randInt(rnd, 1, 3);
  const maxExtra = rank === 3 ? 2 : rank === 2 ? 4 : 7; // keeps the naive reference fast
  const inSize: Triple = [1, 1, 1];
  const kernelSize: Triple = [1, 1, 1];
  const outSize: Triple = [1, 1, 1];
  const stride: Triple = [1, 1, 1];
  const padding: Triple = [0, 0, 0];
  const dilation: Triple = [1, 1, 1];
  for (let d = 3 - rank; d < 3; d++) {
    const k = randInt(rnd, 1, 4);
    const s = randInt(rnd, 1, 3);
    const dil = randInt(rnd, 1, 2);
    const pBefore = randInt(rnd, opts.negativePadding ? -1 : 0, 2);
    const pAfter = randInt(rnd, -1, 2);
    const span = dil * (k - 1) + 1;
    const minIn = Math.max(1, span - pBefore - pAfter);
    const inD = randInt(rnd, minIn, minIn + maxExtra);
    kernelSize[d] = k;
    stride[d] = s;
    dilation[d] = dil;
    padding[d] = pBefore;
    inSize[d] = inD;
    // What a caller computes from explicit before/after padding.
    outSize[d] = Math.floor((inD + pBefore + pAfter - span) / s) + 1;
  }
  const groups = randInt(rnd, 1, 3);
  return {
    batch: randInt(rnd, 1, 2),
    inChannels: groups * randInt(rnd, 1, 3),
    outChannels: groups * randInt(rnd, 1, 3),
    groups,
    inSize,
    kernelSize,
    outSize,
    stride,
    padding,
    dilation,
  };
}

/** Obviously-correct forward, straight from the formula, in float64. */
function naiveForward(x: ArrayLike<number>, w: ArrayLike<number>, p: ConvParams): Float64Array {
  const [D, H, W] = p.inSize;
  const [kD, kH, kW] = p.kernelSize;
  const [oD, oH, oW] = p.outSize;
  const cinG = p.inChannels / p.groups;
  const coutG = p.outChannels / p.groups;
  const y = new Float64Array(yLen(p));
  for (let n = 0; n < p.batch; n++)
    for (let co = 0; co < p.outChannels; co++)
      for (let od = 0; od < oD; od++)
        for (let oh = 0; oh < oH; oh++)
          for (let ow = 0; ow < oW; ow++) {
            const g = Math.floor(co / coutG);
            let sum = 0;
            for (let ci = 0; ci < cinG; ci++)
              for (let kd = 0; kd < kD; kd++)
                for (let kh = 0; kh < kH; kh++)
                  for (let kw = 0; kw < kW; kw++) {
                    const id = od * p.stride[0] - p.padding[0] + kd * p.dilation[0];
                    const ih = oh * p.stride[1] - p.padding[1] + kh * p.dilation[1];
                    const iw = ow * p.stride[2] - p.padding[2] + kw * p.dilation[2];
                    if (id < 0 || id >= D || ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                    const xi = (((n * p.inChannels + g * cinG + ci) * D + id) * H + ih) * W + iw;
                    const wi = (((co * cinG + ci) * kD + kd) * kH + kh) * kW + kw;
                    sum += x[xi]! * w[wi]!;
                  }
            y[(((n * p.outChannels + co) * oD + od) * oH + oh) * oW + ow] = sum;
          }
  return y;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const absOf = (a: TypedArray): Float64Array => Float64Array.from(a, Math.abs);

/** max |a - ref| / max |ref| (normwise relative error). */
function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  assert.equal(a.length, ref.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? err : err / scale;
}

const describe = (p: ConvParams): string => JSON.stringify(p);

for (const [dtype, tol, seed] of [['float64', 1e-12, 1], ['float32', 1e-5, 2]] as const) {
  test(`convForward matches the naive formula (${dtype}, random sweep)`, () => {
    const rnd = prng(seed);
    let maxErr = 0;
    const cases = 300;
    for (let c = 0; c < cases; c++) {
      const p = randomParams(rnd);
      const x = randomArray(rnd, xLen(p), dtype);
      const w = randomArray(rnd, wLen(p), dtype);
      const y = convForward(x, w, p, dtype);
      assert.ok(dtype === 'float32' ? y instanceof Float32Array : y instanceof Float64Array);
      const e = relErr(y, naiveForward(x, w, p));
      maxErr = Math.max(maxErr, e);
      assert.ok(e <= tol, `case ${c}: rel err ${e} > ${tol} for ${describe(p)}`);
    }
    console.log(`  ${dtype} forward: ${cases} cases, max rel err ${maxErr.toExponential(2)}`);
  });
}

/**
 * <conv(x,w), gy> = <x, convBackwardInput(gy,w)> = <w, convBackwardWeight(x,gy)>.
 * The tolerance is relative to the same inner product over |x|, |w|, |gy|, which
 * bounds the rounding error of all three sums (a cancellation-proof scale).
 */
function checkAdjoint(rnd: () => number, p: ConvParams): number {
  const x = randomArray(rnd, xLen(p), 'float64');
  const w = randomArray(rnd, wLen(p), 'float64');
  const gy = randomArray(rnd, yLen(p), 'float64');
  const viaY = dot(convForward(x, w, p, 'float64'), gy);
  const viaX = dot(x, convBackwardInput(gy, w, p, 'float64'));
  const viaW = dot(w, convBackwardWeight(x, gy, p, 'float64'));
  const scale = dot(convForward(absOf(x), absOf(w), p, 'float64'), absOf(gy)) || 1;
  const e = Math.max(Math.abs(viaY - viaX), Math.abs(viaY - viaW)) / scale;
  assert.ok(e <= 1e-10, `adjoint mismatch ${viaY} / ${viaX} / ${viaW} (rel ${e}) for ${describe(p)}`);
  return e;
}

test('backward kernels are adjoints of the forward (random sweep)', () => {
  const rnd = prng(3);
  let maxErr = 0;
  const cases = 400;
  for (let c = 0; c < cases; c++) maxErr = Math.max(maxErr, checkAdjoint(rnd, randomParams(rnd)));
  console.log(`  adjoint: ${cases} cases, max rel err ${maxErr.toExponential(2)}`);
});

test('adjoint identities with negative (cropping) padding', () => {
  const rnd = prng(4);
  for (let c = 0; c < 100; c++) checkAdjoint(rnd, randomParams(rnd, { negativePadding: true }));
});

const conv1d = (inW: number, k: number, outW: number, stride = 1, pad = 0, dil = 1): ConvParams => ({
  batch: 1, inChannels: 1, outChannels: 1, groups: 1,
  inSize: [1, 1, inW], kernelSize: [1, 1, k], outSize: [1, 1, outW],
  stride: [1, 1, stride], padding: [0, 0, pad], dilation: [1, 1, dil],
});

test('stride larger than the kernel: unread inputs get zero gradient', () => {
  // Reads x[0], x[3], x[6] only.
  const p = conv1d(8, 1, 3, 3);
  const gx = convBackwardInput(new Float64Array([1, 2, 3]), new Float64Array([10]), p, 'float64');
  assert.deepEqual(Array.from(gx), [10, 0, 0, 20, 0, 0, 30, 0]);
  const gw = convBackwardWeight(new Float64Array([1, 9, 9, 2, 9, 9, 3, 9]), new Float64Array([1, 1, 1]), p, 'float64');
  assert.deepEqual(Array.from(gw), [6]);
  checkAdjoint(prng(5), { ...p, batch: 2, inChannels: 4, outChannels: 2, groups: 2, inSize: [3, 1, 8], kernelSize: [1, 1, 1], outSize: [1, 1, 3], stride: [3, 1, 3] });
});

test('hand-computed 2-D example with padding', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], 2x2 kernel of ones.
  const x = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = new Float64Array([1, 1, 1, 1]);
  const base = { batch: 1, inChannels: 1, outChannels: 1, groups: 1, stride: [1, 1, 1], dilation: [1, 1, 1] } as const;
  const valid = convForward(x, w, { ...base, inSize: [1, 3, 3], kernelSize: [1, 2, 2], outSize: [1, 2, 2], padding: [0, 0, 0] }, 'float64');
  assert.deepEqual(Array.from(valid), [12, 16, 24, 28]);
  // Padding 1 before, 0 after (asymmetric): out 3x3, top-left is x[0][0] alone.
  const padded = convForward(x, w, { ...base, inSize: [1, 3, 3], kernelSize: [1, 2, 2], outSize: [1, 3, 3], padding: [0, 1, 1] }, 'float64');
  assert.deepEqual(Array.from(padded), [1, 3, 5, 5, 12, 16, 11, 24, 28]);
  // Output larger than the input allows: positions entirely in padding read 0.
  const wide = convForward(new Float64Array([1, 2]), new Float64Array([1]), conv1d(2, 1, 4, 1, 1), 'float64');
  assert.deepEqual(Array.from(wide), [0, 1, 2, 0]);
});

test('float32 backward kernels match float64 and return Float32Array', () => {
  const rnd = prng(6);
  for (let c = 0; c < 50; c++) {
    const p = randomParams(rnd);
    const x = randomArray(rnd, xLen(p), 'float32');
    const w = randomArray(rnd, wLen(p), 'float32');
    const gy = randomArray(rnd, yLen(p), 'float32');
    const gx32 = convBackwardInput(gy, w, p, 'float32');
    const gw32 = convBackwardWeight(x, gy, p, 'float32');
    assert.ok(gx32 instanceof Float32Array && gw32 instanceof Float32Array);
    // Same float32 inputs, float64 outputs: only the final store rounds.
    assert.ok(relErr(gx32, convBackwardInput(gy, w, p, 'float64')) <= 1e-6);
    assert.ok(relErr(gw32, convBackwardWeight(x, gy, p, 'float64')) <= 1e-6);
  }
});

test('empty outputs and invalid arguments', () => {
  const p = conv1d(3, 1, 0);
  assert.equal(convForward(new Float64Array(3), new Float64Array(1), p, 'float64').length, 0);
  assert.deepEqual(Array.from(convBackwardInput(new Float64Array(0), new Float64Array([2]), p, 'float64')), [0, 0, 0]);
  assert.deepEqual(Array.from(convBackwardWeight(new Float64Array(3), new Float64Array(0), p, 'float64')), [0]);
  assert.throws(() => convForward(new Float64Array(4), new Float64Array(1), conv1d(3, 1, 3), 'float64'), /x has 4 elements/);
  assert.throws(() => convForward(new Float64Array(6), new Float64Array(2), { ...conv1d(3, 1, 3), inChannels: 2, outChannels: 1, groups: 2 }, 'float64'), /divisible/);
});
