/**
 * Drivers for the elementwise kernels: collapse the operands' layouts, then
 * call the 2-D (rows × cols) wasm kernel once per index of any remaining outer
 * dims. Returns null when the case is not covered (dtype, op, or an inner
 * stride other than 0/1), and the backend falls back to the reference.
 */
import type { BinaryOp, Layout, UnaryOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';
import { addr, type WasmContext } from './context.js';
import { collapse, denseStrides, outerOffsets, prod } from './layout.js';
import { BYTES, type WasmStorage } from './storage.js';
import { FN } from './threads.js';
import { splitCount } from './split.js';

const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12, reluBackward: 13,
  atan2: 14,
};
const UNARY_CODE: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, relu: 2, sqrt: 3, floor: 4, ceil: 5, round: 6, reciprocal: 7, rsqrt: 8,
  exp: 9, log: 10, tanh: 11, sigmoid: 12, expm1: 13, log1p: 14, sin: 15, cos: 16, sign: 17,
  tan: 18, atan: 19, log2: 20, log10: 21,
};

const isFloat = (d: DType): d is 'float32' | 'float64' => d === 'float32' || d === 'float64';
const unit = (s: number): boolean => s === 0 || s === 1;

/**
 * A collapsed view split into a 2-D kernel part (last two dims, or fewer) and
 * outer dims walked from JS. `outer[k]` are operand k's element offsets.
 */
interface Plan2D {
  rows: number;
  cols: number;
  rowStrides: number[];
  colStrides: number[];
  outer: Int32Array[];
}

function plan2d(shape: readonly number[], layouts: readonly Layout[]): Plan2D {
  const fast = densePlan(shape, layouts);
  if (fast) return fast;
  const c = collapse(shape, [...layouts.map((l) => l.strides), denseStrides(shape)]);
  const r = c.shape.length;
  const cols = r >= 1 ? c.shape[r - 1]! : 1;
  const rows = r >= 2 ? c.shape[r - 2]! : 1;
  const colStrides = c.strides.map((s) => (r >= 1 ? s[r - 1]! : 0));
  const rowStrides = c.strides.map((s) => (r >= 2 ? s[r - 2]! : 0));
  const outer = outerOffsets(c, Math.max(0, r - 2), [...layouts.map((l) => l.offset), 0]);
  return { rows, cols, rowStrides, colStrides, outer };
}

/** How an operand reads a shape: every element in order, or one row repeated (a bias). */
const DENSE = 1, ROW = 2;

/** DENSE, ROW, or 0 (anything else); dims of size 1 do not matter. */
function operandKind(shape: readonly number[], strides: readonly number[]): number {
  const r = shape.length;
  let dense = true, row = strides[r - 1] === 1 || shape[r - 1] === 1;
  let step = 1;
  for (let d = r - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n !== 1) {
      if (strides[d] !== step) dense = false;
      if (d < r - 1 && strides[d] !== 0) row = false;
    }
    step *= n;
  }
  return dense ? DENSE : row ? ROW : 0;
}

/**
 * plan2d's shortcut for the layouts of most elementwise ops in a training
 * step: operands all dense (one row of n), or dense and row-broadcast (`x +
 * bias`: rows x last dim). The same plan the general path derives, without
 * collapsing dims or walking offsets; null for anything else (and for n <= 1).
 */
function densePlan(shape: readonly number[], layouts: readonly Layout[]): Plan2D | null {
  const r = shape.length;
  if (r === 0) return null;
  const cols = shape[r - 1]!;
  let n = 1;
  for (const d of shape) n *= d;
  if (n <= 1) return null;
  let anyRow = false;
  for (const l of layouts) {
    const k = operandKind(shape, l.strides);
    if (k === 0) return null;
    if (k === ROW) anyRow = true;
  }
  const k = layouts.length + 1;
  const outer: Int32Array[] = [];
  for (const l of layouts) outer.push(Int32Array.of(l.offset));
  outer.push(Int32Array.of(0));
  if (!anyRow) return { rows: 1, cols: n, rowStrides: new Array<number>(k).fill(0), colStrides: new Array<number>(k).fill(1), outer };
  // A row-broadcast operand needs a last dim > 1 to be told apart from a dense one (and is then not dense).
  if (cols === 1) return null;
  const rowStrides = layouts.map((l) => (operandKind(shape, l.strides) === DENSE ? cols : 0));
  rowStrides.push(cols);
  return { rows: n / cols, cols, rowStrides, colStrides: new Array<number>(k).fill(1), outer };
}

export function wasmBinary(
  ctx: WasmContext, op: BinaryOp, a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout, outDtype: DType,
): WasmStorage | null {
  const code = BINARY_CODE[op];
  const dt = a.dtype;
  const compare = code !== undefined && code >= 7 && code <= 12;
  // float32/float64 arithmetic and comparisons; int32 comparisons.
  if (code === undefined || b.dtype !== dt || !(isFloat(dt) || (dt === 'int32' && compare))) return null;
  if (outDtype !== (compare ? 'bool' : dt)) return null;
  const p = plan2d(al.shape, [al, bl]);
  if (!unit(p.colStrides[0]!) || !unit(p.colStrides[1]!)) return null;
  const n = prod(al.shape);
  const out = ctx.alloc(outDtype, n);
  const fn = dt === 'float32' ? ctx.kernels.binaryF32 : dt === 'float64' ? ctx.kernels.binaryF64 : ctx.kernels.compareI32;
  const [oa, ob, oo] = p.outer as [Int32Array, Int32Array, Int32Array];
  if (oo.length === 1 && dt !== 'int32') {
    // One 2-D call: split it across threads when big (rows, or columns of a single row).
    const bytes = BYTES[outDtype];
    const job = dt === 'float32' ? FN.binaryF32 : FN.binaryF64;
    splitRowsCols(ctx, p.rows, p.cols, (r0, nr, c0, nc, call) => call(job, code, nr, nc,
      addr(a, oa[0]! + r0 * p.rowStrides[0]! + c0 * p.colStrides[0]!), p.rowStrides[0]!, p.colStrides[0]!,
      addr(b, ob[0]! + r0 * p.rowStrides[1]! + c0 * p.colStrides[1]!), p.rowStrides[1]!, p.colStrides[1]!,
      addr(out, 0) + (r0 * p.cols + c0) * bytes), (...args) => fn(...(args.slice(1) as Parameters<typeof fn>)));
    return out;
  }
  for (let i = 0; i < oo.length; i++) {
    fn(code, p.rows, p.cols,
      addr(a, oa[i]!), p.rowStrides[0]!, p.colStrides[0]!,
      addr(b, ob[i]!), p.rowStrides[1]!, p.colStrides[1]!,
      addr(out, oo[i]!));
  }
  return out;
}

export function wasmUnary(ctx: WasmContext, op: UnaryOp, x: WasmStorage, xl: Layout, outDtype: DType): WasmStorage | null {
  const code = UNARY_CODE[op];
  if (code === undefined || !isFloat(x.dtype) || outDtype !== x.dtype) return null;
  const p = plan2d(xl.shape, [xl]);
  if (p.colStrides[0] !== 1 && p.cols > 1) return null;
  const out = ctx.alloc(outDtype, prod(xl.shape));
  const fn = x.dtype === 'float32' ? ctx.kernels.unaryF32 : ctx.kernels.unaryF64;
  const [ox, oo] = p.outer as [Int32Array, Int32Array];
  if (oo.length === 1) {
    const bytes = BYTES[x.dtype];
    const job = x.dtype === 'float32' ? FN.unaryF32 : FN.unaryF64;
    splitRowsCols(ctx, p.rows, p.cols, (r0, nr, c0, nc, call) => call(job, code, nr, nc,
      addr(x, ox[0]! + r0 * p.rowStrides[0]! + c0), p.rowStrides[0]!, addr(out, 0) + (r0 * p.cols + c0) * bytes),
    (...args) => fn(...(args.slice(1) as Parameters<typeof fn>)));
    return out;
  }
  for (let i = 0; i < oo.length; i++) fn(code, p.rows, p.cols, addr(x, ox[i]!), p.rowStrides[0]!, addr(out, oo[i]!));
  return out;
}

/** where for 4-byte dtypes (float32, int32) with a bool condition; the last collapsed dim is the kernel's. */
export function wasmWhere(
  ctx: WasmContext, c: WasmStorage, cl: Layout, a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout, outDtype: DType,
): WasmStorage | null {
  if (c.dtype !== 'bool' || a.dtype !== outDtype || b.dtype !== outDtype || BYTES[outDtype] !== 4) return null;
  const coll = collapse(cl.shape, [cl.strides, al.strides, bl.strides, denseStrides(cl.shape)]);
  const r = coll.shape.length;
  const n = r ? coll.shape[r - 1]! : 1;
  const steps = coll.strides.map((s) => (r ? s[r - 1]! : 0));
  if (!steps.every(unit)) return null;
  const out = ctx.alloc(outDtype, prod(cl.shape));
  const [oc, oa, ob, oo] = outerOffsets(coll, Math.max(0, r - 1), [cl.offset, al.offset, bl.offset, 0]) as
    [Int32Array, Int32Array, Int32Array, Int32Array];
  for (let i = 0; i < oo.length; i++) {
    ctx.kernels.whereF32(n, addr(c, oc[i]!), steps[0]!, addr(a, oa[i]!), steps[1]!, addr(b, ob[i]!), steps[2]!, addr(out, oo[i]!));
  }
  return out;
}

/**
 * Strided copy between two different storages of one dtype (raw bits, no
 * conversion): collapsed to rows × cols with any element strides, the outer
 * dims walked here. False when the case is not covered.
 */
export function wasmCopy(ctx: WasmContext, d: WasmStorage, dl: Layout, s: WasmStorage, sl: Layout): boolean {
  const p = plan2d(dl.shape, [sl, dl]);
  const bytes = BYTES[d.dtype];
  const [os, od] = p.outer as [Int32Array, Int32Array];
  for (let i = 0; i < od.length; i++) {
    ctx.kernels.copy2d(bytes, p.rows, p.cols, addr(s, os[i]!), p.rowStrides[0]!, p.colStrides[0]!,
      addr(d, od[i]!), p.rowStrides[1]!, p.colStrides[1]!);
  }
  return true;
}

/**
 * Fills n elements of `d` from element `offset` with `value`, converted as the
 * dtype's typed array would store it, in wasm (TypedArray.fill is slow on the
 * threaded build's shared memory).
 */
export function fillDense(ctx: WasmContext, d: WasmStorage, offset: number, n: number, value: number): void {
  const cell = (fillCells[d.dtype] ??= typedArrayFor(d.dtype, 1));
  cell[0] = value;
  const at = addr(d, offset);
  if (BYTES[d.dtype] === 8) ctx.kernels.fill64(at, cell[0]!, n);
  else if (BYTES[d.dtype] === 4) ctx.kernels.fill32(at, (fillBits[d.dtype] ??= new Int32Array(cell.buffer))[0]!, n);
  else ctx.kernels.fill8(at, cell[0]!, n);
}

/** One reusable cell per dtype (and its int32 bits) for fillDense's conversion: fresh typed arrays per fill showed in step profiles. */
const fillCells: Partial<Record<DType, ReturnType<typeof typedArrayFor>>> = {};
const fillBits: Partial<Record<DType, Int32Array>> = {};

type Call = (fn: number, ...args: number[]) => void;

/**
 * Runs a rows × cols kernel call as one call (small) or as pool chunks of
 * whole rows (or of columns when there is a single row): `emit(r0, nr, c0, nc, call)`
 * issues the call for a block through `call`, which is `inline` (the kernel
 * itself, given the job id first) or the pool. Output blocks never overlap.
 */
function splitRowsCols(
  ctx: WasmContext, rows: number, cols: number,
  emit: (r0: number, nr: number, c0: number, nc: number, call: Call) => void, inline: Call,
): void {
  const byRows = rows > 1;
  const units = byRows ? rows : Math.ceil(cols / 64); // column blocks stay multiples of 64 (whole vectors)
  const parts = splitCount(ctx, units, rows * cols);
  if (parts === 1) {
    emit(0, rows, 0, cols, inline);
    return;
  }
  const call: Call = (fn, ...args) => ctx.pool.call(fn, ...args);
  for (let c = 0; c < parts; c++) {
    const lo = Math.floor((c * units) / parts), hi = Math.floor(((c + 1) * units) / parts);
    if (hi === lo) continue;
    ctx.pool.chunk();
    if (byRows) emit(lo, hi - lo, 0, cols, call);
    else emit(0, 1, lo * 64, Math.min(cols, hi * 64) - lo * 64, call);
  }
  ctx.pool.flush();
}
