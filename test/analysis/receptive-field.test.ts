// Receptive-field rules on small hand-built networks; every expected value is
// derived by hand in the comments with
//   r' = r + (k-1) d j,   j' = j s,   u' = u + ((k-1) d / 2 - p) j
// from the input pixel (r, j, u) = (1, 1, 0), and the union of windows where
// branches meet (lo = u - (r-1)/2, hi = u + (r-1)/2).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const { nn, F } = tg;
const sq = (size: number, jump: number, start: number) => ({ size: [size, size], jump: [jump, jump], start: [start, start] });
const fields = (model: tg.nn.Module, shape: number[]) =>
  new Map(tg.analysis.receptiveField(model, shape).layers.map((l) => [l.name, l.field]));

describe('residual networks: the largest branch wins', () => {
  // Input [1, 1, 16, 16].
  // stem 3x3 p1:                      r = 1 + 2 = 3, j = 1, u = 0
  // block1 body: 3x3 p1, ReLU, 3x3 p1: r = 3 + 2 = 5, then 7; identity shortcut: 3.
  //   Both centred at 0, so the union is the larger: 7.
  // block2 body: 1x1 s2 p0:           r = 7 + 0 = 7,  j = 2, u = 0 + (0 - 0)*1 = 0
  //   shortcut: 5x5 s2 p2:            r = 7 + 4*1 = 11, j = 2, u = 0 + (2 - 2)*1 = 0
  //   sum: the union is the shortcut's 11 (here the shortcut is the larger branch).
  // block3 body: 3x3 p1 at j = 2:     r = 11 + 2*2 = 15; identity 11: 15.
  const net = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.Residual(
      new nn.Sequential(new nn.Conv2d(4, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.Conv2d(4, 4, 3, { padding: 1 })),
      { activation: new nn.ReLU() },
    ),
    new nn.Residual(new nn.Conv2d(4, 8, 1, { stride: 2 }), { shortcut: new nn.Conv2d(4, 8, 5, { stride: 2, padding: 2 }) }),
    new nn.Residual(new nn.Conv2d(8, 8, 3, { padding: 1 })),
  );

  test('per-layer fields and the max-over-branches rule', () => {
    const f = fields(net, [1, 1, 16, 16]);
    assert.deepEqual(f.get('0'), sq(3, 1, 0));
    assert.deepEqual(f.get('1.body.0'), sq(5, 1, 0));
    assert.deepEqual(f.get('1.body.2'), sq(7, 1, 0));
    assert.deepEqual(f.get('1.body'), sq(7, 1, 0));
    assert.deepEqual(f.get('1.activation'), sq(7, 1, 0)); // after the add: max(7, 3)
    assert.deepEqual(f.get('1'), sq(7, 1, 0));
    assert.deepEqual(f.get('2.body'), sq(7, 2, 0));
    assert.deepEqual(f.get('2.shortcut'), sq(11, 2, 0));
    assert.deepEqual(f.get('2'), sq(11, 2, 0)); // max(7, 11): the shortcut's
    assert.deepEqual(f.get('3.body'), sq(15, 2, 0));
    assert.deepEqual(f.get('3'), sq(15, 2, 0)); // max(15, 11)
    assert.deepEqual(f.get(''), sq(15, 2, 0));
  });

  test('summary rows carry the same fields; MACs by hand', () => {
    const s = tg.analysis.summary(net, [1, 1, 16, 16]);
    // MACs = outNumel * Cin * k*k: stem 4*256*1*9 = 9,216; block1 convs 4*256*4*9 = 36,864 each;
    // block2 body 8*64*4*1 = 2,048, shortcut 8*64*4*25 = 51,200; block3 8*64*8*9 = 36,864.
    assert.deepEqual(s.rows.map((r) => [r.name, r.macs]), [
      ['0', 9_216], ['1.body.0', 36_864], ['1.body.1', 0], ['1.body.2', 36_864], ['1.activation', 0],
      ['2.body', 2_048], ['2.shortcut', 51_200], ['3.body', 36_864],
    ]);
    assert.equal(s.macs, 9_216 + 2 * 36_864 + 2_048 + 51_200 + 36_864);
    assert.deepEqual(s.rows.map((r) => r.receptiveField && r.receptiveField !== 'global' ? r.receptiveField.size[0] : r.receptiveField),
      [3, 5, 5, 7, 7, 7, 11, 15]);
    assert.deepEqual(s.receptiveField, sq(15, 2, 0));
  });

  test('functional branches in a custom forward are followed too (channel concat)', () => {
    // Inception-like: a = 1x1 (r 1), b = two 3x3 p1 (r 3, then 5); cat over channels: union = 5.
    class TwoBranch extends nn.Module {
      a = new nn.Conv2d(1, 2, 1);
      b1 = new nn.Conv2d(1, 2, 3, { padding: 1 });
      b2 = new nn.Conv2d(2, 2, 3, { padding: 1 });
      forward(x: Tensor): Tensor {
        return tg.cat([this.a.forward(x), F.relu(this.b2.forward(this.b1.forward(x)))], 1);
      }
    }
    const f = fields(new TwoBranch(), [1, 1, 9, 9]);
    assert.deepEqual(f.get('a'), sq(1, 1, 0));
    assert.deepEqual(f.get('b2'), sq(5, 1, 0));
    assert.deepEqual(f.get(''), sq(5, 1, 0));
  });
});

describe('layer rules', () => {
  test('dilation', () => {
    // 3x3 d2 p2: r = 1 + 2*2*1 = 5, u = 0 + (2 - 2) = 0;
    // then 3x3 s2 d3 p3: r = 5 + 2*3*1 = 11, j = 2, u = 0 + (3 - 3)*1 = 0.
    const f = fields(new nn.Sequential(new nn.Conv2d(1, 1, 3, { dilation: 2, padding: 2 }), new nn.Conv2d(1, 1, 3, { stride: 2, dilation: 3, padding: 3 })), [1, 1, 20, 20]);
    assert.deepEqual(f.get('0'), sq(5, 1, 0));
    assert.deepEqual(f.get('1'), sq(11, 2, 0));
  });

  test('per-dim fields: a 3x5 kernel, and a 1-D conv', () => {
    // [3,5] kernel, padding [1,0]: H: r 3, u 0 + (1 - 1) = 0; W: r 5, u 0 + (2 - 0) = 2.
    const s = tg.analysis.summary(new nn.Sequential(new nn.Conv2d(1, 1, [3, 5], { padding: [1, 0] })), [1, 1, 8, 8]);
    assert.deepEqual(s.rows[0]!.receptiveField, { size: [3, 5], jump: [1, 1], start: [0, 2] });
    assert.match(s.text, /3x5\s+1\s+0x2\n/);
    // Conv1d k5 s2 p0 on [1, 1, 20]: r 5, j 2, u 0 + (2 - 0) = 2.
    assert.deepEqual(fields(new nn.Conv1d(1, 1, 5, { stride: 2 }), [1, 1, 20]).get(''), { size: [5], jump: [2], start: [2] });
  });

  test("padding 'same' with an even kernel, and reflect padding", () => {
    // k4 'same': total 3, before floor(3/2) = 1: r 4, u = 0 + (1.5 - 1) = 0.5.
    assert.deepEqual(fields(new nn.Conv1d(1, 1, 4, { padding: 'same' }), [1, 1, 9]).get(''), { size: [4], jump: [1], start: [0.5] });
    // Reflect padding is built from slices, flips and a cat along the spatial axes; it
    // must read like zero padding: 3x3 p1 -> r 3, u 0.
    assert.deepEqual(fields(new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: 'reflect' }), [1, 1, 6, 6]).get(''), sq(3, 1, 0));
    assert.deepEqual(fields(new nn.Conv2d(1, 1, 3, { padding: 2, paddingMode: 'circular' }), [1, 1, 6, 6]).get(''), sq(3, 1, -1));
  });

  test('pools: strided, average, adaptive', () => {
    // AvgPool 3 s2 p1: r 3, j 2, u 0 + (1 - 1) = 0.
    assert.deepEqual(fields(new nn.AvgPool2d(3, { stride: 2, padding: 1 }), [1, 1, 8, 8]).get(''), sq(3, 2, 0));
    // Adaptive 6 -> 3 is a 2x2 s2 pool: r 2, j 2, u 0.5.
    assert.deepEqual(fields(new nn.AdaptiveAvgPool2d(3), [1, 1, 6, 6]).get(''), sq(2, 2, 0.5));
    // Adaptive max 5 -> 3: windows [0,2) [1,4) [3,5): the largest is 3 wide -> r 3;
    // mean stride 5/3; window 0 centred at 0.5.
    assert.deepEqual(fields(new nn.AdaptiveMaxPool2d(3), [1, 1, 5, 5]).get(''), sq(3, 5 / 3, 0.5));
    // MaxPool 3 s2 p1 after the stem of a ResNet (7x7 s2 p3: r 7, j 2, u 0): r 7 + 2*2 = 11, j 4, u 0.
    const stem = new nn.Sequential(new nn.Conv2d(1, 1, 7, { stride: 2, padding: 3 }), new nn.MaxPool2d(3, { stride: 2, padding: 1 }));
    assert.deepEqual(fields(stem, [1, 1, 32, 32]).get('1'), sq(11, 4, 0));
  });

  test('transposed convolution', () => {
    // conv 3x3 s2 p1: r 3, j 2, u 0. convT k4 s2 p1 (stride read as 1/2):
    // j = 2/2 = 1; r = 3 + floor(3*1/2)*2 = 5 (z[o] gets y[i] for o = 2i - 1 + t, t < 4: two
    // neighbouring y, i.e. x[2i-1 .. 2i+3]: 5 pixels); u = 0 + (1 - 1.5)*2/2 = -0.5
    // (z[0] is centred at -1, z[1] at 1: -0.5 on average over the two phases).
    const net = new nn.Sequential(new nn.Conv2d(1, 1, 3, { stride: 2, padding: 1 }), new nn.ConvTranspose2d(1, 1, 4, { stride: 2, padding: 1 }));
    assert.deepEqual(fields(net, [1, 1, 16, 16]).get('1'), sq(5, 1, -0.5));
  });

  test('global once spatial structure is gone; kept through channel-only ops', () => {
    class MeanPool extends nn.Module {
      forward(x: Tensor): Tensor { return x.mean([2, 3]); }
    }
    class ChannelsLastLinear extends nn.Module {
      lin = new nn.Linear(2, 3);
      forward(x: Tensor): Tensor { return this.lin.forward(x.permute([0, 2, 3, 1])).permute([0, 3, 1, 2]); }
    }
    class FlattenSpatial extends nn.Module {
      forward(x: Tensor): Tensor { return x.flatten(2); }
    }
    const conv = () => new nn.Conv2d(1, 2, 3);
    // conv 3x3 p0: r 3, u 1.
    assert.equal(fields(new nn.Sequential(conv(), new MeanPool()), [1, 1, 6, 6]).get(''), 'global');
    assert.equal(fields(new nn.Sequential(conv(), new FlattenSpatial()), [1, 1, 6, 6]).get(''), 'global');
    assert.equal(fields(new nn.Sequential(conv(), new nn.Linear(4, 5)), [1, 1, 6, 6]).get('1'), 'global'); // Linear over W
    // A Linear over the channels (a 1x1 conv) keeps the field, through permutes.
    assert.deepEqual(fields(new nn.Sequential(conv(), new ChannelsLastLinear()), [1, 1, 6, 6]).get('1'), sq(3, 1, 1));
    // Batch norm (eval), dropout and activations keep it.
    const keep = new nn.Sequential(conv(), new nn.BatchNorm2d(2), new nn.Dropout(0.5), new nn.Sigmoid());
    assert.deepEqual(fields(keep, [1, 1, 6, 6]).get(''), sq(3, 1, 1));
  });

  test('no spatial dims: no field', () => {
    const s = tg.analysis.summary(tg.models.mlp({ sizes: [6, 4, 2] }), [3, 6]);
    assert.ok(s.rows.every((r) => r.receptiveField === null));
    assert.equal(s.receptiveField, null);
    assert.match(s.text, /Receptive field of the output: -/);
  });
});

describe('conv arithmetic re-exported', () => {
  test('convOutputSize and convTransposeOutputSize', () => {
    assert.equal(tg.analysis.convOutputSize(224, { kernel: 11, stride: 4, padding: 2 }), 55);
    assert.equal(tg.analysis.convOutputSize(55, { kernel: 3, stride: 2 }), 27);
    assert.equal(tg.analysis.convOutputSize(32, { kernel: 3, padding: 2, dilation: 2 }), 32);
    assert.equal(tg.analysis.convTransposeOutputSize(16, { kernel: 4, stride: 2, padding: 1 }), 32);
  });
});
