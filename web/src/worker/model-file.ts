/**
 * Save and load: the current weights as safetensors (the settings and step in
 * its metadata, so the page can load its own files back exactly), and loading
 * either such a file or a bare stateDict of a network the page can build (e.g.
 * `model.safetensors` from a `tensorgrad train --model lenet5` or `--model mlp`
 * run folder, or the weights inside its `checkpoint.safetensors`), recognised by
 * its tensor names and shapes.
 */
import * as tg from '../../../src/index.js';
import { checkSettings, DEFAULT_SETTINGS, type LoadReply, type LoadRequest, type SaveReply, type SaveRequest, type TrainSettings } from './protocol.js';
import type { CurrentModel, WorkerSession } from './model-state.js';
import { buildNetwork } from './models.js';

/** Metadata keys the page writes (beside `format: 'pt'`, which PyTorch's loader expects). */
export const SETTINGS_KEY = 'tensorgrad.playground.settings';
export const STEP_KEY = 'tensorgrad.playground.step';

type Shapes = Map<string, number[]>;

/**
 * The current weights as safetensors bytes and a download name.
 * @example save(session.current, { type: 'save', id: 5 }).fileName // 'lenet5-mnist-step1125.safetensors'
 */
export function save(cur: CurrentModel, req: SaveRequest): SaveReply {
  const bytes = tg.io.serialize(cur.model.stateDict(), {
    format: 'pt', 'tensorgrad.model': cur.settings.model, [SETTINGS_KEY]: JSON.stringify(cur.settings), [STEP_KEY]: String(cur.step),
  });
  return { type: 'saved', id: req.id, bytes, fileName: `${cur.settings.model}-mnist-step${cur.step}.safetensors` };
}

const shapeText = (s: readonly number[] | undefined) => (s ? `[${s.join(', ')}]` : 'absent');
const same = (a: readonly number[] | undefined, b: readonly number[]) => a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);

/** The page's settings stored in the metadata, validated; null when there are none. */
function settingsFromMetadata(name: string, metadata: Record<string, string> | null): TrainSettings | null {
  const raw = metadata?.[SETTINGS_KEY];
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${name}: its '${SETTINGS_KEY}' metadata is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${name}: its '${SETTINGS_KEY}' metadata is not a settings object`);
  const p = parsed as Partial<TrainSettings>;
  const s: TrainSettings = { ...DEFAULT_SETTINGS, ...p, cnn: { ...DEFAULT_SETTINGS.cnn, ...(typeof p.cnn === 'object' && p.cnn ? p.cnn : {}) } };
  const errors = checkSettings(s);
  if (errors.length) throw new Error(`${name}: its stored settings are not usable: ${errors.join('; ')}`);
  return s;
}

/**
 * The architecture a bare stateDict belongs to, from its names and shapes (null
 * when none fits); `rename` maps the file's names to the page network's names
 * (the CLI's MLP lacks the page's leading Flatten, so its keys gain a '1.').
 * Pooling is not stored in weights: a CNN is assumed to use max pooling (`note`).
 */
export function recognise(shapes: Shapes, base: TrainSettings): { settings: TrainSettings; rename: (k: string) => string; note: string } | null {
  const keep = (k: string) => k;
  if (shapes.has('features.0.weight') && shapes.has('classifier.1.weight')) return { settings: { ...base, model: 'lenet5' }, rename: keep, note: '' };
  for (const prefix of ['1.layers.', 'layers.']) {
    const w = shapes.get(`${prefix}1.weight`);
    if (w?.length === 2 && w[1] === 784) {
      const rename = prefix === '1.layers.' ? keep : (k: string) => `1.${k}`;
      return { settings: { ...base, model: 'mlp', mlpHidden: w[0]! }, rename, note: '' };
    }
  }
  const first = shapes.get('0.weight');
  if (first?.length === 4) {
    const batchNorm = shapes.has('1.running_mean');
    const per = batchNorm ? 4 : 3;
    let blocks = 0;
    while (shapes.get(`${blocks * per}.weight`)?.length === 4) blocks++;
    const [channels, , kernel] = first as [number, number, number, number];
    if (kernel !== 3 && kernel !== 5) return null;
    const cnn = { blocks, channels, kernel: kernel as 3 | 5, pool: 'max' as const, batchNorm };
    return { settings: { ...base, model: 'cnn', cnn }, rename: keep, note: ' (the file does not say max or average pooling: assumed max)' };
  }
  return null;
}

/** A clear error for weights that do not fit `model`: what was expected against what the file has. */
function mismatchError(name: string, label: string, model: tg.nn.Module, found: Shapes): Error {
  const expected = Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape]] as const);
  const lines: string[] = [];
  for (const [k, shape] of expected) if (!same(found.get(k), shape)) lines.push(`${k}: expected ${shapeText(shape)}, found ${shapeText(found.get(k))}`);
  const known = new Set(expected.map(([k]) => k));
  for (const [k, shape] of found) if (!known.has(k)) lines.push(`${k}: not in ${label} (found ${shapeText(shape)})`);
  return new Error(`${name} does not fit ${label}: ${lines.join('; ')}`);
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Loads a file into a new model and makes it current (stopping any run; posts 'model').
 * @example load(session, { type: 'load', id: 6, bytes, name: 'model.safetensors' }).message // 'Loaded lenet5 (61,706 parameters) from model.safetensors'
 */
export function load(session: WorkerSession, req: LoadRequest): LoadReply {
  const name = typeof req.name === 'string' && req.name ? req.name : 'the file';
  if (!(req.bytes instanceof Uint8Array)) throw new Error(`${name}: expected the file's bytes (a Uint8Array)`);
  let contents: tg.io.SafetensorsContents;
  try {
    contents = tg.io.deserialize(req.bytes);
  } catch (e) {
    throw new Error(`${name} is not a readable safetensors file: ${e instanceof Error ? e.message : String(e)}`);
  }
  let tensors = contents.tensors;
  let from = '';
  if (contents.metadata?.['tensorgrad.checkpoint'] !== undefined) {
    // A CLI checkpoint.safetensors: the weights are the 'model.' tensors (the optimizer's state is not needed here).
    tensors = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith('model.')).map(([k, t]) => [k.slice('model.'.length), t]));
    from = ' (the weights of a training checkpoint)';
  }
  const shapes: Shapes = new Map(Object.entries(tensors).map(([k, t]) => [k, [...t.shape]]));
  const base = session.current.settings;
  const stored = settingsFromMetadata(name, contents.metadata);
  const found = stored ? { settings: stored, rename: (k: string) => k, note: '' } : recognise(shapes, base);
  if (!found) {
    const keys = [...shapes].slice(0, 12).map(([k, s]) => `${k} ${shapeText(s)}`).join(', ');
    throw new Error(`${name}: not a network the playground can build (LeNet-5: features.0.weight, classifier.1.weight, ...; `
      + `the MLP: 1.layers.1.weight [hidden, 784] or the CLI's layers.1.weight; the small CNN: 0.weight [channels, 1, k, k], ...). Found: ${keys || 'no tensors'}${shapes.size > 12 ? `, ... (${shapes.size} tensors)` : ''}`);
  }
  const { settings, rename, note } = found;
  const problems = checkSettings(settings);
  if (problems.length) throw new Error(`${name}: a network the playground cannot build (${problems.join('; ')})`);
  const renamed: Record<string, tg.Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) renamed[rename(k)] = t; // copy_ casts (e.g. float64 weights from PyTorch)
  tg.manualSeed(settings.seed);
  const model = buildNetwork(settings);
  const label = settings.model === 'cnn'
    ? `the small CNN (${settings.cnn.blocks} blocks, ${settings.cnn.channels} channels, ${settings.cnn.kernel}x${settings.cnn.kernel}${settings.cnn.batchNorm ? ', batch norm' : ''})`
    : settings.model === 'mlp' ? `the MLP (hidden width ${settings.mlpHidden})` : 'LeNet-5';
  try {
    model.loadStateDict(renamed, { strict: true });
  } catch {
    const foundShapes: Shapes = new Map(Object.entries(renamed).map(([k, t]) => [k, [...t.shape]]));
    throw mismatchError(name, label, model, foundShapes);
  }
  const stepText = contents.metadata?.[STEP_KEY];
  const step = stepText !== undefined && /^\d+$/.test(stepText) ? Number(stepText) : 0;
  const cur = session.adopt(model, settings, step);
  const message = `Loaded ${settings.model} (${fmt(model.numParameters())} parameters${step ? `, ${fmt(step)} steps` : ''}) from ${name}${from}${note}`;
  return { type: 'loaded', id: req.id, settings, message, modelVersion: cur.version };
}
