/**
 * `tensorgrad import model.onnx --out RUN [--dataset NAME]`: reads an ONNX
 * model (e.g. from torch.onnx.export) and writes a run folder that `eval`,
 * `viz`, `export` and `finetune` open like a trained one:
 *
 *   RUN/model.onnx          the graph (copied byte for byte)
 *   RUN/model.safetensors   its weights, keyed by the ONNX initializer names
 *   RUN/config.json         "model": "onnx", the input shape [C, H, W] read from
 *                           the graph, numClasses from the output, and the
 *                           dataset's normalization (the model is assumed to
 *                           take dataset-normalized input, as tensorgrad's own
 *                           exports do)
 *
 * The graph must take one input [N, C, H, W] with fixed C, H, W and give one
 * output [N, classes]. A file written by `tensorgrad export` carries its run's
 * dataset, class names, dataset classes (--classes) and normalization in
 * metadata_props; they go into config.json (import-metadata.ts: a bad value
 * is ignored with a warning), so `eval` of the imported run uses the same
 * classes as the original run. Without them: --dataset (or the dataset guessed
 * from the input shape), all its classes, its normalization.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TensorError } from '../core/errors.js';
import { DATASETS } from '../data/named-datasets.js';
import { loadModel, MAX_ONNX_BYTES } from '../onnx/import.js';
import { zeros } from '../tensor/create.js';
import { noGrad } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { makeDirs, writeFileAtomic } from '../util/node.js';
import { UserError } from './errors.js';
import { cliErr, cliOut } from './io.js';
import { readRunMetadata } from './import-metadata.js';
import { MAX_SAMPLE_ELEMENTS, ONNX_FILE, ONNX_MODEL, saveRun, validateConfig, type RunConfig } from './run-folder.js';

export interface ImportCommandOptions {
  out: string;
  dataset?: string;
}

/** The dataset an input shape most likely belongs to. */
function guessDataset(shape: readonly number[]): string | undefined {
  const key = shape.join('x');
  return key === '1x28x28' ? 'mnist' : key === '3x32x32' ? 'cifar10' : undefined;
}

/**
 * Runs `tensorgrad import`; returns the run config written.
 * @example await importCommand('lenet.onnx', { out: 'runs/imported' })
 */
export async function importCommand(file: string, o: ImportCommandOptions): Promise<RunConfig> {
  let bytes: Uint8Array;
  try {
    const size = statSync(file).size;
    if (size > MAX_ONNX_BYTES) throw new Error(`${size} bytes, more than the ${MAX_ONNX_BYTES} an ONNX file can hold`);
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UserError(`import: cannot read ${file}: ${(e as Error).message}`);
  }
  const fail = (e: unknown): never => {
    if (e instanceof TensorError) throw new UserError(`import: ${file}: ${e.message}`);
    throw e;
  };
  let model;
  try {
    model = loadModel(bytes);
  } catch (e) {
    return fail(e);
  }
  const shapes = model.inputShapes;
  const dims = shapes[0];
  if (shapes.length !== 1 || !dims || dims.length !== 4 || dims.slice(1).some((d) => d === null)) {
    throw new UserError(`import: ${file}: a run folder needs a model with one image input [N, C, H, W] with fixed C, H, W (the graph takes ${shapes.map((s) => (s ? `[${s.map((d) => d ?? '?').join(', ')}]` : '?')).join(', ')})`);
  }
  const inputShape = dims.slice(1) as [number, number, number];
  if (inputShape[0] * inputShape[1] * inputShape[2] > MAX_SAMPLE_ELEMENTS) throw new UserError(`import: ${file}: input [${inputShape.join(', ')}] is larger than a run folder allows`);
  // The run description tensorgrad export wrote (if any) is read once the output size is known, below;
  // its dataset is needed first.
  const fileDataset = model.metadata['tensorgrad.dataset'];
  const dataset = o.dataset ?? (fileDataset !== undefined && Object.prototype.hasOwnProperty.call(DATASETS, fileDataset) ? fileDataset : guessDataset(inputShape));
  if (!dataset) throw new UserError(`import: ${file}: cannot tell the dataset of input [${inputShape.join(', ')}]; give --dataset (${Object.keys(DATASETS).join(', ')})`);
  const spec = DATASETS[dataset]!;
  if (spec.normalize.mean.length !== inputShape[0]) throw new UserError(`import: ${file}: the model takes ${inputShape[0]} channel(s) but ${dataset} images have ${spec.normalize.mean.length}`);
  let out: Tensor;
  try {
    out = noGrad(() => model.forward(zeros([1, ...inputShape]))) as Tensor;
  } catch (e) {
    return fail(e);
  }
  if (!out || Array.isArray(out) || out.ndim !== 2) throw new UserError(`import: ${file}: a run folder needs one output [N, classes] (got ${Array.isArray(out) ? `${out.length} outputs` : `[${(out as Tensor).shape.join(', ')}]`})`);
  const numClasses = out.shape[1]!;
  const meta = readRunMetadata(model.metadata, inputShape, numClasses, o.dataset);
  for (const w of meta.warnings) cliErr(`warning: ${w}\n`);
  const classes = meta.classes ?? (numClasses === spec.classes.length ? [...spec.classes] : Array.from({ length: numClasses }, (_, i) => String(i)));
  const config = validateConfig(join(o.out, 'config.json'), {
    format: 'tensorgrad-run', version: 1, model: ONNX_MODEL, dataset, numClasses, classes, inputShape,
    normalize: meta.normalize ?? { mean: [...spec.normalize.mean], std: [...spec.normalize.std] },
    ...(meta.datasetClasses ? { datasetClasses: meta.datasetClasses } : {}),
    training: { importedFrom: file },
  });
  makeDirs('import', o.out);
  writeFileAtomic('import', join(o.out, ONNX_FILE), bytes);
  saveRun(o.out, config, model);
  const params = model.numParameters();
  cliOut(`imported ${file}: ${model.onnxNames.size} initializers (${params.toLocaleString('en-US')} parameters), input [N, ${inputShape.join(', ')}], ${numClasses} classes${config.datasetClasses ? ` (${dataset} classes ${config.datasetClasses.join(',')})` : ''}, ${dataset} ${meta.normalize ? 'normalization from the file' : 'normalization'} -> ${o.out}/\n`);
  return config;
}
