/**
 * Drivers for the fused optimizer kernels (assembly/optim.ts), the wasm
 * backend's sgdStep/adamStep capabilities: float32 only; other dtypes are
 * declined (false), so the optimizer's tensor-op composite runs.
 */
import type { AdamStepOptions, SgdStepOptions } from '../backend.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

const SGD_NESTEROV = 1, SGD_MAXIMIZE = 2, SGD_FIRST = 4, SGD_MOMENTUM = 8;
const ADAM_DECOUPLED = 1, ADAM_MAXIMIZE = 2, ADAM_AMSGRAD = 4;

export function wasmSgdStep(ctx: WasmContext, p: WasmStorage, g: WasmStorage, buf: WasmStorage | null, n: number, o: SgdStepOptions): boolean {
  if (p.dtype !== 'float32') return false;
  const useBuf = buf !== null && o.momentum !== 0;
  const flags = (o.nesterov ? SGD_NESTEROV : 0) | (o.maximize ? SGD_MAXIMIZE : 0) | (o.firstStep ? SGD_FIRST : 0) | (useBuf ? SGD_MOMENTUM : 0);
  ctx.kernels.sgdF32(n, addr(p, 0), addr(g, 0), useBuf ? addr(buf, 0) : 0, o.lr, o.momentum, o.dampening, o.weightDecay, flags);
  return true;
}

export function wasmAdamStep(
  ctx: WasmContext, p: WasmStorage, g: WasmStorage, m: WasmStorage, v: WasmStorage, vMax: WasmStorage | null, n: number, o: AdamStepOptions,
): boolean {
  if (p.dtype !== 'float32') return false;
  const flags = (o.decoupled ? ADAM_DECOUPLED : 0) | (o.maximize ? ADAM_MAXIMIZE : 0) | (vMax ? ADAM_AMSGRAD : 0);
  const stepSize = o.lr / (1 - o.beta1 ** o.step), sqrtBias2 = Math.sqrt(1 - o.beta2 ** o.step);
  ctx.kernels.adamF32(n, addr(p, 0), addr(g, 0), addr(m, 0), addr(v, 0), vMax ? addr(vMax, 0) : 0,
    o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, stepSize, sqrtBias2, flags);
  return true;
}
