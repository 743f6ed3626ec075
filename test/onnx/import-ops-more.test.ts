/**
 * Import checks against onnxruntime-node for the ops added after F2: comparisons
 * (Greater, Less, GreaterOrEqual, LessOrEqual, Equal) feeding Where, Not/And/Or/Xor,
 * Where with broadcasting, ArgMax/ArgMin (keepdims, select_last_index), Expand,
 * Tile, Split (input, attribute, equal parts, num_outputs), DepthToSpace (DCR, CRD),
 * SpaceToDepth, Range, Sin/Cos/Tan/Atan/Sign, Sum/Mean, Celu, Mish, Softsign,
 * ThresholdedRelu. Forward within 1e-5, backward finite, gradcheck where the op
 * has a gradient; then the scalar-constant rule of ops-in/index.ts.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { isArgumentUse } from '../../src/onnx/ops-in/index.js';
import { buildModel, checkAgainstOrt, floatInit, intInit, single, type Init, type NodeSpec } from './import-ops-helpers.js';

const x = (shape: number[]) => [{ name: 'x', shape }];
const boolInit = (name: string, dims: number[], values: number[]): Init => ({ name, dims, values, type: 'bool' });

describe('onnx import ops vs onnxruntime: comparisons, logic, Where, ArgMax', () => {
  test('comparisons with a broadcast initializer, feeding Where (gradient reaches both branches)', async () => {
    for (const op of ['Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Equal']) {
      const nodes: NodeSpec[] = [
        { op: 'Floor', inputs: ['x'], outputs: ['f'] }, // ties, so Equal and the *OrEqual ops see equal values
        { op, inputs: ['f', 't'], outputs: ['c'] },
        { op: 'Neg', inputs: ['x'], outputs: ['n'] },
        { op: 'Where', inputs: ['c', 'x', 'n'], outputs: ['y'] },
      ];
      await checkAgainstOrt(op, { nodes, inputs: x([3, 4]), inits: [{ name: 't', dims: [4], values: [-1, 0, 0, 1] }], gradcheck: [0] });
    }
  });

  test('Not, And, Or, Xor on comparison results; bool outputs', async () => {
    for (const op of ['And', 'Or', 'Xor']) {
      const nodes: NodeSpec[] = [
        { op: 'Greater', inputs: ['x', 'z'], outputs: ['a'] },
        { op: 'Less', inputs: ['x', 'h'], outputs: ['b0'] },
        { op: 'Not', inputs: ['b0'], outputs: ['b'] },
        { op, inputs: ['a', 'b'], outputs: ['y'] },
      ];
      await checkAgainstOrt(op, {
        nodes, inputs: x([4, 5]), inits: [{ name: 'z', dims: [], values: [0] }, { name: 'h', dims: [1, 5], values: [0.5, -0.5, 1, 0, 2] }],
        outputTypes: ['bool'], noBackward: true,
      });
    }
  });

  test('Where: bool initializer condition, broadcasting of all three, scalar branch', async () => {
    await checkAgainstOrt('Where bool init', {
      nodes: [{ op: 'Where', inputs: ['c', 'x', 's'] }], inputs: x([2, 3, 4]),
      inits: [boolInit('c', [3, 1], [1, 0, 1]), { name: 's', dims: [], values: [0.25] }], gradcheck: [0],
    });
    await checkAgainstOrt('Where two inputs', {
      nodes: [{ op: 'Greater', inputs: ['x', 'y0'], outputs: ['c'] }, { op: 'Where', inputs: ['c', 'x', 'y0'] }],
      inputs: [{ name: 'x', shape: [2, 1, 4] }, { name: 'y0', shape: [3, 1] }], gradcheck: [0, 1],
    });
  });

  test('ArgMax / ArgMin: axes, keepdims, select_last_index with ties', async () => {
    for (const op of ['ArgMax', 'ArgMin']) {
      for (const [axis, keepdims, last] of [[0, 1, 0], [1, 0, 0], [-1, 1, 1], [2, 0, 1]] as const) {
        await checkAgainstOrt(`${op} axis ${axis} keep ${keepdims} last ${last}`, {
          nodes: [{ op: 'Floor', inputs: ['x'], outputs: ['f'] }, { op, inputs: ['f'], attrs: { axis, keepdims, select_last_index: last } }],
          inputs: x([3, 4, 5]), outputTypes: ['int64'], noBackward: true, opset: 13,
        });
      }
    }
  });
});

describe('onnx import ops vs onnxruntime: Expand, Tile, Split, DepthToSpace, SpaceToDepth, Range', () => {
  test('Expand: bidirectional broadcast, new leading dims, a smaller target', async () => {
    await checkAgainstOrt('Expand [3,1] -> [2,1,4]', { ...single('Expand', [3, 1], {}, [intInit('s', [2, 1, 4])]), gradcheck: [0] });
    await checkAgainstOrt('Expand to a smaller rank', single('Expand', [2, 3, 1], {}, [intInit('s', [3, 5])]));
    await checkAgainstOrt('Expand by Shape (batch)', {
      nodes: [{ op: 'Shape', inputs: ['x'], outputs: ['s'] }, { op: 'Expand', inputs: ['w', 's'], outputs: ['e'] }, { op: 'Mul', inputs: ['e', 'x'] }],
      inputs: x([3, 2, 4]), inits: [floatInit('w', [2, 1], 5)],
    });
  });

  test('Tile (on data and on a shape) and Split (input / attribute / equal / num_outputs)', async () => {
    await checkAgainstOrt('Tile', { ...single('Tile', [2, 3], {}, [intInit('r', [2, 3])]), gradcheck: [0] });
    await checkAgainstOrt('Tile 3-D', single('Tile', [2, 1, 3], {}, [intInit('r', [1, 4, 2])]));
    const outs = (k: number) => Array.from({ length: k }, (_, i) => `y${i}`);
    await checkAgainstOrt('Split input', { nodes: [{ op: 'Split', inputs: ['x', 's'], outputs: outs(3), attrs: { axis: 1 } }], inputs: x([2, 7]), inits: [intInit('s', [2, 0, 5])], outputs: outs(3), opset: 13, gradcheck: [0] });
    await checkAgainstOrt('Split attribute', { nodes: [{ op: 'Split', inputs: ['x'], outputs: outs(2), attrs: { axis: -1, split: [1, 3] } }], inputs: x([2, 3, 4]), outputs: outs(2), opset: 11 });
    await checkAgainstOrt('Split equal', { nodes: [{ op: 'Split', inputs: ['x'], outputs: outs(3) }], inputs: x([6, 2]), outputs: outs(3), opset: 13 });
    await checkAgainstOrt('Split num_outputs uneven', { nodes: [{ op: 'Split', inputs: ['x'], outputs: outs(3), attrs: { axis: 1, num_outputs: 3 } }], inputs: x([2, 7]), outputs: outs(3), opset: 18 });
  });

  test('DepthToSpace (DCR, CRD) and SpaceToDepth', async () => {
    for (const mode of ['DCR', 'CRD']) await checkAgainstOrt(`DepthToSpace ${mode}`, { ...single('DepthToSpace', [2, 8, 2, 3], { blocksize: 2, mode }), gradcheck: [0] });
    await checkAgainstOrt('SpaceToDepth', { ...single('SpaceToDepth', [2, 3, 4, 6], { blocksize: 2 }), gradcheck: [0] });
    await checkAgainstOrt('SpaceToDepth then DepthToSpace', {
      nodes: [{ op: 'SpaceToDepth', inputs: ['x'], outputs: ['s'], attrs: { blocksize: 3 } }, { op: 'DepthToSpace', inputs: ['s'], attrs: { blocksize: 3 } }],
      inputs: x([1, 2, 6, 3]),
    });
  });

  test('Range (int and float) feeding the data path', async () => {
    const i64 = (name: string, v: number) => ({ name, dims: [], values: [v], type: 'int64' as const });
    await checkAgainstOrt('Range int', {
      nodes: [{ op: 'Range', inputs: ['a', 'b', 'd'], outputs: ['r'] }, { op: 'Cast', inputs: ['r'], outputs: ['rf'], attrs: { to: 1 } }, { op: 'Add', inputs: ['x', 'rf'] }],
      inputs: x([2, 4]), inits: [i64('a', 7), i64('b', -1), i64('d', -2)],
    });
    await checkAgainstOrt('Range float', {
      nodes: [{ op: 'Range', inputs: ['a', 'b', 'd'], outputs: ['r'] }, { op: 'Mul', inputs: ['x', 'r'] }],
      inputs: x([3, 5]), inits: [{ name: 'a', dims: [], values: [0.5] }, { name: 'b', dims: [], values: [3] }, { name: 'd', dims: [], values: [0.6] }],
    });
  });
});

describe('onnx import ops vs onnxruntime: unary math and activations', () => {
  test('Sin, Cos, Tan, Atan, Sign; Sum and Mean (variadic, broadcasting)', async () => {
    for (const op of ['Sin', 'Cos', 'Atan']) await checkAgainstOrt(op, { ...single(op, [3, 4]), gradcheck: [0] });
    await checkAgainstOrt('Tan', { nodes: [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['s'] }, { op: 'Tan', inputs: ['s'] }], inputs: x([3, 4]), inits: [{ name: 'k', dims: [], values: [0.3] }], gradcheck: [0] });
    await checkAgainstOrt('Sign', { nodes: [{ op: 'Sign', inputs: ['x'], outputs: ['s'] }, { op: 'Mul', inputs: ['s', 'x'] }], inputs: x([3, 4]) });
    for (const op of ['Sum', 'Mean']) {
      await checkAgainstOrt(op, { nodes: [{ op, inputs: ['x', 'w', 'v'] }], inputs: x([2, 3, 4]), inits: [floatInit('w', [3, 1], 2), floatInit('v', [4], 3)], gradcheck: [0] });
    }
  });

  test('ReduceL1/L2/SumSquare/LogSum/LogSumExp (axes attribute at 13, input at 18); Round halves to even', async () => {
    for (const op of ['ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp']) {
      await checkAgainstOrt(`${op} axes attr`, { ...single(op, [2, 3, 4], { axes: [1, -1], keepdims: 0 }, [], 13), gradcheck: [0] });
      await checkAgainstOrt(`${op} axes input`, single(op, [2, 3, 4], {}, [intInit('axes', [1])], 18));
      await checkAgainstOrt(`${op} all`, single(op, [2, 3, 4], {}, [], 13));
    }
    await checkAgainstOrt('ReduceLogSum', {
      nodes: [{ op: 'Abs', inputs: ['x'], outputs: ['a'] }, { op: 'ReduceLogSum', inputs: ['a'], attrs: { axes: [0] } }], inputs: x([3, 4]), opset: 13, gradcheck: [0],
    });
    await checkAgainstOrt('Round', {
      nodes: [{ op: 'Round', inputs: ['x'], outputs: ['r'] }, { op: 'Add', inputs: ['r', 'x'] }],
      inputs: [{ name: 'x', shape: [10], values: [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 2.51, -3.7, 4] }],
    });
  });

  test('Celu, Mish (opset 18), Softsign, ThresholdedRelu', async () => {
    await checkAgainstOrt('Celu', { ...single('Celu', [3, 4], { alpha: { float: 0.7 } }, [], 13), gradcheck: [0] });
    await checkAgainstOrt('Mish', { ...single('Mish', [3, 4], {}, [], 18), gradcheck: [0] });
    await checkAgainstOrt('Softsign', { ...single('Softsign', [3, 4]), gradcheck: [0] });
    await checkAgainstOrt('ThresholdedRelu', { ...single('ThresholdedRelu', [3, 4], { alpha: { float: 0.4 } }), gradcheck: [0] });
  });
});

describe('onnx import: the new ops refuse bad arguments with the node named', () => {
  const run = (spec: Parameters<typeof buildModel>[0], shape: number[]) => () => {
    const r = tg.onnx.loadModel(buildModel(spec)).forward(tg.randn(shape));
    return r;
  };
  test('Expand, Tile, Split, DepthToSpace, SpaceToDepth, Range, Where, ArgMax', () => {
    assert.throws(run(single('Expand', [3, 2], {}, [intInit('s', [4, 3])]), [3, 2]), /Expand\).*do not broadcast/);
    assert.throws(run(single('Expand', [3, 2], {}, [intInit('s', [1 << 20, 1 << 20, 1, 1])]), [3, 2]), /more than the limit/);
    assert.throws(run(single('Tile', [3, 2], {}, [intInit('r', [2])]), [3, 2]), /Tile\).*needs 2 values/);
    assert.throws(run(single('Tile', [3, 2], {}, [intInit('r', [2, -1])]), [3, 2]), /must not be negative/);
    assert.throws(run({ nodes: [{ op: 'Split', inputs: ['x', 's'], outputs: ['a', 'b'] }], inputs: x([4, 2]), inits: [intInit('s', [1, 2])], outputs: ['a', 'b'], opset: 13 }, [4, 2]), /sum to 4/);
    assert.throws(run({ nodes: [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b', 'c'] }], inputs: x([4, 2]), outputs: ['a', 'b', 'c'], opset: 13 }, [4, 2]), /3 equal parts/);
    assert.throws(run(single('DepthToSpace', [1, 6, 2, 2], { blocksize: 2 }), [1, 6, 2, 2]), /not a multiple of blocksize/);
    assert.throws(run(single('SpaceToDepth', [1, 2, 3, 4], { blocksize: 2 }), [1, 2, 3, 4]), /not multiples of blocksize/);
    assert.throws(run(single('DepthToSpace', [1, 4, 2, 2], { blocksize: 0 }), [1, 4, 2, 2]), /blocksize 0/);
    const i64 = (name: string, v: number) => ({ name, dims: [], values: [v], type: 'int64' as const });
    assert.throws(run({ nodes: [{ op: 'Range', inputs: ['a', 'b', 'd'], outputs: ['r'] }, { op: 'Cast', inputs: ['r'], outputs: ['f'], attrs: { to: 1 } }, { op: 'Add', inputs: ['x', 'f'] }], inputs: x([2]), inits: [i64('a', 0), i64('b', 5), i64('d', 0)] }, [2]), /Range\).*delta nonzero/);
    assert.throws(run({ nodes: [{ op: 'Range', inputs: ['a', 'b', 'd'], outputs: ['r'] }, { op: 'Cast', inputs: ['r'], outputs: ['f'], attrs: { to: 1 } }, { op: 'Add', inputs: ['x', 'f'] }], inputs: x([2]), inits: [i64('a', 0), i64('b', 2 ** 40), i64('d', 1)] }, [2]), /more than/);
    assert.throws(run({ nodes: [{ op: 'Where', inputs: ['x', 'x', 'x'] }], inputs: x([2]) }, [2]), /Where\).*condition must be bool/);
    assert.throws(run({ nodes: [{ op: 'ArgMax', inputs: ['x'], attrs: { axis: 3 } }], inputs: x([2, 3]), outputTypes: ['int64'] }, [2, 3]), /ArgMax\).*axis 3 is out of range/);
  });
});

describe('onnx import: a 0-d float initializer feeding elementwise arithmetic is a constant', () => {
  test('the rule (isArgumentUse): 0-d scalars of Add/Sub/Mul/Div/Max/Min/Sum/Mean/Where branches; not [1] or larger', () => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) for (const slot of [0, 1]) assert.equal(isArgumentUse(op, slot, []), true, `${op} ${slot}`);
    assert.equal(isArgumentUse('Where', 1, []), true);
    assert.equal(isArgumentUse('Where', 0, [3]), true); // the condition is never a weight
    assert.equal(isArgumentUse('Sum', 5, []), true);
    // A bias of Linear(k, 1) on a 3-D input is written MatMul + Add with a [1] initializer: a weight.
    assert.equal(isArgumentUse('Add', 1, [1]), false);
    assert.equal(isArgumentUse('Mul', 0, [4]), false);
    assert.equal(isArgumentUse('Conv', 1, []), false);
    // Static argument slots do not depend on the shape.
    assert.equal(isArgumentUse('Reshape', 1, [3]), true);
    assert.equal(isArgumentUse('Pow', 1, [5]), true);
    assert.equal(isArgumentUse('Greater', 1, [5]), true);
  });

  test('a folded `x / 255` then `* w + b` imports with the right numbers; the [3] and [1] initializers stay weights', () => {
    const bytes = buildModel({
      nodes: [{ op: 'Div', inputs: ['x', 'k'], outputs: ['d'] }, { op: 'Mul', inputs: ['d', 'w'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'b'] }],
      inputs: x([2, 3]), inits: [{ name: 'k', dims: [], values: [255] }, floatInit('w', [3], 1), { name: 'b', dims: [1], values: [0.5] }],
    });
    const m = tg.onnx.loadModel(bytes);
    const names = m.namedParameters().map(([k]) => k).sort();
    // w ([3]) and b ([1]) are weights under any rule. (k, 0-d, is a constant once import.ts classifies
    // initializers with isArgumentUse: see /work/notes/issue13-f3.md.)
    assert.ok(names.includes('w') && names.includes('b'), names.join(', '));
    const y = m.forward(tg.ones([2, 3])) as tg.Tensor;
    assert.ok(Math.abs((y.data() as Float32Array)[0]! - (0.5 + (1 / 255) * ((m.stateDict().w!.data() as Float32Array)[0]!))) < 1e-6);
  });
});
