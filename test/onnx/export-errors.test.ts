// onnx.exportModel: what it refuses and how it says so (the op or layer class and its module
// path), options, names and static batch, and that an export leaves the model as it was.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { checkAgainstOrt } from './export-helpers.js';

const { nn } = tg;
const { onnx } = onnxProto;
const exportModel = tg.onnx.exportModel;

class Masked extends nn.Module {
  fc = new nn.Linear(4, 4);
  forward(x: Tensor): Tensor { return tg.where(x.gt(0), this.fc.forward(x), 0); }
}
class RawConv extends nn.Module {
  w = new nn.Parameter(tg.randn([2, 3, 3, 3]));
  forward(x: Tensor): Tensor { return tg.F.conv2d(x, this.w); }
}
class Atan2 extends nn.Module {
  forward(x: Tensor): Tensor { return tg.atan2(x, x.add(1)); }
}

describe('onnx.exportModel refuses what ONNX (or the trace) cannot express, naming the module', () => {
  test('a layer without running statistics: class and path', () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.Sequential(new nn.ReLU(), new nn.BatchNorm2d(2, { trackRunningStats: false })));
    assert.throws(() => exportModel(m, tg.randn([1, 1, 5, 5])), /^TensorError: onnx\.exportModel: cannot export BatchNorm2d at '1\.1': .*running statistics/);
  });
  test('adaptive max pooling of uneven sizes', () => {
    const m = new nn.Sequential(new nn.AdaptiveMaxPool2d(3));
    assert.throws(() => exportModel(m, tg.randn([1, 1, 5, 5])), /cannot export AdaptiveMaxPool2d at '0': adaptive pooling \[5,5\] -> \[3,3\]/);
  });
  test('a tensor op without an ONNX form: op name, module class and path', () => {
    const m = new nn.Sequential(new nn.Linear(3, 3), new Atan2());
    assert.throws(() => exportModel(m, tg.randn([2, 3])), /cannot export Atan2 at '1': tensor op 'atan2' has no ONNX translation/);
  });
  test('a raw functional convolution points to the layer', () => {
    assert.throws(() => exportModel(new RawConv(), tg.randn([1, 3, 5, 5])), /cannot export RawConv at '' \(the model itself\): tensor op 'conv' .*nn\.Conv2d/);
  });
  test('a comparison mask (not recorded, so possibly input-dependent) is refused, not frozen', () => {
    assert.throws(() => exportModel(new Masked(), tg.randn([2, 4])), /cannot export Masked at '' .*tensor of dtype bool \[2,4\].*cannot see/);
  });
  test('a reshape that merges the batch dim needs a static batch', async () => {
    class Merge extends nn.Module { forward(x: Tensor): Tensor { return x.reshape([-1]).relu(); } }
    assert.throws(() => exportModel(new Merge(), tg.randn([2, 3])), /reshape \[2,3\] -> \[6\] mixes the batch dim.*dynamicBatch: false/);
    await checkAgainstOrt(new Merge(), [3], { batches: [2], opts: { dynamicBatch: false } });
  });
});

describe('onnx.exportModel options', () => {
  const m = () => new nn.Sequential(new nn.Linear(3, 2));
  test('opset below 17 or above 22 is refused with the range', () => {
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { opset: 13 }), /opset must be an integer from 17 to 22 \(got 13\); opsets before 17 lack/);
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { opset: 23 }), /from 17 to 22 \(got 23\)/);
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { opset: 17.5 }), /integer/);
  });
  test('bad options, inputs and models', () => {
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { dynamicBatch: 'yes' as never }), /dynamicBatch must be true or false/);
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { opst: 18 } as never), /unknown option\(s\) 'opst'/);
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { names: { input: 'x', output: 'x' } }), /must differ/);
    assert.throws(() => exportModel(m(), tg.randn([1, 3]), { names: { inpt: 'x' } as never }), /unknown key 'inpt' in names/);
    assert.throws(() => exportModel(m(), tg.ones([1, 3], { dtype: 'int32' })), /sampleInput must be a non-empty floating tensor/);
    assert.throws(() => exportModel({} as never, tg.randn([1, 3])), /model must be an nn\.Module/);
    assert.throws(() => exportModel(m(), [1, 2, 3] as never), /sampleInput must be a Tensor/);
  });
  test('names: the graph input and output take them', async () => {
    tg.manualSeed(3);
    const model = m().eval();
    const bytes = exportModel(model, tg.randn([2, 3]), { names: { input: 'pixels', output: 'logits' } });
    const s = await ort.InferenceSession.create(bytes);
    assert.deepEqual([s.inputNames, s.outputNames], [['pixels'], ['logits']]);
  });
  test('dynamicBatch: false fixes the batch at the sample size', async () => {
    const bytes = exportModel(m(), tg.randn([4, 3]), { dynamicBatch: false });
    const g = onnx.ModelProto.decode(bytes).graph!;
    assert.equal(Number(g.input![0]!.type!.tensorType!.shape!.dim![0]!.dimValue), 4);
    assert.equal(Number(g.output![0]!.type!.tensorType!.shape!.dim![0]!.dimValue), 4);
    const s = await ort.InferenceSession.create(bytes);
    await assert.rejects(s.run({ input: new ort.Tensor('float32', new Float32Array(6), [2, 3]) }));
  });
  test('a model that returns its input exports as Identity', async () => {
    const bytes = exportModel(new nn.Identity(), tg.randn([2, 3]));
    const s = await ort.InferenceSession.create(bytes);
    const r = await s.run({ input: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]) });
    assert.deepEqual([...(r.output!.data as Float32Array)], [1, 2, 3]);
  });
});

describe('onnx.exportModel leaves the model as it was', () => {
  test('training flags, forwards and parameters are restored, also after a failed export', () => {
    tg.manualSeed(5);
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Dropout(0.5), new Atan2());
    const forwards = model.modules().map((mod) => mod.forward);
    const before = model.stateDict()['0.weight']!.data().slice();
    assert.throws(() => exportModel(model, tg.randn([1, 1, 6, 6])), /Atan2/);
    assert.ok(model.modules().every((mod) => mod.training), 'still in training mode');
    assert.ok(model.modules().every((mod, i) => mod.forward === forwards[i]), 'forwards restored');
    model.at(5).forward = ((x: Tensor) => x) as never;
    exportModel(model, tg.randn([1, 1, 6, 6]));
    assert.deepEqual(model.stateDict()['0.weight']!.data(), before);
    assert.ok(model.modules().every((mod) => mod.training));
    // No tracer left behind: ops record normally and backward works.
    model.eval();
    const y = model.forward(tg.randn([2, 1, 6, 6], { requiresGrad: true })) as Tensor;
    y.sum().backward();
    assert.ok(model.at(0).parameters()[0]!.grad);
  });
});

describe('onnx.exportModel and forward hooks', () => {
  test('a capture hook is fine; a hook that replaces a layer\'s output is refused', async () => {
    tg.manualSeed(9);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    let seen: unknown = null;
    const capture = model.at(1).registerForwardHook((_m, _i, out) => { seen = out; });
    await checkAgainstOrt(model, [3]);
    assert.ok(seen);
    capture.remove();
    model.at(1).registerForwardHook((_m, _i, out) => (out as Tensor).mul(2));
    assert.throws(() => exportModel(model, tg.randn([2, 3])), /cannot export ReLU at '1': a forward hook or a replaced forward changes the layer's output/);
    const other = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU());
    other.at(1).forward = ((x: Tensor) => x.sigmoid()) as never;
    assert.throws(() => exportModel(other, tg.randn([2, 3])), /cannot export ReLU at '1': a forward hook or a replaced forward/);
  });
});

describe('onnx.exportModel with a batch-1 sample and a dynamic batch', () => {
  test('traces at batch 2, so an inserted dim of size 1 is not taken for the batch dim', () => {
    class Lead extends nn.Module { forward(x: Tensor): Tensor { return x.unsqueeze(0).relu(); } }
    assert.throws(() => exportModel(new Lead(), tg.randn([1, 3])), /reshape \[2,3\] -> \[1,2,3\] mixes the batch dim/);
  });
});
