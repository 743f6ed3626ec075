/**
 * Padding in ONNX for the exporter: constant, reflect and replicate ('edge')
 * through one Pad node; circular through Pad 'wrap' at opset >= 19 and, below
 * it, through Slice + Concat per axis (ONNX has no wrap mode before 19).
 * Used by the padding layers and by convolutions with a non-zero paddingMode.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { OnnxGraph, Value } from './export-graph.js';

export type OnnxPadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * Pads `x` by `before[i]`/`after[i]` on every axis i (negative crops, as in
 * F.pad) and returns the output name. Shape: axis i grows by before + after.
 * @example padValue(g, x, [0, 0, 1, 1], [0, 0, 1, 1], 'reflect', 0, where)  // [N, C, H+2, W+2]
 */
export function padValue(g: OnnxGraph, x: Value, before: readonly number[], after: readonly number[], mode: OnnxPadMode, value: number, where: string): string {
  if (before.length !== x.shape.length || after.length !== x.shape.length) {
    throw new TensorError(`${where}: padding for ${before.length} axes does not fit input ${fmtShape(x.shape)}`);
  }
  if (before.every((p) => p === 0) && after.every((p) => p === 0)) return g.op('Identity', [x.name]);
  if (mode === 'circular' && g.opset < 19) return circular(g, x, before, after, where);
  const pads = g.int64([...before, ...after]);
  const onnxMode = mode === 'replicate' ? 'edge' : mode === 'circular' ? 'wrap' : mode;
  const inputs = mode === 'constant' ? [x.name, pads, g.scalar(value, x.dtype)] : [x.name, pads];
  return g.op('Pad', inputs, { mode: { s: onnxMode } });
}

/** Circular padding as Concat(tail slice, x, head slice) along each padded axis. */
function circular(g: OnnxGraph, x: Value, before: readonly number[], after: readonly number[], where: string): string {
  let cur = x.name;
  for (let axis = 0; axis < x.shape.length; axis++) {
    const [l, r] = [before[axis]!, after[axis]!];
    if (l === 0 && r === 0) continue;
    const n = x.shape[axis]!;
    if (l < 0 || r < 0 || l > n || r > n) {
      throw new TensorError(`${where}: circular padding (${l}, ${r}) of axis ${axis} (size ${n}) cannot be exported below opset 19 (amounts must be 0..${n})`);
    }
    const parts: string[] = [];
    const axes = g.int64([axis]);
    if (l > 0) parts.push(g.op('Slice', [cur, g.int64([n - l]), g.int64([n]), axes]));
    parts.push(cur);
    if (r > 0) parts.push(g.op('Slice', [cur, g.int64([0]), g.int64([r]), axes]));
    cur = g.op('Concat', parts, { axis: { i: axis } });
  }
  return cur;
}
