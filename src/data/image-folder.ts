import { TensorError } from '../core/errors.js';
import { nodeBuiltin } from '../util/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkIndex, type Dataset } from './dataset.js';
import { readImage } from './image-io.js';
import type { Transform } from './transforms.js';

export { readImage, writePng, decodeImage, encodePng, type ReadImageOptions } from './image-io.js';

/** File extensions ImageFolder picks up by default (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/** Options of {@link ImageFolder}. */
export interface ImageFolderOptions {
  /** Applied to each decoded `[C, H, W]` image. */
  transform?: Transform;
  /** 1 (grayscale) or 3 (RGB, the default, as torchvision's loader converts to RGB). */
  channels?: 1 | 3;
  /** Resize on load: `[h, w]`, or the smaller edge to a number (bilinear, torchvision's rule). */
  size?: number | readonly [number, number];
  /** Extensions to include (default `.png`, `.jpg`, `.jpeg`). */
  extensions?: readonly string[];
  /** Largest image accepted, in pixels (see `readImage`; default 4096 x 4096). */
  maxPixels?: number;
}

const NOT_NODE = 'decode images with tg.data.decodeImage(bytes) and use a TensorDataset';
const nodeFs = () => nodeBuiltin('node:fs', 'ImageFolder', NOT_NODE);
const nodePath = () => nodeBuiltin('node:path', 'ImageFolder', NOT_NODE);

function isDir(path: string): boolean {
  const { statSync } = nodeFs();
  try {
    return statSync(path).isDirectory(); // stat, not lstat: follows symlinks like torchvision
  } catch {
    return false;
  }
}

/** Folder nesting ImageFolder follows below a class folder (deeper is surely a mistake or a link loop). */
const MAX_DEPTH = 32;

/**
 * Image files under `dir` (recursively), sorted by path. Symlinks are followed
 * (as torchvision), but a folder already on the current path (a link cycle) is
 * an error rather than an endless recursion.
 */
function listImages(dir: string, exts: readonly string[], ancestors: string[] = []): string[] {
  const { readdirSync, realpathSync } = nodeFs(), { extname, join } = nodePath();
  let names: string[], real: string;
  try {
    real = realpathSync(dir);
    names = readdirSync(dir);
  } catch (e) {
    throw new TensorError(`ImageFolder: cannot read folder ${dir}: ${(e as Error).message}`);
  }
  if (ancestors.includes(real)) throw new TensorError(`ImageFolder: ${dir} links back to its own parent folder ${real} (a symlink cycle)`);
  if (ancestors.length >= MAX_DEPTH) throw new TensorError(`ImageFolder: ${dir} is nested more than ${MAX_DEPTH} folders deep`);
  const out: string[] = [];
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (isDir(p)) out.push(...listImages(p, exts, [...ancestors, real]));
    else if (exts.includes(extname(name).toLowerCase())) out.push(p);
  }
  return out;
}

/**
 * A labelled image dataset laid out as `root/<class>/<image>.png|jpg|jpeg`
 * (torchvision.datasets.ImageFolder). Class folders are sorted by name (code
 * point order, like Python's `sorted`), and label `i` is the i-th class; images
 * are found recursively inside each class folder and also sorted. Images are
 * decoded on `get`, not up front.
 *
 * Items: `[image, label]` with image float32 `[C, H, W]` in [0, 1] (after
 * `transform`) and label a number; the DataLoader's default collate makes
 * batches `[N, C, H, W]` and int32 `[N]`.
 * @example
 * const ds = new tg.data.ImageFolder('data/digits', { channels: 1, size: [28, 28] });
 * ds.classes;          // ['0', '1', ..., '9']
 * const [x, y] = ds.get(0);
 */
export class ImageFolder implements Dataset<[Tensor, number]> {
  /** Class names, sorted. */
  readonly classes: string[];
  /** Class name -> label. */
  readonly classToIdx: Record<string, number>;
  /** `[path, label]` of every image, in order. */
  readonly samples: [string, number][];
  /** The label of every image, in order. */
  readonly targets: number[];
  private readonly opts: ImageFolderOptions;

  /** Lists the files at once (images are read in get); throws a TensorError on an unreadable root, no class folders or a class without images. */
  constructor(
    /** The folder holding one sub-folder per class (`root/<class>/<image>`). */
    readonly root: string,
    opts: ImageFolderOptions = {},
  ) {
    if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3) {
      throw new TensorError(`ImageFolder: channels must be 1 or 3 (got ${String(opts.channels)})`);
    }
    const exts = (opts.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
    const { readdirSync } = nodeFs(), { join } = nodePath();
    let names: string[];
    try {
      names = readdirSync(root);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TensorError(`ImageFolder: cannot read root ${root}: ${code === 'ENOENT' ? 'no such folder' : (e as Error).message}`);
    }
    this.classes = names.filter((n) => isDir(join(root, n))).sort();
    if (this.classes.length === 0) {
      throw new TensorError(`ImageFolder: no class folders in ${root} (expected ${root}/<class>/<image>${exts.join('|')})`);
    }
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
    const perClass = this.classes.map((c) => listImages(join(root, c), exts));
    this.samples = perClass.flatMap((paths, i) => paths.map((p): [string, number] => [p, i]));
    const empty = this.classes.filter((_, i) => perClass[i]!.length === 0);
    if (empty.length > 0) {
      throw new TensorError(`ImageFolder: found no image files for the classes ${empty.join(', ')} in ${root} (supported extensions: ${exts.join(', ')})`);
    }
    this.targets = this.samples.map(([, y]) => y);
    this.opts = { ...opts, channels: opts.channels ?? 3 };
  }

  /** Number of images found (over all classes). */
  get length(): number {
    return this.samples.length;
  }

  /**
   * Reads image `i` from disk: `[image, label]`, the image float32 `[C, H, W]` in [0, 1]
   * (resized if `size`, then `transform` applied), the label its class index.
   * Throws a TensorError unless i is an integer in [0, length), or if the file cannot be decoded.
   * @example const [x, y] = ds.get(0);   // x [3, H, W], y 0
   */
  get(i: number): [Tensor, number] {
    checkIndex('ImageFolder.get', i, this.samples.length);
    const [path, label] = this.samples[i]!;
    const { channels, size, transform, maxPixels } = this.opts;
    const image = readImage(path, { channels, size, maxPixels });
    return [transform ? transform(image) : image, label];
  }
}
