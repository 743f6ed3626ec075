/**
 * The benchmark suite: each workload is one row of the results table, run by
 * every framework adapter.
 *   W1  LeNet-5 on MNIST-shaped data: training (batch 64) and inference (batch 256)
 *   W2  MLP 784-256-256-10 ReLU training (batch 64)
 *   W3  VGG-style CNN on 3x32x32 training (batch 32)
 *   M1  1024x1024x1024 matmul
 *   M2  4096x4096x4096 matmul (GPU-sized)
 *   K   convolution forward / backward-input / backward-weight for each LeNet (batch 64) and W3 (batch 32) layer
 *   K-big  one 64->128-channel 3x3 convolution forward on 256x256, batch 1 (GPU-sized)
 * The GPU-sized rows run by default only when a GPU contender is in the run
 * (--backend webgpu, the browser page); `--only M2,K-big` selects them anywhere,
 * and CPU contenders then mostly get the harness's extrapolated estimates.
 */
import type { Ladder, Step } from '../harness.js';
import { convFlops, convShapes, netForwardFlops, LENET5, MLP, VGG_SMALL, type ConvKernel, type ConvShape, type Framework } from './specs.js';

export type Unit = 'images/s' | 'GFLOP/s' | 'ms';

export interface Workload {
  /** Unique id, e.g. 'W1-train', 'K-lenet-conv1-fwd'. */
  id: string;
  /** What `--only` selects by: 'W1', 'W2', 'W3', 'M1', 'M2', 'K', 'K-big'. */
  group: string;
  label: string;
  unit: Unit;
  /** Higher is better for images/s and GFLOP/s, lower for ms. */
  higherIsBetter: boolean;
  /** The unit's value for a median step time in ms. */
  value(ms: number): number;
  /** Kernel rows get a smaller time budget than whole-network rows. */
  kind: 'net' | 'kernel';
  /** Sized for a GPU (M2, K-big): in the default selection only when a GPU contender runs. */
  gpuSized?: boolean;
  /**
   * FLOPs of one step (recorded in the JSON; the table's effective GFLOP/s):
   * matmul 2n^3; a conv kernel 2 x its multiply-adds (each backward kernel as
   * many as the forward); a network's inference its forward FLOPs, a training
   * step 3 x those (see netForwardFlops).
   */
  flops?: number;
  /** Sizes (batch; matrix size for M1/M2; image side for K-big) from small probes up to the measured one, last. */
  ladder: Ladder;
  /** A step at one of the ladder's sizes. */
  make(f: Framework, size: number): Step | Promise<Step>;
}

/** Batch sizes 1, 8, 64, ... below `batch`, then `batch`; work is linear in the batch. */
function batchLadder(batch: number): Ladder {
  const sizes: number[] = [];
  for (let b = 1; b < batch; b *= 8) sizes.push(b);
  return { sizes: [...sizes, batch], work: (b) => b };
}

const perSecond = (items: number) => (ms: number) => (items * 1000) / ms;

function netWorkloads(): Workload[] {
  const train = (id: string, group: string, net: typeof LENET5, batch: number): Workload => ({
    id, group, label: `${net.name} train, batch ${batch}`, unit: 'images/s', higherIsBetter: true,
    value: perSecond(batch), kind: 'net', flops: 3 * netForwardFlops(net, batch), ladder: batchLadder(batch), make: (f, b) => f.train(net, b),
  });
  return [
    train('W1-train', 'W1', LENET5, 64),
    {
      id: 'W1-infer', group: 'W1', label: `${LENET5.name} inference, batch 256`, unit: 'images/s', higherIsBetter: true,
      value: perSecond(256), kind: 'net', flops: netForwardFlops(LENET5, 256), ladder: batchLadder(256), make: (f, b) => f.infer(LENET5, b),
    },
    train('W2-train', 'W2', MLP, 64),
    train('W3-train', 'W3', VGG_SMALL, 32),
  ];
}

/** An n x n x n matmul row; the ladder halves n down to 256 (a slow contender's probes). */
function matmulWorkload(id: string, n: number, gpuSized = false): Workload {
  const flops = 2 * n * n * n;
  const sizes: number[] = [];
  for (let m = 256; m < n; m *= 2) sizes.push(m);
  return {
    id, group: id, label: `matmul ${n}x${n}x${n}`, unit: 'GFLOP/s', higherIsBetter: true,
    value: (ms) => flops / ms / 1e6, kind: 'kernel', flops, gpuSized,
    ladder: { sizes: [...sizes, n], work: (m) => m ** 3 }, make: (f, m) => f.matmul(m),
  };
}

/**
 * K-big: a 64->128-channel 3x3 'same' convolution forward on one 256x256 image
 * (9.7 GFLOP). Batch 1 leaves no smaller batch to probe with, so the ladder
 * shrinks the image side instead (work grows with its square).
 */
function bigConvWorkload(): Workload {
  const full: ConvShape = { name: 'conv 64->128 3x3 256x256', batch: 1, cin: 64, cout: 128, size: 256, k: 3, pad: 1 };
  return {
    id: 'K-big-fwd', group: 'K-big', label: `${full.name} b1 fwd`, unit: 'ms', higherIsBetter: false,
    value: (ms) => ms, kind: 'kernel', flops: convFlops(full), gpuSized: true,
    ladder: { sizes: [32, 64, 128, 256], work: (side) => side * side },
    make: (f, side) => f.conv({ ...full, size: side }, 'fwd'),
  };
}

function kernelWorkloads(): Workload[] {
  const shapes = [...convShapes(LENET5, 64, 'LeNet'), ...convShapes(VGG_SMALL, 32, 'W3')];
  const kernels: ConvKernel[] = ['fwd', 'bwd-input', 'bwd-weight'];
  return shapes.flatMap((s) => kernels.map((k): Workload => ({
    id: `K-${s.name.split(' ').slice(0, 2).join('-').toLowerCase()}-${k}`,
    group: 'K',
    label: `${s.name} b${s.batch} ${k}`,
    unit: 'ms', higherIsBetter: false, value: (ms) => ms, kind: 'kernel',
    flops: convFlops(s), ladder: batchLadder(s.batch), make: (f, b) => f.conv({ ...s, batch: b }, k),
  })));
}

export function allWorkloads(): Workload[] {
  return [...netWorkloads(), matmulWorkload('M1', 1024), matmulWorkload('M2', 4096, true), ...kernelWorkloads(), bigConvWorkload()];
}

/** What an empty `--only` selects. */
export interface DefaultSelection {
  /** Include the GPU-sized rows (M2, K-big); default false. */
  gpuSized?: boolean;
  /** Include the per-layer conv kernel rows (group K); default true. */
  layerKernels?: boolean;
}

/**
 * Workloads whose group or id starts with one of `only` (case-insensitive);
 * when `only` is empty, the default set described by `defaults`.
 */
export function selectWorkloads(only: readonly string[], defaults: DefaultSelection = {}): Workload[] {
  const all = allWorkloads();
  if (only.length === 0) {
    return all.filter((w) => (defaults.gpuSized || !w.gpuSized) && (defaults.layerKernels !== false || w.group !== 'K'));
  }
  const keys = only.map((o) => o.toUpperCase());
  // A group name selects its group only ('K' is not also 'K-big-fwd' by prefix); other keys are id prefixes.
  const groups = new Set(all.map((w) => w.group.toUpperCase()));
  const picked = all.filter((w) => keys.some((k) => (groups.has(k) ? w.group.toUpperCase() === k : w.id.toUpperCase().startsWith(k))));
  if (picked.length === 0) {
    const groups = [...new Set(all.map((w) => w.group))].join(', ');
    throw new Error(`--only ${only.join(',')} matches no workload (groups: ${groups}; ids: ${all.map((w) => w.id).join(', ')})`);
  }
  return picked;
}
