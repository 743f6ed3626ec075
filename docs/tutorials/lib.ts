/**
 * The few helpers every tutorial program shares: quick or full settings, named
 * outputs and named images. A tutorial is an ordinary program; run it with
 *
 *   node --import tsx docs/tutorials/01-tensors-and-autograd.ts          # quick settings (a few seconds)
 *   node --import tsx docs/tutorials/01-tensors-and-autograd.ts --full   # the full settings
 *
 * `show(name, text)` prints a titled block. `scripts/tutorials.mjs` (npm run
 * docs:tutorials) runs every tutorial with TENSORGRAD_TUTORIAL_OUT set, collects
 * the named blocks from there and pastes each one into the chapter between
 * `<!-- output:name -->` and `<!-- /output -->`; images go to
 * docs/tutorials/images/ only when the script asks (TENSORGRAD_TUTORIAL_IMAGES).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tg from 'tensorgrad';

/** True with `--full` on the command line: the settings of the course (minutes), not the quick ones (seconds). */
export const FULL = process.argv.includes('--full');

/** `quick` normally, `full` with `--full`: `const epochs = settings(2, 30)`. */
export function settings<T>(quick: T, full: T): T {
  return FULL ? full : quick;
}

/** The tutorial's number ("01"), from the file name of the program being run. */
const prefix = basename(process.argv[1] ?? 'tutorial').slice(0, 2);
const outDir = process.env.TENSORGRAD_TUTORIAL_OUT;
const imageDir = process.env.TENSORGRAD_TUTORIAL_IMAGES;
const seen = new Set<string>();

function claim(kind: string, name: string): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`${kind}: name '${name}' must be lower-case letters, digits and dashes`);
  if (seen.has(`${kind}:${name}`)) throw new Error(`${kind}: '${name}' was already used in this tutorial`);
  seen.add(`${kind}:${name}`);
}

/**
 * Prints `text` under a heading and records it as the output block `name` of
 * the chapter (`<!-- output:name -->`). Numbers in a chapter come from here.
 */
export function show(name: string, text: string): void {
  claim('show', name);
  const body = text.replace(/\s+$/, '');
  console.log(`\n── ${name} ──\n${body}`);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${name}.txt`), `${body}\n`);
  }
}

/** Where the image `name` goes: `images/NN-name.ext` (the path a chapter links to). */
export function imagePath(name: string, ext: 'png' | 'svg'): string {
  return `images/${prefix}-${name}.${ext}`;
}

function writeImage(name: string, ext: 'png' | 'svg', write: (file: string) => void): void {
  claim('image', name);
  const rel = imagePath(name, ext);
  for (const dir of [imageDir, outDir && join(outDir, 'images')]) {
    if (!dir) continue;
    mkdirSync(dir, { recursive: true });
    write(join(dir, basename(rel)));
  }
  console.log(`(image ${rel}${imageDir ? ' written' : ': written by npm run docs:tutorials'})`);
}

/** Records an image `[C, H, W]` (C = 1 or 3, values in [0, 1]) as `images/NN-name.png`. */
export function image(name: string, img: tg.Tensor): void {
  writeImage(name, 'png', (file) => tg.data.writePng(file, img));
}

/** Records an SVG document (a `tg.viz.lineChart` or `barChart`) as `images/NN-name.svg`. */
export function svg(name: string, doc: string): void {
  writeImage(name, 'svg', (file) => writeFileSync(file, doc));
}

/** A plain-text table: a header row and rows of cells, columns padded to align (numbers right-aligned). */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const isNumber = (v: string | number | undefined) => typeof v === 'number' || /^([-+]?[\d.,]+(e[-+]?\d+)?\s*%?x?|-|)$/.test(String(v ?? ''));
  const numeric = header.map((_, c) => rows.every((r) => isNumber(r[c])));
  const line = (r: readonly string[]) => r.map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Seconds since the program started, to one decimal ("3.2"). */
export function elapsed(): string {
  return (performance.now() / 1000).toFixed(1);
}
