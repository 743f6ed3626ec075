// The exporter writes only the model's weights (stateDict entries) as initializers: every other
// constant (shapes, scalars made in forward, adaptive pooling's averaging matrices, the unit
// scale/zero bias of a norm without affine parameters) is a Constant node. Importers, loadModel
// included, take float initializers for trainable weights, so a re-imported model must train
// exactly the parameters the original had (issue 13).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { maxAbsDiff, runOrt } from './export-helpers.js';

const { onnx } = onnxProto;
const { nn } = tg;

/** A model whose forward makes float constants: x * 2 + 1 around a Linear. */
class MulAdd extends nn.Module {
  fc = new nn.Linear(4, 3);
  forward(x: Tensor): Tensor { return this.fc.forward(x.mul(2).add(1)); }
}

/** A model with a non-persistent buffer (not in the stateDict): it must become a Constant too. */
class WithScratchBuffer extends nn.Module {
  fc = new nn.Linear(4, 4);
  constructor() {
    super();
    this.registerBuffer('shift', tg.tensor([0.5, -1, 2, 0.25]), false);
  }
  forward(x: Tensor): Tensor { return this.fc.forward(x).add(this.getBuffer('shift')!); }
}

interface Case { name: string; build: () => tg.nn.Module; sample: number[]; constants: boolean }

const CASES: Case[] = [
  { name: 'LeNet-5', build: () => tg.models.lenet5(), sample: [2, 1, 28, 28], constants: false },
  {
    name: 'AdaptiveAvgPool2d 5x7 -> 3x2 (averaging matrices) after a conv',
    build: () => new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.AdaptiveAvgPool2d([3, 2]), new nn.Flatten(), new nn.Linear(18, 4)),
    sample: [2, 2, 5, 7], constants: true,
  },
  {
    name: 'GroupNorm, LayerNorm, InstanceNorm2d and BatchNorm2d without affine parameters',
    build: () => new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.GroupNorm(2, 4, { affine: false }),
      new nn.LayerNorm([4, 6, 6], { elementwiseAffine: false }), new nn.InstanceNorm2d(4),
      new nn.BatchNorm2d(4, { affine: false }), new nn.Flatten(), new nn.Linear(144, 3),
    ),
    sample: [2, 2, 6, 6], constants: true,
  },
  { name: 'x.mul(2).add(1) in forward', build: () => new MulAdd(), sample: [3, 4], constants: true },
  { name: 'a non-persistent buffer', build: () => new WithScratchBuffer(), sample: [3, 4], constants: true },
];

/** The stateDict keys the exported graph uses (num_batches_tracked is not read by eval-mode batch norm). */
function expectedInitializers(m: tg.nn.Module): string[] {
  return Object.keys(m.stateDict()).filter((k) => !k.endsWith('num_batches_tracked')).sort();
}

describe('onnx.exportModel: only stateDict entries are initializers', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      tg.manualSeed(13);
      const model = c.build();
      model.eval();
      const x = tg.randn(c.sample);
      const bytes = tg.onnx.exportModel(model, x);
      const proto = onnx.ModelProto.decode(bytes);
      const graph = proto.graph!;
      const inits = (graph.initializer ?? []).map((t) => t.name ?? '');
      assert.deepEqual([...inits].sort(), expectedInitializers(model));

      // Every constant is a Constant node with a tensor value; none shares a name with a weight.
      const constants = (graph.node ?? []).filter((n) => n.opType === 'Constant');
      if (c.constants) assert.ok(constants.length > 0, 'expected Constant nodes');
      for (const n of constants) {
        assert.equal(n.output?.length, 1);
        assert.ok(!inits.includes(n.output![0]!), `Constant '${n.output![0]}' shadows an initializer`);
        const value = n.attribute?.find((a) => a.name === 'value');
        assert.ok(value?.t, `Constant '${n.output![0]}' has a tensor value`);
      }

      // The file still computes the model (ONNX Runtime), and re-imported it trains the same parameters.
      const want = (model.forward(x) as Tensor).data();
      const ort = await runOrt(bytes, x);
      assert.ok(maxAbsDiff(ort.data, want) <= 1e-4, `ORT differs by ${maxAbsDiff(ort.data, want)}`);
      const loaded = tg.onnx.loadModel(bytes);
      assert.equal(loaded.parameters().length, model.parameters().length);
      const numel = (ps: readonly Tensor[]) => ps.reduce((s, p) => s + p.numel(), 0);
      assert.equal(numel(loaded.parameters()), numel(model.parameters()));
      loaded.eval();
      assert.ok(maxAbsDiff((loaded.forward(x) as Tensor).data(), want) <= 1e-4);
    });
  }

  test('AlexNet at 64x64: the adaptive 6x6 pool from a 1x1 map writes Constant matrices, not initializers', { skip: process.env.TENSORGRAD_BACKEND === 'reference' ? 'slow on the reference backend' : false }, () => {
    tg.manualSeed(14);
    const model = tg.models.alexnet({ numClasses: 10 });
    const proto = onnx.ModelProto.decode(tg.onnx.exportModel(model, tg.randn([1, 3, 64, 64])));
    assert.deepEqual((proto.graph!.initializer ?? []).map((t) => t.name ?? '').sort(), expectedInitializers(model));
    const matrices = (proto.graph!.node ?? []).filter((n) => n.opType === 'Constant' && (n.attribute?.[0]?.t?.dims?.length ?? 0) === 2);
    assert.ok(matrices.length >= 2, `expected the averaging matrices as Constant nodes (got ${matrices.length})`);
  });
});
