import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

/*
 * The exact wording of the argument errors plain-JavaScript users meet most
 * (the error catalogue of docs/guide/errors-and-limits.md quotes these).
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
const T = tg as any;
const F = tg.F as any;
const nn = tg.nn as any;

const says = (call: () => unknown, message: string) =>
  assert.throws(call, (e: unknown) => e instanceof tg.TensorError && e.message === message, message);

test('argument errors name the op, the argument, what was got and, where it helps, the right call', () => {
  const x = tg.zeros([2, 3]);
  says(() => T.softmax(x, '1'), "softmax: dim must be an integer, got '1'");
  says(() => T.leakyRelu(x, { negativeSlope: 0.2 }), 'leakyRelu: negativeSlope must be a finite number (or omitted), got {negativeSlope: 0.2}; call leakyRelu(x, 0.2)');
  says(() => T.relu(x, 2), 'relu: too many arguments: expected at most 1 (x), got 2; extra argument 2');
  says(() => T.relu('x'), "relu: x must be a Tensor, got 'x'");
  says(() => T.sum(x, { dim: 1, keepdims: true }), 'sum: unknown option \'keepdims\' (accepted: dim, keepdim)');
  says(() => T.zeros(2, NaN), 'zeros: shape [2,NaN] must contain non-negative integers (got NaN)');
  says(() => T.zeros([2], { dtype: 'int64' }), "zeros: unknown dtype 'int64' (supported: float32, float64, int32, bool)");
  says(() => new nn.Conv2d(1, 8, 3, { paddding: 1 }), "Conv2d: unknown option 'paddding' (accepted: stride, padding, dilation, groups, bias, paddingMode, dtype)");
  says(() => new nn.Conv2d(1, 8, 3, 1, { stride: 2 }), 'Conv2d: stride given twice (positionally as 1 and as an option)');
  says(() => new nn.Linear(4, 2, 'no'), "Linear: bias must be a boolean (true or false), got 'no'");
  says(() => new nn.Linear(4, 2, false, 1, 2), 'Linear: too many positional arguments: after the required ones it takes at most 1 (bias), got 3 (false, 1, 2); pass options as an object, e.g. {bias: ...}');
  says(() => F.conv2d(tg.zeros([1, 1, 4, 4]), tg.zeros([1, 1, 3, 3]), null, { strde: 2 }), "conv2d: unknown option 'strde' (accepted: stride, padding, dilation, groups)");
  says(() => new tg.optim.SGD([tg.zeros([1], { requiresGrad: true })], { lr: 0.1, momentm: 0.9 } as never), "SGD: unknown option 'momentm' (accepted: lr, momentum, dampening, weightDecay, nesterov, maximize)");
});
