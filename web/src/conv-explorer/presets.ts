import { copyGrid } from './grid.js';
import type { ExplorerState } from './types.js';

/** A worked example from the course, ready to load into the explorer. */
export interface Preset {
  id: PresetId;
  title: string;
  /** What to look at, shown under the picker. */
  description: string;
  state: ExplorerState;
}

export type PresetId = 'classic-5x5' | 'x-pattern' | 'max-pool-2x2';

const base = { stride: 1, padding: 0, paddingMode: 'zeros', dilation: 1 } as const;

// The X the kernel looks for: +1 on both diagonals, −1 elsewhere, so a match
// scores the number of X cells (5) and any stray ink off the diagonals costs.
const X_KERNEL = [[1, -1, 1], [-1, 1, -1], [1, -1, 1]];

const PRESETS: readonly Preset[] = [
  {
    id: 'classic-5x5',
    title: '5x5 input, 3x3 kernel',
    description: 'A 3x3 kernel slides over a 5x5 binary image with stride 1 and no padding: 3x3 outputs, each the sum of 9 products.',
    state: {
      settings: { op: 'conv', inputH: 5, inputW: 5, kernel: 3, ...base },
      input: [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]],
      weights: [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    },
  },
  {
    id: 'x-pattern',
    title: 'X-pattern feature match',
    description: 'A 3x3 X-shaped kernel over an image holding an X (top left) and a plus (bottom right): the output lights up (5) only where the X is.',
    state: {
      settings: { op: 'conv', inputH: 7, inputW: 7, kernel: 3, ...base },
      input: [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0, 0, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1, 1, 1],
        [0, 0, 0, 0, 0, 1, 0],
      ],
      weights: X_KERNEL,
    },
  },
  {
    id: 'max-pool-2x2',
    title: '2x2 max pooling, stride 2',
    description: 'Each 2x2 block of the 4x4 input keeps only its largest value: the output is half as tall and half as wide.',
    state: {
      settings: { op: 'max', inputH: 4, inputW: 4, kernel: 2, ...base, stride: 2 },
      input: [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]],
      weights: [[1, 1], [1, 1]],
    },
  },
];

/** The presets in picker order (copies: editing one never changes the original). */
export function listPresets(): Preset[] {
  return PRESETS.map((p) => ({ ...p, state: presetState(p.id) }));
}

/**
 * A fresh copy of a preset's state.
 * @example explain(presetState('max-pool-2x2')).output // [[6, 8], [3, 4]]
 */
export function presetState(id: PresetId): ExplorerState {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`conv explorer: unknown preset '${String(id)}' (expected one of ${PRESETS.map((x) => x.id).join(', ')})`);
  return { settings: { ...p.state.settings }, input: copyGrid(p.state.input), weights: copyGrid(p.state.weights) };
}
