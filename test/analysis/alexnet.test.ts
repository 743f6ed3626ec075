// AlexNet (tg.models.alexnet, torchvision's layout) at 224x224: per-layer output
// shapes, parameters, MACs and receptive fields, derived by hand below. One forward.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

/*
 * Sizes (convOutputSize / pooling, floor mode):
 *   conv1 11x11 s4 p2: (224 + 4 - 11)/4 + 1 = 55     pool1 3 s2: (55 - 3)/2 + 1 = 27
 *   conv2 5x5 p2: 27                                  pool2: (27 - 3)/2 + 1 = 13
 *   conv3..5 3x3 p1: 13                               pool3: (13 - 3)/2 + 1 = 6
 *   avgpool adaptive 6x6: 6 -> 6 (identity)           flatten: 256*6*6 = 9216
 *
 * layer          params (Cout*Cin*k*k + Cout)          MACs (outNumel * Cin * k*k)
 *   features.0     64*3*121 + 64     =     23,296      55*55*64 * 3*121     =  70,276,800
 *   features.3     192*64*25 + 192   =    307,392      27*27*192 * 64*25    = 223,948,800
 *   features.6     384*192*9 + 384   =    663,936      13*13*384 * 192*9    = 112,140,288
 *   features.8     256*384*9 + 256   =    884,992      13*13*256 * 384*9    = 149,520,384
 *   features.10    256*256*9 + 256   =    590,080      13*13*256 * 256*9    =  99,680,256
 *   classifier.1   9216*4096 + 4096  = 37,752,832      4096 * 9216          =  37,748,736
 *   classifier.4   4096*4096 + 4096  = 16,781,312      4096 * 4096          =  16,777,216
 *   classifier.6   4096*1000 + 1000  =  4,097,000      1000 * 4096          =   4,096,000
 * Totals: 61,100,840 parameters (torchvision's count); 714,188,480 MACs = 0.71 G
 * (torchvision lists 0.71 GFLOPS, counting multiply-adds).
 *
 * Receptive field (r, j, u) from (1, 1, 0), u' = u + ((k-1)/2 - p) j:
 *   conv1 k11 s4 p2: r 11,             j 4,  u 0 + (5 - 2)*1 = 3
 *   pool1 k3 s2:     r 11 + 2*4 = 19,  j 8,  u 3 + 1*4 = 7
 *   conv2 k5 p2:     r 19 + 4*8 = 51,  j 8,  u 7 + (2 - 2)*8 = 7
 *   pool2 k3 s2:     r 51 + 2*8 = 67,  j 16, u 7 + 1*8 = 15
 *   conv3 k3 p1:     r 67 + 2*16 = 99; conv4: 131; conv5 (the last conv): 163, j 16, u 15
 *   pool3 k3 s2:     r 163 + 2*16 = 195, j 32, u 15 + 16 = 31  (Araujo et al. list 195 for AlexNet)
 *   avgpool 6 -> 6:  kernel 1, unchanged
 */

const sq = (size: number, jump: number, start: number) => ({ size: [size, size], jump: [jump, jump], start: [start, start] });

describe('AlexNet at 224x224', () => {
  const s = tg.analysis.summary(tg.models.alexnet(), [1, 3, 224, 224]);
  const row = (name: string) => s.rows.find((r) => r.name === name)!;

  test('parameters and MACs of every conv and linear layer', () => {
    const got = s.rows.filter((r) => r.macs > 0).map((r) => [r.name, r.outputShape, r.trainableParams, r.macs]);
    assert.deepEqual(got, [
      ['features.0', [1, 64, 55, 55], 23_296, 70_276_800],
      ['features.3', [1, 192, 27, 27], 307_392, 223_948_800],
      ['features.6', [1, 384, 13, 13], 663_936, 112_140_288],
      ['features.8', [1, 256, 13, 13], 884_992, 149_520_384],
      ['features.10', [1, 256, 13, 13], 590_080, 99_680_256],
      ['classifier.1', [1, 4096], 37_752_832, 37_748_736],
      ['classifier.4', [1, 4096], 16_781_312, 16_777_216],
      ['classifier.6', [1, 1000], 4_097_000, 4_096_000],
    ]);
    assert.equal(s.totalParams, 61_100_840);
    assert.equal(s.macs, 714_188_480);
    assert.equal(tg.analysis.humanCount(s.macs), '714.19 M');
    assert.ok(s.rows.filter((r) => r.type === 'Conv2d' || r.type === 'Linear').every((r) => r.flops === 2 * r.macs));
  });

  test('receptive fields', () => {
    assert.deepEqual(row('features.0').receptiveField, sq(11, 4, 3));
    assert.deepEqual(row('features.2').receptiveField, sq(19, 8, 7));
    assert.deepEqual(row('features.3').receptiveField, sq(51, 8, 7));
    assert.deepEqual(row('features.5').receptiveField, sq(67, 16, 15));
    assert.deepEqual(row('features.6').receptiveField, sq(99, 16, 15));
    assert.deepEqual(row('features.8').receptiveField, sq(131, 16, 15));
    assert.deepEqual(row('features.10').receptiveField, sq(163, 16, 15)); // the last conv
    assert.deepEqual(row('features.12').receptiveField, sq(195, 32, 31)); // pool5
    assert.deepEqual(row('avgpool').outputShape, [1, 256, 6, 6]);
    assert.deepEqual(row('avgpool').receptiveField, sq(195, 32, 31));
    assert.equal(row('classifier.1').receptiveField, 'global');
  });
});
