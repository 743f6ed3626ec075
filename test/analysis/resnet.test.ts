// ResNet-18 (tg.models.resnet18, torchvision's layout): MACs at 224x224 and
// receptive fields through the residual blocks, derived by hand below. One
// forward at 224 (the summary); the receptive-field report runs at 32x32, where
// the conv/pool arithmetic gives the same fields (it does not depend on the
// input size; only the final adaptive pool does, and it is checked at 224).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

/*
 * Output sizes at 224 (convOutputSize): conv1 7x7 s2 p3: (224 + 6 - 7)/2 + 1 = 112;
 * maxpool 3 s2 p1: (112 + 2 - 3)/2 + 1 = 56; layer2..4 halve with 3x3 s2 p1 (and the
 * 1x1 s2 downsample): 28, 14, 7.
 *
 * MACs = outNumel * Cin * k*k (no groups, no bias):
 *   conv1                    112*112*64 * 3*49      = 118,013,952
 *   layer1, 4 convs          56*56*64 * 64*9        = 115,605,504 each
 *   layerN.0.conv1 (s2)      28*28*128 * 64*9       =  57,802,752  (same in layers 2, 3, 4:
 *   other 3x3 convs          28*28*128 * 128*9      = 115,605,504   channels double while
 *   layerN.0.downsample.0    28*28*128 * 64         =   6,422,528   the area quarters)
 *   fc                       1000 * 512             =     512,000
 * Total 118,013,952 + 4*115,605,504 + 3*(57,802,752 + 3*115,605,504 + 6,422,528) + 512,000
 *     = 1,814,073,344 MACs = 1.81 G (fvcore: 1.814 G; torchvision lists 1.81 "GFLOPS").
 * ptflops prints 1.82 GMac because it adds BN, ReLU and pooling element counts.
 *
 * Receptive field (r, j, u), from (1, 1, 0):
 *   conv1 7x7 s2 p3: r 7, j 2, u 0 + (3 - 3)*1 = 0
 *   maxpool 3 s2 p1: r 7 + 2*2 = 11, j 4, u 0
 *   every 3x3 p1 conv adds 2j and keeps u = 0; a 3x3 s2 p1 conv adds 2j then doubles j;
 *   the 1x1 s2 downsample adds nothing. All centred at 0, so each block's add takes the
 *   larger branch, the body:
 *   layer1: 11 + 4*(2*4) = 43                 (blocks 27, 43)
 *   layer2.0: body 43 + 2*4 = 51 (j 8), + 2*8 = 67; shortcut 43; block 67. layer2.1: 67 + 32 = 99
 *   layer3.0: 99 + 2*8 = 115 (j 16), + 32 = 147; layer3.1: 147 + 64 = 211
 *   layer4.0: 211 + 2*16 = 243 (j 32), + 64 = 307; layer4.1: 307 + 128 = 435
 *   avgpool (adaptive 7 -> 1 = 7x7 s7): r 435 + 6*32 = 627, j 224, u 0 + 3*32 = 96
 *   fc after flatten: global.
 */

const sq = (size: number, jump: number, start: number) => ({ size: [size, size], jump: [jump, jump], start: [start, start] });

describe('ResNet-18', () => {
  const model = tg.models.resnet18();

  test('summary at 224x224: MACs per conv and in total, parameters, fields', () => {
    const s = tg.analysis.summary(model, [1, 3, 224, 224]);
    assert.equal(s.macs, 1_814_073_344);
    assert.equal(tg.analysis.humanCount(s.macs), '1.81 G');
    assert.equal(s.totalParams, 11_689_512);

    const convMacs = new Map(s.rows.filter((r) => r.type === 'Conv2d' || r.type === 'Linear').map((r) => [r.name, r.macs]));
    const want = new Map<string, number>([['conv1', 118_013_952], ['fc', 512_000]]);
    for (const b of ['layer1.0', 'layer1.1']) for (const c of ['conv1', 'conv2']) want.set(`${b}.${c}`, 115_605_504);
    for (const l of ['layer2', 'layer3', 'layer4']) {
      want.set(`${l}.0.conv1`, 57_802_752);
      want.set(`${l}.0.conv2`, 115_605_504);
      want.set(`${l}.0.downsample.0`, 6_422_528);
      want.set(`${l}.1.conv1`, 115_605_504);
      want.set(`${l}.1.conv2`, 115_605_504);
    }
    assert.deepEqual(convMacs, want);
    assert.deepEqual(s.rows.find((r) => r.name === 'conv1')!.outputShape, [1, 64, 112, 112]);
    assert.deepEqual(s.rows.find((r) => r.name === 'layer4.1.conv2')!.outputShape, [1, 512, 7, 7]);

    const rf = (name: string) => s.rows.filter((r) => r.name === name).map((r) => r.receptiveField);
    assert.deepEqual(rf('conv1'), [sq(7, 2, 0)]);
    assert.deepEqual(rf('maxpool'), [sq(11, 4, 0)]);
    // The block's ReLU is called twice: after bn1, and after the residual add.
    assert.deepEqual(rf('layer4.1.relu'), [sq(371, 32, 0), sq(435, 32, 0)]);
    assert.deepEqual(rf('avgpool'), [sq(627, 224, 96)]);
    assert.deepEqual(rf('fc'), ['global']);
  });

  test('receptive field of every stage by the max-over-branches rule', () => {
    const f = new Map(tg.analysis.receptiveField(model, [1, 3, 32, 32]).layers.map((l) => [l.name, l.field]));
    const size = (name: string) => {
      const v = f.get(name);
      return v && v !== 'global' ? v.size[0] : v;
    };
    assert.deepEqual(
      ['maxpool', 'layer1.0', 'layer1', 'layer2.0.downsample', 'layer2.0.bn2', 'layer2.0', 'layer2', 'layer3.0', 'layer3', 'layer4.0', 'layer4'].map(size),
      [11, 27, 43, 43, 67, 67, 99, 147, 211, 307, 435],
    );
    assert.deepEqual(f.get('layer4'), sq(435, 32, 0));
    assert.equal(f.get(''), 'global');
  });
});
