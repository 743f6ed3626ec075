/**
 * `tensorgrad finetune SOURCE`: transfer learning from a trained model. The
 * classifier head (the last Linear layer) is replaced by a new one for the
 * new classes; the layers up to --freeze are frozen, and with
 * `--unfreeze-schedule gradual` unfrozen one by one from the top during
 * training; the new head learns at --lr and the pretrained layers at
 * lr * --pretrained-lr-factor. Writes a run folder (config.json,
 * model.safetensors, metrics) that eval, viz, predict and export accept.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, Generator } from '../tensor/random.js';
import { TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { DATASETS } from '../data/named-datasets.js';
import { buildModel, MODELS, modelSpec } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { load } from '../io/safetensors.js';
import { fit } from '../train/fit.js';
import { findHead, replaceHead } from '../train/unfreeze-head.js';
import { GradualUnfreezing, frozenBlocks } from '../train/unfreeze.js';
import { paramGroupsFor } from '../train/unfreeze-groups.js';
import { loadDataset, type LoadedDataset } from './datasets.js';
import { parseClassList, subsetDataset } from './class-subset.js';
import { makeOptimizer, DEFAULT_LR, type OPTIMIZERS } from './optimizers.js';
import { openRun, saveRun, ONNX_FILE, ONNX_MODEL, MAX_SAMPLE_ELEMENTS, type RunConfig } from './run-folder.js';
import { replaceOnnxHead, trainOnLogits, updatedGraph, OnnxModule } from './finetune-onnx.js';
import { loadModel } from '../onnx/import.js';
import { writeFileAtomic } from '../util/node.js';
import { ensureDir, removeEmptyDirs } from './files.js';
import { createProgress, formatDuration } from './progress.js';
import { rowOf, writeMetrics, type MetricsRow } from './train.js';
import { EXIT, UserError } from './errors.js';
import { cliIO, cliOut } from './io.js';
import { runMetadata } from './export.js';

export interface FinetuneOptions {
  model?: string;
  dataset: string;
  dataDir?: string;
  numClasses?: number;
  freeze?: string;
  unfreezeSchedule: 'none' | 'gradual';
  epochs: number;
  batchSize: number;
  lr?: number;
  pretrainedLrFactor: number;
  optimizer: string;
  seed: number;
  out?: string;
  trainSubset?: number;
  testSubset?: number;
  classes?: string;
  perClass?: number;
  backend?: string;
}

/** The pretrained model and what is known about it. */
interface Pretrained {
  model: Module;
  /** The architecture the run folder records: a zoo name, or 'onnx' for an imported graph. */
  name: string;
  /** [C, H, W] the model takes. */
  inputShape: readonly [number, number, number];
  /** The ONNX graph of an imported model (name 'onnx'). */
  onnx?: Uint8Array;
}

/** An ONNX file as a source: the graph must take one input [N, C, H, W] with C, H, W fixed. */
function openOnnxFile(file: string): Pretrained {
  if (!statSync(file).isFile()) throw new UserError(`${file} is not a file`);
  const bytes = new Uint8Array(readFileSync(file));
  let model: OnnxModule;
  try {
    model = loadModel(bytes);
  } catch (e) {
    throw new UserError(`cannot load ${file}: ${(e as Error).message}`);
  }
  const shapes = model.inputShapes;
  const dims = shapes[0];
  if (shapes.length !== 1 || !dims || dims.length !== 4 || dims.slice(1).some((d) => d === null || d < 1)
    || (dims[1] !== 1 && dims[1] !== 3) || dims[1]! * dims[2]! * dims[3]! > MAX_SAMPLE_ELEMENTS) {
    throw new UserError(`${file}: fine-tuning needs a graph with one image input [N, C, H, W] (C 1 or 3, H and W fixed); this one takes ${JSON.stringify(shapes)}`);
  }
  return { model, name: ONNX_MODEL, inputShape: [dims[1]!, dims[2]!, dims[3]!], onnx: bytes };
}

/** Opens SOURCE: a run folder, a model .safetensors (config.json beside it, or --model), or an ONNX file. */
async function openSource(source: string, o: FinetuneOptions): Promise<Pretrained> {
  if (!existsSync(source)) throw new UserError(`${source} does not exist (expected a run folder, a model .safetensors or an .onnx file)`);
  if (source.toLowerCase().endsWith('.onnx')) {
    if (o.model !== undefined) throw new UserError(`--model applies to a .safetensors file; an ONNX file holds its own graph (drop --model)`);
    return openOnnxFile(source);
  }
  if (o.model !== undefined) {
    if (statSync(source).isDirectory()) throw new UserError(`--model applies to a .safetensors file; the run folder ${source} names its own model (drop --model)`);
    return openZooWeights(source, o.model, o.dataset);
  }
  if (!statSync(source).isDirectory() && !existsSync(join(source, '..', 'config.json'))) {
    throw new UserError(`${source} has no config.json beside it; name its architecture with --model (${[...MODELS.keys()].join(', ')})`);
  }
  const run = openRun(source);
  const onnx = run.config.model === ONNX_MODEL ? new Uint8Array(readFileSync(join(run.dir, ONNX_FILE))) : undefined;
  return { model: run.model, name: run.config.model, inputShape: run.config.inputShape, ...(onnx ? { onnx } : {}) };
}

/**
 * A zoo model with the weights of `file` (e.g. written by PyTorch): its number
 * of outputs is read from the head's weight in the file, its input from the
 * model's size and the fine-tuning dataset's channels.
 */
function openZooWeights(file: string, name: string, dataset: string): Pretrained {
  const spec = modelSpec(name);
  const channels = DATASETS[dataset]?.normalize.mean.length ?? spec.channels ?? 3;
  const [h, w] = spec.inputSize ?? [28, 28];
  const inputShape = [channels, h, w] as const;
  let weights;
  try {
    weights = load(file);
  } catch (e) {
    throw new UserError(`cannot load ${file}: ${(e as Error).message}`);
  }
  // The file's class count is unknown: build with one class, then size the head by its weight in the file.
  const model = buildModel(name, { numClasses: 1, inputShape });
  let headPath: string;
  try {
    headPath = findHead(model).path;
  } catch (e) {
    throw new UserError(`finetune: ${(e as Error).message}`);
  }
  const headWeight = weights[`${headPath}.weight`];
  if (!headWeight || headWeight.ndim !== 2) throw new UserError(`${file} has no 2-D '${headPath}.weight' (the head of ${name}); is it a ${name} state dict?`);
  if (headWeight.shape[0] !== 1) replaceHead(model, headWeight.shape[0]!);
  try {
    model.loadStateDict(weights);
  } catch (e) {
    throw new UserError(`cannot load ${file} into ${name}: ${(e as Error).message}`);
  }
  return { model, name, inputShape };
}

/** The dataset classes kept by --classes (undefined: all) and the new head's size; checked before any data is read. */
function classesOf(o: FinetuneOptions): { kept: number[] | undefined; numClasses: number } {
  const spec = DATASETS[o.dataset];
  if (!spec) throw new UserError(`unknown dataset '${o.dataset}'`);
  const kept = o.classes === undefined ? undefined : parseClassList(o.classes, spec.classes);
  const numClasses = kept?.length ?? spec.classes.length;
  if (o.numClasses !== undefined && o.numClasses !== numClasses) {
    throw new UserError(`--num-classes ${o.numClasses} differs from the ${numClasses} classes of the data (${(kept ?? spec.classes.map((_, i) => i)).map((c) => spec.classes[c]).join(', ')}); use --classes to pick ${o.numClasses}`);
  }
  return { kept, numClasses };
}

/** The fine-tuning data, with --classes / --per-class applied. */
function loadData(o: FinetuneOptions, inputShape: readonly [number, number, number], kept: number[] | undefined): LoadedDataset {
  const data = loadDataset(o.dataset, { dataDir: o.dataDir, trainSubset: o.trainSubset, testSubset: o.testSubset, size: [inputShape[1], inputShape[2]], strictSubsets: true });
  if (data.inputShape[0] !== inputShape[0]) {
    throw new UserError(`the model takes ${inputShape[0]}-channel images but ${o.dataset} has ${data.inputShape[0]} channels`);
  }
  return kept ? subsetDataset(data, kept, o.perClass) : data;
}

/** Throws unless `model` has exactly the state-dict keys and shapes of the zoo build `config` describes (what eval will rebuild). */
function checkRebuildable(model: Module, config: Pick<RunConfig, 'model' | 'numClasses' | 'inputShape'>): void {
  const own = model.stateDict();
  const fresh = buildModel(config.model, { numClasses: config.numClasses, inputShape: config.inputShape }).stateDict();
  const a = Object.entries(own).map(([k, t]) => `${k}:${t.shape.join('x')}`).sort().join(' ');
  const b = Object.entries(fresh).map(([k, t]) => `${k}:${t.shape.join('x')}`).sort().join(' ');
  if (a !== b) throw new UserError(`finetune: the new model differs from ${config.model} with ${config.numClasses} classes, so the run folder could not be reopened (the head replaced is not the layer the zoo model sizes by its class count)`);
}

/** Replaces the classifier head (seeded by the caller): the last Linear layer, or for an ONNX graph the last weight of the output's size. */
function newHead(pre: Pretrained, numClasses: number): { path: string } {
  if (pre.model instanceof OnnxModule) {
    const head = replaceOnnxHead(pre.model, numClasses, pre.inputShape);
    if (head.path === '') throw new UserError(`finetune: the ONNX graph's head '${head.weightKey}' is not in a layer of its own (no dotted initializer name), so it cannot get its own learning rate`);
    return head;
  }
  try {
    return replaceHead(pre.model, numClasses);
  } catch (e) {
    throw new UserError(`finetune: ${(e as Error).message}`);
  }
}

/** Fixes the layers up to --freeze; returns the paths frozen (blocks with parameters). */
function applyFreeze(model: Module, o: FinetuneOptions, headPath: string): string[] {
  if (o.freeze === undefined) return [];
  try {
    model.freezeUntil(o.freeze);
  } catch (e) {
    throw new UserError(`--freeze: ${(e as Error).message.replace(/^freezeUntil: /, '')}`);
  }
  const head = model.namedModules().find(([p]) => p === headPath)![1];
  if (head.parameters().some((p) => !p.requiresGrad)) throw new UserError(`--freeze ${o.freeze} would freeze the new classifier head '${headPath}'; freeze an earlier layer`);
  return frozenBlocks(model);
}

/**
 * Runs `tensorgrad finetune`; returns the exit code (0, or 130 when
 * interrupted, the last finished epoch's model kept). Every flag and the
 * model surgery (head, --freeze) are checked before the data is read.
 */
export async function finetuneCommand(source: string, o: FinetuneOptions, _given: ReadonlySet<string> = new Set()): Promise<number> {
  if (o.perClass !== undefined && o.classes === undefined) throw new UserError('--per-class needs --classes (the classes to keep)');
  if (o.unfreezeSchedule === 'gradual' && o.freeze === undefined) throw new UserError('--unfreeze-schedule gradual needs --freeze (the layers to start frozen)');
  const pre = await openSource(source, o);
  const { kept, numClasses } = classesOf(o);
  const { model } = pre;
  if (model instanceof OnnxModule) {
    const logits = trainOnLogits(model);
    if (logits !== null) cliOut(`finetune: the ONNX graph ends in Softmax; training uses its input '${logits}' (the logits) with cross-entropy, and the saved model.onnx keeps the Softmax\n`);
  }
  model.unfreeze();
  manualSeed(o.seed);
  const head = newHead(pre, numClasses);
  const frozen = applyFreeze(model, o, head.path);
  // The run folder must reopen as this model: a zoo build of the same shapes, or the resized ONNX graph.
  if (pre.onnx) updatedGraph(pre.onnx, model as OnnxModule, numClasses, true);
  else checkRebuildable(model, { model: pre.name, numClasses, inputShape: [...pre.inputShape] });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const out = o.out ?? join('runs', `finetune-${o.dataset}-${stamp}`);
  const created = ensureDir(out, '--out');
  try {
    const data = loadData(o, pre.inputShape, kept);
    return await finetuneInto(out, source, pre, data, { kept, numClasses, head: head.path, frozen }, o);
  } catch (e) {
    removeEmptyDirs(created);
    throw e;
  }
}

/** The model surgery's outcome. */
interface Surgery {
  kept: number[] | undefined;
  numClasses: number;
  /** Module path of the new head. */
  head: string;
  /** The frozen blocks (frozenBlocks). */
  frozen: string[];
}

async function finetuneInto(out: string, source: string, pre: Pretrained, data: LoadedDataset, surgery: Surgery, o: FinetuneOptions): Promise<number> {
  const { model } = pre;
  const { kept, numClasses, frozen } = surgery;
  const head = { path: surgery.head };
  const config: RunConfig = {
    format: 'tensorgrad-run', version: 1, model: pre.name, dataset: o.dataset, numClasses,
    classes: data.classes, inputShape: [...pre.inputShape] as [number, number, number], normalize: data.normalize,
    ...(kept ? { datasetClasses: kept } : {}),
  };
  const save = (training: Record<string, unknown>) => {
    if (pre.onnx) writeFileAtomic('finetune', join(out, ONNX_FILE), updatedGraph(pre.onnx, model as OnnxModule, numClasses, false, runMetadata(config)));
    saveRun(out, { ...config, training }, model);
  };

  const lr = o.lr ?? DEFAULT_LR[o.optimizer as (typeof OPTIMIZERS)[number]];
  const bodyLr = lr * o.pretrainedLrFactor;
  const optimizer = makeOptimizer(o.optimizer, paramGroupsFor(model, { head: [head.path], headLr: lr, bodyLr }), lr, 0);
  const unfreezing = o.unfreezeSchedule === 'gradual' && frozen.length
    ? new GradualUnfreezing(model, { blocks: frozen, start: 2, perStep: Math.ceil(frozen.length / Math.max(1, o.epochs - 1)) })
    : null;
  const loader = new DataLoader(new TensorDataset(data.train.images, data.train.labels), { batchSize: o.batchSize, shuffle: true, generator: new Generator(o.seed + 1) });
  const testLoader = new DataLoader(new TensorDataset(data.test.images, data.test.labels), { batchSize: 500 });
  const settings = {
    finetunedFrom: source, head: head.path, freeze: o.freeze ?? null, frozenBlocks: frozen, unfreezeSchedule: o.unfreezeSchedule,
    epochs: o.epochs, batchSize: o.batchSize, lr, pretrainedLr: Number(bodyLr.toPrecision(6)), optimizer: o.optimizer, seed: o.seed,
    ...(o.classes !== undefined ? { classes: kept!.join(',') } : {}), ...(o.perClass !== undefined ? { perClass: o.perClass } : {}),
    ...(o.trainSubset !== undefined ? { trainSubset: o.trainSubset } : {}), ...(o.testSubset !== undefined ? { testSubset: o.testSubset } : {}),
  };

  const progress = createProgress(o.epochs, cliIO().stderr);
  const trainable = model.numParameters(true);
  progress.log(`fine-tuning ${pre.name} from ${source} on ${o.dataset}${kept ? ` classes ${data.classes.join(',')}` : ''} ` +
    `(${data.train.labels.shape[0]} train / ${data.test.labels.shape[0]} test images): new head '${head.path}' with ${numClasses} outputs; ` +
    `${frozen.length ? `frozen ${frozen.join(', ')}` : 'nothing frozen'}; ${trainable.toLocaleString('en-US')} of ${model.numParameters().toLocaleString('en-US')} parameters trainable; ` +
    `${o.optimizer} lr ${lr} (pretrained layers ${Number(bodyLr.toPrecision(6))}), batch ${o.batchSize}, ${o.epochs} epochs${unfreezing ? ', gradual unfreezing' : ''}; run folder ${out}`);
  if (o.unfreezeSchedule === 'gradual' && unfreezing && unfreezing.lastUnfreezeEpoch > o.epochs) {
    progress.log(`note: with ${o.epochs} epoch(s) the frozen layers stay frozen (gradual unfreezing starts at epoch 2)`);
  }

  const history: MetricsRow[] = [];
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.endEpoch();
    progress.log('interrupt: stopping after this batch (Ctrl-C again to quit at once); the last finished epoch\'s model stays in the run folder');
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    await fit({
      model, optimizer, train: loader, test: testLoader, numClasses, epochs: o.epochs, stopOnNonFinite: true,
      onEpochStart: (epoch) => {
        const newly = unfreezing?.onEpochStart(epoch) ?? [];
        if (newly.length) progress.log(`epoch ${epoch}: unfreezing ${newly.join(', ')} (${model.numParameters(true).toLocaleString('en-US')} parameters trainable)`);
      },
      onBatch: (b) => progress.batch(b),
      shouldStop: () => interrupted,
      onEpoch: (r) => {
        progress.endEpoch();
        history.push(rowOf(r));
        progress.log(`epoch ${r.epoch}/${o.epochs}: train loss ${r.trainLoss.toFixed(4)} acc ${(r.trainAccuracy * 100).toFixed(2)}% | ` +
          `test loss ${r.testLoss.toFixed(4)} acc ${(r.testAccuracy * 100).toFixed(2)}% | lr ${r.lr.toPrecision(3)} | ${formatDuration(r.seconds)} (${Math.round(r.imagesPerSecond)} img/s)`);
        writeMetrics(out, history);
        const best = history.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
        save({ ...settings, epochsDone: r.epoch, bestTestAccuracy: best.test_accuracy, bestEpoch: best.epoch, finalTestAccuracy: r.testAccuracy });
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (interrupted) {
    progress.log(`interrupted; ${history.length ? `the model of epoch ${history.length} is in ${out}` : 'no epoch finished, nothing saved'}`);
    return EXIT.interrupted;
  }
  const last = history.at(-1);
  if (last) {
    const seconds = (performance.now() - started) / 1000;
    progress.log(`done in ${formatDuration(seconds)}: final test accuracy ${(last.test_accuracy * 100).toFixed(2)}%; model saved to ${out}`);
  }
  return EXIT.ok;
}
