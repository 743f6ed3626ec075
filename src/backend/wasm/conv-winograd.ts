/**
 * 3×3, stride-1 convolutions by Winograd's algorithm: F(4×4, 3×3)
 * (assembly/conv-winograd4.ts and conv-winograd4-weight.ts, 36
 * multiply-adds per 4×4 output tile and channel pair instead of the direct
 * kernel's 144) where the output is a multiple of 4 high and of 16 wide,
 * else F(2×2, 3×3) (assembly/conv-winograd.ts, 16 per 2×2 tile instead of
 * 36). Used for the forward pass (with the bias, ReLU and 2×2 max-pooling
 * epilogue), for the input gradient, which with stride 1 is the same
 * convolution of gy with the flipped, transposed weights, and for the weight
 * gradient where it is summed in several partial sums over image ranges (see
 * winogradConvBackwardWeight).
 *
 * Where: 2-D, groups 1, dilation 1, at least MIN_CHANNELS channels each way
 * (below that the transforms cost more than the products save), and an
 * output of even height and a width that is a multiple of 8 (the kernel
 * takes 4 tiles per vector and stores whole vectors). Measured on the
 * VGG-style benchmark's layers: see docs/guide/speed.md. An infinite or NaN
 * value in what F(4×4) transforms makes the call recompute by F(2×2), which
 * keeps it within the outputs whose windows hold it.
 *
 * Weight transforms and the weight gradient's final sum run as pool jobs over
 * blocks of output channels; every ξ plane of the transformed data is 64
 * bytes off a multiple of 4 KiB from the next (the kernels' planeStride).
 *
 * Threads: chunks take whole images (or, with fewer images than threads,
 * ranges of tile rows of one image), each padding its own copy in its
 * thread's work buffer. Every output is computed the same way whatever its
 * chunk, so results do not depend on the thread count.
 */
import type { ConvParams } from '../backend.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';
import { FN, work } from './threads.js';
import { forEachItem, paddedBytes, partRange, planItems } from './conv-jobs.js';

/**
 * Fewest input and output channels for the Winograd path (forward and input
 * gradient; the weight gradient, whose transforms cost more per product,
 * from WEIGHT_MIN_CHANNELS). Measured on 2 threads, batch 32 (direct time /
 * Winograd time): 8 → 8 channels on 32×32 0.83x, 16 → 16 1.04-1.13x (weight
 * gradient 0.75-0.86x), 32 → 32 1.33-1.56x (weight gradient 1.12-1.18x).
 */
const MIN_CHANNELS = 16;
const WEIGHT_MIN_CHANNELS = 32;
/** Bytes of transformed input (V) per block of tile rows, at most (one row at least). */
const V_BYTES = 128 << 10;
/**
 * Bytes of transformed inputs and gradients (V and Z) per weight-gradient
 * kernel call, about: more tiles per call make fewer horizontal sums per
 * product (F(4×4) on 64 → 64 channels, 16×16, batch 32: 3.7 ms with 1 MiB,
 * 3.25 with 2, 3.3 with 4).
 */
const VZ_BYTES = 2 << 20;
/** Bytes of wgConv's output-transform scratch: 16 products × 4 channels × 8 tiles, float32. */
const M_BYTES = 16 * 4 * 8 * 4;

/** Bytes after the F(4×4) weight gradient's Z for its transforms' rows (6 × 6 vectors at most). */
const F4_ROWS_BYTES = 576;

/** Switches for tests and measurements that compare against the direct kernels, or F(4×4) against F(2×2) (not public API). */
export const winogradSwitch = { enabled: true, f4: true };

function is3x3Stride1(p: ConvParams): boolean {
  return winogradSwitch.enabled && p.groups === 1 && p.inSize[0] === 1 && p.kernelSize[0] === 1 && p.kernelSize[1] === 3 &&
    p.kernelSize[2] === 3 && p.stride.every((s) => s === 1) && p.dilation.every((d) => d === 1) && p.padding[0] === 0 &&
    p.inChannels >= MIN_CHANNELS && p.outChannels >= MIN_CHANNELS;
}

/** The padded input of a problem: the rows and columns the tiles' patches read (oH + 2, oW + 2), and its bytes with convPad's slack. */
function padGeometry(q: Problem): { Hp: number; Wp: number; padBytes: number } {
  const Hp = q.oH + 2, Wp = q.oW + 2;
  return { Hp, Wp, padBytes: paddedBytes(q.cin * Hp * Wp) };
}

/** Whether the forward pass of p runs here: output (oH, oW) with oH even, oW a multiple of 8. */
export function winogradForward(p: ConvParams): boolean {
  return is3x3Stride1(p) && p.outSize[1] % 2 === 0 && p.outSize[2] % 8 === 0;
}

/** Whether the weight gradient of p runs here (when summed in several parts: see winogradConvBackwardWeight). */
export function winogradBackwardWeight(p: ConvParams): boolean {
  return winogradForward(p) && p.inChannels >= WEIGHT_MIN_CHANNELS && p.outChannels >= WEIGHT_MIN_CHANNELS;
}

/** Whether the input gradient of p runs here: the input, its output, has even height and a width a multiple of 8. */
export function winogradBackwardInput(p: ConvParams): boolean {
  return is3x3Stride1(p) && p.inSize[1] % 2 === 0 && p.inSize[2] % 8 === 0;
}

/** Whether a problem runs through F(4×4, 3×3): output height a multiple of 4, width a multiple of 16 (4 tiles per vector). */
function useF4(q: Problem): boolean {
  return winogradSwitch.f4 && q.oH % 4 === 0 && q.oW % 16 === 0;
}

interface Problem {
  cin: number;
  cout: number;
  /** Input plane and its padding before the first row/column (may be negative: a crop). */
  inH: number;
  inW: number;
  padH: number;
  padW: number;
  oH: number;
  oW: number;
}

/**
 * dst[n] = conv3x3(src[n]) for every image n with the weights U at `u`
 * (wgPackU), plus the epilogue; `idxAt` (pooling) where the indices go.
 */
function run(
  ctx: WasmContext, q: Problem, batch: number, w: WeightSource, srcAt: (n: number) => number, dstAt: (n: number) => number,
  bias: number, relu: number, pool2x2: boolean, idxAt: ((n: number) => number) | null, allowF4 = true,
): void {
  const { Hp, Wp, padBytes } = padGeometry(q);
  const big = allowF4 && useF4(q);
  // F(4×4): 4×4 tiles, 36 products; F(2×2): 2×2 tiles, 16 products.
  const tileSide = big ? 4 : 2, products = big ? 36 : 16;
  const th = q.oH / tileSide, tw = q.oW / tileSide;
  const rowsPerBlock = blockRows(th, tw, Math.floor(V_BYTES / (products * q.cin * tw * 4)));
  const panels = Math.ceil((rowsPerBlock * tw) / 8);
  const vBytes = big ? ctx.kernels.wg4VBytes(panels, q.cin) : ctx.kernels.wgVBytes(panels, q.cin);
  const mBytes = big ? ctx.kernels.wg4MBytes(panels, q.cout) : M_BYTES;
  const nonFinite = big ? ctx.alloc('int32', 1, true) : null;
  const u = packU(ctx, w, q.cout, q.cin, big);
  try {
    const pool = ctx.pool;
    pool.ensureWork(padBytes + vBytes + mBytes);
    // Chunks of whole images, or ranges of each image's tile rows (whole panels where a row has fewer than 8 tiles).
    const rowStep = panelRows(tw);
    const plan = planItems(ctx, batch, batch * q.cout * q.cin * products * th * tw, Math.ceil(th / rowStep));
    forEachItem(pool, batch, plan, (n, part) => {
      const [r0, r1] = partRange(part, plan.parts, Math.ceil(th / rowStep));
      const ty0 = Math.min(th, r0 * rowStep), ty1 = Math.min(th, r1 * rowStep);
      pool.call(FN.convPad, srcAt(n), q.cin, 1, q.inH, q.inW, work(), 1, Hp, Wp, 0, q.padH, q.padW);
      if (big) {
        pool.call(FN.wg4Conv, work(), Hp, Wp, q.cin, u.ptr, q.cout, dstAt(n), q.oH, q.oW, ty0, ty1, rowsPerBlock, work(padBytes),
          work(padBytes + vBytes), bias, relu, pool2x2 ? 1 : 0, idxAt ? idxAt(n) : 0, nonFinite!.ptr);
      } else {
        pool.call(FN.wgConv, work(), Hp, Wp, q.cin, u.ptr, q.cout, dstAt(n), q.oH, q.oW, ty0, ty1, rowsPerBlock, work(padBytes),
          work(padBytes + vBytes), bias, relu, pool2x2 ? 1 : 0, idxAt ? idxAt(n) : 0);
      }
    });
    pool.flush();
  } finally {
    ctx.freeTemp(u);
  }
  if (!nonFinite) return;
  const seen = nonFinite.view()[0] !== 0;
  nonFinite.release();
  // An infinite or NaN input: F(4×4) spread it over whole tiles; F(2×2) keeps it within the windows that hold it.
  if (seen) run(ctx, q, batch, w, srcAt, dstAt, bias, relu, pool2x2, idxAt, false);
}

/** Tile rows whose tiles fill whole panels of 8 (tw, the tiles a row, is a multiple of 4). */
function panelRows(tw: number): number {
  return tw % 8 === 0 ? 1 : 2;
}

/**
 * Tile rows per block: as many as `fit` (what V_BYTES holds) allows, in
 * multiples of panelRows (a half-filled panel computes 8 tiles' products
 * for 4: 64 -> 64 channels on 16 × 16 took blocks of 3 and 1 rows of 4
 * tiles, a quarter of the products wasted), balanced over the blocks.
 */
function blockRows(th: number, tw: number, fit: number): number {
  const step = panelRows(tw);
  const rows = Math.min(th, Math.max(step, Math.floor(fit / step) * step));
  const blocks = Math.ceil(th / rows);
  return Math.min(th, Math.ceil(Math.ceil(th / blocks) / step) * step);
}

/** Where a layer's 3×3 weights are: w[co·rsO + ci·rsI + tap], flipped (the input gradient's transposed, flipped weights) or not. */
interface WeightSource {
  ptr: number;
  rsO: number;
  rsI: number;
  flip: boolean;
}

/** Weight transforms (and the weight gradient's last step) of at least this many channel pairs are spread over the threads. */
const PARALLEL_PACK_PAIRS = 1024;

/**
 * Runs call(lo, hi) for ranges [lo, hi) of `n` channels (or channel blocks)
 * as one pool job: one range, or 2 per thread for a layer of at least
 * PARALLEL_PACK_PAIRS channel pairs. Each range writes its own floats, so
 * the result does not depend on the cut.
 */
function overChannelRanges(ctx: WasmContext, pairs: number, n: number, call: (lo: number, hi: number) => void): void {
  const chunks = ctx.threads > 1 && pairs >= PARALLEL_PACK_PAIRS ? Math.min(n, 2 * ctx.threads) : 1;
  for (let c = 0; c < chunks; c++) {
    const [lo, hi] = partRange(c, chunks, n);
    ctx.pool.chunk();
    call(lo, hi);
  }
  ctx.pool.flush();
}

/**
 * Transformed weights of a cout × cin layer in a temp (wgUBytes,
 * wg4UBytes), packed as one job over blocks of 4 output channels.
 */
function packU(ctx: WasmContext, w: WeightSource, cout: number, cin: number, big: boolean): { ptr: number; size: number } {
  const u = ctx.temp(big ? ctx.kernels.wg4UBytes(cout, cin) : ctx.kernels.wgUBytes(cout, cin));
  overChannelRanges(ctx, cout * cin, Math.ceil(cout / 4), (cb0, cb1) =>
    ctx.pool.call(big ? FN.wg4PackU : FN.wgPackU, w.ptr, cout, cin, w.rsO, w.rsI, w.flip ? 1 : 0, u.ptr, cb0, cb1));
  return u;
}

/**
 * Forward pass (winogradForward(p) must hold): [N, Cout, oH, oW], or with
 * pool2x2 the 2×2/stride-2 maxima [N, Cout, oH/2, oW/2] (int32 indices into
 * each oH·oW plane written to `indices` if given); bias (0: none) and ReLU
 * applied before the pooling.
 */
export function winogradConv(
  ctx: WasmContext, x: WasmStorage, w: WasmStorage, p: ConvParams, bias: number, relu: number, pool2x2: boolean,
  indices: WasmStorage | null,
): WasmStorage {
  const [, oH, oW] = p.outSize, [, H, W] = p.inSize;
  const plane = pool2x2 ? (oH / 2) * (oW / 2) : oH * oW;
  const y = ctx.alloc('float32', p.batch * p.outChannels * plane);
  const q: Problem = { cin: p.inChannels, cout: p.outChannels, inH: H, inW: W, padH: p.padding[1], padW: p.padding[2], oH, oW };
  const wSrc: WeightSource = { ptr: addr(w, 0), rsO: p.inChannels * 9, rsI: 9, flip: false };
  run(ctx, q, p.batch, wSrc, (n) => addr(x, n * p.inChannels * H * W), (n) => addr(y, n * p.outChannels * plane), bias, relu, pool2x2,
    indices && ((n) => addr(indices, n * p.outChannels * plane)));
  return y;
}

/**
 * Input gradient (winogradBackwardInput(p) must hold): with stride 1,
 * gx[ci] = Σ_co conv(gy[co] padded by 2 - pad, W[co, ci] flipped), an
 * [N, Cin, H, W] result.
 */
export function winogradConvBackwardInput(ctx: WasmContext, gy: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage {
  const [, oH, oW] = p.outSize, [, H, W] = p.inSize;
  const gx = ctx.alloc('float32', p.batch * p.inChannels * H * W);
  // W'[ci, co, t] = W[co, ci, 8 - t]: rows ci (stride 9), columns co (stride Cin·9), flipped.
  const wSrc: WeightSource = { ptr: addr(w, 0), rsO: 9, rsI: p.inChannels * 9, flip: true };
  const q: Problem = { cin: p.outChannels, cout: p.inChannels, inH: oH, inW: oW, padH: 2 - p.padding[1], padW: 2 - p.padding[2], oH: H, oW: W };
  run(ctx, q, p.batch, wSrc, (n) => addr(gy, n * p.outChannels * oH * oW), (n) => addr(gx, n * p.inChannels * H * W), 0, 0, false, null);
  return gx;
}

/**
 * Weight gradient (winogradBackwardWeight(p) must hold) summed in `parts` partial
 * sums, part c over images [c·N/parts, (c+1)·N/parts) (the direct path's
 * split, a function of the shapes only): each part accumulates dU[ξ, co, ci]
 * = Σ Z ⊙ V over its images' tiles, then gW = Gᵀ·(Σ parts)·G (F(4×4) where the
 * output is 4k high and 16k wide, else F(2×2)). With one part
 * (few images) the direct kernel runs instead: a single sum would leave the
 * second thread without work.
 */
export function winogradConvBackwardWeight(
  ctx: WasmContext, x: WasmStorage, gy: WasmStorage, p: ConvParams, parts: number, allowF4 = true,
): WasmStorage {
  const [, oH, oW] = p.outSize, [, H, W] = p.inSize;
  const q: Problem = { cin: p.inChannels, cout: p.outChannels, inH: H, inW: W, padH: p.padding[1], padW: p.padding[2], oH, oW };
  const big = allowF4 && useF4(q);
  const tileSide = big ? 4 : 2, products = big ? 36 : 16;
  const { Hp, Wp, padBytes } = padGeometry(q), th = oH / tileSide, tw = oW / tileSide;
  // V and Z take products·(cin + cout) floats per tile: whole images per kernel call up to VZ_BYTES, else blocks of tile rows.
  const perRow = products * (q.cin + q.cout) * tw * 4;
  const B = Math.max(1, Math.min(Math.ceil(p.batch / parts), Math.floor(VZ_BYTES / (perRow * th))));
  const rowsPerBlock = B > 1 ? th : Math.max(1, Math.min(th, Math.floor(VZ_BYTES / perRow)));
  const tiles = B * rowsPerBlock * tw;
  const k = ctx.kernels;
  const vBytes = big ? k.wg4VZBytes(q.cin, tiles) : k.wgVZBytes(q.cin, tiles);
  const zBytes = (big ? k.wg4VZBytes(q.cout, tiles) : k.wgVZBytes(q.cout, tiles)) + (big ? F4_ROWS_BYTES : 0);
  const duFloats = products * q.cout * q.cin;
  const du = ctx.temp(parts * duFloats * 4);
  const nonFinite = big ? ctx.alloc('int32', 1, true) : null;
  let gw: WasmStorage | null = null;
  try {
    const pool = ctx.pool;
    pool.ensureWork(B * padBytes + vBytes + zBytes);
    for (let c = 0; c < parts; c++) {
      pool.chunk();
      pool.call(FN.fill8, du.ptr + c * duFloats * 4, 0, duFloats * 4);
      const [lo, hi] = partRange(c, parts, p.batch);
      // Images [lo, hi) in ceil((hi - lo) / B) calls of about equal size.
      const calls = Math.ceil((hi - lo) / B);
      for (let call = 0; call < calls; call++) {
        const n0 = lo + Math.floor((call * (hi - lo)) / calls), n1 = lo + Math.floor(((call + 1) * (hi - lo)) / calls);
        for (let n = n0; n < n1; n++) {
          pool.call(FN.convPad, addr(x, n * q.cin * H * W), q.cin, 1, H, W, work((n - n0) * padBytes), 1, Hp, Wp, 0, q.padH, q.padW);
        }
        const args = [work(), padBytes, n1 - n0, Hp, Wp, q.cin, addr(gy, n0 * q.cout * oH * oW), q.cout * oH * oW * 4, q.cout,
          oH, oW, rowsPerBlock, work(B * padBytes), work(B * padBytes + vBytes), du.ptr + c * duFloats * 4];
        if (big) pool.call(FN.wg4BwdW, ...args, nonFinite!.ptr);
        else pool.call(FN.wgBwdW, ...args);
      }
    }
    pool.flush();
    if (!nonFinite || nonFinite.view()[0] === 0) {
      // Σ parts (float64, in part order) into part 0's place, then the weights' transform, over ranges of output channels.
      const out = (gw = ctx.alloc('float32', q.cout * q.cin * 9));
      overChannelRanges(ctx, q.cout * q.cin, q.cout, (co0, co1) =>
        pool.call(FN.wgFinishDW, du.ptr, parts, duFloats * 4, products, q.cout, q.cin, addr(out, 0), co0, co1));
    }
  } finally {
    ctx.freeTemp(du);
    nonFinite?.release();
  }
  // An infinite or NaN input or gradient: recomputed by F(2×2), as the forward pass is (see run).
  return gw ?? winogradConvBackwardWeight(ctx, x, gy, p, parts, false);
}
