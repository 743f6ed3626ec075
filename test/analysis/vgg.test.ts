// VGG-16: receptive fields, parameters and MACs at 224x224 without a forward at
// 224 (about 31 GFLOP) and without building the 138M-parameter model (its
// initialisation alone takes minutes on a shared machine):
// - the convolutional trunk is rebuilt from tg.models.VGG_CONFIGS[16] by the rule
//   the VGG class uses (each number: 3x3 conv, padding 1, then ReLU; 'M': 2x2
//   max pool, stride 2), with the real channel counts, and summarised at 32x32;
// - receptive fields of conv and max-pool layers do not depend on the input size,
//   so the 32x32 trace gives the 224x224 fields;
// - every map at 224 is exactly 7x the one at 32 per side (3x3 p1 convs keep the
//   size, each pool halves: 32 -> 16 -> 8 -> 4 -> 2 -> 1 and 224 -> 112 -> 56 -> 28
//   -> 14 -> 7), so each conv's MACs at 224 are 49x those at 32;
// - the classifier (25088 -> 4096 -> 4096 -> 1000 after the 7x7 adaptive pool) has
//   the same cost at any input size and is counted from its shapes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

const { nn } = tg;

/** VGG's `features` for a config, as the VGG class builds it (without batch norm). */
function vggTrunk(cfg: readonly (number | 'M')[]): tg.nn.Sequential {
  const layers: tg.nn.Module[] = [];
  let c = 3;
  for (const v of cfg) {
    if (v === 'M') layers.push(new nn.MaxPool2d(2, { stride: 2 }));
    else layers.push(new nn.Conv2d(c, v, 3, { padding: 1 }), new nn.ReLU());
    if (v !== 'M') c = v;
  }
  return new nn.Sequential(...layers);
}

/*
 * Receptive field (r, j, u) from (1, 1, 0); a 3x3 p1 conv adds 2j (u unchanged),
 * a 2x2 s2 pool adds j, doubles j and moves u by j/2:
 *   block1: conv 3, conv 5, pool 6 (j 2, u 0.5)
 *   block2: 6 + 4 = 10, 14, pool 16 (j 4, u 1.5)
 *   block3: 16 + 8 = 24, 32, 40, pool 44 (j 8, u 3.5)
 *   block4: 44 + 16 = 60, 76, 92, pool 100 (j 16, u 7.5)
 *   block5: 100 + 32 = 132, 164, 196 (the last conv, features.28), pool5 196 + 16 = 212 (j 32, u 15.5)
 *
 * MACs at 224 (outNumel * Cin * 9):
 *   block1 at 224^2 = 50,176: 50,176*64*3*9 = 86,704,128; 50,176*64*64*9 = 1,849,688,064
 *   block2 at 112^2: 12,544*128*64*9 = 924,844,032; 12,544*128*128*9 = 1,849,688,064
 *   block3 at 56^2: 924,844,032; 2 x 1,849,688,064
 *   block4 at 28^2: 924,844,032; 2 x 1,849,688,064
 *   block5 at 14^2: 3 x 196*512*512*9 = 3 x 462,422,016
 *   convs: 15,346,630,656 (= 49 x 313,196,544 at 32x32)
 *   classifier: 25,088*4,096 + 4,096*4,096 + 4,096*1,000 = 123,633,664
 *   total 15,470,264,320 = 15.47 G (torchvision lists 15.47 GFLOPS for VGG-16)
 * Parameters: convs 14,714,688 (sum of Cout*(Cin*9 + 1)); classifier
 *   25,088*4,096 + 4,096 + 4,096*4,096 + 4,096 + 4,096*1,000 + 1,000 = 123,642,856;
 *   total 138,357,544 (torchvision's count).
 */

describe('VGG-16', () => {
  const trunk = vggTrunk(tg.models.VGG_CONFIGS[16]);
  const s = tg.analysis.summary(trunk, [1, 3, 32, 32]);
  const convs = s.rows.filter((r) => r.type === 'Conv2d');
  const pools = s.rows.filter((r) => r.type === 'MaxPool2d');
  const size = (f: unknown) => (f as { size: number[] }).size[0];

  test('receptive fields of every conv and pool', () => {
    assert.deepEqual(convs.map((r) => size(r.receptiveField)), [3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]);
    assert.deepEqual(pools.map((r) => size(r.receptiveField)), [6, 16, 44, 100, 212]);
    assert.equal(convs[convs.length - 1]!.name, '28'); // features.28 in the VGG class
    assert.deepEqual(convs[convs.length - 1]!.receptiveField, { size: [196, 196], jump: [16, 16], start: [7.5, 7.5] });
    assert.deepEqual(pools[4]!.receptiveField, { size: [212, 212], jump: [32, 32], start: [15.5, 15.5] });
  });

  test('every map at 224 is 7x the one at 32', () => {
    let [a, b] = [32, 224];
    for (const v of tg.models.VGG_CONFIGS[16]) {
      const k = v === 'M' ? { kernel: 2, stride: 2 } : { kernel: 3, padding: 1 };
      [a, b] = [tg.analysis.convOutputSize(a, k), tg.analysis.convOutputSize(b, k)];
      assert.equal(b, 7 * a);
    }
    assert.deepEqual([a, b], [1, 7]);
  });

  test('MACs and parameters at 224x224', () => {
    const at224 = convs.map((r) => 49 * r.macs);
    assert.deepEqual(at224, [
      86_704_128, 1_849_688_064,
      924_844_032, 1_849_688_064,
      924_844_032, 1_849_688_064, 1_849_688_064,
      924_844_032, 1_849_688_064, 1_849_688_064,
      462_422_016, 462_422_016, 462_422_016,
    ]);
    const convMacs = 49 * s.macs;
    assert.equal(s.macs, 313_196_544);
    assert.equal(convMacs, 15_346_630_656);
    const classifierMacs = 25_088 * 4_096 + 4_096 * 4_096 + 4_096 * 1_000;
    assert.equal(convMacs + classifierMacs, 15_470_264_320);
    assert.equal(tg.analysis.humanCount(convMacs + classifierMacs), '15.47 G');

    assert.equal(s.totalParams, 14_714_688);
    const classifierParams = 25_088 * 4_096 + 4_096 + 4_096 * 4_096 + 4_096 + 4_096 * 1_000 + 1_000;
    assert.equal(s.totalParams + classifierParams, 138_357_544);
  });
});
