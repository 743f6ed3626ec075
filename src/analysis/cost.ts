import type { Module } from '../nn/module.js';
import { ConvNd, ConvTransposeNd } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import * as Act from '../nn/layers/activation.js';
import * as Norm from '../nn/layers/norm.js';
import * as Pool from '../nn/layers/pool.js';

/** Multiply-accumulates and floating-point operations of one layer call. */
export interface LayerCost {
  /** Multiply-accumulates (conv, conv-transpose and linear layers; 0 for the rest). */
  macs: number;
  /** Floating-point operations: 2 per MAC, plus the per-element work of pools, activations and norms. */
  flops: number;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Strided pools and their number of spatial dims. */
const STRIDED_POOLS: [abstract new (...a: never[]) => Module, number][] = [
  [Pool.MaxPool1d, 1], [Pool.MaxPool2d, 2], [Pool.MaxPool3d, 3],
  [Pool.AvgPool1d, 1], [Pool.AvgPool2d, 2], [Pool.AvgPool3d, 3],
  [Pool.LPPool1d, 1], [Pool.LPPool2d, 2], [Pool.LPPool3d, 3],
];
const ADAPTIVE_POOLS = [
  Pool.AdaptiveAvgPool1d, Pool.AdaptiveAvgPool2d, Pool.AdaptiveAvgPool3d,
  Pool.AdaptiveMaxPool1d, Pool.AdaptiveMaxPool2d, Pool.AdaptiveMaxPool3d,
];
const ACTIVATIONS = Object.values(Act);
const NORMS = Object.values(Norm).filter((v) => typeof v === 'function');

/**
 * The cost of one call of a leaf layer, counted by layer type (as fvcore and
 * ptflops do), for the whole input given (batch included):
 *
 * - Conv: MACs = outNumel · (Cin/groups) · prod(kernel); ConvTranspose: MACs =
 *   inNumel · (Cout/groups) · prod(kernel); Linear: MACs = outNumel · inFeatures.
 *   FLOPs = 2 · MACs (one multiply, one add); the bias add is not counted.
 * - Pools: 0 MACs; FLOPs = one compare or add per window tap, outNumel ·
 *   prod(kernel) (adaptive pools: inNumel, each input read once).
 * - Activations (ReLU, Tanh, Softmax, ...): 0 MACs, 1 FLOP per output element.
 * - Normalisation layers (BatchNorm in eval, LayerNorm, GroupNorm, LRN): 0 MACs,
 *   2 FLOPs per output element (the scale and shift that eval-mode batch norm
 *   folds to; statistics are not counted).
 * - Everything else (Dropout, Flatten, Identity, custom layers): 0.
 *
 * `inputShapes` are the call's input shapes (the first is used), `outShape` its output shape (null: none).
 * @example tg.analysis.layerCost(new tg.nn.Linear(784, 10), [[32, 784]], [32, 10]) // { macs: 250880, flops: 501760 }
 */
export function layerCost(m: Module, inputShapes: readonly (readonly number[])[], outShape: readonly number[] | null): LayerCost {
  const out = outShape ? numel(outShape) : 0;
  const inp = inputShapes[0] ? numel(inputShapes[0]) : 0;
  let macs = 0;
  let flops = 0;
  if (m instanceof ConvNd) {
    macs = out * (m.inChannels / m.groups) * numel(m.kernelSize);
    flops = 2 * macs;
  } else if (m instanceof ConvTransposeNd) {
    macs = inp * (m.outChannels / (m.opts.groups ?? 1)) * numel(m.kernelSize);
    flops = 2 * macs;
  } else if (m instanceof Linear) {
    macs = out * m.inFeatures;
    flops = 2 * macs;
  } else if (ADAPTIVE_POOLS.some((C) => m instanceof C)) {
    flops = inp;
  } else if (ACTIVATIONS.some((C) => m instanceof C)) {
    flops = out;
  } else if (NORMS.some((C) => m instanceof (C as abstract new (...a: never[]) => Module))) {
    flops = 2 * out;
  } else {
    const pool = STRIDED_POOLS.find(([C]) => m instanceof C);
    if (pool) {
      const k = (m as unknown as { kernelSize: number | readonly number[] }).kernelSize;
      const taps = typeof k === 'number' ? k ** pool[1] : k.length === 1 ? k[0]! ** pool[1] : numel(k);
      flops = out * taps;
    }
  }
  return { macs, flops };
}
