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
import { TensorError } from '../core/errors.js';
import { checkGeneratorState, defaultGenerator, type Generator, type GeneratorState } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from '../util/node.js';
import { decodeSafetensors, encodeSafetensors, readFileBytes, scanJson } from './safetensors.js';

/** What a checkpoint needs from an optimizer (every `tg.optim` optimizer has it). */
export interface CheckpointOptimizer {
  /**
   * The optimizer's state: per-parameter tensors (momentum, moments) and its param groups' numbers.
   * @example const sd = optimizer.stateDict();
   */
  stateDict(): OptimizerStateDict;
  /**
   * Restores a state from `stateDict()` in place (same parameters, in the same order).
   * @example optimizer.loadStateDict(sd);
   */
  loadStateDict(sd: OptimizerStateDict): void;
}

/** What a checkpoint needs from a learning-rate scheduler: JSON-serializable state. */
export interface CheckpointScheduler {
  /**
   * The scheduler's state as plain JSON-serializable data (no tensors).
   * @example const sd = scheduler.stateDict();
   */
  stateDict(): Record<string, unknown>;
  /**
   * Restores a state from `stateDict()` in place.
   * @example scheduler.loadStateDict(sd);
   */
  loadStateDict(sd: Record<string, unknown>): void;
}

/** The objects a checkpoint restores in place. */
export interface CheckpointTargets {
  /** The model: its state dict (parameters and persistent buffers) is saved / loaded in place. */
  model: Module;
  /** The optimizer whose state (moments, step counts, param groups) is saved / restored; optional. */
  optimizer?: CheckpointOptimizer;
  /** The learning-rate scheduler whose state is saved / restored; optional. */
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
  /** Epochs completed when the checkpoint was saved. */
  epoch: number;
  /** Optimizer steps taken when it was saved (0 if none was given). */
  step: number;
  /** The free-form `extra` object it was saved with (`{}` if none). */
  extra: Record<string, unknown>;
}

const MARKER = 'tensorgrad.checkpoint';
const STATE = 'tensorgrad.state';
const VERSION = '1';
const MODEL = 'model.';
const OPT_STATE = 'optimizer.state.';
const FLOAT_TAG = '__tensorgrad_float__';
/** Nesting allowed in the state JSON (`extra` is free-form; 64 levels is far beyond any real use). */
const MAX_STATE_DEPTH = 64;

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

function fromJson(where: string, text: string): unknown {
  return JSON.parse(text, (key, v: unknown) => {
    // JSON.parse makes "__proto__" a plain own key, but Object.assign or a spread copy later would set a prototype with it.
    if (key === '__proto__') throw new TensorError(`${where}: checkpoint state contains a '__proto__' key (refused: it could replace object prototypes)`);
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

/**
 * The targets/contents object must hold a model (and, if given, objects with
 * stateDict/loadStateDict and Generators): the common slip is passing the
 * model itself.
 */
function checkTargets(where: string, t: unknown, fn: string): void {
  const has = (o: unknown, m: string) => o !== null && typeof o === 'object' && typeof (o as Record<string, unknown>)[m] === 'function';
  if (has(t, 'stateDict') && has(t, 'forward')) {
    throw new TensorError(`${where}: got a model where an object is expected; pass { model${fn === 'save' ? ', optimizer, epoch' : ', optimizer'} }, e.g. tg.io.${fn === 'save' ? "saveCheckpoint(path, { model, optimizer, epoch })" : 'loadCheckpoint(path, { model, optimizer })'}`);
  }
  if (t === null || typeof t !== 'object') throw new TensorError(`${where}: expected { model, optimizer?, scheduler?, generators? } (got ${t === null ? 'null' : typeof t})`);
  const { model, optimizer, scheduler, generators } = t as Record<string, unknown>;
  if (!has(model, 'stateDict') || !has(model, 'loadStateDict')) throw new TensorError(`${where}: model must be a Module (got ${model === undefined ? 'nothing' : typeof model})`);
  if (optimizer !== undefined && !(has(optimizer, 'stateDict') && has(optimizer, 'loadStateDict'))) throw new TensorError(`${where}: optimizer must be a tg.optim optimizer`);
  if (scheduler != null && !(has(scheduler, 'stateDict') && has(scheduler, 'loadStateDict'))) throw new TensorError(`${where}: scheduler must be a learning-rate scheduler`);
  if (generators !== undefined) {
    if (generators === null || typeof generators !== 'object') throw new TensorError(`${where}: generators must be an object of named Generators`);
    for (const [name, g] of Object.entries(generators)) {
      if (!has(g, 'getState') || !has(g, 'setState')) throw new TensorError(`${where}: generators.${name} is not a Generator`);
    }
  }
}

function encodeCheckpoint(where: string, contents: CheckpointContents): Uint8Array {
  checkTargets(where, contents, 'save');
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
  const json = toJson(where, state);
  const depth = scanJson(json).depth;
  if (depth > MAX_STATE_DEPTH) throw new TensorError(`${where}: extra/scheduler state nests ${depth} levels deep, more than the ${MAX_STATE_DEPTH} a checkpoint can load back`);
  const metadata = { [MARKER]: VERSION, [STATE]: json };
  // Object.fromEntries keeps odd keys (e.g. "__proto__") as plain data.
  return encodeSafetensors(where, Object.fromEntries(tensors), metadata);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)).slice(0, 60));

/**
 * Parses and validates the JSON state so a damaged file fails, naming the
 * field, before anything is modified: epoch and step non-negative integers,
 * RNG states valid for xoshiro128**, optimizer state and paramGroups of the
 * right kinds (their values are checked by the optimizer's own loadStateDict),
 * scheduler and extra plain objects, no `__proto__` keys anywhere.
 */
function parseState(where: string, text: string | undefined): SavedState {
  // The reviver below recurses: bound the nesting first, so a deep `extra` is an error, not a stack overflow.
  const depth = scanJson(text ?? '').depth;
  if (depth > MAX_STATE_DEPTH) throw new TensorError(`${where}: corrupt checkpoint state (JSON nested ${depth} levels deep; the limit is ${MAX_STATE_DEPTH})`);
  let s: unknown;
  try {
    s = fromJson(where, text ?? '');
  } catch (err) {
    if (err instanceof TensorError) throw err;
    throw new TensorError(`${where}: corrupt checkpoint state (${(err as Error).message})`);
  }
  const bad = (field: string, want: string, got: unknown) => new TensorError(`${where}: invalid checkpoint field '${field}': ${want} (got ${show(got)})`);
  if (!isRecord(s)) throw new TensorError(`${where}: corrupt checkpoint state (not a JSON object)`);
  for (const field of ['epoch', 'step'] as const) {
    const v = s[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(field, 'must be a non-negative integer', v);
  }
  const { rng, optimizer, scheduler, extra } = s;
  if (!isRecord(rng) || !isRecord(rng.generators)) throw bad('rng', 'must be {default, generators}', rng);
  checkGeneratorState(`${where}: rng.default`, rng.default);
  for (const [name, g] of Object.entries(rng.generators)) checkGeneratorState(`${where}: rng.generators.${name}`, g);
  if (optimizer !== null) {
    if (!isRecord(optimizer) || !Array.isArray(optimizer.paramGroups) || !isRecord(optimizer.state)) throw bad('optimizer', 'must be {paramGroups, state} or null', optimizer);
    optimizer.paramGroups.forEach((g, i) => {
      if (!isRecord(g)) throw bad(`optimizer.paramGroups.${i}`, 'must be an object', g);
    });
    for (const [index, numbers] of Object.entries(optimizer.state)) {
      if (!/^\d+$/.test(index)) throw bad(`optimizer.state.${index}`, 'keys must be parameter indices', index);
      if (!isRecord(numbers)) throw bad(`optimizer.state.${index}`, 'must be an object of numbers', numbers);
      for (const [name, v] of Object.entries(numbers)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`optimizer.state.${index}.${name}`, 'must be a finite number', v);
      }
    }
  }
  if (scheduler !== null && !isRecord(scheduler)) throw bad('scheduler', 'must be an object or null', scheduler);
  if (!isRecord(extra)) throw bad('extra', 'must be an object', extra);
  return s as unknown as SavedState;
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
  checkTargets(where, targets, 'load');
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
    if (key.split('.').includes('__proto__')) throw new TensorError(`${where}: tensor name '${key}' contains '__proto__' (refused)`);
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

  // Restore everything or nothing: snapshot the targets, and put them back if any part is refused.
  const { model } = targets;
  const snapshot = {
    model: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()])) as StateDict,
    optimizer: optimizer?.stateDict(),
    scheduler: scheduler?.stateDict(),
    rng: defaultGenerator.getState(),
    generators: Object.values(generators).map((g) => [g, g.getState()] as const),
  };
  try {
    withPath(where, () => model.loadStateDict(Object.fromEntries(modelState) as StateDict));
    if (optimizer && state.optimizer) {
      const perParam = new Map<number, ParamState>();
      const entry = (i: number): ParamState => perParam.get(i) ?? perParam.set(i, {}).get(i)!;
      for (const [index, numbers] of Object.entries(state.optimizer.state)) {
        for (const [name, v] of Object.entries(numbers)) entry(Number(index))[name] = v;
      }
      for (const [index, name, t] of optTensors) entry(index)[name] = t;
      const sd: OptimizerStateDict = { paramGroups: state.optimizer.paramGroups, state: Object.fromEntries(perParam) };
      withPath(where, () => optimizer.loadStateDict(sd));
    }
    if (scheduler && state.scheduler) withPath(where, () => scheduler.loadStateDict(state.scheduler!));
    defaultGenerator.setState(state.rng.default);
    for (const [name, g] of Object.entries(generators)) g.setState(savedGens[name]!);
  } catch (err) {
    restore(model, snapshot.model, () => optimizer?.loadStateDict(snapshot.optimizer!), () => scheduler?.loadStateDict(snapshot.scheduler!));
    defaultGenerator.setState(snapshot.rng);
    for (const [g, st] of snapshot.generators) g.setState(st);
    throw err;
  }
  return { epoch: state.epoch, step: state.step, extra: state.extra };
}

/** Puts the model (then optimizer, scheduler) back as they were; each part independently, best effort. */
function restore(model: Module, weights: StateDict, ...others: (() => void)[]): void {
  for (const undo of [() => model.loadStateDict(weights), ...others]) {
    try {
      undo();
    } catch {
      // The live state was already unusual (the snapshot itself fails validation): keep what the failed load left.
    }
  }
}
