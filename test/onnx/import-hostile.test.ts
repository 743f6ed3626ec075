/**
 * Hand-made hostile ONNX files: each gives one TensorError that names the
 * problem (unsupported ops listed at once with counts, external data, data
 * that does not match dims, huge or negative dims, cycles, missing inputs,
 * run-time shapes above the element budget).
 */
import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import * as tg from '../../src/index.js';
import { loadModel } from '../../src/onnx/import.js';

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.IGraphProto;

function model(graph: Partial<Graph>): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } }],
      output: [{ name: 'y' }],
      ...graph,
    },
  }).finish();
}
const weight = (dims: number[], extra: Partial<onnxProto.onnx.ITensorProto> = {}) => ({ name: 'w', dims, dataType: 1, floatData: new Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), ...extra });
const rejects = (bytes: Uint8Array | string, re: RegExp) => assert.throws(() => loadModel(bytes), (e: Error) => e instanceof tg.TensorError && re.test(e.message));

test('a valid hand-made graph loads and runs', () => {
  const m = loadModel(model({ node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }], initializer: [weight([4, 2])] }));
  assert.deepEqual((m.forward(tg.ones([3, 4])) as tg.Tensor).toArray(), [[2, 2], [2, 2], [2, 2]]);
});

test('unsupported ops: one error listing all with counts', () => {
  rejects(model({ node: [
    { opType: 'Foo', input: ['x'], output: ['a'] }, { opType: 'Foo', input: ['a'], output: ['b'] },
    { opType: 'Bar', input: ['b'], output: ['y'] }, { opType: 'Relu', input: ['x'], output: ['z'] },
  ] }), /^onnx\.loadModel: unsupported ONNX ops: Foo \(2\), Bar \(1\) \(supported: Abs, Add, .*Relu/);
});

test('hostile structure and data are rejected with a clear message', () => {
  const mm = (w: object) => model({ node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }], initializer: [w] });
  rejects(new Uint8Array(0), /the file is empty/);
  rejects(new TextEncoder().encode('definitely not a protobuf'), /not a valid ONNX file/);
  rejects(mm(weight([4, 2]), ).subarray(0, 40), /not a valid ONNX file|no graph|reads|needs/);
  rejects(mm(weight([4, 2], { floatData: [1, 2, 3] })), /tensor 'w' of float32 dims \[4,2\] needs 8 values, found 3 in float_data/);
  rejects(mm({ name: 'w', dims: [4, 2], dataType: 1, rawData: new Uint8Array(31) }), /needs 32 bytes of raw_data, found 31/);
  rejects(mm({ name: 'w', dims: [2 ** 20, 2 ** 20], dataType: 1, rawData: new Uint8Array(4) }), /hold more than 2147483647 elements/);
  rejects(mm({ name: 'w', dims: [-3, 2], dataType: 1, floatData: [] }), /invalid dim -3/);
  rejects(mm({ name: 'w', dims: [4, 2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }), /external file/);
  rejects(model({ node: [{ opType: 'Relu', input: ['b'], output: ['a'] }, { opType: 'Relu', input: ['a'], output: ['b'] }, { opType: 'Relu', input: ['b'], output: ['y'] }] }), /cycle/);
  rejects(model({ node: [{ opType: 'Add', input: ['x', 'nowhere'], output: ['y'] }] }), /reads 'nowhere', which no node, initializer or graph input defines/);
  rejects(model({ node: [{ opType: 'Relu', input: ['x'], output: ['y'] }, { opType: 'Relu', input: ['x'], output: ['y'] }] }), /'y' is produced twice/);
  rejects(model({ node: [{ opType: 'Relu', input: ['x'], output: ['z'] }] }), /graph output 'y' is not produced/);
});

test('run-time shapes above the element budget are refused before allocating', () => {
  const m = loadModel(model({
    node: [
      { opType: 'Constant', output: ['s'], attribute: [{ name: 'value', type: 4, t: { dims: [2], dataType: 7, int64Data: [100000, 100000] } }] },
      { opType: 'ConstantOfShape', input: ['s'], output: ['big'] },
      { opType: 'Add', input: ['x', 'big'], output: ['y'] },
    ],
  }));
  assert.throws(() => m.forward(tg.ones([1, 4])), /ConstantOfShape.*more than 16777216 elements/);
  const p = loadModel(model({
    node: [
      { opType: 'Constant', output: ['p'], attribute: [{ name: 'value', type: 4, t: { dims: [4], dataType: 7, int64Data: [0, 60000, 0, 60000] } }] },
      { opType: 'Pad', input: ['x', 'p'], output: ['y'] },
    ],
  }), { maxElements: 1 << 20 });
  assert.throws(() => p.forward(tg.ones([60000, 4])), /node '.*' \(Pad\): output \[120000, 4\] would have 480000 elements|more than the limit/);
});
