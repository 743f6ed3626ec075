/**
 * Argument checks shared by the functions that scan for and project single
 * units (top-activations.ts, guided-backprop.ts): one clear TensorError that
 * names the function, the layer and the bad value. Internal to tg.viz.
 */
import { TensorError } from '../core/errors.js';
import type { Module } from '../nn/module.js';
import { moduleAt } from './capture.js';

/** Options of the scanning functions (topActivations, topPatches), validated here. */
export interface TopActivationsOptions {
  /** Module path of the layer (as in `stateDict` keys, e.g. 'features.3'). */
  layer: string;
  /** Channels of the layer's output to rank images for. */
  units: readonly number[];
  /** Activations kept per unit (default 9). */
  k?: number;
  /** Images per forward pass (default 64; a DataLoader uses its own). */
  batchSize?: number;
  /** Called after each batch with the images done so far and the total (drives a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** Checks `units` against the layer's channel count; the message names both. */
export function checkUnits(fn: string, layer: string, units: readonly number[], channels: number): void {
  for (const u of units) {
    if (!Number.isInteger(u) || u < 0 || u >= channels) {
      throw new TensorError(`${fn}: unit ${u} is out of range for layer '${layer}', which has ${channels} channels (0..${channels - 1})`);
    }
  }
}

/** Validates the options common to the scanning functions; returns k and batchSize with defaults. */
export function checkScanOptions(fn: string, model: Module, opts: TopActivationsOptions): { k: number; batchSize: number } {
  if (typeof opts !== 'object' || opts === null) throw new TensorError(`${fn}: options { layer, units } are required`);
  moduleAt(model, opts.layer, fn);
  if (!Array.isArray(opts.units) || opts.units.length === 0) throw new TensorError(`${fn}: units must be a non-empty list of channel indices (got ${String(opts.units)})`);
  const { k = 9, batchSize = 64 } = opts;
  if (!Number.isInteger(k) || k < 1) throw new TensorError(`${fn}: k must be a positive integer (got ${k})`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TensorError(`${fn}: batchSize must be a positive integer (got ${batchSize})`);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') throw new TensorError(`${fn}: onProgress must be a function`);
  return { k, batchSize };
}
