/**
 * Entry point of the tensorgrad WebAssembly kernels. Every export works on raw
 * byte addresses into the (imported) linear memory, which the JS side manages:
 * kernels allocate nothing, so the module has no runtime heap of its own and
 * can later run unchanged on a shared memory from several threads.
 */
export { sgemm, sgemmScratchBytes, sgemmPackB, sgemmPackedB } from './gemm';
export { im2col, col2im } from './conv';
export { convPad, convPackW, convFwdDirect, convBwdWDirect, convBwdWScratch } from './conv-direct';
export { convBiasRelu, convBiasReluBackward } from './conv-epilogue';
export { wgPackU, wgConv, wgBwdW, wgVZBytes, wgUBytes, wgVBytes } from './conv-winograd';
export { wg4PackU, wg4Conv, wg4VBytes, wg4MBytes, wg4UBytes } from './conv-winograd4';
export { wg4BwdW, wg4VZBytes, wgFinishDW } from './conv-winograd4-weight';
export { cpbPackW, cpbInput, cpbWeight, cpbUnpackW, allFiniteF32 } from './conv-pool-backward';
export { binaryF32, binaryF64, compareI32, whereF32 } from './elementwise';
export { unaryF32, unaryF64 } from './unary';
export { reduceF32, reduceF64 } from './reduce';
export { maxPool2dF32, maxPoolBackwardF32, scatterAddF32 } from './pool';
export { copy2d, fill32, fill64, fill8 } from './copy';
export { sgdF32, adamF32 } from './optim';
export { crossEntropyRowsF32, crossEntropyRowsBackwardF32 } from './loss';
export { batchNormTrainF32, batchNormTrainBackwardF32 } from './batchnorm';
export { windowedAvgF32 } from './avgpool';

/** First byte past the module's static data: where the JS allocator may start. */
export function heapBase(): usize {
  return __heap_base;
}
