/**
 * The worker's state, DOM-free so the tests drive it in Node: the decoded data,
 * the current model (there is always one once `ready()` ran: Draw and Inside work
 * before any training) and the one Trainer that may be running on it.
 *
 * Lifecycle (each change of model posts `{ type: 'model', modelVersion, settings }`
 * with a new version):
 * - `ready()`: a fresh, untrained model from DEFAULT_SETTINGS (seeded);
 * - `start(settings)`: resumes a paused run; otherwise a new run on a new model
 *   built from `settings` — except right after a `load`, where Start continues
 *   training the loaded weights (same version) when `settings` describe the same
 *   architecture (a learner loads a CLI run and trains it further);
 * - `reset()`: stops and builds a fresh model with the last settings;
 * - `replaceModel(...)` (a load): stops any run; the given model becomes current.
 */
import * as tg from '../../../src/index.js';
import type { WebData } from '../data/web-data.js';
import { checkSettings, DEFAULT_SETTINGS, type FromWorker, type RunState, type TrainSettings } from './protocol.js';
import { buildNetwork } from './models.js';
import { Trainer, type TrainerOptions } from './trainer.js';

/** The model the panels look at. */
export interface CurrentModel {
  readonly model: tg.nn.Module;
  settings: TrainSettings;
  readonly version: number;
  /** Optimizer steps taken (including those before a save, for a loaded file). */
  step: number;
  /** How it came: 'loaded' models are continued by the next Start. */
  origin: 'fresh' | 'loaded' | 'trained';
}

/**
 * Whether `a` and `b` build networks with the same parameter shapes (pooling
 * type is not a weight, but a different pool is a different network: not the same).
 * @example sameArchitecture(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, lr: 0.1 }) // true
 */
export function sameArchitecture(a: TrainSettings, b: TrainSettings): boolean {
  if (a.model !== b.model) return false;
  if (a.model === 'mlp') return a.mlpHidden === b.mlpHidden;
  if (a.model === 'cnn') return JSON.stringify(a.cnn) === JSON.stringify(b.cnn);
  return true;
}

export class WorkerSession {
  data: WebData | null = null;
  private currentModel: CurrentModel | null = null;
  private trainer: Trainer | null = null;
  private version = 0;

  /**
   * `post` is the worker's postMessage; `trainerOptions` lets tests pass a
   * `yieldNow` (to act between steps) and a short `reportMs`.
   * @example const s = new WorkerSession((m) => postMessage(m)); s.ready(); s.start(settings);
   */
  constructor(private readonly post: (msg: FromWorker) => void, private readonly trainerOptions: Omit<TrainerOptions, 'post' | 'model' | 'onStep'> = {}) {}

  /** The current model; throws before `ready()` (the page's requests wait for 'ready'). */
  get current(): CurrentModel {
    if (!this.currentModel) throw new Error('the worker is still loading (no model yet)');
    return this.currentModel;
  }

  /** Whether a run is in progress (running or paused). */
  get training(): boolean {
    return this.trainer !== null;
  }

  /** Builds the first model (call once the backend is ready); posts 'model'. */
  ready(): void {
    if (!this.currentModel) this.freshModel(DEFAULT_SETTINGS);
  }

  /** A new untrained model from `settings`, seeded (the same settings give the same weights). */
  freshModel(settings: TrainSettings): CurrentModel {
    tg.manualSeed(settings.seed);
    return this.replaceModel(buildNetwork(settings), settings, 0, 'fresh');
  }

  /** Stops any run and makes `model` current under a new version; posts 'model'. */
  replaceModel(model: tg.nn.Module, settings: TrainSettings, step: number, origin: CurrentModel['origin']): CurrentModel {
    this.stopTraining();
    this.currentModel = { model, settings, version: ++this.version, step, origin };
    this.post({ type: 'model', modelVersion: this.version, settings });
    return this.currentModel;
  }

  /**
   * Makes loaded weights current (stopping any run) and tells the panel the worker
   * is idle, so the next Start continues them; posts 'model' then 'state'.
   */
  adopt(model: tg.nn.Module, settings: TrainSettings, step: number): CurrentModel {
    const wasTraining = this.training;
    const cur = this.replaceModel(model, settings, step, 'loaded'); // posts 'idle' when a run was stopped
    if (!wasTraining) this.state('idle');
    return cur;
  }

  /** Ends a running or paused run (after its current step) and posts 'idle'. */
  stopTraining(): void {
    if (!this.trainer) return;
    this.trainer.stop();
    this.trainer = null;
    this.state('idle');
  }

  /** Start: resume a paused run, continue a loaded model, or begin a new run (see the file comment). */
  start(settings: TrainSettings): void {
    if (!this.data) throw new Error('start: the data is not loaded yet');
    if (this.trainer?.isPaused) {
      this.trainer.resume();
      this.state('running');
      return;
    }
    if (this.trainer) return; // already running
    const errors = checkSettings(settings);
    if (errors.length) throw new Error(`start: ${errors.join('; ')}`);
    const prev = this.currentModel;
    const cur = prev && prev.origin === 'loaded' && sameArchitecture(prev.settings, settings)
      ? Object.assign(prev, { settings })
      : this.freshModel(settings);
    cur.origin = 'trained';
    const t = new Trainer(this.data, settings, { ...this.trainerOptions, post: this.post, model: cur.model, onStep: () => { cur.step++; } });
    this.trainer = t;
    this.state('running');
    t.run().then((finished) => {
      if (this.trainer !== t) return; // stopped meanwhile: 'idle' was already posted
      this.trainer = null;
      this.state(finished ? 'done' : 'idle');
    }, (e: unknown) => {
      if (this.trainer === t) this.trainer = null;
      this.post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      this.state('idle');
    });
  }

  /** Holds a running run after its current step. */
  pause(): void {
    if (this.trainer && !this.trainer.isPaused) {
      this.trainer.pause();
      this.state('paused');
    }
  }

  /** Stops any run and starts over with a fresh model of the last settings. */
  reset(): void {
    const wasTraining = this.training;
    this.stopTraining(); // posts 'idle' when a run was stopped
    this.freshModel(this.currentModel?.settings ?? DEFAULT_SETTINGS);
    if (!wasTraining) this.state('idle');
  }

  private state(s: RunState): void {
    this.post({ type: 'state', state: s });
  }
}
