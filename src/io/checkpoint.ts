/**
 * Training checkpoints: everything needed to resume a run exactly, in one
 * safetensors file (so any safetensors tool can open it).
 *
 * Tensors:       `model.<stateDict key>`                 model weights and persistent buffers
 *                `optimizer.state.<paramIndex>.<name>`   optimizer state tensors (momentum, moments)
 * __metadata__:  `tensorgrad.checkpoint` = "1"            marker and format version
 *                `tensorgrad.state` = JSON                epoch, step, optimizer numbers and paramGroups,
 *                                                         scheduler state, RNG states, `extra`
 * Numbers in the JSON round-trip exactly (shortest round-trip formatting);
 * Infinity and NaN (e.g. ReduceLROnPlateau's initial best) are tagged so they survive JSON.
 */
import type { Module, StateDict } from '../nn/module.js';
import type { OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { TensorError } from '../tensor/errors.js';
import { defaultGenerator, type Generator, type GeneratorState } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { decodeSafetensors, encodeSafetensors, readFileBytes, writeFileAtomic } from './safetensors.js';

/** What a checkpoint needs from an optimizer (every `tg.optim` optimizer has it). */
export interface CheckpointOptimizer {
  stateDict(): OptimizerStateDict;
  loadStateDict(sd: OptimizerStateDict): void;
}

/** What a checkpoint needs from a learning-rate scheduler: JSON-serializable state. */
export interface CheckpointScheduler {
  stateDict(): Record<string, unknown>;
  loadStateDict(sd: Record<string, unknown>): void;
}

/** The objects a checkpoint restores in place. */
export interface CheckpointTargets {
  model: Module;
  optimizer?: CheckpointOptimizer;
  scheduler?: CheckpointScheduler;
  /** Extra generators by name (e.g. a DataLoader's); the default generator is always included. */
  generators?: Record<string, Generator>;
}

/** Everything `saveCheckpoint` stores. */
export interface CheckpointContents extends CheckpointTargets {
  /** Epochs completed (a non-negative integer). */
  epoch: number;
  /** Optimizer steps taken so far (default 0). */
  step?: number;
  /** Free-form JSON: best accuracy, metrics, config... (no tensors). */
  extra?: Record<string, unknown>;
}

/** What `loadCheckpoint` returns besides restoring the objects. */
export interface CheckpointInfo {
  epoch: number;
  step: number;
  extra: Record<string, unknown>;
}

const MARKER = 'tensorgrad.checkpoint';
const STATE = 'tensorgrad.state';
const VERSION = '1';
const MODEL = 'model.';
const OPT_STATE = 'optimizer.state.';
const FLOAT_TAG = '__tensorgrad_float__';

/** The JSON part of a checkpoint. */
interface SavedState {
  epoch: number;
  step: number;
  optimizer: { paramGroups: Record<string, unknown>[]; state: Record<string, Record<string, number>> } | null;
  scheduler: Record<string, unknown> | null;
  rng: { default: GeneratorState; generators: Record<string, GeneratorState> };
  extra: Record<string, unknown>;
}

function toJson(where: string, value: SavedState): string {
  try {
    return JSON.stringify(value, (key, v: unknown) => {
      if (v instanceof Tensor) throw new TensorError(`${where}: '${key}' is a Tensor; checkpoint JSON state (extra, scheduler) cannot hold tensors (convert with toArray())`);
      // JSON has no Infinity or NaN: tag them so they come back as numbers.
      if (typeof v === 'number' && !Number.isFinite(v)) return { [FLOAT_TAG]: String(v) };
      return v;
    });
  } catch (err) {
    if (err instanceof TensorError) throw err;
    throw new TensorError(`${where}: checkpoint state is not JSON-serializable (${(err as Error).message})`);
  }
}

function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === FLOAT_TAG) return Number((v as Record<string, string>)[FLOAT_TAG]);
    }
    return v;
  });
}

function checkCount(where: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new TensorError(`${where}: ${name} must be a non-negative integer (got ${v})`);
}

/**
 * Saves a training checkpoint atomically: model weights and buffers, optimizer
 * state, scheduler state, epoch and step, the default RNG's state and any
 * `generators`, and a free-form `extra` object. Node only; in a browser,
 * `serializeCheckpoint` gives the bytes.
 * @example
 * tg.io.saveCheckpoint('run/last.safetensors', {
 *   model, optimizer, scheduler, epoch, step, generators: { loader: loaderGen }, extra: { bestAcc },
 * });
 */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  const where = `saveCheckpoint: ${path}`;
  writeFileAtomic(where, path, encodeCheckpoint(where, contents), 'use tg.io.serializeCheckpoint(contents) for the bytes');
}

/**
 * A checkpoint as bytes (what `saveCheckpoint` writes), e.g. to store in a
 * browser (IndexedDB) or send over the network.
 * @example
 * const bytes = tg.io.serializeCheckpoint({ model, optimizer, epoch });
 */
export function serializeCheckpoint(contents: CheckpointContents): Uint8Array {
  return encodeCheckpoint('serializeCheckpoint', contents);
}

function encodeCheckpoint(where: string, contents: CheckpointContents): Uint8Array {
  const { model, optimizer, scheduler, epoch, step = 0, generators = {}, extra = {} } = contents;
  checkCount(where, 'epoch', epoch);
  checkCount(where, 'step', step);
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) throw new TensorError(`${where}: extra must be a plain object`);

  const tensors: [string, Tensor][] = Object.entries(model.stateDict()).map(([k, t]) => [MODEL + k, t]);
  let optimizerState: SavedState['optimizer'] = null;
  if (optimizer) {
    const sd = optimizer.stateDict();
    const numbers: Record<string, Record<string, number>> = {};
    for (const [index, paramState] of Object.entries(sd.state)) {
      numbers[index] = {};
      for (const [name, v] of Object.entries(paramState)) {
        if (v instanceof Tensor) tensors.push([`${OPT_STATE}${index}.${name}`, v]);
        else numbers[index][name] = v;
      }
    }
    optimizerState = { paramGroups: sd.paramGroups, state: numbers };
  }
  const state: SavedState = {
    epoch,
    step,
    optimizer: optimizerState,
    scheduler: scheduler ? scheduler.stateDict() : null,
    rng: {
      default: defaultGenerator.getState(),
      generators: Object.fromEntries(Object.entries(generators).map(([name, g]) => [name, g.getState()])),
    },
    extra,
  };
  const metadata = { [MARKER]: VERSION, [STATE]: toJson(where, state) };
  // Object.fromEntries keeps odd keys (e.g. "__proto__") as plain data.
  return encodeSafetensors(where, Object.fromEntries(tensors), metadata);
}

/** Parses and sanity-checks the JSON state so a damaged file fails before anything is modified. */
function parseState(where: string, text: string | undefined): SavedState {
  let s: unknown;
  try {
    s = fromJson(text ?? '');
  } catch (err) {
    throw new TensorError(`${where}: corrupt checkpoint state (${(err as Error).message})`);
  }
  const st = s as Partial<SavedState> | null;
  const ok = st !== null && typeof st === 'object' && typeof st.epoch === 'number' && typeof st.step === 'number'
    && typeof st.rng === 'object' && st.rng !== null && typeof st.rng.default === 'object' && typeof st.rng.generators === 'object'
    && typeof st.extra === 'object' && st.extra !== null;
  if (!ok) throw new TensorError(`${where}: corrupt checkpoint state (missing epoch, step, rng or extra)`);
  return st as SavedState;
}

/** Runs `fn`, prefixing any error it throws with the checkpoint's path. */
function withPath<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new TensorError(`${where}: ${(err as Error).message}`);
  }
}

/**
 * Restores a checkpoint written by `saveCheckpoint` into `model` (and
 * `optimizer`, `scheduler`, `generators` when given) in place, and restores the
 * default RNG, so training resumes exactly where it stopped. Node only; in a
 * browser, `deserializeCheckpoint` the fetched bytes.
 * @example
 * const { epoch, step, extra } = tg.io.loadCheckpoint('run/last.safetensors', { model, optimizer, scheduler });
 * for (let e = epoch; e < epochs; e++) train(e);
 */
export function loadCheckpoint(path: string, targets: CheckpointTargets): CheckpointInfo {
  const where = `loadCheckpoint: ${path}`;
  const bytes = readFileBytes(where, path, 'fetch the file and use tg.io.deserializeCheckpoint(bytes, targets)');
  return decodeCheckpoint(where, `loadCheckpoint: ${path}`, 'load()', bytes, targets);
}

/**
 * Restores a checkpoint from bytes (as `serializeCheckpoint` or
 * `saveCheckpoint` wrote them), like `loadCheckpoint`.
 * @example
 * const { epoch } = tg.io.deserializeCheckpoint(bytes, { model, optimizer });
 */
export function deserializeCheckpoint(bytes: Uint8Array, targets: CheckpointTargets): CheckpointInfo {
  return decodeCheckpoint('deserializeCheckpoint', 'deserializeCheckpoint: the input', 'deserialize()', bytes, targets);
}

/** `subject` starts the not-a-checkpoint message; `plain` is the function that reads plain weights. */
function decodeCheckpoint(where: string, subject: string, plain: string, bytes: Uint8Array, targets: CheckpointTargets): CheckpointInfo {
  const { tensors, metadata } = decodeSafetensors(where, bytes);
  if (!metadata || metadata[MARKER] === undefined) {
    throw new TensorError(`${subject} is not a tensorgrad checkpoint (its safetensors metadata has no '${MARKER}' entry; for plain weights use ${plain})`);
  }
  if (metadata[MARKER] !== VERSION) {
    throw new TensorError(`${where}: unsupported checkpoint version '${metadata[MARKER]}' (this tensorgrad reads version ${VERSION})`);
  }
  const state = parseState(where, metadata[STATE]);

  // Sort the tensors back into model weights and optimizer state.
  const modelState: [string, Tensor][] = [];
  const optTensors: [number, string, Tensor][] = [];
  for (const [key, t] of Object.entries(tensors)) {
    const opt = key.startsWith(OPT_STATE) ? /^(\d+)\.(.+)$/.exec(key.slice(OPT_STATE.length)) : null;
    if (key.startsWith(MODEL)) modelState.push([key.slice(MODEL.length), t]);
    else if (opt) optTensors.push([Number(opt[1]), opt[2]!, t]);
    else throw new TensorError(`${where}: unexpected tensor '${key}' (a checkpoint holds only model.* and optimizer.state.<index>.* tensors)`);
  }

  // Check that everything asked for is present before modifying anything.
  const { optimizer, scheduler, generators = {} } = targets;
  if (optimizer && !state.optimizer) throw new TensorError(`${where}: the checkpoint has no optimizer state (it was saved without an optimizer)`);
  if (scheduler && !state.scheduler) throw new TensorError(`${where}: the checkpoint has no scheduler state (it was saved without a scheduler)`);
  const savedGens = state.rng.generators;
  for (const name of Object.keys(generators)) {
    if (!Object.hasOwn(savedGens, name)) {
      const names = Object.keys(savedGens);
      throw new TensorError(`${where}: the checkpoint has no state for generator '${name}' (saved: ${names.length ? names.join(', ') : 'none'})`);
    }
  }

  withPath(where, () => targets.model.loadStateDict(Object.fromEntries(modelState) as StateDict));
  if (optimizer && state.optimizer) {
    const perParam = new Map<number, ParamState>();
    const entry = (i: number): ParamState => perParam.get(i) ?? perParam.set(i, {}).get(i)!;
    for (const [index, numbers] of Object.entries(state.optimizer.state)) Object.assign(entry(Number(index)), numbers);
    for (const [index, name, t] of optTensors) entry(index)[name] = t;
    const sd: OptimizerStateDict = { paramGroups: state.optimizer.paramGroups, state: Object.fromEntries(perParam) };
    withPath(where, () => optimizer.loadStateDict(sd));
  }
  if (scheduler && state.scheduler) withPath(where, () => scheduler.loadStateDict(state.scheduler!));
  withPath(where, () => {
    defaultGenerator.setState(state.rng.default);
    for (const [name, g] of Object.entries(generators)) g.setState(savedGens[name]!);
  });
  return { epoch: state.epoch, step: state.step, extra: state.extra };
}
