/**
 * `tensorgrad train --resume`: which settings come from the checkpoint, which
 * may be given anew, and the one-line refusals for everything else.
 *
 * From the checkpoint (giving a different value is refused): --model, --dataset,
 * --batch-size, --lr, --optimizer, --scheduler, --weight-decay, --seed,
 * --train-subset, --test-subset, --classes, --per-class. Together with the weights, optimizer state,
 * schedule position and RNG states they make the resumed run equal the
 * uninterrupted one.
 * May be given: --epochs (the new total; default: the checkpoint's planned
 * total), --out (default: the checkpoint's folder), --data-dir (the same data
 * in another place), --backend, --threads.
 */
import { DATASET_NAMES } from './datasets.js';
import { loadWithMetadata } from '../io/safetensors.js';
import { MODELS } from '../models/registry.js';
import { UserError } from './errors.js';
import { isIntIn, LIMITS } from './flags.js';
import { OPTIMIZERS, SCHEDULERS } from './optimizers.js';

/** The training settings a checkpoint written by `tensorgrad train` remembers. */
export interface TrainSettings {
  model: string;
  dataset: string;
  dataDir?: string;
  /** The planned total number of epochs. */
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: string;
  scheduler: string;
  weightDecay: number;
  seed: number;
  trainSubset?: number;
  testSubset?: number;
  /** --classes: the kept dataset classes as comma-separated indices ('0,1,2,3,4'); absent: all. */
  classes?: string;
  /** --per-class: training images kept of each class. */
  perClass?: number;
}

/** Schedules whose shape depends on the planned total (so a different total changes the run). */
export const TOTAL_DEPENDENT_SCHEDULERS: readonly string[] = ['onecycle', 'cosine', 'step'];

/** The settings fixed by a checkpoint, with their flags. */
const FIXED: readonly [keyof TrainSettings, string][] = [
  ['model', '--model'], ['dataset', '--dataset'], ['batchSize', '--batch-size'], ['lr', '--lr'], ['optimizer', '--optimizer'],
  ['scheduler', '--scheduler'], ['weightDecay', '--weight-decay'], ['seed', '--seed'], ['trainSubset', '--train-subset'], ['testSubset', '--test-subset'],
  ['classes', '--classes'], ['perClass', '--per-class'],
];

export interface CheckpointPeek {
  settings: TrainSettings;
  /** Epochs completed when the checkpoint was written. */
  epochsDone: number;
}

const isNum = (v: unknown, r: { min: number; max: number }) => typeof v === 'number' && Number.isFinite(v) && v >= r.min && v <= r.max;

/** Checks the stored settings field by field; the message names the first bad one. */
function checkSettings(path: string, s: Record<string, unknown>): TrainSettings {
  const bad = (field: string, want: string) => new UserError(`checkpoint ${path} has an invalid training setting '${field}' (${want}, got ${JSON.stringify(s[field])?.slice(0, 60)}); it was not written by this 'tensorgrad train' or is damaged`);
  const oneOf = (field: string, names: readonly string[]) => {
    if (typeof s[field] !== 'string' || !names.includes(s[field] as string)) throw bad(field, `one of ${names.join(', ')}`);
  };
  oneOf('model', [...MODELS.keys()]);
  oneOf('dataset', DATASET_NAMES);
  oneOf('optimizer', OPTIMIZERS);
  oneOf('scheduler', SCHEDULERS);
  if (s.dataDir !== undefined && typeof s.dataDir !== 'string') throw bad('dataDir', 'a folder name');
  if (!isIntIn(s.epochs, LIMITS.epochs)) throw bad('epochs', `an integer from 1 to ${LIMITS.epochs.max}`);
  if (!isIntIn(s.batchSize, LIMITS.batchSize)) throw bad('batchSize', `an integer from 1 to ${LIMITS.batchSize.max}`);
  if (!isNum(s.lr, LIMITS.lr) || s.lr === 0) throw bad('lr', `a number above 0 and at most ${LIMITS.lr.max}`);
  if (!isNum(s.weightDecay, LIMITS.weightDecay)) throw bad('weightDecay', `a number from 0 to ${LIMITS.weightDecay.max}`);
  if (!isIntIn(s.seed, LIMITS.seed)) throw bad('seed', `an integer from 0 to ${LIMITS.seed.max}`);
  if (s.classes !== undefined && !(typeof s.classes === 'string' && /^\d+(,\d+)*$/.test(s.classes))) throw bad('classes', 'comma-separated class indices');
  for (const f of ['trainSubset', 'testSubset', 'perClass']) {
    if (s[f] !== undefined && !isIntIn(s[f], LIMITS.subset)) throw bad(f, `an integer from 1 to ${LIMITS.subset.max}`);
  }
  const keep = (k: keyof TrainSettings) => (s[k] === undefined ? {} : { [k]: s[k] });
  return {
    model: s.model as string, dataset: s.dataset as string, ...keep('dataDir'), epochs: s.epochs as number, batchSize: s.batchSize as number,
    lr: s.lr as number, optimizer: s.optimizer as string, scheduler: s.scheduler as string, weightDecay: s.weightDecay as number,
    seed: s.seed as number, ...keep('trainSubset'), ...keep('testSubset'), ...keep('classes'), ...keep('perClass'),
  } as TrainSettings;
}

/**
 * Reads the training settings and the completed epochs stored in a CLI
 * checkpoint without restoring anything; every field is validated.
 * @example const { settings, epochsDone } = peekCheckpoint('runs/a/checkpoint.safetensors');
 */
export function peekCheckpoint(path: string): CheckpointPeek {
  let meta: Record<string, string> | null;
  try {
    meta = loadWithMetadata(path).metadata;
  } catch (e) {
    throw new UserError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  const raw = meta?.['tensorgrad.state'];
  if (!raw) throw new UserError(`${path} is not a tensorgrad checkpoint`);
  let state: { epoch?: unknown; extra?: { settings?: unknown } };
  try {
    state = JSON.parse(raw) as typeof state;
  } catch (e) {
    throw new UserError(`checkpoint ${path} has unreadable training state (${(e as Error).message})`);
  }
  const settings = state?.extra?.settings;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new UserError(`${path} was not written by 'tensorgrad train' (no training settings inside)`);
  }
  const checked = checkSettings(path, settings as Record<string, unknown>);
  if (!isIntIn(state.epoch, LIMITS.epochs)) {
    throw new UserError(`checkpoint ${path} has an invalid epoch count (${JSON.stringify(state.epoch)?.slice(0, 40)}); it is damaged`);
  }
  return { settings: checked, epochsDone: state.epoch as number };
}

/** How a value reads in a refusal: `lr 0.05`, `the whole training set`. */
function describe(key: keyof TrainSettings, flag: string, value: unknown): string {
  if (value === undefined) {
    return { trainSubset: 'the whole training set', testSubset: 'the whole test set', classes: 'all classes', perClass: 'all images of each class' }[key as string] ?? 'none';
  }
  return `${flag.slice(2)} ${value}`;
}

export type ResumePlan =
  | { kind: 'train'; settings: TrainSettings; epochsDone: number }
  | { kind: 'done'; message: string };

/**
 * Combines a checkpoint's settings with the flags given on the command line
 * (`given`: the option keys the user typed; their values are in `opts`).
 * Throws a UserError naming the flag on a contradiction; returns `done` when
 * the requested total is already reached.
 * @example resumePlan(peekCheckpoint(p), { epochs: 5 }, new Set(['epochs']))
 */
export function resumePlan(peek: CheckpointPeek, opts: Partial<TrainSettings>, given: ReadonlySet<string>): ResumePlan {
  const { settings: stored, epochsDone } = peek;
  for (const [key, flag] of FIXED) {
    if (given.has(key) && opts[key] !== stored[key]) {
      throw new UserError(`${flag} ${opts[key]} contradicts the checkpoint (${describe(key, flag, stored[key])}); drop it when resuming`);
    }
  }
  const epochs = given.has('epochs') && opts.epochs !== undefined ? opts.epochs : stored.epochs;
  const dataDir = given.has('dataDir') ? opts.dataDir : stored.dataDir;
  const settings: TrainSettings = { ...stored, epochs, ...(dataDir === undefined ? {} : { dataDir }) };
  if (epochs < epochsDone) {
    throw new UserError(`--epochs ${epochs} is less than the ${epochsDone} epochs the checkpoint has already trained; give a larger --epochs (or none to finish the planned ${stored.epochs})`);
  }
  const dependsOnTotal = TOTAL_DEPENDENT_SCHEDULERS.includes(stored.scheduler);
  if (epochs !== stored.epochs && dependsOnTotal) {
    throw new UserError(`--epochs ${epochs} differs from the ${stored.epochs} epochs the '${stored.scheduler}' schedule of the checkpoint was planned for; ` +
      `resuming can only finish it (drop --epochs), so that the result equals an uninterrupted run; for ${epochs} epochs start a new run`);
  }
  if (epochs === epochsDone) {
    const longer = dependsOnTotal ? `its '${stored.scheduler}' schedule ends there; start a new run to train longer` : `pass --epochs above ${epochsDone} to train longer`;
    return { kind: 'done', message: `the checkpoint has already trained ${epochsDone} of ${epochs} epochs; nothing to do (${longer})` };
  }
  return { kind: 'train', settings, epochsDone };
}
