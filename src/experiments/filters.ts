/**
 * `filters`: what a convolution does, shown with the classic hand-made
 * kernels (blur, sharpen, Sobel, Laplacian, ...) applied with F.conv2d to an
 * MNIST digit and to a synthetic test pattern; written as PNG images and
 * contact sheets.
 */
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/graph.js';
import { conv2d } from '../ops/conv.js';
import { pad } from '../ops/pad.js';
import { loadMnist } from '../data/mnist.js';
import { imageGrid, labelledSheet, upscaleNearest } from '../viz/sheet.js';
import { defineExperiment, type Row } from './types.js';
import { round } from './common.js';
import type { Generator } from '../tensor/random.js';

interface FiltersSettings {
  /** Which MNIST test image to filter. */
  digitIndex: number;
  /** Side of the synthetic test pattern in pixels. */
  patternSize: number;
  /** Nearest-neighbour enlargement of the written PNGs. */
  digitScale: number;
  patternScale: number;
  /** Standard deviation of the noise in one corner of the pattern (blurs remove it, sharpening amplifies it). */
  noise: number;
}

/** How a filtered image is mapped to [0, 1] for display. */
type Display = 'clamp' | 'abs' | 'signed';

interface Kernel {
  name: string;
  /** Rows of weights, before `scale`. */
  rows: number[][];
  scale: number;
  display: Display;
  effect: string;
}

const k = (name: string, rows: number[][], scale: number, display: Display, effect: string): Kernel => ({ name, rows, scale, display, effect });

/** The classic kernels. conv2d computes a cross-correlation (no kernel flip), as every deep-learning library does. */
const KERNELS: Kernel[] = [
  k('identity', [[0, 0, 0], [0, 1, 0], [0, 0, 0]], 1, 'clamp', 'copies the image'),
  k('box blur 3x3', [[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9, 'clamp', 'mean of the 3x3 neighbourhood'),
  k('gaussian 3x3', [[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16, 'clamp', 'weighted mean, nearer pixels count more'),
  k('gaussian 5x5', [[1, 4, 6, 4, 1], [4, 16, 24, 16, 4], [6, 24, 36, 24, 6], [4, 16, 24, 16, 4], [1, 4, 6, 4, 1]], 1 / 256, 'clamp', 'stronger blur (binomial approximation of a Gaussian, sigma about 1)'),
  k('sharpen', [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 1, 'clamp', 'identity minus the Laplacian: boosts edges (and noise)'),
  k('sobel x', [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1, 'signed', 'horizontal gradient: vertical edges (white: dark to bright left to right)'),
  k('sobel y', [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1, 'signed', 'vertical gradient: horizontal edges (white: dark to bright top to bottom)'),
  k('laplacian', [[0, 1, 0], [1, -4, 1], [0, 1, 0]], 1, 'abs', 'second derivative: edges and fine detail, 0 on flat and linear ramps'),
  k('edge detect', [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 1, 'abs', '8-neighbour Laplacian ("outline"): all edges'),
  k('emboss', [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], 1, 'clamp', 'directional relief, as if lit from the bottom right'),
];
const MAGNITUDE = 'sobel magnitude';

/** Applies kernels of one size in a single conv2d call (one output channel per kernel), with replicated borders. */
function applySameSize(image: Tensor, kernels: Kernel[]): Tensor[] {
  const size = kernels[0]!.rows.length;
  const w = tensor(kernels.flatMap((kk) => kk.rows.flat().map((v) => v * kk.scale)), { shape: [kernels.length, 1, size, size] });
  const p = (size - 1) / 2;
  return noGrad(() => {
    const x = pad(image.reshape(1, 1, image.shape[1]!, image.shape[2]!), [p, p, p, p], { mode: 'replicate' });
    const out = conv2d(x, w);
    return kernels.map((_, i) => out.select(0, 0).narrow(0, i, 1).contiguous());
  });
}

function toDisplay(v: ArrayLike<number>, mode: Display): Float32Array {
  let maxAbs = 0;
  for (let i = 0; i < v.length; i++) maxAbs = Math.max(maxAbs, Math.abs(v[i]!));
  maxAbs ||= 1;
  return Float32Array.from(v, (x) => (mode === 'clamp' ? Math.min(1, Math.max(0, x)) : mode === 'abs' ? Math.abs(x) / maxAbs : 0.5 + x / (2 * maxAbs)));
}

/** A test pattern with a square, a disc, a checkerboard, a ramp, thin lines and a noisy corner. */
function testPattern(size: number, noise: number, g: Generator): Tensor {
  const img = new Float32Array(size * size).fill(0.1);
  const h = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v = 0.1;
      if (x < h && y < h) {
        if (x >= size * 0.1 && x < size * 0.4 && y >= size * 0.1 && y < size * 0.4) v = 0.9;
      } else if (x >= h && y < h) {
        const dx = x - size * 0.75 + 0.5, dy = y - size * 0.25 + 0.5;
        if (dx * dx + dy * dy < (size * 0.17) ** 2) v = 0.8;
      } else if (x < h && y >= h) {
        const cell = Math.max(2, Math.round(size / 24));
        v = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 0.85 : 0.15;
      } else {
        v = 0.1 + 0.8 * ((x - h) / (h - 1));
        if (Math.abs((x - h) - (y - h)) < 1 || Math.abs((x - h) + (y - h) - h) < 1) v = 0;
        if (y >= size * 0.8) v = Math.min(1, Math.max(0, v + noise * g.normal()));
      }
      img[y * size + x] = v;
    }
  }
  return tensor(img, { shape: [1, size, size] });
}

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

const weightsText = (kk: Kernel) => {
  const sc = kk.scale === 1 ? '' : `1/${Math.round(1 / kk.scale)} x `;
  return `${sc}[${kk.rows.map((r) => r.join(' ')).join('; ')}]`;
};

export const filters = defineExperiment<FiltersSettings>({
  name: 'filters',
  title: 'What a convolution does: classic 3x3 and 5x5 kernels applied with F.conv2d',
  summary: 'hand-made kernels (blur, Gaussian, sharpen, Sobel, Laplacian, edge, emboss) applied to a digit and a test pattern, as PNGs',
  description: `
A convolutional layer slides small weight grids (kernels) over the image and, at every position, outputs the sum of
the weights times the pixels under them. Before networks learned their kernels, image processing used hand-made ones;
this experiment applies the classic ones with \`F.conv2d\` (all kernels of one size as the output channels of a single
call, on the image padded by replicating its border so edges of the frame do not light up) to an MNIST test digit and
to a synthetic test pattern made in code (a square, a disc, a checkerboard, a brightness ramp crossed by thin lines, and
a noisy strip at the bottom right).

Display: smoothing and sharpening kernels (weights summing to 1) are shown clamped to [0, 1]; Sobel x/y are shown
signed (grey = 0, white positive, black negative); Laplacian, edge detection and the Sobel magnitude
sqrt(gx^2 + gy^2) as |response| / max |response|. The first convolutional layer of a trained CNN typically learns
kernels that look like these: oriented edge detectors and blobs.`,
  settings: {
    smoke: { digitIndex: 0, patternSize: 32, digitScale: 2, patternScale: 1, noise: 0.05 },
    quick: { digitIndex: 0, patternSize: 96, digitScale: 4, patternScale: 2, noise: 0.05 },
    full: { digitIndex: 0, patternSize: 192, digitScale: 4, patternScale: 1, noise: 0.05 },
  },
  async run(ctx, s) {
    const mnist = loadMnist({ split: 'test' });
    const digit = tensor(mnist.images.narrow(0, s.digitIndex, 1).data(), { shape: [1, 28, 28] });
    const label = mnist.labels.data()[s.digitIndex]!;
    const sources = [
      { key: 'digit', what: `MNIST test image ${s.digitIndex} (a ${label})`, image: digit, scale: s.digitScale },
      { key: 'pattern', what: `synthetic ${s.patternSize}x${s.patternSize} test pattern`, image: testPattern(s.patternSize, s.noise, ctx.generator(0)), scale: s.patternScale },
    ];
    const rows: Row[] = [];
    const plots = [];
    const images = [];
    const flatZero: Record<string, number> = {};
    for (const src of sources) {
      const byName = new Map<string, Tensor>();
      for (const size of [...new Set(KERNELS.map((kk) => kk.rows.length))]) {
        const group = KERNELS.filter((kk) => kk.rows.length === size);
        applySameSize(src.image, group).forEach((o, i) => byName.set(group[i]!.name, o));
      }
      const gx = byName.get('sobel x')!, gy = byName.get('sobel y')!;
      // In the order of KERNELS, then the magnitude of the Sobel gradient.
      const outputs = new Map<string, Tensor>([...KERNELS.map((kk) => [kk.name, byName.get(kk.name)!] as const),
        [MAGNITUDE, noGrad(() => gx.square().add(gy.square()).sqrt())]]);
      const cells = [];
      for (const [name, out] of outputs) {
        const kk = KERNELS.find((c) => c.name === name);
        const values = out.data() as Float32Array;
        const shown = tensor(toDisplay(values, kk?.display ?? 'abs'), { shape: out.shape });
        const file = `images/${src.key}-${slug(name)}.png`;
        ctx.writePng(file, upscaleNearest(shown, src.scale));
        cells.push({ label: name, image: shown });
        let min = Infinity, max = -Infinity, sum = 0, sumAbs = 0, zeros = 0;
        for (const v of values) {
          min = Math.min(min, v);
          max = Math.max(max, v);
          sum += v;
          sumAbs += Math.abs(v);
          if (Math.abs(v) < 1e-6) zeros++;
        }
        const kernelSum = kk ? kk.rows.flat().reduce((a, b) => a + b, 0) * kk.scale : NaN;
        if (kk && Math.abs(kernelSum) < 1e-9 && src.key === 'pattern') flatZero[name] = zeros / values.length;
        rows.push({ image: src.key, kernel: name, size: kk ? `${kk.rows.length}x${kk.rows.length}` : '3x3 (x2)', kernel_sum: round(kernelSum), out_min: round(min), out_max: round(max), out_mean: round(sum / values.length), out_mean_abs: round(sumAbs / values.length), zero_fraction: round(zeros / values.length), file });
      }
      ctx.writePng(`${src.key}-sheet.png`, imageGrid(cells.map((c) => upscaleNearest(c.image, src.scale)), { columns: 4, padding: 4 }));
      ctx.writeSvg(`${src.key}-sheet.svg`, labelledSheet(cells, { title: `Kernels applied to the ${src.what}`, columns: 4, cellSize: src.key === 'digit' ? 112 : 160 }));
      plots.push({ file: `${src.key}-sheet.svg`, caption: `Every kernel applied to the ${src.what} (labelled contact sheet)` });
      images.push({ file: `${src.key}-sheet.png`, caption: `The same as a PNG grid, row by row: ${[...outputs.keys()].join(', ')}` });
    }

    const edgeNames = Object.keys(flatZero);
    const meanZero = edgeNames.reduce((a, n) => a + flatZero[n]!, 0) / Math.max(1, edgeNames.length);
    const headline = [
      `${KERNELS.length} classic kernels (plus the Sobel magnitude) applied with F.conv2d to an MNIST digit and a synthetic test pattern; PNGs and contact sheets in this folder.`,
      `Smoothing kernels (weights summing to 1) leave flat areas unchanged and blur edges and noise; edge kernels (weights summing to 0: ${edgeNames.join(', ')}) output exactly 0 on ${(meanZero * 100).toFixed(0)}% of the pattern's pixels on average (its flat areas) and respond only at edges, lines and noise.`,
    ];
    return {
      headline,
      summary: { kernels: KERNELS.length, edge_zero_fraction_on_pattern: Object.fromEntries(Object.entries(flatZero).map(([n, v]) => [n, round(v, 4)])) },
      table: {
        columns: ['kernel', 'weights', 'sum', 'what it does', 'digit output range', 'PNG files'],
        rows: [...KERNELS.map((kk) => {
          const r = rows.find((x) => x.image === 'digit' && x.kernel === kk.name)!;
          const sum = kk.rows.flat().reduce((a, b) => a + b, 0) * kk.scale;
          return [kk.name, weightsText(kk), Number(sum.toFixed(6)), kk.effect, `${Number(r.out_min).toFixed(2)} .. ${Number(r.out_max).toFixed(2)}`,
            `[digit](images/digit-${slug(kk.name)}.png), [pattern](images/pattern-${slug(kk.name)}.png)`];
        }), [MAGNITUDE, 'sqrt(sobel_x^2 + sobel_y^2)', '-', 'edge strength in any direction', '-', `[digit](images/digit-${slug(MAGNITUDE)}.png), [pattern](images/pattern-${slug(MAGNITUDE)}.png)`]],
      },
      rows,
      plots,
      images,
      notes: [
        'Two convolutions in a row are again a convolution (blurring with the 3x3 Gaussian twice equals one 5x5 binomial blur); that is why CNNs need a non-linearity between layers to compute anything a single layer could not.',
        'Sobel x and y are a smoothing kernel [1 2 1] in one direction times a difference [-1 0 1] in the other; a network\'s learned first-layer kernels usually look like such oriented differences and blobs.',
      ],
    };
  },
});
