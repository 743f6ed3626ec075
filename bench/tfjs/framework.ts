/**
 * The TF.js side of the benchmark, written as a TF.js user would for speed:
 * every step inside `tf.tidy`, training with `optimizer.minimize` over the
 * model's own variables, inference with `model.apply` (one forward pass, no
 * batch splitting), and everything disposed at the end. A step that leaked
 * tensors would be an unfair comparison, so each step is checked once.
 */
import * as tf from '@tensorflow/tfjs';
import type { Step } from '../harness.js';
import {
  seededLabels, seededValues,
  type ConvKernel, type ConvShape, type Framework, type NetSpec,
} from '../workloads/specs.js';
import { buildTfModel } from './models.js';
import { useTf, type TfBackendName } from './setup.js';

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
      step.run();
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) console.warn(`  warning: a TF.js ${label} step leaks ${leaked} tensors`);
    },
    dispose: step.dispose,
  };
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

/** A TF.js framework adapter on backend `backend` ('tfjs-cpu', 'tfjs-wasm'). */
export function tfjsFramework(name: string, backend: TfBackendName): Framework {
  return {
    name,
    reduced: false,
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
        return {
          run: () => tf.tidy(() => void opt.minimize(loss, false, vars)),
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
        return {
          run: () => tf.tidy(() => void (model.apply(x, { training: false }) as tf.Tensor).dataSync()),
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
        return {
          run: () => tf.matMul(a, b).dispose(),
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
        return {
          run: () => call().dispose(),
          dispose: () => tf.dispose([x, w, dy]),
        };
      });
    },
  };
}
