// The layer cases of the ONNX tests, shared by export-ops.test.ts (each case in
// onnxruntime) and the round-trip tests: one small model per layer configuration,
// the TensorOps model (tensor ops in a forward) and EveryOp (all of them in one graph).
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { randomizeBatchNorm } from './export-helpers.js';

const { nn } = tg;
type Module = tg.nn.Module;

/** A layer configuration: its name, a factory, and its per-example input shape. */
export type Case = [name: string, make: () => Module, sample: number[]];

export const img = [3, 9, 9];
export const CASES: Case[] = [
  ['Conv2d', () => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 }), img],
  ['Conv2d reflect', () => new nn.Conv2d(3, 4, 3, { padding: 1, paddingMode: 'reflect' }), img],
  ['Conv2d replicate dilated grouped', () => new nn.Conv2d(4, 4, 3, { padding: 2, dilation: 2, groups: 2, paddingMode: 'replicate' }), [4, 7, 7]],
  ['Conv2d circular no bias', () => new nn.Conv2d(3, 2, 3, { padding: [1, 2], paddingMode: 'circular', bias: false }), img],
  ['Conv2d same', () => new nn.Conv2d(3, 2, 4, { padding: 'same' }), img],
  ['Conv1d reflect', () => new nn.Conv1d(3, 2, 3, { padding: 1, paddingMode: 'reflect' }), [3, 10]],
  ['Conv3d', () => new nn.Conv3d(2, 3, 3, { padding: 1, stride: [1, 2, 2] }), [2, 4, 5, 5]],
  ['ConvTranspose2d', () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), img],
  ['ConvTranspose1d grouped', () => new nn.ConvTranspose1d(4, 2, 3, { stride: 2, groups: 2, dilation: 2 }), [4, 6]],
  ['MaxPool2d ceil padding', () => new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), [2, 10, 10]],
  ['MaxPool2d ceil, last window dropped', () => new nn.MaxPool2d(2, { stride: 2, padding: 1, ceilMode: true }), [2, 5, 5]],
  ['MaxPool1d ceil dilation', () => new nn.MaxPool1d(2, { stride: 2, dilation: 2, ceilMode: true }), [2, 8]],
  ['AvgPool2d ceil, last window dropped', () => new nn.AvgPool2d(2, { stride: 2, padding: 1, ceilMode: true }), [2, 5, 5]],
  ['AvgPool1d ceil, padding excluded', () => new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [2, 8]],
  ['LPPool1d ceil', () => new nn.LPPool1d(2, 3, { stride: 2, ceilMode: true }), [2, 8]],
  ['MaxPool2d dilation', () => new nn.MaxPool2d(2, { stride: 1, dilation: 2 }), img],
  ['MaxPool1d', () => new nn.MaxPool1d(2), [3, 9]],
  ['MaxPool3d', () => new nn.MaxPool3d(2, { stride: 1 }), [2, 3, 4, 4]],
  ['AvgPool2d', () => new nn.AvgPool2d(2), img],
  ['AvgPool2d padding excluded', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), img],
  ['AvgPool2d padding included ceil', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }), [2, 10, 10]],
  ['AvgPool2d divisorOverride', () => new nn.AvgPool2d(2, { divisorOverride: 3 }), img],
  ['AvgPool1d', () => new nn.AvgPool1d(3, { stride: 2 }), [3, 9]],
  ['AvgPool3d', () => new nn.AvgPool3d(2), [2, 4, 4, 4]],
  ['LPPool2d', () => new nn.LPPool2d(2, 2), img],
  ['LPPool1d p=3', () => new nn.LPPool1d(3, 3, { stride: 2 }), [3, 9]],
  ['AdaptiveAvgPool2d global', () => new nn.AdaptiveAvgPool2d(1), img],
  ['AdaptiveAvgPool2d divisible', () => new nn.AdaptiveAvgPool2d([3, 1]), img],
  ['AdaptiveAvgPool2d uneven', () => new nn.AdaptiveAvgPool2d([4, 5]), img],
  ['AdaptiveAvgPool2d up', () => new nn.AdaptiveAvgPool2d(6), [3, 1, 2]],
  ['AdaptiveAvgPool1d uneven', () => new nn.AdaptiveAvgPool1d(4), [3, 9]],
  ['AdaptiveMaxPool2d', () => new nn.AdaptiveMaxPool2d(3), img],
  ['AdaptiveMaxPool1d global', () => new nn.AdaptiveMaxPool1d(1), [3, 9]],
  ['BatchNorm2d', () => new nn.BatchNorm2d(3), img],
  ['BatchNorm2d no affine', () => new nn.BatchNorm2d(3, { affine: false }), img],
  ['BatchNorm1d 2-D', () => new nn.BatchNorm1d(5), [5]],
  ['BatchNorm1d 3-D', () => new nn.BatchNorm1d(3), [3, 7]],
  ['BatchNorm3d', () => new nn.BatchNorm3d(2), [2, 3, 3, 3]],
  ['LayerNorm', () => new nn.LayerNorm([9, 9]), img],
  ['LayerNorm no affine', () => new nn.LayerNorm(9, { elementwiseAffine: false }), img],
  ['GroupNorm', () => new nn.GroupNorm(2, 4), [4, 5, 5]],
  ['LocalResponseNorm', () => new nn.LocalResponseNorm(3, { alpha: 0.1, beta: 0.75, k: 2 }), [6, 4, 4]],
  ['LocalResponseNorm even', () => new nn.LocalResponseNorm(2, { alpha: 0.3, beta: 0.5, k: 1.5 }), [5, 3, 3]],
  ['Dropout', () => new nn.Dropout(0.5), img],
  ['Dropout2d', () => new nn.Dropout2d(0.3), img],
  ['Identity', () => new nn.Identity(), img],
  ['Flatten', () => new nn.Flatten(), img],
  ['Flatten 2..3', () => new nn.Flatten(2, 3), img],
  ['Linear', () => new nn.Linear(9, 4), [9]],
  ['Linear 3-D', () => new nn.Linear(9, 4), [3, 9]],
  ['Linear no bias', () => new nn.Linear(9, 4, false), [9]],
  ['ZeroPad2d', () => new nn.ZeroPad2d([1, 0, 2, 1]), img],
  ['ConstantPad1d', () => new nn.ConstantPad1d(2, 0.5), [3, 5]],
  ['ReflectionPad2d', () => new nn.ReflectionPad2d(2), img],
  ['ReplicationPad2d', () => new nn.ReplicationPad2d([1, 2, 0, 1]), img],
  ['CircularPad2d', () => new nn.CircularPad2d([1, 2, 2, 1]), img],
  ['CircularPad1d', () => new nn.CircularPad1d(2), [3, 5]],
  ['Upsample nearest x2', () => new nn.Upsample({ scaleFactor: 2 }), [3, 4, 5]],
  ['Upsample nearest x1.5', () => new nn.Upsample({ scaleFactor: 1.5 }), [3, 4, 5]],
  ['Upsample nearest-exact to a size', () => new nn.Upsample({ size: [7, 9], mode: 'nearest-exact' }), [3, 4, 5]],
  ['Upsample bilinear to a size', () => new nn.Upsample({ size: [5, 9], mode: 'bilinear' }), [3, 4, 4]],
  ['UpsamplingBilinear2d (align corners)', () => new nn.UpsamplingBilinear2d({ scaleFactor: 2 }), [3, 4, 4]],
  ['Upsample linear', () => new nn.Upsample({ scaleFactor: 3, mode: 'linear' }), [3, 4]],
  ['Upsample trilinear', () => new nn.Upsample({ scaleFactor: 2, mode: 'trilinear' }), [2, 3, 4, 4]],
  ['InstanceNorm2d (traced from its tensor ops)', () => new nn.InstanceNorm2d(3, { affine: true }), img],
  ['Unflatten (traced)', () => new nn.Unflatten(1, [3, 4]), [12]],
  ['ReLU', () => new nn.ReLU(), img],
  ['LeakyReLU', () => new nn.LeakyReLU(0.2), img],
  ['ELU', () => new nn.ELU(0.7), img],
  ['SELU', () => new nn.SELU(), img],
  ['CELU', () => new nn.CELU(0.5), img],
  ['GELU', () => new nn.GELU(), img],
  ['GELU tanh', () => new nn.GELU('tanh'), img],
  ['Sigmoid', () => new nn.Sigmoid(), img],
  ['Tanh', () => new nn.Tanh(), img],
  ['Softplus', () => new nn.Softplus(), img],
  ['Softplus beta threshold', () => new nn.Softplus(2, 1), img],
  ['SiLU', () => new nn.SiLU(), img],
  ['Mish', () => new nn.Mish(), img],
  ['Hardtanh', () => new nn.Hardtanh(-0.5, 0.8), img],
  ['ReLU6', () => new nn.ReLU6(), img],
  ['PReLU shared', () => new nn.PReLU(), img],
  ['PReLU per channel', () => new nn.PReLU(3, 0.1), img],
  ['Softmax', () => new nn.Softmax(1), img],
  ['LogSoftmax', () => new nn.LogSoftmax(-1), img],
  ['Softmin', () => new nn.Softmin(1), img],
];

/** Tensor ops in a module's own forward, between layers (read from the recorded graph). */
export class TensorOps extends nn.Module {
  conv = new nn.Conv2d(3, 4, 3, { padding: 1 });
  w = new nn.Parameter(tg.randn([9, 5]));
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);                                   // [N, 4, 9, 9]
    const a = y.add(1).mul(y.sigmoid()).sub(x.mean(1, true)).div(2);   // broadcast with a reduced input
    const b = tg.cat([a, y.exp().neg(), y.abs().sqrt()], 1);           // [N, 12, 9, 9]
    const c = b.transpose(2, 3).slice(3, 1, 8, 2).matmul(this.w.slice(0, 0, 4)); // [N, 12, 9, 5]
    const d = tg.F.pad(c, [1, 1, 0, 2], { mode: 'constant', value: -1 }); // [N, 12, 11, 7]
    const e = d.flatten(1).reshape([x.shape[0]!, 12, -1]).sum(2).tanh(); // [N, 12]
    return e.add(d.amax([1, 2, 3]).reshape([-1, 1])).relu().pow(2).log1p();
  }
}

/** Every case's layer on its own input, all outputs flattened and concatenated: the whole op set in one graph. */
export class EveryOp extends nn.Module {
  layers: tg.nn.ModuleList;
  ops = new TensorOps();
  constructor(private readonly samples: number[][], layers: Module[]) {
    super();
    this.layers = new nn.ModuleList(layers);
  }
  forward(x: Tensor): Tensor {
    // One input [N, 256]; each layer gets its sample shape cut from it.
    const n = x.shape[0]!;
    const outs = [...this.layers].map((m, i) => {
      const shape = this.samples[i]!;
      const numel = shape.reduce((p, q) => p * q, 1);
      return (m.forward(x.slice(1, 0, numel).reshape([n, ...shape])) as Tensor).flatten(1);
    });
    const img9 = x.slice(1, 0, 75).reshape([n, 3, 5, 5]);
    outs.push(this.ops.forward(tg.F.pad(img9, [2, 2, 2, 2], { mode: 'reflect' })));
    return tg.cat(outs, 1);
  }
}

/**
 * The traced tensor ops the models above do not use (not part of export-ops.test.ts):
 * sign, sin, cos, tan, atan, floor, ceil, reciprocal, rsqrt, expm1, log2, log10,
 * amin, prod, flip (a Slice with negative steps), max/min of two tensors, and a
 * weight broadcast to the batch (Expand with Shape(input)[0]).
 */
export class MoreTensorOps extends nn.Module {
  lin = new nn.Linear(6, 6);
  w = new nn.Parameter(tg.randn([1, 6]));
  forward(x: Tensor): Tensor {
    const y = this.lin.forward(x);                                                  // [N, 6]
    const pos = y.abs().add(0.5);
    const a = tg.cat([y.sin(), y.cos(), y.mul(0.3).tan(), y.atan(), y.sign().mul(y)], 1); // [N, 30]
    const b = tg.cat([pos.reciprocal(), pos.rsqrt(), y.mul(0.5).expm1(), pos.log2(), pos.log10()], 1);
    const c = tg.cat([y.floor().add(y), y.ceil().sub(y.mul(2)), y.flip(1), y.maximum(this.w), y.minimum(y.flip(1))], 1);
    const d = tg.cat([a, b, c], 1).reshape([x.shape[0]!, 15, 6]);                 // [N, 15, 6]
    const e = d.amin(2).add(d.mul(0.5).tanh().add(1).prod(2));                        // [N, 15]
    const wide = this.w.expand([x.shape[0]!, 6]);                                    // batch-free -> batch
    return tg.cat([e, wide.mul(y)], 1);
  }
}

/** A case's model, seeded, with non-trivial BatchNorm statistics. */
export function build(make: () => Module, seed: number): Module {
  tg.manualSeed(seed);
  const m = make();
  randomizeBatchNorm(m);
  return m;
}

/** The every-op model of export-ops.test.ts. */
export function everyOp(seed = 11): Module {
  tg.manualSeed(seed);
  return new EveryOp(CASES.map((c) => c[2]), CASES.map(([, make], i) => build(make, 100 + i)));
}
