/**
 * Reductions (sum, prod, max, min, argmax, argmin) over any sorted axes of
 * any layout; outputs in row-major order of the kept axes.
 *
 * Two kernels, picked by the shape of the work:
 *  - thread per output: each thread loops over its reduced elements (small
 *    reduced extents, many outputs);
 *  - workgroup per output: 256 threads stride over the reduced elements, then
 *    combine in shared memory (large reduced extents). When there are few
 *    outputs and very many elements (a full sum of a big tensor), sum, prod,
 *    max and min split each output over several workgroups and reduce the
 *    partial results again.
 *
 * Semantics follow src/backend/reference/reduce.ts: float sums are compensated
 * per thread (Neumaier; the compensation stops once the sum is not finite,
 * so ±Inf propagate as in a plain sum), then added pairwise in the tree; max/min/argmax/argmin
 * propagate the first NaN and keep the first occurrence on ties; argmax/argmin
 * index the flattened reduced axes. Over an empty set: sum 0, prod 1, max/min
 * NaN (0 for integers), arg 0 (the op layer never asks for those).
 */
import type { Layout, ReduceOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { fillStrided } from './copy.js';
import { PARAMS, Params, collapseDims, grid1d, main1d, wgslType } from './wgsl.js';
import { mathLib } from './elementwise-math.js';
import { convertW } from './elementwise.js';

/** Threads per workgroup of the tree kernel (a power of two). */
const TREE = 256;
/** Elements a split workgroup handles at least. */
const SPLIT_CHUNK = 8192;

/** A flat index -> storage offset function over a shape whose words sit at P[base..]: shape, then strides. */
function stridedFn(name: string, rank: number, base: number, offsetWord: number | null): string {
  const lines = [`fn ${name}(i: u32) -> i32 {`, `  var rem = i;`, `  var off = ${offsetWord === null ? '0' : `bitcast<i32>(P[${offsetWord}u])`};`];
  for (let d = rank - 1; d >= 0; d--) {
    const stride = `bitcast<i32>(P[${base + rank + d}u])`;
    if (d > 0) lines.push(`  { let s = P[${base + d}u]; off += i32(rem % s) * ${stride}; rem = rem / s; }`);
    else lines.push(`  off += i32(rem) * ${stride};`);
  }
  lines.push('  return off;', '}');
  return lines.join('\n');
}

/** The kept and reduced parts of a view, each collapsed. */
function split(xl: Layout, axes: readonly number[]) {
  const set = new Set(axes);
  const keep = xl.shape.map((_, i) => i).filter((i) => !set.has(i));
  const kept = collapseDims(keep.map((i) => xl.shape[i]!), [keep.map((i) => xl.strides[i]!)]);
  const red = collapseDims(axes.map((i) => xl.shape[i]!), [axes.map((i) => xl.strides[i]!)]);
  return { keptShape: kept.shape, keptStrides: kept.strides[0]!, redShape: red.shape, redStrides: red.strides[0]! };
}

/** Reduces the sorted `axes` of view `xl` away; argmax/argmin give int32 indices into the flattened reduced axes. */
export function reduce(ctx: GpuContext, op: ReduceOp, x: GpuStorage, xl: Layout, axes: readonly number[], outDtype: DType): GpuStorage {
  const set = new Set(axes);
  const M = numel(xl.shape.filter((_, i) => !set.has(i)));
  const R = numel(axes.map((a) => xl.shape[a]!));
  const out = ctx.alloc(outDtype, M, `reduce ${op}`);
  if (M === 0) return out;
  if (R === 0) {
    const empty = op === 'sum' || op === 'argmax' || op === 'argmin' ? 0 : op === 'prod' ? 1 : outDtype === 'float32' ? NaN : 0;
    fillStrided(ctx, out, { shape: [M], strides: [1], offset: 0 }, empty);
    return out;
  }
  const s = split(xl, axes);
  const arg = op === 'argmax' || op === 'argmin';
  const tree = R >= 512 || (R >= 32 && M < 1024);
  // Few outputs over very many elements: split each over C workgroups, then reduce the [M, C] partials.
  const C = tree && !arg && M < 128 && R >= 4 * SPLIT_CHUNK ? Math.min(Math.ceil(R / SPLIT_CHUNK), Math.ceil(1024 / M)) : 1;
  const chunk = Math.ceil(R / C);
  const target = C > 1 ? ctx.alloc(outDtype, M * C, `reduce ${op}`) : out;

  const p = new Params().u32(M).u32(R).u32(C).u32(chunk);
  const keptBase = p.length;
  p.all(s.keptShape);
  for (const st of s.keptStrides) p.i32(st);
  const offsetWord = p.length;
  p.i32(xl.offset);
  const redBase = p.length;
  p.all(s.redShape);
  for (const st of s.redStrides) p.i32(st);

  const xt = wgslType(x.dtype);
  // Sums and products accumulate in the output's type; comparisons work on the input's values.
  const vt = arg ? xt : wgslType(outDtype);
  const ot = wgslType(outDtype);
  const mode = tree ? 'w' : 't';
  const key = `reduce:${op}:${x.dtype}>${outDtype}:${mode}:k${s.keptShape.length}r${s.redShape.length}`;
  const head = `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<${xt}>;
@group(0) @binding(2) var<storage, read_write> O: array<${ot}>;
${mathLib(['base'])}
${stridedFn('outerAt', s.keptShape.length, keptBase, offsetWord)}
${stridedFn('innerAt', s.redShape.length, redBase, null)}
fn load(base: i32, j: u32) -> ${vt} { return ${convertW('X[u32(base + innerAt(j))]', xt, vt)}; }
${combineFns(op, vt)}`;
  const store = (o: string, v: string, idx: string): string => `O[${o}] = ${arg ? `i32(${idx})` : convertW(v, vt, ot)};`;
  ctx.run(
    { key, source: () => (tree ? treeKernel(head, op, vt, store) : threadKernel(head, op, vt, store)) },
    [x],
    [target],
    p.words,
    tree ? grid1d(M * C, 1) : grid1d(M),
  );
  if (C === 1) return out;
  out.release();
  const partial = reduce(ctx, op, target, { shape: [M, C], strides: [C, 1], offset: 0 }, [1], outDtype);
  target.release();
  return partial;
}

/** The accumulator and its updates, per op: `init`, `step(acc, v, j)` (sequential), `merge` (tree). */
function combineFns(op: ReduceOp, t: string): string {
  if (op === 'sum' || op === 'prod') return '';
  const isMax = op === 'max' || op === 'argmax';
  const nan = t === 'f32';
  // Whether (vb, ib) replaces (va, ia): NaN wins (the first NaN among NaNs), then the larger (smaller) value,
  // then the smaller index; ib = NONE marks an empty slot.
  return `const NONE: u32 = 0xffffffffu;
fn takeB(va: ${t}, ia: u32, vb: ${t}, ib: u32) -> bool {
  if (ib == NONE) { return false; }
  if (ia == NONE) { return true; }
${nan ? `  let na = isnan_(va);
  let nb = isnan_(vb);
  if (na || nb) { return select(nb, ib < ia, na && nb); }` : ''}
  if (vb ${isMax ? '>' : '<'} va) { return true; }
  return vb == va && ib < ia;
}`;
}

type Store = (o: string, v: string, idx: string) => string;

/**
 * One compensated step s += v (Neumaier's variant of Kahan's sum, which also
 * keeps what a large addend cancels: [1e8, 1, -1e8, 1] sums to 2 in f32). The
 * error term stops changing once the sum is not finite, so ±Inf and NaN
 * propagate as in a plain sum (inf + 1 = inf, inf + -inf = NaN).
 */
const NEUMAIER = `let v = load(base, j);
    let u = s + v;
    if (!isinf_(u) && !isnan_(u)) { c += select((v - u) + s, (s - u) + v, abs(s) >= abs(v)); }
    s = u;`;

/** One thread per output, looping over the reduced elements in order. */
function threadKernel(head: string, op: ReduceOp, t: string, store: Store): string {
  let body: string;
  if (op === 'sum' && t === 'f32') {
    body = `  var s = 0.0;
  var c = 0.0;
  for (var j = 0u; j < R; j++) { ${NEUMAIER} }
  ${store('o', 's + c', '0u')}`;
  } else if (op === 'sum' || op === 'prod') {
    body = `  var s = ${op === 'sum' ? `${t}(0)` : `${t}(1)`};
  for (var j = 0u; j < R; j++) { s = s ${op === 'sum' ? '+' : '*'} load(base, j); }
  ${store('o', 's', '0u')}`;
  } else {
    body = `  var bv = load(base, 0u);
  var bi = 0u;
  for (var j = 1u; j < R; j++) {
    let v = load(base, j);
    if (takeB(bv, bi, v, j)) { bv = v; bi = j; }
  }
  ${store('o', 'bv', 'bi')}`;
  }
  return `${head}
${main1d()}
  let M = P[0];
  let R = P[1];
  if (i >= M) { return; }
  let o = i;
  let base = outerAt(o);
${body}
}`;
}

/** One workgroup per (output, chunk): a strided per-thread pass, then a shared-memory tree. */
function treeKernel(head: string, op: ReduceOp, t: string, store: Store): string {
  const arg = op !== 'sum' && op !== 'prod';
  let local: string, merge: string;
  if (op === 'sum' && t === 'f32') {
    local = `  var s = 0.0;
  var c = 0.0;
  for (var j = j0 + tid; j < j1; j += ${TREE}u) { ${NEUMAIER} }
  SV[tid] = s + c;`;
    merge = `SV[tid] = SV[tid] + SV[tid + h];`;
  } else if (!arg) {
    const o = op === 'sum' ? '+' : '*';
    local = `  var s = ${op === 'sum' ? `${t}(0)` : `${t}(1)`};
  for (var j = j0 + tid; j < j1; j += ${TREE}u) { s = s ${o} load(base, j); }
  SV[tid] = s;`;
    merge = `SV[tid] = SV[tid] ${o} SV[tid + h];`;
  } else {
    local = `  var bv = ${t}(0);
  var bi = NONE;
  for (var j = j0 + tid; j < j1; j += ${TREE}u) {
    let v = load(base, j);
    if (takeB(bv, bi, v, j)) { bv = v; bi = j; }
  }
  SV[tid] = bv;
  SI[tid] = bi;`;
    merge = `if (takeB(SV[tid], SI[tid], SV[tid + h], SI[tid + h])) { SV[tid] = SV[tid + h]; SI[tid] = SI[tid + h]; }`;
  }
  return `${head}
var<workgroup> SV: array<${t}, ${TREE}>;
${arg ? `var<workgroup> SI: array<u32, ${TREE}>;` : ''}
@compute @workgroup_size(${TREE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let M = P[0];
  let R = P[1];
  let C = P[2];
  let chunk = P[3];
  let w = wid.x + wid.y * nwg.x;
  if (w >= M * C) { return; }
  let o = w / C;
  let j0 = (w % C) * chunk;
  let j1 = min(R, j0 + chunk);
  let base = outerAt(o);
${local}
  workgroupBarrier();
  for (var h = ${TREE / 2}u; h > 0u; h = h >> 1u) {
    if (tid < h) { ${merge} }
    workgroupBarrier();
  }
  if (tid == 0u) { ${store('w', 'SV[0]', 'SI[0]')} }
}`;
}
