/**
 * Reading back the run description `tensorgrad export` writes into an ONNX
 * file's metadata_props ('tensorgrad.dataset', 'tensorgrad.classes',
 * 'tensorgrad.datasetClasses', 'tensorgrad.normalize', 'tensorgrad.inputShape';
 * see runMetadata in export.ts), for `tensorgrad import`.
 *
 * Policy (the file is hostile input, the metadata optional): a value that is
 * too long (over 64 KiB), not valid JSON, or inconsistent with the graph or
 * the dataset is ignored with a warning naming the key, and the import falls
 * back to what it does for a file without metadata (the --dataset flag or the
 * dataset guessed from the input shape, all classes, the dataset's
 * normalization). `--dataset` wins over 'tensorgrad.dataset'; when they
 * differ, the file's classes and normalization (which belong to its dataset)
 * are ignored too.
 */
import type { DatasetSpec } from '../data/named-datasets.js';
import { DATASETS } from '../data/named-datasets.js';
import type { Normalization } from './datasets.js';

const MAX_VALUE_CHARS = 64 * 1024;
const MAX_CLASS_NAME = 200;

/** What the metadata contributes to the run config; warnings to print. */
export interface ImportedRunMetadata {
  dataset?: string;
  classes?: string[];
  datasetClasses?: number[];
  normalize?: Normalization;
  warnings: string[];
}

function parse(meta: Readonly<Record<string, string>>, key: string, warn: (m: string) => void): unknown {
  const v = meta[key];
  if (v === undefined) return undefined;
  if (v.length > MAX_VALUE_CHARS) { warn(`'${key}' has ${v.length} characters (more than ${MAX_VALUE_CHARS}): ignored`); return undefined; }
  try {
    return JSON.parse(v);
  } catch {
    warn(`'${key}' is not valid JSON: ignored`);
    return undefined;
  }
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The run description in `meta` for a graph of input `[C, H, W]` and
 * `numClasses` outputs; `datasetFlag` is --dataset when given, `guess` the
 * dataset guessed from the input shape.
 * @example readRunMetadata(model.metadata, [1, 28, 28], 5, undefined, 'mnist')
 */
export function readRunMetadata(
  meta: Readonly<Record<string, string>>, inputShape: readonly number[], numClasses: number, datasetFlag: string | undefined,
): ImportedRunMetadata {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(`import: metadata ${m}`);
  const out: ImportedRunMetadata = { warnings };
  if (!Object.keys(meta).some((k) => k.startsWith('tensorgrad.'))) return out;

  let fileDataset: string | undefined;
  const ds = meta['tensorgrad.dataset'];
  if (ds !== undefined) {
    if (Object.prototype.hasOwnProperty.call(DATASETS, ds)) fileDataset = ds;
    else warn(`'tensorgrad.dataset' names no known dataset (${JSON.stringify(ds.slice(0, 40))}; known: ${Object.keys(DATASETS).join(', ')}): ignored`);
  }
  if (datasetFlag !== undefined && fileDataset !== undefined && datasetFlag !== fileDataset) {
    warn(`says the model was trained on ${fileDataset}; --dataset ${datasetFlag} wins, and the file's classes and normalization are ignored`);
    return out;
  }
  if (fileDataset) out.dataset = fileDataset;
  const dataset = datasetFlag ?? fileDataset;
  const spec: DatasetSpec | undefined = dataset !== undefined ? DATASETS[dataset] : undefined;

  const shape = parse(meta, 'tensorgrad.inputShape', warn);
  if (shape !== undefined && (!Array.isArray(shape) || shape.join(',') !== inputShape.join(','))) {
    warn(`'tensorgrad.inputShape' (${JSON.stringify(shape)?.slice(0, 60)}) differs from the graph's input [${inputShape.join(', ')}]; the graph's is used`);
  }

  const norm = parse(meta, 'tensorgrad.normalize', warn) as Partial<Normalization> | undefined;
  if (norm !== undefined) {
    const c = inputShape[0]!;
    const ok = norm !== null && typeof norm === 'object' && Array.isArray(norm.mean) && Array.isArray(norm.std)
      && norm.mean.length === c && norm.std.length === c && norm.mean.every(finite) && norm.std.every((s) => finite(s) && s > 0);
    if (ok) out.normalize = { mean: [...norm.mean!], std: [...norm.std!] };
    else warn(`'tensorgrad.normalize' is not { mean, std } with ${c} finite numbers each (std above 0): ignored`);
  }

  const dc = parse(meta, 'tensorgrad.datasetClasses', warn);
  if (dc !== undefined) {
    const n = spec?.classes.length ?? 0;
    const ok = Array.isArray(dc) && dc.length === numClasses && dc.every((i) => Number.isInteger(i) && i >= 0 && i < n) && new Set(dc).size === dc.length;
    if (ok) out.datasetClasses = [...(dc as number[])];
    else warn(`'tensorgrad.datasetClasses' is not ${numClasses} different class indices of ${dataset ?? 'the dataset'} (0 to ${Math.max(n - 1, 0)}): ignored`);
  }

  const names = parse(meta, 'tensorgrad.classes', warn);
  if (names !== undefined) {
    const ok = Array.isArray(names) && names.length === numClasses && names.every((s) => typeof s === 'string' && s.length <= MAX_CLASS_NAME);
    if (ok) out.classes = [...(names as string[])];
    else warn(`'tensorgrad.classes' is not ${numClasses} class names (the graph's output size) of at most ${MAX_CLASS_NAME} characters: ignored`);
  }
  if (!out.classes && out.datasetClasses && spec) out.classes = out.datasetClasses.map((i) => spec.classes[i]!);
  return out;
}
