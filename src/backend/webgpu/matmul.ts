/**
 * Batched matrix multiply on the GPU, and the tiled GEMM kernel skeleton it
 * shares with the convolutions (conv.ts).
 *
 * The skeleton computes C[z] = A[z] (M×K) · B[z] (K×N) for z in a batch, in
 * 64×64 output tiles per workgroup of 16×16 threads; each thread accumulates a
 * 4×4 block (rows ty + 16i, columns tx + 16j, so neighbouring threads touch
 * neighbouring rows and columns), and the K axis is walked in slices of 16
 * staged through workgroup memory. How an element of A or B is fetched and how
 * a result is stored are WGSL snippets supplied by the caller: a plain strided
 * read for matmul, an on-the-fly im2col read for the convolutions (implicit
 * GEMM), so no column matrix is ever materialised. Out-of-range rows,
 * columns and K entries read as 0 and out-of-range results are not stored, so
 * any M, N, K (K = 0 gives zeros) work with one pipeline.
 */
import type { Layout } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import { numel } from '../../core/shape.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { convertExpr } from './copy.js';
import { PARAMS, Params, collapseDims, grid1d, main1d, wgslType } from './wgsl.js';

/** Output tile (rows × columns) of one workgroup, and the K slice staged per step. */
const TILE = 64;
const TK = 16;

/**
 * Most workgroups per grid dimension one dispatch uses (bigger grids are
 * split into several dispatches). Tests lower it to exercise the split
 * without 65536 (slow, on a software GPU) workgroups, and force `path`
 * (the small or the tiled kernel; 'auto' chooses by shape) to test both.
 * @internal
 */
export const gemmLimits: { maxGroups: number; path: 'auto' | 'small' | 'tiled' } = { maxGroups: 65535, path: 'auto' };

/**
 * Parameter words the skeleton itself uses: M, N, K; the tile-column,
 * tile-row and z offsets of the dispatch (grids over 65535 are split into
 * several dispatches); the split-K count S, the K range of one split, and
 * the output's length (the stride between split-K partial outputs). A
 * spec's own words start at this index.
 */
export const GEMM_WORDS = 9;

/**
 * When an output has few tiles but a long K (a weight gradient summed over
 * a batch of positions, a dot product), the K range is split over up to
 * `maxSplits` workgroups per tile, aiming at `targetGroups` workgroups in
 * all with at least `minChunk` K entries each; the partial results are then
 * summed in a second pass (no atomics, so results are deterministic). Tests
 * lower minChunk to exercise the split on small shapes.
 * @internal
 */
export const splitKPolicy = { targetGroups: 256, minChunk: 256, maxSplits: 64 };

/** How a tiled GEMM reads its operands and writes its result (WGSL snippets). */
export interface GemmSpec {
  /** Pipeline cache key: must identify every choice below (op, dtypes, flags). */
  readonly key: string;
  /** Accumulator / operand element type. */
  readonly type: 'f32' | 'i32';
  /** Bindings 1.. (inputs, then outputs) and helper functions; may read P. */
  readonly decls: string;
  /** Statements at the top of `main`; `M`, `N`, `K` and `z` (the batch index, < batches) are in scope. */
  readonly prologue: string;
  /** Statements assigning `v` = A[m, k] (only called with m < M, k < K; `v` starts at 0). */
  loadA(m: string, k: string): string;
  /** Statements assigning `v` = B[k, n] (only called with k < K, n < N; `v` starts at 0). */
  loadB(k: string, n: string): string;
  /**
   * Statements storing result `v` of C[m, n] (only called with m < M, n < N)
   * into the output binding at (its index of C[m, n]) + `po`: `po` selects
   * the split-K partial slice (0 without a split).
   */
  store(m: string, n: string, v: string): string;
  /**
   * WGSL bool expression (a constant, or one read from P when a single
   * pipeline serves both orders): whether k walks A's memory contiguously
   * (row-major A) rather than m (transposed A). The tile loads give
   * neighbouring threads neighbouring elements along it, so reads coalesce.
   */
  readonly aKFast: string;
  /** Likewise for B: whether n (row-major B) rather than k is contiguous. */
  readonly bNFast: string;
}

/**
 * The statements both GEMM kernels start with: sizes, the (batch, K split)
 * pair of this workgroup (z enumerates them; the workgroup sums K entries
 * [kLo, kHi) into the partial slice at `po`), the operands' memory order and
 * the spec's prologue.
 */
function gemmPreamble(spec: GemmSpec): string {
  return `  let M = P[0]; let N = P[1]; let K = P[2];
  let zs = wid.z + P[5];
  let z = zs / P[6];
  let ks = zs % P[6];
  let kLo = ks * P[7];
  let kHi = min(K, kLo + P[7]);
  let po = ks * P[8];
  let aKFast = ${spec.aKFast};
  let bNFast = ${spec.bNFast};
${spec.prologue}`;
}

/** The WGSL source of a tiled GEMM for `spec`. */
function gemmSource(spec: GemmSpec): string {
  const T = spec.type;
  const zero = `${T}(0)`;
  const R = [0, 1, 2, 3];
  const SIDE = TILE / 4; // 16 threads per tile side
  // A tile [TK][TILE] (k-major), B tile [TK][TILE]; each thread fills 4 of the 1024 entries of each,
  // r = 0..3 in a loop (the loads are the bulkiest code: unrolling them only slows compiles).
  // Which index varies fastest between neighbouring threads follows the operand's memory order.
  const [mm, ka] = [`select(l % ${TILE}u, l / ${TK}u, aKFast)`, `select(l / ${TILE}u, l % ${TK}u, aKFast)`];
  const [nn, kb] = [`select(l / ${TK}u, l % ${TILE}u, bNFast)`, `select(l % ${TK}u, l / ${TILE}u, bNFast)`];
  const loads = `    for (var r = 0u; r < 4u; r = r + 1u) {
      let l = t + r * 256u;
      {
        let mm = ${mm}; let kk = ${ka};
        let m = m0 + mm; let k = k0 + kk;
        var v = ${zero};
        if (m < M && k < kHi) { ${spec.loadA('m', 'k')} }
        As[kk * ${TILE}u + mm] = v;
      }
      {
        let nn = ${nn}; let kk = ${kb};
        let n = n0 + nn; let k = k0 + kk;
        var v = ${zero};
        if (k < kHi && n < N) { ${spec.loadB('k', 'n')} }
        Bs[kk * ${TILE}u + nn] = v;
      }
    }`;
  const acc = R.flatMap((i) => R.map((j) => `c${i}${j}`));
  const mac = (i: number, j: number) => (T === 'f32' ? `c${i}${j} = fma(a${i}, b${j}, c${i}${j});` : `c${i}${j} = c${i}${j} + a${i} * b${j};`);
  const stores = R.flatMap((i) =>
    R.map((j) => `  { let m = m0 + lid.y + ${i * SIDE}u; let n = n0 + lid.x + ${j * SIDE}u; if (m < M && n < N) { ${spec.store('m', 'n', `c${i}${j}`)} } }`),
  );
  return `${PARAMS}
${spec.decls}
var<workgroup> As: array<${T}, ${TK * TILE}>;
var<workgroup> Bs: array<${T}, ${TK * TILE}>;

@compute @workgroup_size(${SIDE}, ${SIDE}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let n0 = (wid.x + P[3]) * ${TILE}u;
  let m0 = (wid.y + P[4]) * ${TILE}u;
${gemmPreamble(spec)}
  ${acc.map((c) => `var ${c} = ${zero};`).join(' ')}
  for (var k0 = kLo; k0 < kHi; k0 = k0 + ${TK}u) {
${loads}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk = kk + 1u) {
      let ar = kk * ${TILE}u + lid.y;
      let br = kk * ${TILE}u + lid.x;
      ${R.map((i) => `let a${i} = As[ar + ${i * SIDE}u];`).join(' ')}
      ${R.map((j) => `let b${j} = Bs[br + ${j * SIDE}u];`).join(' ')}
      ${R.map((i) => R.map((j) => mac(i, j)).join(' ')).join('\n      ')}
    }
    workgroupBarrier();
  }
${stores.join('\n')}
}`;
}

/**
 * The GEMM for skinny or small problems: one thread per output element, no
 * workgroup memory and no barriers (64 threads per workgroup; consecutive
 * threads take consecutive columns). A 64×64 tile wastes most of its work
 * when M or N is a handful (LeNet's 6 and 16 channels), and on software GPUs
 * (SwiftShader) every barrier costs dearly; the same split-K and batch
 * decomposition as the tiled kernel applies.
 */
function smallGemmSource(spec: GemmSpec): string {
  const T = spec.type;
  const zero = `${T}(0)`;
  const mac = T === 'f32' ? 'acc = fma(a, v, acc);' : 'acc = acc + a * v;';
  return `${PARAMS}
${spec.decls}

@compute @workgroup_size(${SMALL_WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
${gemmPreamble(spec)}
  // x never splits over dispatches (see runGemm), so nwg.x is the full row of workgroups.
  let gemmOut = ((wid.y + P[4]) * nwg.x + wid.x) * ${SMALL_WG}u + t;
  if (gemmOut >= M * N) { return; }
  let m = gemmOut / N;
  let n = gemmOut % N;
  var acc = ${zero};
  for (var k = kLo; k < kHi; k = k + 1u) {
    var a = ${zero};
    { var v = ${zero}; ${spec.loadA('m', 'k')} a = v; }
    { var v = ${zero}; ${spec.loadB('k', 'n')} ${mac} }
  }
  ${spec.store('m', 'n', 'acc')}
}`;
}

/** Threads per workgroup of the small GEMM. */
const SMALL_WG = 64;

/**
 * Whether the small kernel serves an M×N×K problem: when M or N is too small
 * to fill a 64-wide tile, or the whole product is tiny.
 */
function useSmallGemm(M: number, N: number, K: number): boolean {
  if (gemmLimits.path !== 'auto') return gemmLimits.path === 'small' && M * N < 2 ** 31;
  return M * N < 2 ** 31 && (M <= 16 || N <= 16 || M * N * K <= 2 ** 23);
}

/**
 * Runs the tiled GEMM of `spec` over an M×N output for each of `batches`
 * batch entries, writing every element of `out` (whose spec-defined layout
 * covers all batches × M × N entries); `words` (the spec's parameters) follow
 * the skeleton's {@link GEMM_WORDS}. Nothing runs when the output is empty.
 */
export function runGemm(
  ctx: GpuContext,
  spec: GemmSpec,
  inputs: readonly GpuStorage[],
  out: GpuStorage,
  dims: { M: number; N: number; K: number; batches: number },
  words: Params,
): void {
  const { M, N, K, batches } = dims;
  if (M === 0 || N === 0 || batches === 0) return;
  for (const [v, what] of [[M, 'M'], [N, 'N'], [K, 'K'], [batches, 'batch']] as const) {
    if (v >= 2 ** 31) throw new TensorError(`webgpu backend (${spec.key}): ${what} = ${v} is too large for 32-bit GPU indexing`);
  }
  const small = useSmallGemm(M, N, K);
  const kernel = small
    ? { key: `gemm-small:${spec.key}`, source: () => smallGemmSource(spec) }
    : { key: `gemm64:${spec.key}`, source: () => gemmSource(spec) };
  // The small kernel covers M·N outputs with flat workgroups (x, then y when over the limit), the tiled one tiles.
  const smallGroups = Math.ceil((M * N) / SMALL_WG);
  const tilesN = small ? Math.min(smallGroups, Math.min(gemmLimits.maxGroups, ctx.device.limits.maxComputeWorkgroupsPerDimension)) : Math.ceil(N / TILE);
  const tilesM = small ? Math.ceil(smallGroups / tilesN) : Math.ceil(M / TILE);
  const MAX_GROUPS = Math.min(gemmLimits.maxGroups, ctx.device.limits.maxComputeWorkgroupsPerDimension);
  const n = out.length;
  const pol = splitKPolicy;
  // Partials hold the output's type, so only splits whose sums stay in the accumulator type.
  let splits = wgslType(out.dtype) !== spec.type ? 1 : Math.min(Math.ceil(pol.targetGroups / (tilesM * tilesN * batches)), Math.floor(K / pol.minChunk), pol.maxSplits);
  splits = Math.max(1, splits);
  const chunk = splits === 1 ? K : Math.ceil(K / splits / TK) * TK;
  if (splits > 1) splits = Math.ceil(K / chunk);
  const target = splits === 1 ? out : ctx.alloc(out.dtype, splits * n, spec.key);
  const zs = batches * splits;
  for (let z0 = 0; z0 < zs; z0 += MAX_GROUPS) {
    for (let y0 = 0; y0 < tilesM; y0 += MAX_GROUPS) {
      for (let x0 = 0; x0 < tilesN; x0 += MAX_GROUPS) {
        const p = new Params().u32(M).u32(N).u32(K).u32(x0).u32(y0).u32(z0).u32(splits).u32(chunk).u32(splits === 1 ? 0 : n);
        p.words.push(...words.words);
        const grid = [Math.min(MAX_GROUPS, tilesN - x0), Math.min(MAX_GROUPS, tilesM - y0), Math.min(MAX_GROUPS, zs - z0)] as const;
        ctx.run(kernel, inputs, [target], p.words, grid);
      }
    }
  }
  if (target !== out) {
    sumPartials(ctx, target, out, splits, n);
    target.release();
  }
}

/** out[i] = Σ_s part[s·n + i] over the `splits` partial outputs of a split-K GEMM. */
function sumPartials(ctx: GpuContext, part: GpuStorage, out: GpuStorage, splits: number, n: number): void {
  const t = wgslType(out.dtype);
  ctx.run(
    {
      key: `gemm-splitk-sum:${t}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> Part: array<${t}>;
@group(0) @binding(2) var<storage, read_write> Out: array<${t}>;
${main1d()}
  let n = P[0];
  if (i >= n) { return; }
  var s = Part[i];
  for (var k = 1u; k < P[1]; k = k + 1u) { s = s + Part[k * n + i]; }
  Out[i] = s;
}`,
    },
    [part],
    [out],
    new Params().u32(n).u32(splits).words,
    grid1d(n),
  );
}

/**
 * Batched a `[...B, M, K]` @ b `[...B, K, N]` -> contiguous `[...B, M, N]` of
 * `outDtype`, for any layouts of a and b (strides, including broadcast zeros
 * and negative flips, are read directly; nothing is copied). float32 and
 * int32 (int32 accumulates with wrap-around, as the reference's float64 sum
 * stored into an Int32Array does for sums below 2^53).
 */
export function matmul(ctx: GpuContext, a: GpuStorage, al: Layout, b: GpuStorage, bl: Layout, outDtype: DType): GpuStorage {
  if (a.dtype !== b.dtype) throw new TensorError(`webgpu backend (matmul): operands must have one dtype (got ${a.dtype} and ${b.dtype})`);
  const type = wgslType(a.dtype);
  if (type === 'u32') throw new TensorError('webgpu backend (matmul): bool matrices cannot be multiplied; cast them to float32 first');
  const r = al.shape.length;
  if (r < 2 || bl.shape.length !== r) throw new TensorError(`webgpu backend (matmul): operands need equal ranks >= 2 (got ${r} and ${bl.shape.length})`);
  const M = al.shape[r - 2]!, K = al.shape[r - 1]!, N = bl.shape[r - 1]!;
  const batchShape = al.shape.slice(0, r - 2);
  const batches = numel(batchShape);
  const out = ctx.alloc(outDtype, batches * M * N, 'matmul');
  // Batch dims collapse where both operands walk them as one, so the usual
  // cases (one contiguous batch axis, or none) decode z with one division at most.
  // The batch rank R is a parameter, not part of the source: one pipeline serves every shape and view.
  const c = collapseDims(batchShape, [al.strides.slice(0, r - 2), bl.strides.slice(0, r - 2)]);
  const R = c.shape.length;
  const [aRs, aCs, bRs, bCs] = [al.strides[r - 2]!, al.strides[r - 1]!, bl.strides[r - 2]!, bl.strides[r - 1]!];
  const aKFast = Math.abs(aCs) <= Math.abs(aRs), bNFast = Math.abs(bCs) <= Math.abs(bRs);
  const p = new Params().i32(al.offset).i32(bl.offset).i32(aRs).i32(aCs).i32(bRs).i32(bCs);
  p.u32(aKFast ? 1 : 0).u32(bNFast ? 1 : 0).u32(R).all(c.shape);
  for (const s of c.strides[0]!) p.i32(s);
  for (const s of c.strides[1]!) p.i32(s);
  const w = (i: number | string) => `bitcast<i32>(P[${GEMM_WORDS}u + ${i}])`;
  const spec: GemmSpec = {
    key: `matmul:${a.dtype}>${outDtype}`,
    type,
    decls: `@group(0) @binding(1) var<storage, read> A: array<${type}>;
@group(0) @binding(2) var<storage, read> B: array<${type}>;
@group(0) @binding(3) var<storage, read_write> C: array<${wgslType(outDtype)}>;`,
    prologue: `  var aBase = ${w(0)}; var bBase = ${w(1)};
  let aRs = ${w(2)}; let aCs = ${w(3)}; let bRs = ${w(4)}; let bCs = ${w(5)};
  let R = P[${GEMM_WORDS + 8}u];
  var rem = z;
  for (var d = R; d > 0u; d = d - 1u) {
    let s = P[${GEMM_WORDS + 8}u + d];
    let i = i32(rem % s);
    rem = rem / s;
    aBase += i * ${w('9u + R + d - 1u')};
    bBase += i * ${w('9u + 2u * R + d - 1u')};
  }`,
    loadA: (m, k) => `v = A[u32(aBase + i32(${m}) * aRs + i32(${k}) * aCs)];`,
    loadB: (k, n) => `v = B[u32(bBase + i32(${k}) * bRs + i32(${n}) * bCs)];`,
    store: (m, n, v) => `C[po + (z * M + ${m}) * N + ${n}] = ${convertExpr(v, a.dtype, outDtype)};`,
    aKFast: `P[${GEMM_WORDS + 6}u] != 0u`,
    bNFast: `P[${GEMM_WORDS + 7}u] != 0u`,
  };
  runGemm(ctx, spec, [a, b], out, { M, N, K, batches }, p);
  return out;
}
