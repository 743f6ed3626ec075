/**
 * The TF.js side of the benchmark, written as a TF.js user would for speed:
 * every step inside `tf.tidy`, training with `optimizer.minimize` over the
 * model's own variables, inference with `model.apply` (one forward pass, no
 * batch splitting), and everything disposed at the end. A step that leaked
 * tensors would be an unfair comparison, so each step is checked once.
 *
 * On GPU backends (webgl, webgpu) kernels are only queued, so each step is
 * asynchronous and ends when its work is done: inference reads the output back
 * (`await y.data()`); training, matmul and conv read one element of what they
 * wrote last (a tiny slice), which waits for everything queued before it, since
 * both WebGL and WebGPU run their commands in order.
 */
import * as tf from '@tensorflow/tfjs';
import type { Step } from '../harness.js';
import {
  seededLabels, seededValues,
  type ConvKernel, type ConvShape, type Framework, type NetSpec,
} from '../workloads/specs.js';
import { buildTfModel } from './models.js';
import { isGpuTf, useTf, type TfBackendName } from './use.js';

/**
 * Wraps a step to check, once, that it holds the tensor count steady (the
 * third call, after lazily created optimizer state exists).
 */
function tracked(label: string, make: () => Step): Step {
  const step = make();
  let calls = 0;
  return {
    run() {
      if (++calls !== 3) return step.run();
      const before = tf.memory().numTensors;
      const check = () => {
        const leaked = tf.memory().numTensors - before;
        if (leaked !== 0) console.warn(`  warning: a TF.js ${label} step leaks ${leaked} tensors`);
      };
      const pending = step.run();
      if (pending) return pending.then(check);
      check();
    },
    dispose: step.dispose,
  };
}

/**
 * Waits until the GPU has finished everything queued so far, by reading back
 * one element computed from `t` (a 4-byte download instead of the whole tensor).
 */
async function drained(t: tf.Tensor): Promise<void> {
  const probe = tf.tidy(() => tf.reshape(t, [-1]).slice(0, 1).add(0));
  await probe.data();
  probe.dispose();
}

function nhwcInputs(net: NetSpec, batch: number): tf.Tensor4D {
  const [c, h, w] = net.input;
  return tf.tensor4d(seededValues(batch * c * h * w, 1), [batch, h, w, c]);
}

function convPad(s: ConvShape): 'valid' | 'same' {
  if (s.pad === 0) return 'valid';
  if (2 * s.pad === s.k - 1) return 'same';
  throw new Error(`tfjs: padding ${s.pad} for kernel ${s.k} is neither 'valid' nor 'same'`);
}

/** A TF.js framework adapter on backend `backend` ('tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu'). */
export function tfjsFramework(name: string, backend: TfBackendName): Framework {
  const gpu = isGpuTf(backend);
  return {
    name,
    reduced: false,
    warmUp: gpu,
    activate: () => useTf(backend),

    train(net: NetSpec, batch: number): Step {
      return tracked(`${backend} train ${net.name}`, () => {
        const model = buildTfModel(net);
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const opt = tf.train.momentum(0.01, 0.9);
        const x = nhwcInputs(net, batch);
        const labels = tf.tensor1d(seededLabels(batch, net.classes, 2), 'int32');
        const y = tf.oneHot(labels, net.classes);
        labels.dispose();
        const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
        const last = vars[vars.length - 1]!;
        const step = () => tf.tidy(() => void opt.minimize(loss, false, vars));
        return {
          run: gpu ? () => (step(), drained(last)) : step,
          dispose() {
            opt.dispose();
            model.dispose();
            tf.dispose([x, y]);
          },
        };
      });
    },

    infer(net: NetSpec, batch: number): Step {
      return tracked(`${backend} infer ${net.name}`, () => {
        const model = buildTfModel(net);
        const x = nhwcInputs(net, batch);
        const forward = () => model.apply(x, { training: false }) as tf.Tensor;
        const readBack = async () => {
          const y = tf.tidy(forward);
          await y.data();
          y.dispose();
        };
        return {
          run: gpu ? readBack : () => tf.tidy(() => void forward().dataSync()),
          dispose() {
            model.dispose();
            x.dispose();
          },
        };
      });
    },

    matmul(n: number): Step {
      return tracked(`${backend} matmul`, () => {
        const a = tf.tensor2d(seededValues(n * n, 3), [n, n]);
        const b = tf.tensor2d(seededValues(n * n, 4), [n, n]);
        const waited = async () => {
          const c = tf.matMul(a, b);
          await drained(c);
          c.dispose();
        };
        return {
          run: gpu ? waited : () => tf.matMul(a, b).dispose(),
          dispose: () => tf.dispose([a, b]),
        };
      });
    },

    conv(s: ConvShape, kernel: ConvKernel): Step {
      return tracked(`${backend} conv`, () => {
        const out = s.size + 2 * s.pad - s.k + 1;
        const x = tf.tensor4d(seededValues(s.batch * s.size * s.size * s.cin, 5), [s.batch, s.size, s.size, s.cin]);
        const w = tf.tensor4d(seededValues(s.k * s.k * s.cin * s.cout, 6), [s.k, s.k, s.cin, s.cout]);
        const dy = tf.tensor4d(seededValues(s.batch * out * out * s.cout, 7), [s.batch, out, out, s.cout]);
        const pad = convPad(s);
        const attrs = { strides: [1, 1] as [number, number], pad, dataFormat: 'NHWC' };
        // The kernels TF.js's conv2d gradient calls, by name.
        const call = {
          'fwd': () => tf.conv2d(x, w, 1, pad),
          'bwd-input': () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
          'bwd-weight': () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
        }[kernel];
        const waited = async () => {
          const y = call();
          await drained(y);
          y.dispose();
        };
        return {
          run: gpu ? waited : () => call().dispose(),
          dispose: () => tf.dispose([x, w, dy]),
        };
      });
    },
  };
}
