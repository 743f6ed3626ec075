/**
 * The Inside tab's model table: tg.analysis.summary for one 28x28 digit, and the
 * layers whose channels the units view can show (each conv and the activation
 * that follows it).
 */
import * as tg from '../../../src/index.js';
import type { SummaryReply, SummaryRequest } from './protocol.js';
import type { CurrentModel } from './model-state.js';

const INPUT_SHAPE = [1, 1, 28, 28];

/** A receptive field as table text: '5x5' (height x width), 'global' or '-' (none, e.g. after Flatten). */
export function fieldText(f: tg.analysis.FieldValue): string {
  if (f === null) return '-';
  if (f === 'global') return 'global';
  const fmt = (v: number) => String(Number(v.toFixed(2)));
  return f.size.map(fmt).join('x');
}

/**
 * The layers `units` accepts: every Conv2d and the first activation after it
 * (after its batch norm, if any), with their channel counts.
 * @example unitLayers(tg.models.lenet5()) // [{ path: 'features.0', channels: 6 }, { path: 'features.1', channels: 6 }, ...]
 */
export function unitLayers(model: tg.nn.Module): { path: string; channels: number }[] {
  const mods = model.namedModules().filter(([p, m]) => p !== '' && m.children().length === 0);
  const out: { path: string; channels: number }[] = [];
  mods.forEach(([path, m], i) => {
    if (!(m instanceof tg.nn.Conv2d)) return;
    const channels = m.weight.shape[0]!;
    out.push({ path, channels });
    for (const [next, n] of mods.slice(i + 1)) {
      if (n instanceof tg.nn.BatchNorm2d) continue;
      if (n instanceof tg.nn.ReLU || n instanceof tg.nn.Tanh) out.push({ path: next, channels });
      break;
    }
  });
  return out;
}

/**
 * Answers a `summary` request (output shapes without the batch dimension, like LayerMaps).
 * @example summary(session.current, { type: 'summary', id: 3 }).totalParams // 61706 for LeNet-5
 */
export function summary(cur: CurrentModel, req: SummaryRequest): SummaryReply {
  const s = tg.analysis.summary(cur.model, INPUT_SHAPE);
  const rows = s.rows.map((r) => ({
    path: r.name, kind: r.type, outputShape: r.outputShape.slice(1), params: r.trainableParams + r.frozenParams,
    flops: r.flops, receptiveField: fieldText(r.receptiveField),
  }));
  return { type: 'summary', id: req.id, rows, totalParams: s.totalParams, flops: s.flops, unitLayers: unitLayers(cur.model), modelVersion: cur.version };
}
