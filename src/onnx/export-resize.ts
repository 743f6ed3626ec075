/**
 * nn.Upsample (and UpsamplingNearest2d / UpsamplingBilinear2d) as ONNX Resize,
 * with the coordinate conventions that reproduce PyTorch's interpolate:
 * 'nearest' = asymmetric + floor, 'nearest-exact' = half_pixel + round_prefer_ceil,
 * linear modes = align_corners or pytorch_half_pixel. With a scale factor the
 * `scales` input carries it (PyTorch samples with 1/scaleFactor, not in/out);
 * with a size (or recomputeScaleFactor) the `sizes` input carries the output
 * size, its batch and channel dims read from the input at run time.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Upsample } from '../nn/layers/upsample.js';
import type { Value } from './export-graph.js';
import type { EmitContext } from './export-graph.js';
import type { Attr } from './proto.js';

/**
 * Emits Resize for an Upsample layer traced from `x` to `out`.
 * @example emitUpsample(ctx, new nn.Upsample({ scaleFactor: 2 }), x, out)
 */
export function emitUpsample(ctx: EmitContext, m: Upsample, x: Value, out: Tensor): string {
  const { g } = ctx;
  const n = x.shape.length - 2;
  if (n < 1) throw new TensorError(`${ctx.where}: expected an input [N, C, ...] (got ${fmtShape(x.shape)})`);
  const inSize = x.shape.slice(2), outSize = out.shape.slice(2);
  const attrs: Record<string, Attr> = m.mode === 'nearest'
    ? { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }
    : m.mode === 'nearest-exact'
      ? { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'half_pixel' }, nearest_mode: { s: 'round_prefer_ceil' } }
      : { mode: { s: 'linear' }, coordinate_transformation_mode: { s: m.alignCorners ? 'align_corners' : 'pytorch_half_pixel' } };
  if (m.scaleFactor !== null && !m.recomputeScaleFactor) {
    const f = typeof m.scaleFactor === 'number' ? inSize.map(() => m.scaleFactor as number) : [...m.scaleFactor];
    // The runtime sizes the output as floor(in * scale): it must give PyTorch's size.
    const fits = inSize.every((v, i) => Math.floor(v * Math.fround(f[i]!)) === outSize[i] && Math.floor(Math.fround(v * Math.fround(f[i]!))) === outSize[i]);
    if (!fits) throw new TensorError(`${ctx.where}: scaleFactor ${JSON.stringify(m.scaleFactor)} on ${fmtShape(inSize)} rounds to an output size the ONNX runtime may compute differently; give size instead`);
    return g.op('Resize', [x.name, '', g.floats([1, 1, ...f], 'float32', [n + 2])], attrs);
  }
  const lead = g.op('Slice', [g.op('Shape', [x.name]), g.int64([0]), g.int64([2])]);
  const sizes = g.op('Concat', [lead, g.int64(outSize)], { axis: { i: 0 } });
  return g.op('Resize', [x.name, '', '', sizes], attrs);
}
