/**
 * The exporter writes no dead code: every node reaches the output and every
 * initializer is read (ResNet-20's option-A shortcut used to leave two Slice
 * nodes over zero constants baked at the traced batch size, 98.7 kB of its
 * 1.2 MB file). And no constant depends on the sample's batch size: the zoo's
 * small models traced at batch 2 run in onnxruntime at batch 5 and 1.
 * pruneGraph itself on a hand-made graph.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import * as tg from '../../src/index.js';
import { pruneGraph } from '../../src/onnx/export-prune.js';
import { checkAgainstOrt, randomizeBatchNorm } from './export-helpers.js';

const { onnx } = onnxProto;

/** Dead nodes and unread initializers of an ONNX file (should be none). */
function deadCode(bytes: Uint8Array): { nodes: string[]; initializers: string[] } {
  const g = onnx.ModelProto.decode(bytes).graph!;
  const copy = { node: [...g.node!], initializer: [...g.initializer!], output: g.output! };
  pruneGraph(copy);
  const liveNodes = new Set(copy.node), liveInits = new Set(copy.initializer);
  return {
    nodes: g.node!.filter((n) => !liveNodes.has(n)).map((n) => `${n.opType} ${n.name}`),
    initializers: g.initializer!.filter((t) => !liveInits.has(t)).map((t) => `${t.name} [${t.dims!.join(', ')}]`),
  };
}

describe('exported files hold no dead code and no batch-size constant', () => {
  const zoo: [string, () => tg.nn.Module, number[]][] = [
    ['lenet5', () => tg.models.lenet5(), [1, 28, 28]],
    ['mlp', () => tg.models.mlp({ sizes: [784, 32, 10], batchNorm: true }), [1, 28, 28]],
    ['resnet20', () => tg.models.resnet20(), [3, 32, 32]],
    ['nin', () => tg.models.nin(), [3, 32, 32]],
  ];
  for (const [name, make, shape] of zoo) {
    test(`${name}: traced at batch 2, runs at batch 5 and 1; nothing dead`, async () => {
      tg.manualSeed(11);
      const m = make();
      randomizeBatchNorm(m);
      const { bytes } = await checkAgainstOrt(m, shape, { batches: [2, 5, 1] });
      assert.deepEqual(deadCode(bytes), { nodes: [], initializers: [] });
      const graph = onnx.ModelProto.decode(bytes).graph!;
      const state = new Set(Object.keys(m.stateDict()));
      // Constants the trace made (Constant nodes; initializers are weights only) never carry the traced
      // batch size 2 as their leading dim unless they are tiny shape vectors (int64 [1]/[k] axes and sizes).
      const constants = [...graph.initializer!, ...graph.node!.filter((n) => n.opType === 'Constant').map((n) => n.attribute![0]!.t!)];
      for (const t of constants) {
        if (state.has(t.name!)) continue;
        const dims = t.dims!.map(Number);
        assert.ok(!(dims.length > 1 && dims[0] === 2), `constant ${t.name} [${dims.join(', ')}] looks batch-sized`);
      }
    });
  }

  test('ResNet-20: the option-A shortcut leaves no Slice over batch-sized zeros; the file shrank', async () => {
    tg.manualSeed(4);
    const m = tg.models.resnet20();
    const bytes = tg.onnx.exportModel(m.eval(), tg.randn([2, 3, 32, 32]));
    const g = onnx.ModelProto.decode(bytes).graph!;
    // 75 computing nodes plus 9 Constant nodes (shapes, axes: not weights, so not initializers);
    // the initializers are the stateDict less the 19 num_batches_tracked counters.
    assert.equal(g.node!.filter((n) => n.opType !== 'Constant').length, 75);
    assert.equal(g.node!.filter((n) => n.opType === 'Constant').length, 9);
    assert.equal(g.initializer!.length, 97);
    assert.ok(bytes.length < 1_100_000, `${bytes.length} bytes (1,195,576 before pruning)`);
  });
});

describe('pruneGraph', () => {
  test('drops nodes that reach no output and initializers nothing reads; keeps order', () => {
    const node = (name: string, input: string[], output: string[]) => ({ name, opType: 'Add', input, output });
    const g = {
      node: [node('a', ['x', 'w1'], ['h']), node('dead1', ['w2', 'w2'], ['d']), node('b', ['h', 'w1'], ['y']), node('dead2', ['d', 'h'], ['e'])],
      initializer: [{ name: 'w1' }, { name: 'w2' }, { name: 'unused' }, { name: 'y_const' }],
      output: [{ name: 'y' }],
    };
    assert.deepEqual(pruneGraph(g), { nodes: 2, initializers: 3 });
    assert.deepEqual(g.node.map((n) => n.name), ['a', 'b']);
    assert.deepEqual(g.initializer.map((t) => t.name), ['w1']);
    const passThrough = { node: [], initializer: [{ name: 'c' }], output: [{ name: 'c' }] };
    assert.deepEqual(pruneGraph(passThrough), { nodes: 0, initializers: 0 }, 'an initializer that is itself an output stays');
  });
});
