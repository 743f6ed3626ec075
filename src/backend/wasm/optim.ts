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
import { FN } from './threads.js';

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
 * Runs kernel `fn` over [0, n) as pool chunks of aligned ranges (a few per
 * thread), `args(start, count)` giving each chunk's call arguments; false
 * (nothing run) when n is small or there is one thread: the caller then
 * calls the kernel once itself.
 */
function splitRanges(ctx: WasmContext, n: number, fn: number, args: (start: number, count: number) => number[]): boolean {
  const T = ctx.threads;
  const units = Math.ceil(n / RANGE_ALIGN);
  const parts = T === 1 || n < OPTIM_PARALLEL_ELEMENTS ? 1 : Math.min(units, T * CHUNKS_PER_THREAD);
  if (parts === 1) return false;
  for (let c = 0; c < parts; c++) {
    const lo = Math.floor((c * units) / parts) * RANGE_ALIGN, hi = Math.min(n, Math.floor(((c + 1) * units) / parts) * RANGE_ALIGN);
    if (hi <= lo) continue;
    ctx.pool.chunk();
    ctx.pool.call(fn, ...args(lo, hi - lo));
  }
  ctx.pool.flush();
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
