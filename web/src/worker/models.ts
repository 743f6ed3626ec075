/**
 * Builds the Train panel's networks for 1x28x28 MNIST digits: LeNet-5
 * (tg.models.lenet5), a two-hidden-layer MLP, and a small CNN from a few
 * choices. Every network maps `[N, 1, 28, 28]` -> logits `[N, 10]`.
 */
import * as tg from '../../../src/index.js';
import type { CnnSettings, TrainSettings } from './protocol.js';

const SIDE = 28;
const CLASSES = 10;

/**
 * The small CNN: `blocks` x (conv k x k with 'same' padding -> [BatchNorm2d] -> ReLU ->
 * pool 2), channels doubling per block, then Flatten -> Linear -> 10 classes.
 * Sides go 28 -> 14 -> 7 -> 3 (floor), so 1..3 blocks all fit.
 * @example smallCnn({ blocks: 2, channels: 8, kernel: 3, pool: 'max', batchNorm: false }).forward(tg.zeros([4, 1, 28, 28])) // [4, 10]
 */
export function smallCnn(c: CnnSettings): tg.nn.Sequential {
  const layers: tg.nn.Module[] = [];
  let inC = 1, side = SIDE;
  for (let b = 0; b < c.blocks; b++) {
    const outC = c.channels * 2 ** b;
    // 'same' padding keeps the side, so only pooling shrinks it (easy to reason about in the UI).
    layers.push(new tg.nn.Conv2d(inC, outC, c.kernel, { padding: (c.kernel - 1) / 2, bias: !c.batchNorm }));
    if (c.batchNorm) layers.push(new tg.nn.BatchNorm2d(outC));
    layers.push(new tg.nn.ReLU(), c.pool === 'max' ? new tg.nn.MaxPool2d(2) : new tg.nn.AvgPool2d(2));
    inC = outC;
    side = Math.floor(side / 2);
  }
  layers.push(new tg.nn.Flatten(), new tg.nn.Linear(inC * side * side, CLASSES));
  return new tg.nn.Sequential(...layers);
}

/**
 * The network `s.model` names (weights drawn from the current generator: seed it first).
 * @example buildNetwork({ ...DEFAULT_SETTINGS, model: 'mlp' }).forward(tg.zeros([2, 1, 28, 28])) // [2, 10]
 */
export function buildNetwork(s: TrainSettings): tg.nn.Module {
  switch (s.model) {
    case 'lenet5':
      return tg.models.lenet5();
    case 'mlp':
      // The MLP takes flat vectors; the Flatten in front lets every network take the same batches.
      return new tg.nn.Sequential(new tg.nn.Flatten(), tg.models.mlp({ sizes: [SIDE * SIDE, s.mlpHidden, s.mlpHidden, CLASSES] }));
    case 'cnn':
      return smallCnn(s.cnn);
  }
}

/**
 * The optimizer `s.optimizer` names over `params`.
 * @example buildOptimizer(model.parameters(), DEFAULT_SETTINGS) // SGD, lr 0.01, momentum 0.9
 */
export function buildOptimizer(params: tg.nn.Parameter[], s: TrainSettings): tg.optim.SGD | tg.optim.Adam {
  return s.optimizer === 'adam' ? new tg.optim.Adam(params, { lr: s.lr }) : new tg.optim.SGD(params, { lr: s.lr, momentum: s.momentum });
}
