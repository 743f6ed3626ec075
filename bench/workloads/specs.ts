/**
 * Framework-neutral descriptions of the benchmarked networks and kernel shapes,
 * and the interface each framework adapter (tensorgrad, TF.js) implements, so
 * both sides build the same layers with the same shapes and batch sizes from
 * one description.
 */
import type { Step } from '../harness.js';

export type LayerSpec =
  | { kind: 'conv'; out: number; k: number; pad: number }
  | { kind: 'relu' }
  | { kind: 'maxpool'; k: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; out: number };

export interface NetSpec {
  name: string;
  /** Input [channels, height, width]; tensorgrad takes NCHW, TF.js NHWC. */
  input: readonly [number, number, number];
  classes: number;
  layers: readonly LayerSpec[];
  /** The tensorgrad model builder this spec mirrors, if there is one (else a Sequential). */
  builtin?: 'lenet5' | 'mlp';
}

/** One 2-D convolution (stride 1, square kernel, same padding on every side). */
export interface ConvShape {
  name: string;
  batch: number;
  cin: number;
  cout: number;
  /** Input height = width. */
  size: number;
  k: number;
  pad: number;
}

export type ConvKernel = 'fwd' | 'bwd-input' | 'bwd-weight';

/**
 * What each framework adapter provides; every method throws (or rejects) if the
 * framework cannot do it. A step may be set up asynchronously (the PyTorch
 * worker in another process).
 */
export interface Framework {
  /** Column name, e.g. 'tg-wasm'. */
  name: string;
  /** A slow implementation measured on fewer iterations. */
  reduced: boolean;
  /** A GPU backend: the first step at each size compiles shaders, so an untimed step goes first (harness.ts). */
  warmUp?: boolean;
  /** Makes this framework's backend the current one. */
  activate(): Promise<void> | void;
  /** One SGD(momentum 0.9) training step with cross-entropy loss, batch `batch`. */
  train(net: NetSpec, batch: number): Step | Promise<Step>;
  /** One inference forward pass (no gradients), batch `batch`. */
  infer(net: NetSpec, batch: number): Step | Promise<Step>;
  /** One n x n by n x n float32 matmul. */
  matmul(n: number): Step | Promise<Step>;
  /** One call of a convolution kernel. */
  conv(shape: ConvShape, kernel: ConvKernel): Step | Promise<Step>;
}

export const LENET5: NetSpec = {
  name: 'LeNet-5',
  input: [1, 28, 28],
  classes: 10,
  builtin: 'lenet5',
  layers: [
    { kind: 'conv', out: 6, k: 5, pad: 2 }, { kind: 'relu' }, { kind: 'maxpool', k: 2 },
    { kind: 'conv', out: 16, k: 5, pad: 0 }, { kind: 'relu' }, { kind: 'maxpool', k: 2 },
    { kind: 'flatten' },
    { kind: 'dense', out: 120 }, { kind: 'relu' },
    { kind: 'dense', out: 84 }, { kind: 'relu' },
    { kind: 'dense', out: 10 },
  ],
};

export const MLP: NetSpec = {
  name: 'MLP 784-256-256-10',
  input: [1, 28, 28],
  classes: 10,
  builtin: 'mlp',
  layers: [
    { kind: 'flatten' },
    { kind: 'dense', out: 256 }, { kind: 'relu' },
    { kind: 'dense', out: 256 }, { kind: 'relu' },
    { kind: 'dense', out: 10 },
  ],
};

/** conv3x3 32, 32, maxpool, 64, 64, maxpool, fc 4096 -> 256 -> 10, ReLU. */
export const VGG_SMALL: NetSpec = {
  name: 'VGG-style CNN',
  input: [3, 32, 32],
  classes: 10,
  layers: [
    { kind: 'conv', out: 32, k: 3, pad: 1 }, { kind: 'relu' },
    { kind: 'conv', out: 32, k: 3, pad: 1 }, { kind: 'relu' },
    { kind: 'maxpool', k: 2 },
    { kind: 'conv', out: 64, k: 3, pad: 1 }, { kind: 'relu' },
    { kind: 'conv', out: 64, k: 3, pad: 1 }, { kind: 'relu' },
    { kind: 'maxpool', k: 2 },
    { kind: 'flatten' },
    { kind: 'dense', out: 256 }, { kind: 'relu' },
    { kind: 'dense', out: 10 },
  ],
};

/**
 * Walks a spec's layers once: its parameter count (weights + biases) and the
 * multiply-adds of one image's forward pass through its conv and dense layers.
 */
function layerTotals(net: NetSpec): { params: number; macs: number } {
  let [c, h, w] = net.input;
  let flat = 0;
  let params = 0;
  let macs = 0;
  for (const l of net.layers) {
    if (l.kind === 'conv') {
      h = h + 2 * l.pad - l.k + 1;
      w = w + 2 * l.pad - l.k + 1;
      params += l.out * c * l.k * l.k + l.out;
      macs += l.out * h * w * c * l.k * l.k;
      c = l.out;
    } else if (l.kind === 'maxpool') {
      h = Math.floor(h / l.k);
      w = Math.floor(w / l.k);
    } else if (l.kind === 'flatten') {
      flat = c * h * w;
    } else if (l.kind === 'dense') {
      params += flat * l.out + l.out;
      macs += flat * l.out;
      flat = l.out;
    }
  }
  return { params, macs };
}

/** Parameter count of a spec (weights + biases), to check that both frameworks built the same network. */
export function specParams(net: NetSpec): number {
  return layerTotals(net).params;
}

/**
 * FLOPs of one forward pass at batch `batch`: 2 x the multiply-adds of the
 * convolution and dense layers (ReLU, pooling, biases and the loss left out).
 * A training step is counted as 3 x this (forward, then backward's two
 * products per layer: gradient of the input and of the weights), the usual
 * convention; the first layer's input gradient, which nobody needs, is
 * counted too.
 */
export function netForwardFlops(net: NetSpec, batch: number): number {
  return 2 * batch * layerTotals(net).macs;
}

/** The convolution layers of a network at a batch size, as kernel shapes. */
export function convShapes(net: NetSpec, batch: number, prefix: string): ConvShape[] {
  let [c, size] = net.input;
  const out: ConvShape[] = [];
  for (const l of net.layers) {
    if (l.kind === 'conv') {
      out.push({ name: `${prefix} conv${out.length + 1} ${c}->${l.out} ${l.k}x${l.k} ${size}x${size}`, batch, cin: c, cout: l.out, size, k: l.k, pad: l.pad });
      c = l.out;
      size = size + 2 * l.pad - l.k + 1;
    } else if (l.kind === 'maxpool') {
      size = Math.floor(size / l.k);
    }
  }
  return out;
}

/** Multiply-adds x 2 of one forward pass of a convolution. */
export function convFlops(s: ConvShape): number {
  const o = s.size + 2 * s.pad - s.k + 1;
  return 2 * s.batch * s.cout * o * o * s.cin * s.k * s.k;
}

/** Seeded uniform values in [-0.5, 0.5) (mulberry32), so every framework sees the same data. */
export function seededValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** Seeded class labels in [0, classes). */
export function seededLabels(n: number, classes: number, seed: number): Int32Array {
  const u = seededValues(n, seed);
  return Int32Array.from(u, (v) => Math.min(classes - 1, Math.floor((v + 0.5) * classes)));
}
