/**
 * Resize and Upsample import checks against onnxruntime-node: nearest with every
 * nearest_mode and coordinate_transformation_mode, linear (1-D, 2-D, 3-D) with every
 * coordinate mode, up and down, scales and sizes, opset 10 / 13 / 18 (axes) / 19
 * (half_pixel_symmetric), and Upsample-9. Forward within 1e-5, backward finite,
 * gradcheck on linear and nearest resizes. Unsupported settings fail clearly.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { buildModel, checkAgainstOrt, intInit, type Attr, type ModelSpec } from './import-ops-helpers.js';

const scalesInit = (values: number[]) => ({ name: 'scales', dims: [values.length], values });

/** Resize of x with scales (opset >= 11: X, roi '', scales). */
function byScales(shape: number[], scales: number[], attrs: Record<string, Attr>, opset = 13): ModelSpec {
  return { nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], attrs }], inputs: [{ name: 'x', shape }], inits: [scalesInit(scales)], opset };
}

function bySizes(shape: number[], sizes: number[], attrs: Record<string, Attr>, opset = 13): ModelSpec {
  return { nodes: [{ op: 'Resize', inputs: ['x', '', '', 'sizes'], attrs }], inputs: [{ name: 'x', shape }], inits: [intInit('sizes', sizes)], opset };
}

const COORDS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];

describe('onnx import ops vs onnxruntime: Resize / Upsample', () => {
  test('nearest: every nearest_mode x coordinate mode, up (x2, x1.5) and down (x0.6)', async () => {
    for (const nearest of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
      for (const coord of COORDS) {
        const attrs = { mode: 'nearest', nearest_mode: nearest, coordinate_transformation_mode: coord };
        await checkAgainstOrt(`nearest ${nearest} ${coord} x1.5`, byScales([1, 2, 4, 5], [1, 1, 1.5, 1.5], attrs));
        await checkAgainstOrt(`nearest ${nearest} ${coord} x0.6`, byScales([1, 2, 5, 7], [1, 1, 0.6, 0.6], attrs));
        await checkAgainstOrt(`nearest ${nearest} ${coord} sizes`, bySizes([2, 2, 3, 4], [2, 2, 7, 5], attrs));
      }
    }
    await checkAgainstOrt('nearest x2 (defaults)', { ...byScales([1, 2, 3, 3], [1, 1, 2, 2], {}), gradcheck: [0] });
  });

  test('linear: 1-D, bilinear and trilinear with every coordinate mode, up and down', async () => {
    for (const coord of COORDS) {
      const attrs = { mode: 'linear', coordinate_transformation_mode: coord };
      await checkAgainstOrt(`bilinear ${coord} x2`, byScales([1, 2, 4, 4], [1, 1, 2, 2], attrs));
      await checkAgainstOrt(`bilinear ${coord} x0.5 x1.7`, byScales([2, 1, 6, 5], [1, 1, 0.5, 1.7], attrs));
      await checkAgainstOrt(`bilinear ${coord} sizes`, bySizes([1, 3, 4, 5], [1, 3, 9, 3], attrs));
      await checkAgainstOrt(`bilinear ${coord} to 1x1`, bySizes([1, 1, 4, 5], [1, 1, 1, 1], attrs));
      await checkAgainstOrt(`trilinear ${coord}`, byScales([1, 1, 3, 4, 3], [1, 1, 2, 1.5, 2], attrs));
    }
    await checkAgainstOrt('bilinear gradcheck', { ...byScales([1, 2, 3, 4], [1, 1, 1.5, 2], { mode: 'linear' }), gradcheck: [0] });
    await checkAgainstOrt('linear 1-D (3-D input)', byScales([2, 3, 5], [1, 1, 2.5], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }));
  });

  test('opset 10 (X, scales), opset 18 axes, opset 19 half_pixel_symmetric, Upsample-9', async () => {
    await checkAgainstOrt('Resize-10 nearest', { nodes: [{ op: 'Resize', inputs: ['x', 'scales'], attrs: { mode: 'nearest' } }], inputs: [{ name: 'x', shape: [1, 2, 3, 4] }], inits: [scalesInit([1, 1, 2, 1.5])], opset: 10 });
    await checkAgainstOrt('Resize-10 nearest down', { nodes: [{ op: 'Resize', inputs: ['x', 'scales'], attrs: { mode: 'nearest' } }], inputs: [{ name: 'x', shape: [1, 2, 6, 5] }], inits: [scalesInit([1, 1, 0.5, 0.7])], opset: 10 });
    await checkAgainstOrt('Resize-10 linear', { nodes: [{ op: 'Resize', inputs: ['x', 'scales'], attrs: { mode: 'linear' } }], inputs: [{ name: 'x', shape: [1, 2, 3, 4] }], inits: [scalesInit([1, 1, 2, 2])], opset: 10 });
    await checkAgainstOrt('Resize-18 axes', {
      nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], attrs: { mode: 'linear', axes: [-1, 2] } }],
      inputs: [{ name: 'x', shape: [1, 2, 3, 4] }], inits: [scalesInit([2, 1.5])], opset: 18,
    });
    await checkAgainstOrt('Resize-18 axes sizes', {
      nodes: [{ op: 'Resize', inputs: ['x', '', '', 'sizes'], attrs: { mode: 'nearest', axes: [3] } }],
      inputs: [{ name: 'x', shape: [1, 2, 3, 4] }], inits: [intInit('sizes', [7])], opset: 18,
    });
    for (const mode of ['nearest', 'linear']) {
      await checkAgainstOrt(`half_pixel_symmetric ${mode}`, byScales([1, 2, 4, 5], [1, 1, 1.5, 0.8], { mode, coordinate_transformation_mode: 'half_pixel_symmetric' }, 19));
    }
    await checkAgainstOrt('Upsample-9 nearest', { nodes: [{ op: 'Upsample', inputs: ['x', 'scales'], attrs: { mode: 'nearest' } }], inputs: [{ name: 'x', shape: [1, 2, 3, 3] }], inits: [scalesInit([1, 1, 2, 3])], opset: 9 });
    await checkAgainstOrt('Upsample-9 linear', { nodes: [{ op: 'Upsample', inputs: ['x', 'scales'], attrs: { mode: 'linear' } }], inputs: [{ name: 'x', shape: [1, 2, 3, 3] }], inits: [scalesInit([1, 1, 2, 2])], opset: 9 });
  });

  test('unsupported settings and bad arguments fail naming the node', () => {
    const load = (spec: ModelSpec) => () => tg.onnx.loadModel(buildModel(spec)).forward(tg.randn([1, 2, 3, 4]));
    assert.throws(load(byScales([1, 2, 3, 4], [1, 1, 2, 2], { mode: 'cubic' })), /Resize\).*cubic/);
    assert.throws(load(byScales([1, 2, 3, 4], [1, 1, 2, 2], { coordinate_transformation_mode: 'tf_crop_and_resize' })), /tf_crop_and_resize/);
    assert.throws(load(byScales([1, 2, 3, 4], [1, 1, 2], {})), /scales \[1, 1, 2\] needs 4 values/);
    assert.throws(load(byScales([1, 2, 3, 4], [1, 1, 0, 2], {})), /must be positive/);
    assert.throws(load(byScales([1, 2, 3, 4], [1, 1, 0.5, 0.5], { mode: 'linear', antialias: 1 })), /antialias/);
    assert.throws(load(byScales([1, 2, 3, 4], [1, 1, 1e6, 1e6], {})), /maxElements|limit/);
  });
});
