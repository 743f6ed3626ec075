/**
 * Weight snapshots of chosen epochs (`tensorgrad train --snapshot-epochs 1,2,5,10`):
 * the flag's parser, where the files go in a run folder
 * (`RUN/snapshots/epoch-<n>.safetensors`), and listing them again for
 * `tensorgrad viz RUN evolution`, which shows the same units per snapshot.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Module } from '../nn/module.js';
import { save } from '../io/safetensors.js';
import { makeDirs } from '../util/node.js';
import { LIMITS } from './flags.js';

/** The folder of a run that holds the snapshots. */
export const SNAPSHOT_DIR = 'snapshots';

/** Most snapshot epochs one run may ask for (each is a full copy of the weights). */
export const MAX_SNAPSHOTS = 100;

const SNAPSHOT_FILE = /^epoch-(\d+)\.safetensors$/;

/**
 * Parser for `--snapshot-epochs`: a comma-separated list of epoch numbers, each
 * an integer from 1 to the epoch limit, returned sorted without duplicates.
 * Whether they lie within the run's --epochs is checked by `train` (the total
 * may come from a checkpoint).
 * @example snapshotEpochsFlag('10,1,2,5') // [1, 2, 5, 10]
 */
export function snapshotEpochsFlag(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const { min, max } = LIMITS.epochs;
  const epochs = parts.map(Number);
  if (!parts.length || parts.some((p, i) => !/^\d+$/.test(p) || epochs[i]! < min || epochs[i]! > max)) {
    throw new InvalidArgumentError(`--snapshot-epochs must be epoch numbers from ${min} to ${max.toLocaleString('en-US')} separated by commas, like 1,2,5,10 (got '${value}')`);
  }
  const unique = [...new Set(epochs)].sort((a, b) => a - b);
  if (unique.length > MAX_SNAPSHOTS) {
    throw new InvalidArgumentError(`--snapshot-epochs lists ${unique.length} epochs, more than the ${MAX_SNAPSHOTS} snapshots a run keeps (got '${value.slice(0, 40)}...')`);
  }
  return unique;
}

/** Path of the snapshot of `epoch` in run folder `dir`. */
export function snapshotPath(dir: string, epoch: number): string {
  return join(dir, SNAPSHOT_DIR, `epoch-${epoch}.safetensors`);
}

/**
 * Writes the model's weights after `epoch` to `RUN/snapshots/epoch-<epoch>.safetensors`
 * (atomically, through safetensors' save), creating the folder when needed.
 * @example saveSnapshot('runs/a', 2, model) // 'runs/a/snapshots/epoch-2.safetensors'
 */
export function saveSnapshot(dir: string, epoch: number, model: Module): string {
  makeDirs('train --snapshot-epochs', join(dir, SNAPSHOT_DIR));
  const path = snapshotPath(dir, epoch);
  save(model.stateDict(), path, { metadata: { format: 'pt', 'tensorgrad.epoch': String(epoch) } });
  return path;
}

export interface Snapshot {
  epoch: number;
  path: string;
}

/**
 * The snapshots in run folder `dir`, by epoch ascending (empty when there are none).
 * @example listSnapshots('runs/a') // [{ epoch: 1, path: 'runs/a/snapshots/epoch-1.safetensors' }, ...]
 */
export function listSnapshots(dir: string): Snapshot[] {
  const folder = join(dir, SNAPSHOT_DIR);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  return readdirSync(folder)
    .map((name) => ({ m: SNAPSHOT_FILE.exec(name), name }))
    .filter((e): e is { m: RegExpExecArray; name: string } => e.m !== null)
    .map(({ m, name }) => ({ epoch: Number(m[1]), path: join(folder, name) }))
    .sort((a, b) => a.epoch - b.epoch);
}
