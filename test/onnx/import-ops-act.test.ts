/**
 * Per-op import checks against onnxruntime-node: activations and elementwise
 * ops (Selu, Gelu at opset 20, HardSigmoid, HardSwish, PRelu, Clip, Pow,
 * Min/Max, Softmax/LogSoftmax axes at opsets 11 and 13). Forward within 1e-5,
 * backward finite, float64 gradcheck where the op is smooth at the drawn points.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainstOrt, floatInit, single } from './import-ops-helpers.js';

describe('onnx import ops vs onnxruntime: activations and elementwise', () => {
  test('Selu (default and custom alpha/gamma)', async () => {
    await checkAgainstOrt('Selu default', { ...single('Selu', [3, 4]), gradcheck: [0] });
    await checkAgainstOrt('Selu custom', single('Selu', [3, 4], { alpha: 1.5, gamma: 0.8 }));
  });

  test('Gelu (opset 20, exact and tanh)', async () => {
    await checkAgainstOrt('Gelu none', { ...single('Gelu', [3, 5], {}, [], 20), gradcheck: [0] });
    await checkAgainstOrt('Gelu tanh', { ...single('Gelu', [3, 5], { approximate: 'tanh' }, [], 20), gradcheck: [0] });
  });

  test('HardSigmoid (default and alpha/beta) and HardSwish', async () => {
    await checkAgainstOrt('HardSigmoid default', single('HardSigmoid', [4, 5]));
    await checkAgainstOrt('HardSigmoid custom', single('HardSigmoid', [4, 5], { alpha: 0.3, beta: 0.4 }));
    await checkAgainstOrt('HardSwish', single('HardSwish', [4, 5], {}, [], 14));
  });

  test('PRelu (per-channel slope, scalar slope, gradcheck)', async () => {
    await checkAgainstOrt('PRelu per channel', single('PRelu', [2, 3, 4, 4], {}, [floatInit('slope', [3, 1, 1], 5, 0.3)]));
    await checkAgainstOrt('PRelu scalar', single('PRelu', [2, 3], {}, [floatInit('slope', [1], 6, 0.3)]));
    await checkAgainstOrt('PRelu grad', {
      nodes: [{ op: 'PRelu', inputs: ['x', 'slope'] }],
      inputs: [{ name: 'x', shape: [2, 3, 2] }, { name: 'slope', shape: [3, 1] }],
      gradcheck: [0, 1],
    });
  });

  test('Clip (opset 11+ inputs: min only, max only, both; opset 7 attributes)', async () => {
    const lo = { name: 'lo', dims: [], values: [-0.5] }, hi = { name: 'hi', dims: [], values: [0.7] };
    await checkAgainstOrt('Clip both', single('Clip', [3, 4], {}, [lo, hi], 13));
    await checkAgainstOrt('Clip min only', { nodes: [{ op: 'Clip', inputs: ['x', 'lo'] }], inputs: [{ name: 'x', shape: [3, 4] }], inits: [lo] });
    await checkAgainstOrt('Clip max only', { nodes: [{ op: 'Clip', inputs: ['x', '', 'hi'] }], inputs: [{ name: 'x', shape: [3, 4] }], inits: [hi] });
    await checkAgainstOrt('Clip none', single('Clip', [3, 4]));
    await checkAgainstOrt('Clip opset 7', single('Clip', [3, 4], { min: { float: -0.25 }, max: { float: 0.5 } }, [], 7));
  });

  test('Pow (tensor exponent with broadcasting, constant exponent)', async () => {
    await checkAgainstOrt('Pow tensor', {
      nodes: [{ op: 'Abs', inputs: ['x'], outputs: ['a'] }, { op: 'Pow', inputs: ['a', 'e'] }],
      inputs: [{ name: 'x', shape: [3, 4] }, { name: 'e', shape: [4] }],
      gradcheck: [1],
    });
    // An exponent initializer is a constant, not a Parameter (its gradient y * log(x) is NaN for x < 0).
    const { model } = await checkAgainstOrt('Pow const', single('Pow', [3, 4], {}, [{ name: 'e', dims: [], values: [2] }]));
    assert.equal(model.namedParameters().length, 0);
    await checkAgainstOrt('Pow const 3', single('Pow', [3, 4], {}, [{ name: 'e', dims: [1], values: [3] }]));
  });

  test('Min / Max (variadic, broadcasting)', async () => {
    for (const op of ['Min', 'Max']) {
      await checkAgainstOrt(`${op} 3 inputs`, {
        nodes: [{ op, inputs: ['a', 'b', 'c'] }],
        inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [3, 1] }, { name: 'c', shape: [4] }],
        gradcheck: [0, 1, 2],
      });
      await checkAgainstOrt(`${op} 1 input`, { nodes: [{ op, inputs: ['a'] }], inputs: [{ name: 'a', shape: [2, 3] }] });
    }
  });

  test('Softmax / LogSoftmax: opset 13 axes, opset 11 flattening', async () => {
    for (const op of ['Softmax', 'LogSoftmax']) {
      for (const axis of [0, 1, -1]) await checkAgainstOrt(`${op} opset 13 axis ${axis}`, single(op, [2, 3, 4], { axis }, [], 13));
      await checkAgainstOrt(`${op} opset 13 default`, { ...single(op, [2, 3, 4], {}, [], 13), gradcheck: [0] });
      for (const axis of [0, 1, 2]) await checkAgainstOrt(`${op} opset 11 axis ${axis}`, single(op, [2, 3, 4], { axis }, [], 11));
      await checkAgainstOrt(`${op} opset 11 default`, single(op, [2, 3, 4], {}, [], 11));
    }
  });
});
