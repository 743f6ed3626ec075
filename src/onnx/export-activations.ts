/**
 * Activations ONNX lacks at the exported opset, written out from standard
 * ops: GELU (an op only from opset 20) and PyTorch's Softplus with beta and
 * threshold (ONNX Softplus has neither).
 */
import type { OnnxGraph, Value } from './export-graph.js';

/**
 * GELU: `Gelu` at opset >= 20; below, 0.5 x (1 + erf(x / sqrt 2)) or, for
 * approximate 'tanh', 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 * @example emitGelu(g, x, 'none')
 */
export function emitGelu(g: OnnxGraph, x: Value, approximate: 'none' | 'tanh'): string {
  if (g.opset >= 20) return g.op('Gelu', [x.name], { approximate: { s: approximate } });
  const c = (v: number) => g.scalar(v, x.dtype);
  let inner: string;
  if (approximate === 'none') {
    inner = g.op('Erf', [g.op('Mul', [x.name, c(Math.SQRT1_2)])]);
  } else {
    const cube = g.op('Mul', [g.op('Mul', [x.name, x.name]), x.name]);
    const poly = g.op('Add', [x.name, g.op('Mul', [cube, c(0.044715)])]);
    inner = g.op('Tanh', [g.op('Mul', [poly, c(Math.sqrt(2 / Math.PI))])]);
  }
  return g.op('Mul', [g.op('Mul', [x.name, c(0.5)]), g.op('Add', [inner, c(1)])]);
}

/**
 * PyTorch's softplus: x where beta x > threshold, else log(1 + e^(beta x)) / beta.
 * @example emitSoftplus(g, x, 1, 20)
 */
export function emitSoftplus(g: OnnxGraph, x: Value, beta: number, threshold: number): string {
  const c = (v: number) => g.scalar(v, x.dtype);
  const bx = beta === 1 ? x.name : g.op('Mul', [x.name, c(beta)]);
  let soft = g.op('Softplus', [bx]);
  if (beta !== 1) soft = g.op('Div', [soft, c(beta)]);
  return g.op('Where', [g.op('Greater', [bx, c(threshold)]), x.name, soft]);
}
