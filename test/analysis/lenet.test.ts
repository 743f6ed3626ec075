// Summary and receptive fields of LeNet-5 (tg.models.lenet5, ReLU + max-pool variant)
// at 28x28, every number derived by hand below.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

/*
 * Hand derivation, input [1, 1, 28, 28]:
 *
 * layer          output         params                 MACs (outNumel * Cin/g * k*k)    FLOPs
 * features.0     [1,6,28,28]    6*1*5*5 + 6 = 156      4704 * 1 * 25 = 117,600          2 * MACs = 235,200
 *   (out = (28 + 2*2 - 5)/1 + 1 = 28)
 * features.1     ReLU           0                      0                                1 per elt = 4,704
 * features.2     [1,6,14,14]    0                      0                                1176 outputs * 2*2 taps = 4,704
 * features.3     [1,16,10,10]   16*6*25 + 16 = 2,416   1600 * 6 * 25 = 240,000          480,000
 *   (out = 14 - 5 + 1 = 10)
 * features.4     ReLU           0                      0                                1,600
 * features.5     [1,16,5,5]     0                      0                                400 * 4 = 1,600
 * classifier.0   [1,400]        Flatten                0                                0
 * classifier.1   [1,120]        400*120 + 120 = 48,120 120 * 400 = 48,000               96,000
 * classifier.2   ReLU                                                                   120
 * classifier.3   [1,84]         120*84 + 84 = 10,164   84 * 120 = 10,080                20,160
 * classifier.4   ReLU                                                                   84
 * classifier.5   [1,10]         84*10 + 10 = 850       10 * 84 = 840                    1,680
 *
 * Total params 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
 * Total MACs 117,600 + 240,000 + 48,000 + 10,080 + 840 = 416,520.
 * Total FLOPs 2 * 416,520 + ReLUs (4,704 + 1,600 + 120 + 84) + pools (4,704 + 1,600) = 845,852.
 * Activations per sample 2*4,704 + 1,176 + 2*1,600 + 2*400 + 2*120 + 2*84 + 10 = 15,002.
 *
 * Receptive field (r size, j jump, u start; per spatial dim, both dims alike), from
 * r' = r + (k-1) d j,  j' = j s,  u' = u + ((k-1) d / 2 - p) j, starting at (1, 1, 0):
 * conv1 k5 s1 p2: r = 1 + 4*1 = 5,  j = 1, u = 0 + (2 - 2)*1 = 0
 * pool1 k2 s2 p0: r = 5 + 1*1 = 6,  j = 2, u = 0 + (0.5 - 0)*1 = 0.5
 * conv2 k5 s1 p0: r = 6 + 4*2 = 14, j = 2, u = 0.5 + (2 - 0)*2 = 4.5
 * pool2 k2 s2 p0: r = 14 + 1*2 = 16, j = 4, u = 4.5 + 0.5*2 = 5.5
 * ReLUs keep the field of their input; Flatten merges the spatial axes: global from there on.
 */

const field = (size: number, jump: number, start: number) => ({ size: [size, size], jump: [jump, jump], start: [start, start] });

describe('LeNet-5 at 28x28', () => {
  const model = tg.models.lenet5();
  const s = tg.analysis.summary(model, [1, 1, 28, 28]);

  test('per-layer shapes, params, MACs, FLOPs and receptive fields', () => {
    const want: [string, string, number[], number, number, number, unknown][] = [
      ['features.0', 'Conv2d', [1, 6, 28, 28], 156, 117_600, 235_200, field(5, 1, 0)],
      ['features.1', 'ReLU', [1, 6, 28, 28], 0, 0, 4_704, field(5, 1, 0)],
      ['features.2', 'MaxPool2d', [1, 6, 14, 14], 0, 0, 4_704, field(6, 2, 0.5)],
      ['features.3', 'Conv2d', [1, 16, 10, 10], 2_416, 240_000, 480_000, field(14, 2, 4.5)],
      ['features.4', 'ReLU', [1, 16, 10, 10], 0, 0, 1_600, field(14, 2, 4.5)],
      ['features.5', 'MaxPool2d', [1, 16, 5, 5], 0, 0, 1_600, field(16, 4, 5.5)],
      ['classifier.0', 'Flatten', [1, 400], 0, 0, 0, 'global'],
      ['classifier.1', 'Linear', [1, 120], 48_120, 48_000, 96_000, 'global'],
      ['classifier.2', 'ReLU', [1, 120], 0, 0, 120, 'global'],
      ['classifier.3', 'Linear', [1, 84], 10_164, 10_080, 20_160, 'global'],
      ['classifier.4', 'ReLU', [1, 84], 0, 0, 84, 'global'],
      ['classifier.5', 'Linear', [1, 10], 850, 840, 1_680, 'global'],
    ];
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape, r.trainableParams + r.frozenParams, r.macs, r.flops, r.receptiveField]),
      want,
    );
  });

  test('totals', () => {
    assert.equal(s.totalParams, 61_706);
    assert.equal(s.trainableParams, 61_706);
    assert.equal(s.frozenParams, 0);
    assert.equal(s.macs, 416_520);
    assert.equal(s.flops, 845_852);
    assert.equal(s.activationElements, 15_002);
    assert.equal(s.receptiveField, 'global');
  });

  test('text table: name, type, shape and params first (the CLI prints this)', () => {
    assert.match(s.text, /features\.0\s+Conv2d\s+\[1, 6, 28, 28\]\s+156\s+117,600\s+235,200\s+5\s+1\s+0\n/);
    assert.match(s.text, /features\.5\s+MaxPool2d\s+\[1, 16, 5, 5\]\s+0\s+0\s+1,600\s+16\s+4\s+5\.5\n/);
    assert.match(s.text, /classifier\.1\s+Linear\s+\[1, 120\]\s+48,120\s+48,000\s+96,000\s+global\n/);
    assert.match(s.text, /Total params: 61,706 \(trainable 61,706, frozen 0\)/);
    assert.match(s.text, /Total MACs: 416,520 \(416\.52 K\), FLOPs: 845,852 \(845\.85 K\)/);
    assert.match(s.text, /Activation memory per sample: 15,002 values/);
    // Aligned: every table line is as wide as the rule (trailing blanks trimmed).
    const lines = s.text.split('\n');
    const width = lines[1]!.length;
    for (const l of lines.slice(2, 2 + 2 + s.rows.length + 1)) assert.ok(l.length <= width, l);
  });

  test('receptiveField lists every module, containers after their layers', () => {
    const rf = tg.analysis.receptiveField(model, [1, 1, 28, 28]);
    const byName = new Map(rf.layers.map((l) => [l.name, l.field]));
    assert.deepEqual(byName.get('features.0'), field(5, 1, 0));
    assert.deepEqual(byName.get('features.2'), field(6, 2, 0.5));
    assert.deepEqual(byName.get('features.3'), field(14, 2, 4.5));
    assert.deepEqual(byName.get('features'), field(16, 4, 5.5));
    assert.equal(byName.get('classifier'), 'global');
    assert.equal(rf.output, 'global');
    assert.deepEqual(rf.lastSpatial, { name: 'features', type: 'Sequential', field: field(16, 4, 5.5) });
    assert.deepEqual(rf.layers.map((l) => l.name).slice(0, 7), [0, 1, 2, 3, 4, 5].map((i) => `features.${i}`).concat('features'));
    assert.equal(rf.layers[rf.layers.length - 1]!.name, '');
  });

  test('frozen parameters are counted apart and get their own column', () => {
    const m = tg.models.lenet5();
    m.features.at(0).requiresGrad_(false);
    const f = tg.analysis.summary(m, [1, 1, 28, 28]);
    assert.equal(f.frozenParams, 156);
    assert.equal(f.trainableParams, 61_550);
    assert.deepEqual([f.rows[0]!.trainableParams, f.rows[0]!.frozenParams], [0, 156]);
    assert.match(f.text, /features\.0\s+Conv2d\s+\[1, 6, 28, 28\]\s+156\s+156\s+117,600/);
    assert.match(f.text, /Total params: 61,706 \(trainable 61,550, frozen 156\)/);
    // The field is traced through frozen layers too (the input carries the graph).
    assert.deepEqual(f.rows[5]!.receptiveField, field(16, 4, 5.5));
  });

  test('summary restores each module\'s training flag', () => {
    const m = tg.models.lenet5();
    m.classifier.eval();
    tg.analysis.summary(m, [2, 1, 28, 28]);
    assert.equal(m.training, true);
    assert.equal(m.features.training, true);
    assert.equal(m.classifier.training, false);
  });

  test('MACs count the whole batch; activation memory is per sample', () => {
    const b = tg.analysis.summary(model, [4, 1, 28, 28]);
    assert.equal(b.macs, 4 * 416_520);
    assert.equal(b.activationElements, 15_002);
  });

  test('bad input shapes are rejected with the op name', () => {
    assert.throws(() => tg.analysis.summary(model, [1, 1, 0, 28]), /summary: inputShape must be positive integers/);
    assert.throws(() => tg.analysis.receptiveField(model, []), /receptiveField: inputShape must be positive integers/);
  });
});
