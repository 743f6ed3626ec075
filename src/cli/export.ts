/**
 * `tensorgrad export RUN --format onnx --out model.onnx [--opset N] [--static-batch]`:
 * loads a run (as `tensorgrad eval` does: config.json + model.safetensors),
 * traces one forward of a sample input of the run's input shape and writes
 * the ONNX file atomically. The file takes the same normalized input as the
 * model in tensorgrad; the command prints the shape and normalization, and
 * the file carries them (with the dataset and class names) in its
 * metadata_props for `tensorgrad import`. An imported or ONNX-fine-tuned run
 * (`"model": "onnx"`) is written as its own graph with its current weights.
 */
import { dirname } from 'node:path';
import { exportModel } from '../onnx/export.js';
import { zeros } from '../tensor/create.js';
import { TensorError } from '../core/errors.js';
import { makeDirs, writeFileAtomic } from '../util/node.js';
import type { OnnxModule } from '../onnx/graph-module.js';
import { ONNX_MODEL, openRun, type RunConfig } from './run-folder.js';
import { UserError } from './errors.js';
import { cliOut } from './io.js';

/**
 * What travels with the model in ModelProto.metadata_props, so that
 * `tensorgrad import` rebuilds the run's config (src/cli/import-metadata.ts
 * reads them back): the dataset, the class names, the dataset classes the
 * outputs stand for (a run trained with --classes), the normalization and the
 * input shape; values are JSON except the dataset name.
 */
export function runMetadata(c: RunConfig): Record<string, string> {
  return {
    'tensorgrad.dataset': c.dataset,
    'tensorgrad.classes': JSON.stringify(c.classes),
    ...(c.datasetClasses ? { 'tensorgrad.datasetClasses': JSON.stringify(c.datasetClasses) } : {}),
    'tensorgrad.normalize': JSON.stringify({ mean: c.normalize.mean, std: c.normalize.std }),
    'tensorgrad.inputShape': JSON.stringify(c.inputShape),
    'tensorgrad.model': c.model,
  };
}

export interface ExportCommandOptions {
  format?: string;
  out: string;
  opset?: number;
  staticBatch?: boolean;
}

/**
 * Runs `tensorgrad export`; returns the number of bytes written.
 * @example exportCommand('runs/lenet', { out: 'lenet.onnx' })
 */
export async function exportCommand(run: string, o: ExportCommandOptions): Promise<number> {
  const format = o.format ?? 'onnx';
  if (format !== 'onnx') throw new UserError(`export: unknown format '${format}' (supported: onnx)`);
  const loaded = openRun(run);
  const [c, h, w] = loaded.config.inputShape;
  const onnxRun = loaded.config.model === ONNX_MODEL;
  let bytes: Uint8Array;
  try {
    // An imported ("model": "onnx") run is written as its own graph with the current weights; its opset is the graph's.
    bytes = exportModel(loaded.model, zeros([1, c, h, w]), {
      ...(o.opset !== undefined || !onnxRun ? { opset: o.opset ?? 17 } : {}),
      ...(o.staticBatch ? { dynamicBatch: false } : onnxRun ? {} : { dynamicBatch: true }),
      metadata: runMetadata(loaded.config),
    });
  } catch (e) {
    if (e instanceof TensorError) throw new UserError(`export: ${e.message}`);
    throw e;
  }
  makeDirs('export', dirname(o.out));
  writeFileAtomic('export', o.out, bytes);
  const { mean, std } = loaded.config.normalize;
  const opset = onnxRun ? (loaded.model as OnnxModule).opset : o.opset ?? 17;
  cliOut(
    `wrote ${o.out} (${(bytes.length / 1e6).toFixed(2)} MB, ONNX opset ${opset}): ${loaded.config.model}, ` +
    `input 'input' [${o.staticBatch ? 1 : 'batch'}, ${c}, ${h}, ${w}] float32 normalized with mean [${mean.join(', ')}] std [${std.join(', ')}], ` +
    `output 'output' [${o.staticBatch ? 1 : 'batch'}, ${loaded.config.numClasses}] logits\n`,
  );
  return bytes.length;
}
