/**
 * The tensorgrad side of the benchmark: networks through the public API
 * (`tg.models.lenet5()`, `tg.models.mlp()`, `tg.nn.Sequential`), trained with
 * `tg.optim.SGD` and `tg.F.crossEntropy`; matmul through `tg.matmul`; the
 * convolution kernels straight from the backend (as bench/wasm-kernels.ts does).
 *
 * On a GPU backend (webgpu) kernels only get queued, so every step is
 * asynchronous and ends when its work is done: training, matmul and conv steps
 * await the backend's `sync()` (all submitted GPU work finished), inference
 * reads its output back with `await y.dataAsync()` (as an application would).
 */
import * as tg from '../../src/index.js';
import type { ConvParams } from '../../src/backend/backend.js';
import type { Step } from '../harness.js';
import {
  seededLabels, seededValues, specParams,
  type ConvKernel, type ConvShape, type Framework, type NetSpec,
} from '../workloads/specs.js';

/** Builds the tensorgrad module for a spec (on the current backend). */
function buildModel(net: NetSpec): tg.nn.Module {
  if (net.builtin === 'lenet5') return tg.models.lenet5({ numClasses: net.classes, inChannels: net.input[0] });
  if (net.builtin === 'mlp') {
    const sizes = [net.input[0] * net.input[1] * net.input[2]];
    for (const l of net.layers) if (l.kind === 'dense') sizes.push(l.out);
    return tg.models.mlp({ sizes, activation: 'relu' });
  }
  let [c] = net.input;
  let flat = 0;
  const layers: tg.nn.Module[] = [];
  let [, h, w] = net.input;
  for (const l of net.layers) {
    switch (l.kind) {
      case 'conv':
        layers.push(new tg.nn.Conv2d(c, l.out, l.k, { padding: l.pad }));
        c = l.out;
        h = h + 2 * l.pad - l.k + 1;
        w = w + 2 * l.pad - l.k + 1;
        break;
      case 'relu': layers.push(new tg.nn.ReLU()); break;
      case 'maxpool':
        layers.push(new tg.nn.MaxPool2d(l.k));
        h = Math.floor(h / l.k);
        w = Math.floor(w / l.k);
        break;
      case 'flatten':
        layers.push(new tg.nn.Flatten());
        flat = c * h * w;
        break;
      case 'dense':
        layers.push(new tg.nn.Linear(flat, l.out));
        flat = l.out;
        break;
    }
  }
  return new tg.nn.Sequential(...layers);
}

function checkedModel(net: NetSpec): tg.nn.Module {
  const model = buildModel(net);
  const n = model.numParameters();
  if (n !== specParams(net)) throw new Error(`tensorgrad ${net.name} has ${n} parameters, the spec ${specParams(net)}`);
  return model;
}

function inputs(net: NetSpec, batch: number): tg.Tensor {
  const [c, h, w] = net.input;
  return tg.tensor(seededValues(batch * c * h * w, 1), { shape: [batch, c, h, w] });
}

function convParams(s: ConvShape): ConvParams {
  const out = s.size + 2 * s.pad - s.k + 1;
  return {
    batch: s.batch, inChannels: s.cin, outChannels: s.cout, groups: 1,
    inSize: [1, s.size, s.size], kernelSize: [1, s.k, s.k], outSize: [1, out, out],
    stride: [1, 1, 1], padding: [0, s.pad, s.pad], dilation: [1, 1, 1],
  };
}

/** What a GPU backend adds: waiting for the work it has queued. */
export interface GpuSync {
  /** Resolves when every kernel submitted so far has run. */
  sync(): Promise<void>;
}

/**
 * A tensorgrad framework adapter on `backend` ('tg-wasm', 'tg-ref'; with `gpu`,
 * 'tg-webgpu', whose steps return promises that settle when the GPU is done).
 */
export function tensorgradFramework(name: string, backend: tg.Backend, reduced: boolean, gpu?: GpuSync): Framework {
  return {
    name,
    reduced,
    warmUp: gpu !== undefined,
    activate: () => tg.setBackend(backend),

    train(net: NetSpec, batch: number): Step {
      tg.manualSeed(0);
      const model = checkedModel(net);
      model.train();
      const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
      const x = inputs(net, batch);
      const y = tg.tensor(seededLabels(batch, net.classes, 2), { dtype: 'int32' });
      const step = () => {
        opt.zeroGrad();
        const loss = tg.F.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
      };
      return { run: gpu ? () => (step(), gpu.sync()) : step };
    },

    infer(net: NetSpec, batch: number): Step {
      tg.manualSeed(0);
      const model = checkedModel(net);
      model.eval();
      const x = inputs(net, batch);
      const forward = () => tg.noGrad(() => model.forward(x));
      return { run: gpu ? async () => void (await forward().dataAsync()) : () => void forward().data() };
    },

    matmul(n: number): Step {
      const a = tg.tensor(seededValues(n * n, 3), { shape: [n, n] });
      const b = tg.tensor(seededValues(n * n, 4), { shape: [n, n] });
      const mm = () => void tg.noGrad(() => tg.matmul(a, b));
      return { run: gpu ? () => (mm(), gpu.sync()) : mm };
    },

    conv(s: ConvShape, kernel: ConvKernel): Step {
      const p = convParams(s);
      const out = p.outSize[2];
      const data = (n: number, seed: number) => backend.fromArray('float32', seededValues(n, seed));
      const x = data(s.batch * s.cin * s.size * s.size, 5);
      const w = data(s.cout * s.cin * s.k * s.k, 6);
      const gy = data(s.batch * s.cout * out * out, 7);
      const call = {
        'fwd': () => backend.conv(x, w, p),
        'bwd-input': () => backend.convBackwardInput(gy, w, p),
        'bwd-weight': () => backend.convBackwardWeight(x, gy, p),
      }[kernel];
      const once = () => backend.release(call());
      return {
        run: gpu ? () => (once(), gpu.sync()) : once,
        dispose: () => [x, w, gy].forEach((t) => backend.release(t)),
      };
    },
  };
}
