/**
 * The replaced ReLU gradient rules behind projections to pixel space
 * (guided-backprop.ts), for `backwardWithRules` (autograd/engine.ts). Internal
 * to tg.viz: they are not derivatives, and only make sense for pictures.
 *
 * Every place a ReLU is recorded gets a rule: the 'relu' primitive (nn.ReLU,
 * F.relu), the conv and linear nodes with a fused ReLU epilogue (attrs.relu), and
 * convReluPool (conv, ReLU and 2×2 max pooling in one kernel). The rest of
 * each rule is the table's own (gradients.ts), so bias, pooling switches and
 * the convolution transpose are computed exactly as in training.
 */
import type { GradContext } from '../autograd/gradients.js';
import { GRADIENTS } from '../autograd/gradients.js';
import type { RuleOverrides } from '../autograd/engine.js';
import * as E from '../ops/elementwise.js';
import { filled } from '../ops/core.js';

/** The same context with the saved ReLU output replaced by ones: the forward mask lets everything through. */
const unmasked = (c: GradContext, i: number): GradContext => {
  const y = c.saved[i]!;
  const saved = [...c.saved];
  saved[i] = filled(y.shape, 1, y.dtype, y.backend);
  return { ...c, saved };
};

/**
 * Guided backpropagation: at every ReLU, relu(g) masked by the forward's
 * [x > 0]. The fused conv forms keep their forward mask and get relu(g) first
 * (for convReluPool the pooled gradient: its 2×2 windows do not overlap, so
 * relu before the max-pool scatter equals relu after).
 */
export const GUIDED_RULES: RuleOverrides = {
  relu: (g, c) => GRADIENTS.relu(E.relu(g), c),
  conv: (g, c) => GRADIENTS.conv(c.attrs.relu === true ? E.relu(g) : g, c),
  convReluPool: (g, c) => GRADIENTS.convReluPool(E.relu(g), c),
  linear: (g, c) => GRADIENTS.linear(c.attrs.relu === true ? E.relu(g) : g, c),
};

/** Deconvnet: at every ReLU, relu(g) with no forward mask; max pooling keeps its switches. */
export const DECONVNET_RULES: RuleOverrides = {
  relu: (g) => [E.relu(g)],
  conv: (g, c) => (c.attrs.relu === true ? GRADIENTS.conv(E.relu(g), { ...c, attrs: { ...c.attrs, relu: false } }) : GRADIENTS.conv(g, c)),
  convReluPool: (g, c) => GRADIENTS.convReluPool(E.relu(g), unmasked(c, 2)),
  linear: (g, c) => (c.attrs.relu === true ? GRADIENTS.linear(E.relu(g), { ...c, attrs: { ...c.attrs, relu: false } }) : GRADIENTS.linear(g, c)),
};
