/**
 * Per-op import checks against onnxruntime-node: reductions, Gemm and the
 * structure ops — ReduceMean (axes attribute at opset 13, axes input at
 * opset 18, keepdims, noop_with_empty_axes), Gemm (transA/transB/alpha/beta,
 * C broadcasting), Slice (steps, negative steps, clamped ends), Squeeze and
 * Unsqueeze (attribute and input forms), ConstantOfShape, Cast, Transpose
 * perms, Concat axes (tensors and shape constants). Forward within 1e-5,
 * backward finite, gradcheck for a few.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import { checkAgainstOrt, floatInit, intInit, single, type NodeSpec } from './import-ops-helpers.js';

const x = (shape: number[]) => [{ name: 'x', shape }];

describe('onnx import ops vs onnxruntime: reductions, Gemm and structure ops', () => {
  test('ReduceMean: axes attribute (opset 13) and axes input (opset 18), keepdims, empty axes', async () => {
    await checkAgainstOrt('ReduceMean attr', single('ReduceMean', [2, 3, 4], { axes: [1, -1], keepdims: 0 }, [], 13));
    await checkAgainstOrt('ReduceMean attr keep', { ...single('ReduceMean', [2, 3, 4], { axes: [0] }, [], 13), gradcheck: [0] });
    await checkAgainstOrt('ReduceMean input', single('ReduceMean', [2, 3, 4], {}, [intInit('axes', [-2])], 18));
    await checkAgainstOrt('ReduceMean input no keep', single('ReduceMean', [2, 3, 4], { keepdims: 0 }, [intInit('axes', [0, 2])], 18));
    await checkAgainstOrt('ReduceMean all', single('ReduceMean', [2, 3, 4], {}, [], 18));
    await checkAgainstOrt('ReduceMean noop', { nodes: [{ op: 'ReduceMean', inputs: ['x'], attrs: { noop_with_empty_axes: 1 } }], inputs: x([2, 3]), opset: 18 });
    for (const op of ['ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd']) {
      await checkAgainstOrt(`${op} input`, single(op, [2, 3, 4], { keepdims: 0 }, [intInit('axes', [1])], 18));
    }
  });

  test('Gemm: transA/transB, alpha/beta, C of shapes [N], [M, 1], [1], [M, N], no C', async () => {
    const a = (shape: number[]) => floatInit('b', shape, 51);
    const cases: [string, number[], number[], Record<string, number | { float: number }>, number[] | null][] = [
      ['plain', [3, 4], [4, 5], {}, [5]],
      ['transB linear', [3, 4], [5, 4], { transB: 1 }, [5]],
      ['transA', [4, 3], [4, 5], { transA: 1, alpha: 0.5 }, [3, 1]],
      ['transA transB', [4, 3], [5, 4], { transA: 1, transB: 1, alpha: 2.5, beta: 0.25 }, [3, 5]],
      ['scalar C', [3, 4], [5, 4], { transB: 1, beta: 2.5 }, [1]],
      ['beta 0', [3, 4], [5, 4], { transB: 1, beta: { float: 0 } }, [5]],
      ['no C', [3, 4], [5, 4], { transB: 1, alpha: 1.5 }, null],
    ];
    for (const [name, as, bs, attrs, cs] of cases) {
      const spec = single('Gemm', as, attrs, [a(bs), ...(cs ? [floatInit('c', cs, 52)] : [])], 13);
      await checkAgainstOrt(`Gemm ${name}`, { ...spec, noGradParams: name === 'beta 0' ? ['c'] : [] });
    }
    await checkAgainstOrt('Gemm grad', {
      nodes: [{ op: 'Gemm', inputs: ['a', 'b', 'c'], attrs: { transA: 1, transB: 1, alpha: 0.5, beta: 1.5 } }],
      inputs: [{ name: 'a', shape: [4, 3] }, { name: 'b', shape: [2, 4] }, { name: 'c', shape: [3, 1] }],
      gradcheck: [0, 1, 2],
    });
  });

  test('Slice: steps (positive, negative), negative axes, clamped and huge ends, opset 9 attributes', async () => {
    const slice = (starts: number[], ends: number[], axes?: number[], steps?: number[]) => single('Slice', [4, 5, 6], {}, [
      intInit('starts', starts), intInit('ends', ends), ...(axes ? [intInit('axes', axes)] : []), ...(steps ? [intInit('steps', steps)] : []),
    ], 13);
    await checkAgainstOrt('Slice steps', { ...slice([0, 1], [4, 6], [0, 2], [2, 2]), gradcheck: [0] });
    await checkAgainstOrt('Slice negative step', slice([-1, 4], [-100, 0], [1, 2], [-1, -2]));
    await checkAgainstOrt('Slice negative axes', slice([1], [-1], [-1]));
    await checkAgainstOrt('Slice huge end', slice([2, 0], [2 ** 53 - 1, 9], [0, 1], [1, 3]));
    await checkAgainstOrt('Slice reverse all', slice([-1], [-(2 ** 53 - 1)], [0], [-1]));
    await checkAgainstOrt('Slice no axes', slice([1, 0, 2], [3, 5, 6]));
    await checkAgainstOrt('Slice opset 9', single('Slice', [4, 5], { starts: [1, -3], ends: [3, 1000], axes: [0, 1] }, [], 9));
  });

  test('Squeeze / Unsqueeze: opset 11 attributes, opset 13 inputs, no axes', async () => {
    await checkAgainstOrt('Unsqueeze attr', single('Unsqueeze', [3, 4], { axes: [0, -1] }, [], 11));
    await checkAgainstOrt('Unsqueeze input', single('Unsqueeze', [3, 4], {}, [intInit('axes', [3, 1])], 13));
    await checkAgainstOrt('Squeeze attr', single('Squeeze', [1, 3, 1, 4], { axes: [-2] }, [], 11));
    await checkAgainstOrt('Squeeze input', single('Squeeze', [1, 3, 1, 4], {}, [intInit('axes', [0, 2])], 13));
    await checkAgainstOrt('Squeeze all', single('Squeeze', [1, 3, 1, 4, 1], {}, [], 13));
  });

  test('ConstantOfShape (default, float and int values) and Cast', async () => {
    const nodes = (value?: { tensor: { name: string; dims: number[]; values: number[]; type?: 'float' | 'int64' } }): NodeSpec[] => [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'ConstantOfShape', inputs: ['s'], outputs: ['c'], attrs: value ? { value } : {} },
      ...(value?.tensor.type === 'int64' ? [{ op: 'Cast', inputs: ['c'], outputs: ['cf'], attrs: { to: 1 } }] : []),
      { op: 'Add', inputs: ['x', value?.tensor.type === 'int64' ? 'cf' : 'c'], outputs: ['y'] },
    ];
    await checkAgainstOrt('ConstantOfShape default', { nodes: nodes(), inputs: x([2, 3]) });
    await checkAgainstOrt('ConstantOfShape float', { nodes: nodes({ tensor: { name: 'v', dims: [1], values: [2.5] } }), inputs: x([2, 3]) });
    await checkAgainstOrt('ConstantOfShape int', { nodes: nodes({ tensor: { name: 'v', dims: [1], values: [3], type: 'int64' } }), inputs: x([2, 3]) });
    await checkAgainstOrt('ConstantOfShape from input', {
      nodes: [{ op: 'ConstantOfShape', inputs: ['shape'], attrs: { value: { tensor: { name: 'v', dims: [1], values: [7], type: 'int64' } } } }],
      inputs: [{ name: 'shape', shape: [2], type: 'int64', values: [2, 3] }], outputTypes: ['int64'], noBackward: true,
    });
    // float -> int truncates toward zero; int -> float; float -> bool -> float.
    await checkAgainstOrt('Cast chain', {
      nodes: [
        { op: 'Mul', inputs: ['x', 'k'], outputs: ['xk'] },
        { op: 'Cast', inputs: ['xk'], outputs: ['i'], attrs: { to: 7 } },
        { op: 'Cast', inputs: ['i'], outputs: ['f'], attrs: { to: 1 } },
        { op: 'Cast', inputs: ['i'], outputs: ['bb'], attrs: { to: 9 } },
        { op: 'Cast', inputs: ['bb'], outputs: ['bf'], attrs: { to: 1 } },
        { op: 'Add', inputs: ['f', 'bf'], outputs: ['fb'] },
        { op: 'Mul', inputs: ['x', 'fb'], outputs: ['y'] },
      ],
      inputs: x([3, 4]), inits: [{ name: 'k', dims: [], values: [3] }], noGradParams: ['k'], // k reaches y only through an integer cast
    });
    await checkAgainstOrt('Cast int64 output', { nodes: [{ op: 'Cast', inputs: ['x'], attrs: { to: 7 } }], inputs: x([3, 4]), outputTypes: ['int64'], noBackward: true });
  });

  test('Transpose perms and Concat axes', async () => {
    for (const perm of [[0, 1, 2, 3], [3, 2, 1, 0], [0, 2, 3, 1], [1, 0, 3, 2]]) await checkAgainstOrt(`Transpose ${perm}`, single('Transpose', [2, 3, 4, 5], { perm }));
    await checkAgainstOrt('Transpose default', { ...single('Transpose', [2, 3, 4]), gradcheck: [0] });
    for (const axis of [0, 1, 2, -1, -3]) {
      await checkAgainstOrt(`Concat axis ${axis}`, {
        nodes: [{ op: 'Concat', inputs: ['a', 'b', 'c'], attrs: { axis } }],
        inputs: [2, 3, 4].map((d, i) => ({ name: 'abc'[i]!, shape: [2, 3, 4].map((s, k) => (k === (axis + 3) % 3 ? d : s)) })),
        gradcheck: axis === 1 ? [0, 1, 2] : undefined,
      });
    }
    await checkAgainstOrt('Concat with initializer', single('Concat', [2, 3], { axis: 0 }, [floatInit('w', [1, 3], 61)]));
    // Shape arithmetic: a Reshape target built by Concat of host values.
    await checkAgainstOrt('Concat shape', {
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Slice', inputs: ['s', 'z', 'one'], outputs: ['n'] },
        { op: 'Concat', inputs: ['n', 'm1'], outputs: ['t'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 't'], outputs: ['y'] },
      ],
      inputs: x([3, 2, 4]), inits: [intInit('z', [0]), intInit('one', [1]), intInit('m1', [-1])],
    });
  });
});
