/**
 * The benchmark networks in TF.js `tf.layers`, channels-last (TF.js's native
 * layout): input [N, H, W, C]. Same layers, widths and parameter counts as the
 * tensorgrad models built from the same spec.
 */
import * as tf from '@tensorflow/tfjs';
import { specParams, type NetSpec } from '../workloads/specs.js';

export function buildTfModel(net: NetSpec): tf.Sequential {
  const [c, h, w] = net.input;
  const model = tf.sequential();
  let first = true;
  const add = (layer: tf.layers.Layer) => model.add(layer);
  const inputShape = () => {
    if (!first) return {};
    first = false;
    return { inputShape: [h, w, c] };
  };
  for (const l of net.layers) {
    switch (l.kind) {
      case 'conv': {
        let padding: 'valid' | 'same';
        if (l.pad === 0) padding = 'valid';
        else if (2 * l.pad === l.k - 1) padding = 'same';
        else throw new Error(`tfjs: padding ${l.pad} for kernel ${l.k} is neither 'valid' nor 'same'`);
        add(tf.layers.conv2d({ ...inputShape(), filters: l.out, kernelSize: l.k, padding }));
        break;
      }
      case 'relu': add(tf.layers.reLU()); break;
      case 'maxpool': add(tf.layers.maxPooling2d({ ...inputShape(), poolSize: l.k, strides: l.k })); break;
      case 'flatten': add(tf.layers.flatten({ ...inputShape() })); break;
      case 'dense': add(tf.layers.dense({ ...inputShape(), units: l.out })); break;
    }
  }
  const n = model.countParams();
  if (n !== specParams(net)) {
    model.dispose();
    throw new Error(`TF.js ${net.name} has ${n} parameters, the spec ${specParams(net)}`);
  }
  return model;
}
