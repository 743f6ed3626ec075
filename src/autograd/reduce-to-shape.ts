import type { Shape } from '../core/shape.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Sums a gradient of a broadcast result back to the shape of the input that was
 * broadcast: leading dims that broadcasting added, and dims where the input had
 * size 1. Written once here so no gradient rule repeats it.
 */
export function reduceToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? g.sum(axes, true) : g;
  return summed.reshape(shape);
}
