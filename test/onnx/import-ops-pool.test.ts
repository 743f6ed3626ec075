/**
 * Per-op import checks against onnxruntime-node: windowed ops — Conv with
 * auto_pad SAME_UPPER/SAME_LOWER/VALID, asymmetric pads, groups and dilations;
 * ConvTranspose with output_padding, groups, dilations and asymmetric pads;
 * MaxPool (ceil_mode, dilations, SAME, asymmetric pads); AveragePool
 * (count_include_pad, ceil_mode); LpPool; GlobalMaxPool/GlobalAveragePool.
 * Forward within 1e-5, backward finite, float64 gradcheck for a few.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { buildModel, checkAgainstOrt, floatInit, single, type Attr } from './import-ops-helpers.js';

const conv = (x: number[], w: number[], attrs: Parameters<typeof single>[2], bias = true) =>
  single('Conv', x, attrs, [floatInit('w', w, 41, 0.5), ...(bias ? [floatInit('b', [w[0]!], 42)] : [])]);

describe('onnx import ops vs onnxruntime: convolution and pooling', () => {
  test('Conv auto_pad SAME_UPPER / SAME_LOWER / VALID (strides 1 and 2, even and odd sizes)', async () => {
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
      for (const [size, stride] of [[7, 1], [7, 2], [8, 2]] as const) {
        await checkAgainstOrt(`Conv ${autoPad} size ${size} stride ${stride}`, conv([2, 3, size, size - 1], [4, 3, 3, 2], { auto_pad: autoPad, strides: [stride, stride] }));
      }
    }
  });

  test('Conv asymmetric pads, groups, dilations (1-D and 2-D), gradcheck', async () => {
    await checkAgainstOrt('Conv asym pads', conv([2, 2, 6, 5], [3, 2, 3, 3], { pads: [0, 1, 2, 0] }));
    await checkAgainstOrt('Conv groups+dilation', conv([1, 4, 7, 7], [6, 2, 3, 3], { group: 2, dilations: [2, 1], pads: [1, 1, 1, 1] }));
    await checkAgainstOrt('Conv 1d', conv([2, 3, 9], [2, 3, 4], { strides: [2], pads: [1, 2] }, false));
    await checkAgainstOrt('Conv grad', {
      nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } }],
      inputs: [{ name: 'x', shape: [1, 2, 4, 5] }, { name: 'w', shape: [2, 2, 2, 2] }, { name: 'b', shape: [2] }],
      gradcheck: [0, 1, 2],
    });
  });

  test('ConvTranspose: strides, output_padding, groups, dilations, asymmetric pads, gradcheck', async () => {
    const ct = (x: number[], w: number[], attrs: Record<string, Attr>) => single('ConvTranspose', x, attrs, [floatInit('w', w, 43, 0.5), floatInit('b', [w[1]! * ((attrs.group as number | undefined) ?? 1)], 44)]);
    await checkAgainstOrt('ConvT stride 2 output_padding 1', ct([2, 3, 4, 5], [3, 2, 3, 3], { strides: [2, 2], output_padding: [1, 1], pads: [1, 1, 1, 1] }));
    await checkAgainstOrt('ConvT groups', ct([1, 4, 3, 3], [4, 3, 2, 2], { group: 2, strides: [2, 1] }));
    await checkAgainstOrt('ConvT dilations', ct([1, 2, 4, 4], [2, 2, 3, 3], { dilations: [2, 2], strides: [2, 2], output_padding: [1, 0] }));
    await checkAgainstOrt('ConvT asym pads', ct([1, 2, 4, 4], [2, 3, 3, 3], { strides: [2, 2], pads: [0, 1, 2, 1] }));
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER']) {
      await checkAgainstOrt(`ConvT ${autoPad}`, ct([1, 2, 4, 5], [2, 2, 4, 3], { strides: [2, 2], auto_pad: autoPad }));
      await checkAgainstOrt(`ConvT ${autoPad} stride 1`, ct([1, 2, 4, 5], [2, 2, 2, 3], { auto_pad: autoPad }));
    }
    await checkAgainstOrt('ConvT output_shape', ct([1, 2, 4, 5], [2, 2, 3, 3], { strides: [2, 2], output_shape: [8, 10] }));
    await checkAgainstOrt('ConvT output_shape odd', ct([2, 2, 4, 5], [2, 2, 3, 3], { strides: [2, 3], output_shape: [9, 14] }));
    await checkAgainstOrt('ConvT output_shape SAME_UPPER', ct([1, 2, 4, 5], [2, 2, 3, 3], { strides: [2, 2], output_shape: [8, 10], auto_pad: 'SAME_UPPER' }));
    await checkAgainstOrt('ConvT 1d', ct([2, 3, 5], [3, 2, 4], { strides: [3], pads: [1, 0], output_padding: [2] }));
    await checkAgainstOrt('ConvT grad', {
      nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w'], attrs: { strides: [2, 2], output_padding: [1, 0], group: 2 } }],
      inputs: [{ name: 'x', shape: [1, 2, 3, 2] }, { name: 'w', shape: [2, 1, 2, 3] }],
      gradcheck: [0, 1],
    });
  });

  test('MaxPool: ceil_mode with dilations, SAME_UPPER/LOWER, asymmetric pads, 1-D', async () => {
    await checkAgainstOrt('MaxPool ceil+dilation', single('MaxPool', [2, 3, 9, 8], { kernel_shape: [3, 2], strides: [2, 2], dilations: [2, 1], ceil_mode: 1 }, [], 12));
    await checkAgainstOrt('MaxPool ceil+pads', single('MaxPool', [1, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }));
    await checkAgainstOrt('MaxPool SAME_UPPER', single('MaxPool', [1, 2, 7, 6], { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }));
    await checkAgainstOrt('MaxPool SAME_LOWER', single('MaxPool', [1, 2, 7, 6], { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' }));
    await checkAgainstOrt('MaxPool asym pads', single('MaxPool', [1, 2, 6, 6], { kernel_shape: [3, 3], pads: [0, 2, 1, 0] }));
    await checkAgainstOrt('MaxPool asym pads ceil', single('MaxPool', [1, 2, 6, 6], { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], ceil_mode: 1 }));
    await checkAgainstOrt('MaxPool big pads', single('MaxPool', [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [2, 2, 2, 2] }));
    await checkAgainstOrt('MaxPool 1d dilation', single('MaxPool', [2, 3, 11], { kernel_shape: [3], dilations: [3], strides: [2] }, [], 12));
  });

  test('AveragePool: count_include_pad 0/1, ceil_mode, SAME_UPPER, asymmetric pads, gradcheck', async () => {
    for (const cip of [0, 1]) {
      await checkAgainstOrt(`AvgPool pads cip ${cip}`, single('AveragePool', [2, 2, 6, 5], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], count_include_pad: cip }));
      await checkAgainstOrt(`AvgPool ceil cip ${cip}`, single('AveragePool', [1, 2, 7, 7], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], ceil_mode: 1, count_include_pad: cip }));
      await checkAgainstOrt(`AvgPool SAME_UPPER cip ${cip}`, single('AveragePool', [1, 2, 6, 6], { kernel_shape: [3, 3], strides: [1, 1], auto_pad: 'SAME_UPPER', count_include_pad: cip }));
    }
    for (const cip of [0, 1]) {
      await checkAgainstOrt(`AvgPool SAME_UPPER even kernel cip ${cip}`, single('AveragePool', [1, 2, 7, 6], { kernel_shape: [2, 4], strides: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: cip }));
      await checkAgainstOrt(`AvgPool SAME_LOWER even kernel cip ${cip}`, single('AveragePool', [1, 2, 7, 6], { kernel_shape: [2, 4], strides: [2, 1], auto_pad: 'SAME_LOWER', count_include_pad: cip }));
      await checkAgainstOrt(`AvgPool asym pads cip ${cip}`, single('AveragePool', [1, 2, 5, 5], { kernel_shape: [3, 2], pads: [0, 1, 2, 0], count_include_pad: cip }));
      await checkAgainstOrt(`AvgPool big pads cip ${cip}`, single('AveragePool', [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [2, 2, 2, 2], count_include_pad: cip }));
      await checkAgainstOrt(`AvgPool asym pads ceil cip ${cip}`, single('AveragePool', [1, 2, 6, 6], { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], ceil_mode: 1, count_include_pad: cip }));
    }
    await checkAgainstOrt('AvgPool SAME grad', { ...single('AveragePool', [1, 2, 5, 4], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' }), gradcheck: [0] });
    await checkAgainstOrt('AvgPool asym pads cip 1', single('AveragePool', [1, 2, 5, 5], { kernel_shape: [2, 2], pads: [0, 1, 1, 0], count_include_pad: 1 }));
    await checkAgainstOrt('AvgPool grad', { ...single('AveragePool', [1, 2, 5, 4], { kernel_shape: [2, 3], pads: [1, 1, 1, 1], strides: [2, 1] }), gradcheck: [0] });
  });

  test('LpPool (p 1, 2, 3; 1-D and 2-D) and the global pools', async () => {
    for (const p of [1, 2, 3]) await checkAgainstOrt(`LpPool p ${p}`, single('LpPool', [2, 3, 6, 5], { kernel_shape: [2, 2], strides: [2, 1], p }));
    await checkAgainstOrt('LpPool pads', single('LpPool', [1, 2, 5, 5], { kernel_shape: [3, 2], pads: [1, 0, 1, 1], p: 3 }));
    await checkAgainstOrt('LpPool SAME_UPPER opset 18', single('LpPool', [1, 2, 5, 6], { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, [], 18));
    await checkAgainstOrt('LpPool ceil_mode opset 18', single('LpPool', [1, 2, 6, 5], { kernel_shape: [3, 2], strides: [2, 2], ceil_mode: 1, p: 1 }, [], 18));
    await checkAgainstOrt('LpPool ceil_mode pads', single('LpPool', [1, 2, 7, 5], { kernel_shape: [3, 3], strides: [2, 3], pads: [1, 0, 1, 1], ceil_mode: 1, p: 2 }, [], 18));
    await checkAgainstOrt('LpPool ceil_mode 1d', single('LpPool', [2, 2, 8], { kernel_shape: [3], strides: [3], ceil_mode: 1, p: 3 }, [], 18));
    await checkAgainstOrt('LpPool 1d', single('LpPool', [2, 3, 7], { kernel_shape: [3], strides: [2] }));
    await checkAgainstOrt('LpPool grad', { ...single('LpPool', [1, 2, 4, 4], { kernel_shape: [2, 2], strides: [2, 2], p: 2 }), gradcheck: [0] });
    await checkAgainstOrt('GlobalMaxPool 2d', { ...single('GlobalMaxPool', [2, 3, 4, 5]), gradcheck: [0] });
    await checkAgainstOrt('GlobalMaxPool 1d', single('GlobalMaxPool', [2, 3, 7]));
    await checkAgainstOrt('GlobalAveragePool 3d', single('GlobalAveragePool', [2, 3, 2, 3, 2]));
  });

  test('pool pads as wide as the window are an error (as in onnxruntime), not NaN or -Infinity', () => {
    for (const op of ['AveragePool', 'MaxPool', 'LpPool']) {
      const m = tg.onnx.loadModel(buildModel(single(op, [1, 1, 4, 4], { kernel_shape: [3, 3], pads: [3, 0, 3, 0] })));
      assert.throws(() => m.forward(tg.randn([1, 1, 4, 4])), new RegExp(`${op}\\): pads \\[3, 0, 3, 0\\] must be smaller than kernel_shape \\[3, 3\\]`));
    }
  });
});
