// AlexNet and VGG-11-BN exported to ONNX and run in onnxruntime-node (max abs error <= 1e-4,
// two batch sizes). Their fully connected layers (57M and 129M parameters at 10 classes)
// dominate the time, so they have a file of their own, and are filled by a fast seeded
// generator instead of the layers' own (slow at this size) random initialisation.
import { describe, test } from 'node:test';
import * as tg from '../../src/index.js';
import { buildFast, checkAgainstOrt } from './export-helpers.js';

// On the reference backend (CI's variant run) their forward takes ~70 s: there they run only with TG_SLOW_TESTS=1.
const skip = process.env.TENSORGRAD_BACKEND === 'reference' && !process.env.TG_SLOW_TESTS
  ? 'slow on the reference backend (about 70 s); set TG_SLOW_TESTS=1' : false;

describe('onnx.exportModel: the big zoo models run in onnxruntime like in tensorgrad', { skip }, () => {
  test('AlexNet at 64x64 (adaptive 6x6 pool from a 1x1 map: constant MatMuls)', async () => {
    tg.manualSeed(21);
    await checkAgainstOrt(buildFast(21, () => tg.models.alexnet({ numClasses: 10 })), [3, 64, 64], { batches: [2, 1] });
  });
  test('VGG-11-BN at 32x32', async () => {
    tg.manualSeed(22);
    const m = buildFast(22, () => new tg.models.VGG(11, { numClasses: 10, batchNorm: true }));
    await checkAgainstOrt(m, [3, 32, 32], { batches: [2, 1] });
  });
});
