/**
 * Per-op import checks against onnxruntime-node, beyond the list:
 * Pad (constant/reflect/edge/wrap, negative pads, axes input), Gather
 * (negative indices, 2-D indices, axis 1), Flatten axes, Shape start/end,
 * Reshape (0 and -1, allowzero), the remaining activations and unary math,
 * Div/Sub/Equal broadcasting, MatMul batched broadcasting, Dropout (eval),
 * BatchNormalization (eval). Forward within 1e-5, backward finite.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import { checkAgainstOrt, floatInit, intInit, single, type NodeSpec } from './import-ops-helpers.js';

const x = (shape: number[]) => [{ name: 'x', shape }];

describe('onnx import ops vs onnxruntime: more ops', () => {
  test('Pad: modes constant/reflect/edge (opset 13), wrap and axes (opset 19), negative pads', async () => {
    const value = { name: 'v', dims: [], values: [0.75] };
    await checkAgainstOrt('Pad constant', single('Pad', [2, 3, 4], { mode: 'constant' }, [intInit('p', [0, 1, 2, 0, 0, 1]), value], 13));
    await checkAgainstOrt('Pad reflect', { ...single('Pad', [1, 2, 4, 5], { mode: 'reflect' }, [intInit('p', [0, 0, 2, 1, 0, 0, 1, 3])], 13), gradcheck: [0] });
    await checkAgainstOrt('Pad edge', single('Pad', [1, 2, 4, 5], { mode: 'edge' }, [intInit('p', [0, 0, 3, 0, 0, 0, 1, 2])], 13));
    await checkAgainstOrt('Pad wrap', single('Pad', [1, 2, 4, 5], { mode: 'wrap' }, [intInit('p', [0, 0, 2, 1, 0, 0, 1, 3])], 19));
    await checkAgainstOrt('Pad negative', single('Pad', [2, 3, 5], {}, [intInit('p', [0, -1, 2, 0, 0, -2])], 13));
    await checkAgainstOrt('Pad axes', {
      nodes: [{ op: 'Pad', inputs: ['x', 'p', '', 'axes'], attrs: { mode: 'constant' } }],
      inputs: x([2, 3, 4]), inits: [intInit('p', [1, 2, 0, 3]), intInit('axes', [-1, 0])], opset: 19,
    });
  });

  test('Gather (negative indices, 2-D indices, axis 1) and Flatten axes', async () => {
    await checkAgainstOrt('Gather axis 0', single('Gather', [4, 3], {}, [intInit('i', [3, -1, 0, 0])]));
    await checkAgainstOrt('Gather axis 1 2-D', { ...single('Gather', [2, 5, 3], { axis: 1 }, [intInit('i', [4, -5, 1, 2, 2, 0], [2, 3])]), gradcheck: [0] });
    await checkAgainstOrt('Gather scalar', single('Gather', [2, 5, 3], { axis: -1 }, [intInit('i', [2], [])]));
    for (const axis of [0, 1, 2, 3, -1]) await checkAgainstOrt(`Flatten axis ${axis}`, single('Flatten', [2, 3, 4], { axis }, [], 13));
  });

  test('Shape start/end (opset 15) feeding Reshape; Reshape 0 / -1 / allowzero', async () => {
    const nodes: NodeSpec[] = [
      { op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: -2 } },
      { op: 'Concat', inputs: ['m1', 's'], outputs: ['t'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['x', 't'], outputs: ['y'] },
    ];
    await checkAgainstOrt('Shape start', { nodes, inputs: x([2, 3, 4, 5]), inits: [intInit('m1', [-1])], opset: 15 });
    await checkAgainstOrt('Shape end', {
      nodes: [{ op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: 1, end: -1 } }, { op: 'Cast', inputs: ['s'], attrs: { to: 1 } }],
      inputs: x([2, 3, 4, 5]), opset: 15, noBackward: true,
    });
    await checkAgainstOrt('Reshape 0 -1', single('Reshape', [2, 3, 4], {}, [intInit('s', [0, -1, 2])], 14));
    await checkAgainstOrt('Reshape allowzero', single('Reshape', [2, 3, 4], { allowzero: 1 }, [intInit('s', [4, 3, 2])], 14));
  });

  test('activations and unary math', async () => {
    const acts: [string, Record<string, number | { float: number }>][] = [
      ['Relu', {}], ['LeakyRelu', {}], ['LeakyRelu', { alpha: 0.3 }], ['Elu', {}], ['Elu', { alpha: 0.5 }], ['Sigmoid', {}], ['Tanh', {}], ['Softplus', {}],
      ['Neg', {}], ['Abs', {}], ['Floor', {}], ['Ceil', {}], ['Erf', {}], ['Exp', {}], ['Identity', {}],
    ];
    for (const [op, attrs] of acts) await checkAgainstOrt(`${op} ${JSON.stringify(attrs)}`, single(op, [3, 4], attrs));
    for (const op of ['Sqrt', 'Log', 'Reciprocal']) {
      await checkAgainstOrt(op, {
        nodes: [{ op: 'Abs', inputs: ['x'], outputs: ['a'] }, { op: 'Add', inputs: ['a', 'h'], outputs: ['p'] }, { op, inputs: ['p'] }],
        inputs: x([3, 4]), inits: [{ name: 'h', dims: [], values: [0.5] }], noGradParams: ['h'], gradcheck: [0],
      });
    }
  });

  test('Div / Sub / Mul / Equal broadcasting, batched MatMul', async () => {
    for (const op of ['Div', 'Sub', 'Mul', 'Add']) {
      await checkAgainstOrt(op, { nodes: [{ op, inputs: ['a', 'b'] }], inputs: [{ name: 'a', shape: [2, 1, 4] }, { name: 'b', shape: [3, 1] }], gradcheck: op === 'Div' ? undefined : [0, 1] });
    }
    await checkAgainstOrt('Equal', {
      nodes: [{ op: 'Floor', inputs: ['a'], outputs: ['fa'] }, { op: 'Floor', inputs: ['b'], outputs: ['fb'] }, { op: 'Equal', inputs: ['fa', 'fb'] }],
      inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3] }], outputTypes: ['bool'], noBackward: true,
    });
    await checkAgainstOrt('MatMul batched', { nodes: [{ op: 'MatMul', inputs: ['a', 'b'] }], inputs: [{ name: 'a', shape: [2, 1, 3, 4] }, { name: 'b', shape: [3, 4, 2] }], gradcheck: [0, 1] });
    await checkAgainstOrt('MatMul 1-D', { nodes: [{ op: 'MatMul', inputs: ['a', 'b'] }], inputs: [{ name: 'a', shape: [4] }, { name: 'b', shape: [2, 4, 3] }] });
  });

  test('Dropout and BatchNormalization in eval mode', async () => {
    await checkAgainstOrt('Dropout', single('Dropout', [3, 4], {}, [], 13));
    await checkAgainstOrt('BatchNorm', single('BatchNormalization', [2, 3, 4, 4], { epsilon: 1e-3 }, [
      floatInit('s', [3], 71), floatInit('b', [3], 72), floatInit('m', [3], 73), { name: 'v', dims: [3], values: [0.5, 1.5, 2] },
    ], 15));
  });
});
