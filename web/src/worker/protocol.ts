/**
 * The messages between the page and the training worker, and the training
 * settings with their checks. Pure types and functions: the worker and the
 * Train panel both import this file, and nothing runs at import.
 */

/** The networks the Train panel offers. */
export type ModelKind = 'lenet5' | 'cnn' | 'mlp';
export type OptimizerKind = 'sgd' | 'adam';
/** 'constant': the learning rate as set; 'one-cycle': warm up to it over the first 30 % of the steps, then anneal to ~0 (OneCycleLR, as the CLI trains). */
export type ScheduleKind = 'constant' | 'one-cycle';

/** The small CNN builder's choices: `blocks` x (conv k x k, 'same' padding -> [batch norm] -> ReLU -> pool 2). */
export interface CnnSettings {
  /** Conv blocks, 1..3 (28 -> 14 -> 7 -> 3 pixels). */
  blocks: number;
  /** Channels of the first block; each later block doubles them. */
  channels: number;
  kernel: 3 | 5;
  pool: 'max' | 'avg';
  batchNorm: boolean;
}

/** Everything one training run needs. */
export interface TrainSettings {
  model: ModelKind;
  cnn: CnnSettings;
  /** Width of the MLP's two hidden layers. */
  mlpHidden: number;
  optimizer: OptimizerKind;
  /** The learning rate (the peak, with 'one-cycle'). */
  lr: number;
  schedule: ScheduleKind;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  model: 'lenet5',
  cnn: { blocks: 2, channels: 8, kernel: 3, pool: 'max', batchNorm: false },
  mlpHidden: 128,
  optimizer: 'sgd',
  // The CLI's main-job settings: SGD with momentum, one-cycle peaking at 0.05 (97.5 % test accuracy on the page's data in 3 epochs, seed 0).
  lr: 0.05,
  schedule: 'one-cycle',
  momentum: 0.9,
  batchSize: 32,
  epochs: 3,
  seed: 0,
};

/**
 * Page -> worker. `start` begins a run (or resumes a paused one, ignoring `settings`).
 * The requests carry an `id`; the worker answers each with one message of the
 * matching reply type and the same `id`, or with `{ type: 'error', id }`.
 * Requests are answered between training steps, so they work while training runs.
 */
export type ToWorker =
  | { type: 'init'; dataUrl: string }
  | { type: 'start'; settings: TrainSettings }
  | { type: 'pause' }
  | { type: 'reset' }
  | InspectRequest
  | FiltersRequest
  | UnitsRequest
  | SummaryRequest
  | SaveRequest
  | LoadRequest;

/** An RGBA image, row-major, 4 bytes per pixel: `new ImageData(rgba, width, height)` paints it. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** The network's answer for one 28x28 drawing: prediction, every layer's output, saliency. */
export interface InspectRequest {
  type: 'inspect';
  id: number;
  /** 28 * 28 = 784 values in [0, 1], 1 = ink (preprocessDrawing's output, MNIST's polarity); normalised in the worker. */
  digit: Float32Array;
  /** Also compute the saliency map (|d logit / d pixel| of the predicted class). */
  saliency: boolean;
}

/** One layer's output for the drawing. */
export interface LayerMaps {
  /** Module path as in stateDict / the summary (e.g. 'features.0'). */
  path: string;
  /** The module's class name (e.g. 'Conv2d', 'ReLU', 'Linear'). */
  kind: string;
  /** Output shape without the batch dimension: [C, H, W] for maps, [F] for vectors. */
  shape: number[];
  /**
   * [C, H, W] outputs: one image per channel (at most `MAX_CHANNELS_SHOWN`), each coloured
   * over the whole layer's range, so channels compare by brightness. [F] outputs: one
   * image of width F (at most `MAX_CHANNELS_SHOWN * 8`) and height 1.
   */
  images: RgbaImage[];
  /** The value range the colours span. */
  range: [number, number];
}

export interface InspectReply {
  type: 'inspected';
  id: number;
  /** Softmax of the logits, 10 values. */
  probabilities: number[];
  predicted: number;
  layers: LayerMaps[];
  /** 28x28 heat overlay (magma over the input), or null when not asked. */
  saliency: RgbaImage | null;
  /** Which model answered (increases on each new run, reset and load). */
  modelVersion: number;
  /** Optimizer steps the model has taken. */
  step: number;
}

/** The first conv layer's filters (or the first Linear layer's weights as 28x28 images for the MLP). */
export interface FiltersRequest {
  type: 'filters';
  id: number;
}

export interface FiltersReply {
  type: 'filters';
  id: number;
  /** The layer shown, e.g. 'features.0'. */
  layer: string;
  /** What the images are, for the caption (e.g. '6 filters 5x5, each scaled to its own min..max'). */
  description: string;
  images: RgbaImage[];
  modelVersion: number;
  step: number;
}

/** Per channel of a conv layer: the test patches that excite it most, or an input made to excite it. */
export interface UnitsRequest {
  type: 'units';
  id: number;
  /** A conv (or ReLU after one) layer path, from `SummaryReply.rows`. */
  layer: string;
  method: 'top-patches' | 'maximize';
  /** Channels to show (at most 16 per request). */
  units: number[];
  /** Top patches per unit (default 6). */
  k?: number;
}

export interface UnitsReply {
  type: 'units';
  id: number;
  layer: string;
  method: 'top-patches' | 'maximize';
  /** Per requested unit: top patches (most exciting first, with their activation) or one maximised image. */
  results: { unit: number; images: RgbaImage[]; values: number[] }[];
  modelVersion: number;
  step: number;
}

export interface SummaryRequest {
  type: 'summary';
  id: number;
}

/** tg.analysis.summary for a [1, 1, 28, 28] input, as table rows. */
export interface SummaryReply {
  type: 'summary';
  id: number;
  rows: { path: string; kind: string; outputShape: number[]; params: number; flops: number; receptiveField: string }[];
  totalParams: number;
  flops: number;
  /** Layers the Inside tab can show units of (conv layers and their activations). */
  unitLayers: { path: string; channels: number }[];
  modelVersion: number;
}

/** The current weights as a safetensors file (settings in its metadata, so the page can load it back). */
export interface SaveRequest {
  type: 'save';
  id: number;
}

export interface SaveReply {
  type: 'saved';
  id: number;
  bytes: Uint8Array;
  /** Suggested download name, e.g. 'lenet5-mnist-step1125.safetensors'. */
  fileName: string;
}

/**
 * Loads a safetensors file: one saved by the page (its metadata names the settings),
 * or a stateDict of a network the page can build (e.g. `model.safetensors` from a
 * `tensorgrad train --model lenet5` run folder), recognised by its names and shapes.
 * Stops a running training; the loaded model becomes the current one.
 */
export interface LoadRequest {
  type: 'load';
  id: number;
  bytes: Uint8Array;
  /** The file's name, for messages. */
  name: string;
}

export interface LoadReply {
  type: 'loaded';
  id: number;
  /** The settings of the network the file was loaded into (the panel shows them). */
  settings: TrainSettings;
  /** E.g. 'Loaded lenet5 (61,706 parameters) from model.safetensors'. */
  message: string;
  modelVersion: number;
}

/** Most channels of one layer the Draw tab shows. */
export const MAX_CHANNELS_SHOWN = 32;

/** What the worker is doing. */
export type RunState = 'loading' | 'idle' | 'running' | 'paused' | 'done';

/** Worker -> page. */
export type FromWorker =
  | { type: 'ready'; backend: string; threads: number; isolated: boolean; trainCount: number; testCount: number; loadSeconds: number }
  | { type: 'state'; state: RunState }
  /** `loss`: mean over the steps since the last progress message; `trainAccuracy`: moving average over recent batches; `lr`: the learning rate now. */
  | { type: 'progress'; epoch: number; step: number; stepsPerEpoch: number; loss: number; trainAccuracy: number; imagesPerSecond: number; lr: number }
  | { type: 'epoch'; epoch: number; testAccuracy: number; testLoss: number; seconds: number }
  /** The current model changed (new run, reset, load): views showing it should refresh. */
  | { type: 'model'; modelVersion: number; settings: TrainSettings }
  /** `id` set: the failed request's id (the other panels ignore it); unset: a training or worker error. */
  | { type: 'error'; message: string; id?: number }
  | InspectReply
  | FiltersReply
  | UnitsReply
  | SummaryReply
  | SaveReply
  | LoadReply;

/** The request types, and the reply type each gets. */
export type WorkerRequest = InspectRequest | FiltersRequest | UnitsRequest | SummaryRequest | SaveRequest | LoadRequest;
export type ReplyTo<R extends WorkerRequest> =
  R extends InspectRequest ? InspectReply
    : R extends FiltersRequest ? FiltersReply
      : R extends UnitsRequest ? UnitsReply
        : R extends SummaryRequest ? SummaryReply
          : R extends SaveRequest ? SaveReply
            : R extends LoadRequest ? LoadReply : never;

/**
 * The problems with `s` as sentences naming the setting (empty when it is usable).
 * The panel shows them beside the Start button; the worker refuses a run with any.
 * @example checkSettings({ ...DEFAULT_SETTINGS, lr: -1 }) // ['learning rate must be a number > 0 and <= 10 (got -1)']
 */
export function checkSettings(s: TrainSettings): string[] {
  const errors: string[] = [];
  const range = (name: string, v: number, lo: number, hi: number, integer: boolean, open = false): void => {
    const ok = Number.isFinite(v) && (open ? v > lo : v >= lo) && v <= hi && (!integer || Number.isInteger(v));
    if (!ok) errors.push(`${name} must be ${integer ? 'an integer' : 'a number'} ${open ? '>' : '>='} ${lo} and <= ${hi} (got ${v})`);
  };
  if (!['lenet5', 'cnn', 'mlp'].includes(s.model)) errors.push(`model must be lenet5, cnn or mlp (got ${String(s.model)})`);
  if (!['sgd', 'adam'].includes(s.optimizer)) errors.push(`optimizer must be sgd or adam (got ${String(s.optimizer)})`);
  if (!['constant', 'one-cycle'].includes(s.schedule)) errors.push(`learning-rate schedule must be constant or one-cycle (got ${String(s.schedule)})`);
  range('learning rate', s.lr, 0, 10, false, true);
  range('momentum', s.momentum, 0, 0.999, false);
  range('batch size', s.batchSize, 1, 1024, true);
  range('epochs', s.epochs, 1, 100, true);
  range('seed', s.seed, 0, 2 ** 31 - 1, true);
  if (s.model === 'mlp') range('hidden width', s.mlpHidden, 1, 2048, true);
  if (s.model === 'cnn') {
    range('conv blocks', s.cnn.blocks, 1, 3, true);
    range('channels', s.cnn.channels, 1, 128, true);
    if (s.cnn.kernel !== 3 && s.cnn.kernel !== 5) errors.push(`kernel must be 3 or 5 (got ${String(s.cnn.kernel)})`);
    if (s.cnn.pool !== 'max' && s.cnn.pool !== 'avg') errors.push(`pooling must be max or avg (got ${String(s.cnn.pool)})`);
  }
  return errors;
}
