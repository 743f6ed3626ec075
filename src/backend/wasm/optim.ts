/**
 * Drivers for the fused optimizer kernels (assembly/optim.ts), the wasm
 * backend's sgdStep/adamStep capabilities: float32 only; other dtypes are
 * declined (false), so the optimizer's tensor-op composite runs.
 *
 * Large updates are split across the thread pool in element ranges. Every
 * range but the last starts and ends on a multiple of {@link RANGE_ALIGN}, so
 * each element goes through the same (SIMD or scalar-tail) code as in one
 * call: results are bit-identical whatever the thread count.
 */
import type { AdamStepOptions, SgdStepOptions } from '../backend.js';
import { addr, type WasmContext } from './context.js';
import { CHUNKS_PER_THREAD } from './matmul.js';
import { PARALLEL_ELEMENTS } from './split.js';
import type { WasmStorage } from './storage.js';
import { FN, KERNEL_NAMES } from './threads.js';

const SGD_NESTEROV = 1, SGD_MAXIMIZE = 2, SGD_FIRST = 4, SGD_MOMENTUM = 8;
const ADAM_DECOUPLED = 1, ADAM_MAXIMIZE = 2, ADAM_AMSGRAD = 4;

/**
 * Elements from which an update is split across threads (as other
 * memory-bound kernels, split.ts). An SGD step with momentum streams ~16 bytes
 * per element. Measured (fused sgdStep, momentum, min of 150, 2 threads vs 1,
 * loaded machine): n = 200,704 (MLP fc1) 72-79 us vs 111 us; n = 65,536
 * 40-47 us vs 37 us: a pool job (waking the worker) costs more than it saves
 * at 64K.
 */
export const OPTIM_PARALLEL_ELEMENTS = PARALLEL_ELEMENTS;
/** Range starts are multiples of this (16 cache lines of float32; a multiple of the 4-lane vector). */
const RANGE_ALIGN = 256;

/**
 * Elements per range of an update collected by {@link wasmUpdateBatch}: small
 * enough that one step's updates spread evenly over the threads (MLP
 * 784-256-256-10: 13 ranges), large enough that a range's call
 * costs far more than claiming it.
 */
const BATCH_RANGE = 1 << 15;

/**
 * Runs kernel `fn` over [0, n) as pool chunks of aligned ranges (a few per
 * thread), `args(start, count)` giving each chunk's call arguments; false
 * (nothing run) when n is small or there is one thread: the caller then
 * calls the kernel once itself. Inside {@link wasmUpdateBatch} (more than one
 * thread) every update is collected instead, in ranges of BATCH_RANGE, and
 * true is returned: it runs when the batch ends.
 */
function splitRanges(ctx: WasmContext, n: number, fn: number, args: (start: number, count: number) => number[]): boolean {
  const T = ctx.threads;
  const pending = T > 1 ? ctx.pendingUpdates : null;
  const units = Math.ceil(n / RANGE_ALIGN);
  const parts = pending ? Math.max(1, Math.ceil(n / BATCH_RANGE))
    : T === 1 || n < OPTIM_PARALLEL_ELEMENTS ? 1 : Math.min(units, T * CHUNKS_PER_THREAD);
  if (!pending && parts === 1) return false;
  for (let c = 0; c < parts; c++) {
    const lo = Math.floor((c * units) / parts) * RANGE_ALIGN, hi = Math.min(n, Math.floor(((c + 1) * units) / parts) * RANGE_ALIGN);
    if (hi <= lo) continue;
    if (pending) pending.push({ fn, args: args(lo, hi - lo) });
    else {
      ctx.pool.chunk();
      ctx.pool.call(fn, ...args(lo, hi - lo));
    }
  }
  if (!pending) ctx.pool.flush();
  return true;
}

export function wasmSgdStep(ctx: WasmContext, p: WasmStorage, g: WasmStorage, buf: WasmStorage | null, n: number, o: SgdStepOptions): boolean {
  if (p.dtype !== 'float32') return false;
  const useBuf = buf !== null && o.momentum !== 0;
  const flags = (o.nesterov ? SGD_NESTEROV : 0) | (o.maximize ? SGD_MAXIMIZE : 0) | (o.firstStep ? SGD_FIRST : 0) | (useBuf ? SGD_MOMENTUM : 0);
  const pa = addr(p, 0), ga = addr(g, 0), ba = useBuf ? addr(buf, 0) : 0;
  const split = splitRanges(ctx, n, FN.sgdF32, (s, k) =>
    [k, pa + 4 * s, ga + 4 * s, useBuf ? ba + 4 * s : 0, o.lr, o.momentum, o.dampening, o.weightDecay, flags]);
  if (!split) ctx.kernels.sgdF32(n, pa, ga, ba, o.lr, o.momentum, o.dampening, o.weightDecay, flags);
  return true;
}

export function wasmAdamStep(
  ctx: WasmContext, p: WasmStorage, g: WasmStorage, m: WasmStorage, v: WasmStorage, vMax: WasmStorage | null, n: number, o: AdamStepOptions,
): boolean {
  if (p.dtype !== 'float32') return false;
  const flags = (o.decoupled ? ADAM_DECOUPLED : 0) | (o.maximize ? ADAM_MAXIMIZE : 0) | (vMax ? ADAM_AMSGRAD : 0);
  const stepSize = o.lr / (1 - o.beta1 ** o.step), sqrtBias2 = Math.sqrt(1 - o.beta2 ** o.step);
  const pa = addr(p, 0), ga = addr(g, 0), ma = addr(m, 0), va = addr(v, 0), xa = vMax ? addr(vMax, 0) : 0;
  const split = splitRanges(ctx, n, FN.adamF32, (s, k) => [k, pa + 4 * s, ga + 4 * s, ma + 4 * s, va + 4 * s, xa ? xa + 4 * s : 0,
    o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, stepSize, sqrtBias2, flags]);
  if (!split) ctx.kernels.adamF32(n, pa, ga, ma, va, xa, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, stepSize, sqrtBias2, flags);
  return true;
}

/**
 * FusedKernels.updateBatch: runs `run` (an optimizer step's per-parameter
 * updates) with the update kernels it calls (sgdStep, adamStep) collected,
 * then runs them all as one pool job, spread over the threads in ranges. One
 * fork-join per step instead of one per large parameter, and the small
 * parameters (run on the calling thread alone before) are shared out too:
 * MLP 784-256-256-10 steps 13 ranges of 6 parameters at once. A step of
 * fewer than OPTIM_PARALLEL_ELEMENTS elements in all (LeNet-5: 61,706) runs
 * on the calling thread.
 * Each update writes only its own parameter and state, and nothing in a step
 * reads another parameter, so the order of the ranges does not matter; each
 * element goes through the same code as in one call (ranges start on
 * multiples of RANGE_ALIGN), so the results are bit-identical to unbatched
 * updates, whatever the thread count.
 *
 * If `run` throws, the updates collected so far (whose optimizer state is
 * already advanced) still run, after any half-built job of the failing op is
 * discarded; then the error propagates. One thread, or a batch inside a
 * batch: `run` just runs.
 * @example wasmUpdateBatch(ctx, () => { for (const p of params) sgdStep(p, ...); });
 */
export function wasmUpdateBatch(ctx: WasmContext, run: () => void): void {
  if (ctx.threads === 1 || ctx.pendingUpdates) {
    run();
    return;
  }
  const pending: { fn: number; args: number[] }[] = [];
  ctx.pendingUpdates = pending;
  let failed = false;
  try {
    run();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    ctx.pendingUpdates = null;
    // A job the failing op left half-built must never run (see WasmContext.settle).
    if (failed) ctx.pool.discard();
    // A small step stays on the calling thread: its parameters are in this core's cache, and
    // sharing them out costs more than it saves (LeNet-5, 61,706 parameters: 167 us in one job
    // on 2 threads against 112 us here).
    const elements = pending.reduce((n, u) => n + u.args[0]!, 0);
    if (elements < OPTIM_PARALLEL_ELEMENTS) {
      const k = ctx.kernels as unknown as Record<string, (...a: number[]) => void>;
      for (const u of pending) k[KERNEL_NAMES[u.fn]!]!(...u.args);
    } else {
      const pool = ctx.pool;
      for (const u of pending) {
        pool.chunk();
        pool.call(u.fn, ...u.args);
      }
      pool.flush();
    }
  }
}
