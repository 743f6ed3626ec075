import type { Tensor } from '../tensor/tensor.js';
import { conv2dReluMaxPool2x2, convNdRelu } from '../ops/conv-fused.js';
import { linearRelu } from '../ops/linalg.js';
import { runsStockForward, type Module } from './module.js';
import { ConvNd, convLayerCall } from './layers/conv.js';
import { ReLU } from './layers/activation.js';
import { Linear } from './layers/linear.js';
import { MaxPool2d } from './layers/pool.js';

/*
 * Layer fusion: the ONE place that decides when consecutive modules run as a
 * single fused kernel. nn.Sequential runs its children through `runModules`;
 * nothing else in the library fuses, and the fused functional forms
 * (ops/conv-fused.ts) are not public.
 *
 * What is fused, in a list of modules run one after the other:
 *   Conv2d -> ReLU -> MaxPool2d(2)   (2×2 windows, stride 2 or unset, no padding,
 *                                     dilation 1, no ceil mode): conv, bias, ReLU and
 *                                     pooling in one pass per image, so the full-size
 *                                     activation is never written (LeNet-5, VGG, AlexNet
 *                                     blocks; this is most of their training time).
 *   Conv{1,2,3}d -> ReLU             bias and ReLU applied as the conv stores its output.
 *   Linear -> ReLU                   bias and ReLU applied as the GEMM stores its output
 *                                    (MLPs, CNN classifier heads); its backward masks
 *                                    and sums the gradient in one pass.
 * Why only these: they are the patterns the backends have epilogue kernels for,
 * and they are how CNNs and MLPs are written. Everything else runs module by module
 * (a Linear alone still gets its bias fused: F.linear does that itself).
 *
 * When: only if every module in the run would do nothing but its class's own
 * forward (runsStockForward: no forward hooks, no subclass or instance
 * override of forward). A hook therefore always sees the intermediate output
 * it asked for, computed by the unfused layers, and the numbers downstream
 * are those of the unfused model within float32 rounding (a fused kernel may
 * sum the convolution in another order; ReLU and max are exact). Removing
 * the hook re-enables fusion on the next forward. The plan is rebuilt on
 * every forward: a few property checks per module, nothing cached that a hook
 * or `append` could make stale.
 *
 * Not fused: a user's Module whose forward calls F.conv2d then F.relu (there
 * is no graph compiler; such code gets the unfused kernels, the same numbers),
 * or F.linear then F.relu, and Conv1d/Conv3d -> ReLU -> MaxPool2d (MaxPool2d is 2-D; conv + ReLU still
 * fuse and the pool runs on its own).
 */

/** How `runModules` will compute a stretch of its module list. */
export type FusionStep =
  | { readonly kind: 'module'; readonly modules: readonly [Module] }
  | { readonly kind: 'convRelu'; readonly modules: readonly [ConvNd, ReLU] }
  | { readonly kind: 'linearRelu'; readonly modules: readonly [Linear, ReLU] }
  | { readonly kind: 'convReluMaxPool2x2'; readonly modules: readonly [ConvNd, ReLU, MaxPool2d] };

/**
 * Splits `modules` into the steps `runModules` takes: fused runs where the
 * patterns above match and no module in them is hooked or overridden, single
 * modules elsewhere. Exposed (internally) so tests can see the decision
 * without depending on which kernels a backend has.
 * @example fusionPlan([conv2d, relu, pool, flatten]).map((s) => s.kind) // ['convReluMaxPool2x2', 'module']
 */
export function fusionPlan(modules: readonly Module[]): FusionStep[] {
  const steps: FusionStep[] = [];
  for (let i = 0; i < modules.length;) {
    const m = modules[i]!, next = modules[i + 1], third = modules[i + 2];
    if (isPlainConv(m) && next && isPlainRelu(next)) {
      if (m.n === 2 && third && isPlainPool2x2(third)) {
        steps.push({ kind: 'convReluMaxPool2x2', modules: [m, next, third] });
        i += 3;
      } else {
        steps.push({ kind: 'convRelu', modules: [m, next] });
        i += 2;
      }
    } else if (isPlainLinear(m) && next && isPlainRelu(next)) {
      steps.push({ kind: 'linearRelu', modules: [m, next] });
      i += 2;
    } else {
      steps.push({ kind: 'module', modules: [m] });
      i += 1;
    }
  }
  return steps;
}

/**
 * Runs `modules` in order on x, each fused run as one kernel (see the top
 * of this file): what `nn.Sequential.forward` does. Same result as
 * `modules.reduce((y, m) => m.forward(y), x)` within float32 rounding.
 * Shapes: whatever the modules take and return.
 * @example runModules([new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2)], x) // [N, 6, 12, 12] for x [N, 1, 28, 28]
 */
export function runModules(modules: readonly Module[], x: Tensor): Tensor {
  let y = x;
  for (const step of fusionPlan(modules)) {
    if (step.kind === 'convReluMaxPool2x2') y = convReluMaxPool2x2Forward(step.modules[0], y);
    else if (step.kind === 'convRelu') y = convReluForward(step.modules[0], y);
    else if (step.kind === 'linearRelu') y = linearRelu(y, step.modules[0].weight, step.modules[0].bias);
    else y = step.modules[0].forward(y) as Tensor;
  }
  return y;
}

/** `relu(conv.forward(x))` in one pass (no hooks run: the plan checked there are none). */
function convReluForward(conv: ConvNd, x: Tensor): Tensor {
  const c = convLayerCall(conv, x);
  return convNdRelu(conv.n, c.input, conv.weight, conv.bias, c.opts);
}

/** `maxPool2d(relu(conv.forward(x)), 2)` for a 2-D conv layer, in one pass per image. */
function convReluMaxPool2x2Forward(conv: ConvNd, x: Tensor): Tensor {
  const c = convLayerCall(conv, x);
  return conv2dReluMaxPool2x2(c.input, conv.weight, conv.bias, c.opts);
}

/** A convolution layer (any subclass of ConvNd that keeps its forward), unhooked. */
function isPlainConv(m: Module): m is ConvNd {
  return m instanceof ConvNd && runsStockForward(m, ConvNd.prototype.forward);
}

/** A Linear layer (any subclass that keeps its forward), unhooked. */
function isPlainLinear(m: Module): m is Linear {
  return m instanceof Linear && runsStockForward(m, Linear.prototype.forward);
}

/** A ReLU layer that would compute nothing but relu(x), unhooked. */
function isPlainRelu(m: Module): m is ReLU {
  return m instanceof ReLU && runsStockForward(m, ReLU.prototype.forward);
}

/** A MaxPool2d with 2×2 windows, stride 2 (or unset), no padding, dilation or ceil mode, unhooked. */
function isPlainPool2x2(m: Module): m is MaxPool2d {
  if (!(m instanceof MaxPool2d) || !runsStockForward(m, MaxPool2d.prototype.forward)) return false;
  const o = m.opts;
  const two = (v: unknown) => v === 2 || (Array.isArray(v) && v.length === 2 && v[0] === 2 && v[1] === 2);
  const zero = (v: unknown) => v === undefined || v === 0 || (Array.isArray(v) && v.every((e) => e === 0));
  const one = (v: unknown) => v === undefined || v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
  return two(m.kernelSize) && (o.stride === undefined || o.stride === null || two(o.stride)) && zero(o.padding) && one(o.dilation) &&
    !o.ceilMode;
}
