/**
 * Elementwise kernels: unary, binary and where over inputs of any layout
 * (broadcast = 0 strides, flips = negative strides, offsets), writing a new
 * contiguous output. One pipeline per (op, dtypes, collapsed rank and which
 * inputs are contiguous); shapes and strides travel as parameter words.
 * What each op computes lives in elementwise-ops.ts, the float math in
 * elementwise-math.ts.
 */
import type { BinaryOp, Layout, UnaryOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { PARAMS, Params, StridedIndex, grid1d, main1d, wgslType } from './wgsl.js';
import { mathLib } from './elementwise-math.js';
import { binaryCode, truthy, unaryCode, type OpCode, type WType } from './elementwise-ops.js';

/** WGSL converting `v` from type `from` to `to`; to u32 (bool) means "nonzero". */
export function convertW(v: string, from: WType, to: WType): string {
  if (from === to) return v;
  if (to === 'u32') return from === 'f32' ? `select(0u, 1u, ${v} != 0.0)` : `select(0u, 1u, ${v} != 0)`;
  return `${to}(${v})`;
}

/**
 * Runs `out[i] = code(inputs[k][view k, element i])` over the output shape.
 * `loads[k]` is the WGSL name each input is loaded into (a, b, c).
 */
function runElementwise(
  ctx: GpuContext, name: string, code: OpCode, inputs: readonly GpuStorage[], layouts: readonly Layout[],
  loadTypes: readonly WType[], outDtype: DType,
): GpuStorage {
  const shape = layouts[0]!.shape;
  const n = numel(shape);
  const out = ctx.alloc(outDtype, n, name);
  if (n === 0) return out;
  const idx = new StridedIndex(shape, layouts);
  const p = new Params().u32(n);
  const base = idx.words(p);
  const ot = wgslType(outDtype);
  const names = ['a', 'b', 'c'];
  const decls = inputs.map((s, k) => `@group(0) @binding(${k + 1}) var<storage, read> X${k}: array<${wgslType(s.dtype)}>;`);
  const loads = inputs.map((s, k) => `  let ${names[k]} = ${convertW(`X${k}[at${k}(i)]`, wgslType(s.dtype), loadTypes[k]!)};`);
  const key = `ew:${name}:${inputs.map((s) => s.dtype).join(',')}>${outDtype}:${idx.key}`;
  ctx.run(
    {
      key,
      source: () => `${PARAMS}
${decls.join('\n')}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> O: array<${ot}>;
${mathLib(code.lib)}
${idx.wgsl(base)}
${main1d()}
  if (i >= P[0]) { return; }
${loads.join('\n')}
  O[i] = ${convertW(`(${code.expr})`, code.result, ot)};
}`,
    },
    inputs,
    [out],
    p.words,
    grid1d(n),
  );
  return out;
}

/** out = op(x) with dtype `out` (bool for logicalNot); x of any layout. */
export function unary(ctx: GpuContext, op: UnaryOp, x: GpuStorage, xl: Layout, out: DType): GpuStorage {
  const code = unaryCode(op, x.dtype, wgslType(x.dtype));
  return runElementwise(ctx, `u:${op}`, code, [x], [xl], [code.type], out);
}

/** out = op(a, b); both layouts have the output shape (broadcast by 0 strides). */
export function binary(ctx: GpuContext, op: BinaryOp, a: GpuStorage, al: Layout, b: GpuStorage, bl: Layout, out: DType): GpuStorage {
  const code = binaryCode(op, a.dtype, b.dtype);
  return runElementwise(ctx, `b:${op}`, code, [a, b], [al, bl], [code.type, code.type], out);
}

/** out = c ? a : b (c truthy as in the reference); all three layouts have the output shape. */
export function where(ctx: GpuContext, c: GpuStorage, cl: Layout, a: GpuStorage, al: Layout, b: GpuStorage, bl: Layout, out: DType): GpuStorage {
  const ct = wgslType(c.dtype);
  const ot = wgslType(out);
  // The condition is loaded as itself (c); the branches in the output's type, then selected without arithmetic.
  const code: OpCode = { type: ot, expr: `select(b, a, ${truthy('c', ct)})`, result: ot, lib: ct === 'f32' ? ['base'] : [] };
  return runElementwise(ctx, 'where', code, [a, b, c], [al, bl, cl], [ot, ot, ct], out);
}
