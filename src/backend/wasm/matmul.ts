/**
 * Batched float32 matmul on the wasm GEMM: one sgemm call per batch index,
 * any strides (the GEMM packs its operands, so transposed, broadcast and
 * flipped views cost no copy).
 */
import type { Layout } from '../backend.js';
import { offsetsOf } from '../reference/storage.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

export function wasmMatmul(ctx: WasmContext, a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout): WasmStorage | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const r = al.shape.length;
  const M = al.shape[r - 2]!, K = al.shape[r - 1]!, N = bl.shape[r - 1]!;
  const batchShape = al.shape.slice(0, r - 2);
  const aBatch = offsetsOf({ shape: batchShape, strides: al.strides.slice(0, r - 2), offset: al.offset });
  const bBatch = offsetsOf({ shape: batchShape, strides: bl.strides.slice(0, r - 2), offset: bl.offset });
  const out = ctx.alloc('float32', aBatch.length * M * N);
  const [rsA, csA] = [al.strides[r - 2]!, al.strides[r - 1]!];
  const [rsB, csB] = [bl.strides[r - 2]!, bl.strides[r - 1]!];
  for (let i = 0; i < aBatch.length; i++) {
    ctx.kernels.sgemm(M, N, K, addr(a, aBatch[i]!), rsA, csA, addr(b, bBatch[i]!), rsB, csB,
      addr(out, i * M * N), N, 0, ctx.gemmScratch);
  }
  return out;
}
