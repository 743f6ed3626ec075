/**
 * The exports of the kernel module (AssemblyScript sources in the repository's
 * assembly/ folder), as the TypeScript drivers call them; addresses are byte
 * offsets into the memory. In its own file so that the loader and the thread
 * pool can both name it without importing each other.
 */
export interface Kernels {
  heapBase(): number;
  sgemmScratchBytes(): number;
  /** flags: bit 0 accumulate, bit 1 ReLU; bias: f32 [N] added per column as C is stored (0 or omitted: none). */
  sgemm(M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
    c: number, ldc: number, flags: number, scratch: number, bias?: number): void;
  /** Packs columns [0, nc) of a kc×nc block of B into NR-column panels at dst (as sgemm packs its B block). */
  sgemmPackB(kc: number, nc: number, b: number, rsB: number, csB: number, dst: number): void;
  /**
   * One K block of sgemm over M rows from a B block packed by sgemmPackB; flags: bit 0 accumulate,
   * bit 1 ReLU, bit 3 last K block (apply the epilogue with bias).
   */
  sgemmPackedB(M: number, nc: number, kc: number, a: number, rsA: number, csA: number, pb: number,
    c: number, ldc: number, flags: number, scratch: number, bias: number): void;
  im2col(x: number, C: number, D: number, H: number, W: number, kD: number, kH: number, kW: number,
    oD: number, oH: number, oW: number, sD: number, sH: number, sW: number, pD: number, pH: number, pW: number,
    dD: number, dH: number, dW: number, col: number): void;
  col2im(col: number, C: number, D: number, H: number, W: number, kD: number, kH: number, kW: number,
    oD: number, oH: number, oW: number, sD: number, sH: number, sW: number, pD: number, pH: number, pW: number,
    dD: number, dH: number, dW: number, x: number): void;
  binaryF32(op: number, rows: number, cols: number, a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number, out: number): void;
  binaryF64(op: number, rows: number, cols: number, a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number, out: number): void;
  compareI32(op: number, rows: number, cols: number, a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number, out: number): void;
  unaryF32(op: number, rows: number, cols: number, x: number, xRow: number, out: number): void;
  unaryF64(op: number, rows: number, cols: number, x: number, xRow: number, out: number): void;
  whereF32(n: number, c: number, cStep: number, a: number, aStep: number, b: number, bStep: number, out: number): void;
  reduceF32(op: number, outer: number, red: number, inner: number, x: number, out: number): void;
  reduceF64(op: number, outer: number, red: number, inner: number, x: number, out: number): void;
  maxPoolBackwardF32(planes: number, outPlane: number, inPlane: number, gy: number, indices: number, gx: number): void;
  sgdF32(n: number, p: number, g: number, buf: number, lr: number, momentum: number, dampening: number, wd: number, flags: number): void;
  adamF32(n: number, p: number, g: number, m: number, v: number, vmax: number, lr: number, beta1: number, beta2: number,
    eps: number, wd: number, stepSize: number, sqrtBias2: number, flags: number): void;
  crossEntropyRowsF32(x: number, t: number, rows: number, classes: number, ignoreIndex: number, eps: number, out: number): void;
  crossEntropyRowsBackwardF32(x: number, t: number, g: number, rows: number, classes: number, ignoreIndex: number, eps: number, out: number): void;
  batchNormTrainF32(x: number, w: number, b: number, n: number, c: number, s: number, eps: number,
    y: number, mean: number, variance: number, c0: number, c1: number): void;
  batchNormTrainBackwardF32(x: number, gy: number, mean: number, variance: number, w: number, n: number, c: number, s: number,
    eps: number, dx: number, dweight: number, dbias: number, c0: number, c1: number): void;
  fill32(ptr: number, bits: number, n: number): void;
  fill64(ptr: number, value: number, n: number): void;
  fill8(ptr: number, byte: number, n: number): void;
  windowedAvgF32(planes: number, D: number, H: number, W: number, OD: number, OH: number, OW: number,
    tables: number, fixed: number, src: number, dst: number, backward: number): void;
  convBiasRelu(y: number, bias: number, C: number, P: number, relu: number): void;
  convBiasReluBackward(g: number, y: number, n0: number, n1: number, C: number, S: number, gOut: number, sums: number): void;
  wgVZBytes(channels: number, tiles: number): number;
  wgUBytes(cout: number, cin: number): number;
  wgVBytes(panels: number, cin: number): number;
  wg4VBytes(panels: number, cin: number): number;
  wg4MBytes(panels: number, cout: number): number;
  wg4UBytes(cout: number, cin: number): number;
  wg4VZBytes(channels: number, tiles: number): number;
  copy2d(bytes: number, rows: number, cols: number, src: number, sRow: number, sCol: number, dst: number, dRow: number, dCol: number): void;
  scatterAddF32(outer: number, idxLen: number, dimLen: number, inner: number, dst: number, index: number, src: number): void;
  maxPool2dF32(planes: number, H: number, W: number, oH: number, oW: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, x: number, out: number, indices: number): void;
}
