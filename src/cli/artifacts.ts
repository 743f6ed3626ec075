/**
 * What a view of `tensorgrad viz` produces: named PNG and SVG files with a
 * title, rendered in memory so that the same views feed both the files of
 * `viz` (written atomically into --out) and the inlined images of `report`.
 */
import { join } from 'node:path';
import { encodePng } from '../data/image-io.js';
import type { Tensor } from '../tensor/tensor.js';
import { upscaleNearest } from '../viz/sheet.js';
import { writeFileAtomic } from '../util/node.js';

export interface Artifact {
  /** File name inside the output folder, with its extension (.png or .svg). */
  file: string;
  /** One line saying what it shows (the report's caption). */
  title: string;
  /** PNG bytes, or an SVG document. */
  content: Buffer | string;
}

/**
 * A PNG artifact of an image `[C, H, W]` in [0, 1], enlarged by nearest
 * neighbour until it is at least `minSide` pixels wide, so 28x28 digits and
 * 5x5 kernels are visible at a glance without blurring.
 * @example pngArtifact('filters.png', 'first-layer filters', grid, 256)
 */
export function pngArtifact(file: string, title: string, image: Tensor, minSide = 0): Artifact {
  const w = image.shape[image.ndim - 1]!;
  const factor = minSide > w ? Math.ceil(minSide / w) : 1;
  const img = factor > 1 && image.ndim === 3 ? upscaleNearest(image, factor) : image;
  return { file, title, content: encodePng(img) };
}

/** An SVG artifact. */
export function svgArtifact(file: string, title: string, svg: string): Artifact {
  return { file, title, content: svg };
}

/**
 * Writes the artifacts into `dir` (which must exist), each atomically, and
 * returns their paths in order.
 * @example for (const p of writeArtifacts('runs/a/viz/filters', artifacts)) cliOut(`${p}\n`);
 */
export function writeArtifacts(dir: string, artifacts: readonly Artifact[]): string[] {
  return artifacts.map((a) => {
    const path = join(dir, a.file);
    writeFileAtomic('viz', path, a.content);
    return path;
  });
}

/** A data: URI of a PNG artifact (for an `<img>` of a self-contained page). */
export function dataUri(a: Artifact): string {
  const bytes = typeof a.content === 'string' ? Buffer.from(a.content) : a.content;
  return `data:${a.file.endsWith('.svg') ? 'image/svg+xml' : 'image/png'};base64,${bytes.toString('base64')}`;
}
