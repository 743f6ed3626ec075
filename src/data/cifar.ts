import { TensorError } from '../core/errors.js';
import { nodeBuiltin } from '../util/node.js';
import { tensor } from '../tensor/create.js';
import type { ImageLabelSet } from './mnist.js';

const NOT_NODE = 'fetch the batch files and build tensors with tg.tensor';

/** Bytes per record of the CIFAR-10 binary format: 1 label + 3x32x32 pixels. */
const RECORD = 1 + 3 * 32 * 32;
/** Largest batch file read: 100000 records (the official batches hold 10000). */
const MAX_BATCH_BYTES = 100_000 * RECORD;

/** CIFAR-10 class names, by label. */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** Options of {@link loadCifar10}. */
export interface CifarOptions {
  /**
   * Folder with the binary batches (`data_batch_1.bin` .. `data_batch_5.bin`,
   * `test_batch.bin`), directly or in the `cifar-10-batches-bin` folder that the
   * official `cifar-10-binary.tar.gz` extracts to.
   */
  root: string;
  /** 'train' (the five data batches, 50000 images) or 'test' (10000); default 'train'. */
  split?: 'train' | 'test';
}

/**
 * CIFAR-10 from the official binary format: images `[N, 3, 32, 32]` float32 in
 * [0, 1], labels `[N]` int32 in 0..9 (names in `CIFAR10_CLASSES`).
 * Each record is 1 label byte then 3072 pixel bytes, already planar (1024 R,
 * 1024 G, 1024 B, rows top to bottom), so it maps straight onto CHW.
 * @example
 * const { images, labels } = tg.data.loadCifar10({ root: 'data', split: 'test' });  // [10000,3,32,32]
 */
export function loadCifar10(opts: CifarOptions): ImageLabelSet {
  const { root, split = 'train' } = opts ?? {};
  if (typeof root !== 'string') throw new TensorError('loadCifar10: root is required (the folder with data_batch_1.bin ... test_batch.bin)');
  if (split !== 'train' && split !== 'test') {
    throw new TensorError(`loadCifar10: split must be 'train' or 'test' (got ${JSON.stringify(split)})`);
  }
  const { existsSync } = nodeBuiltin('node:fs', 'loadCifar10', NOT_NODE);
  const { join } = nodeBuiltin('node:path', 'loadCifar10', NOT_NODE);
  const names = split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const nested = join(root, 'cifar-10-batches-bin');
  const dir = !existsSync(join(root, names[0]!)) && existsSync(join(nested, names[0]!)) ? nested : root;
  const files = names.map((name) => readBatch(join(dir, name)));

  const n = files.reduce((a, f) => a + f.length / RECORD, 0);
  const pixels = new Float32Array(n * (RECORD - 1));
  const labels = new Int32Array(n);
  let k = 0;
  for (const [fi, bytes] of files.entries()) {
    for (let at = 0; at < bytes.length; at += RECORD, k++) {
      const label = bytes[at]!;
      if (label > 9) {
        throw new TensorError(`loadCifar10: ${join(dir, names[fi]!)}: record ${at / RECORD} has label ${label}, outside 0..9 (is this a CIFAR-100 file?)`);
      }
      labels[k] = label;
      const base = k * (RECORD - 1);
      for (let p = 1; p < RECORD; p++) pixels[base + p - 1] = bytes[at + p]! / 255;
    }
  }
  return {
    images: tensor(pixels, { shape: [n, 3, 32, 32] }),
    labels: tensor(labels, { dtype: 'int32' }),
  };
}

/** Reads one batch file, checking that it holds whole records. */
function readBatch(path: string): Uint8Array {
  const { readFileSync, statSync } = nodeBuiltin('node:fs', 'loadCifar10', NOT_NODE);
  let bytes: Uint8Array;
  try {
    // Check the size before reading: a batch holds whole records, 10000 of them in the official files.
    const size = statSync(path).size;
    if (size === 0 || size % RECORD !== 0) {
      throw new TensorError(`loadCifar10: ${path}: size ${size} bytes is not a positive multiple of the ${RECORD}-byte record (1 label + 3072 pixels); truncated or not a CIFAR-10 binary batch`);
    }
    if (size > MAX_BATCH_BYTES) throw new TensorError(`loadCifar10: ${path}: ${size / RECORD} records is more than the ${MAX_BATCH_BYTES / RECORD} a CIFAR-10 batch file may hold (the official ones hold 10000)`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof TensorError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new TensorError(`loadCifar10: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new TensorError(`loadCifar10: ${path}: size ${bytes.length} bytes is not a positive multiple of the ${RECORD}-byte record (1 label + 3072 pixels); truncated or not a CIFAR-10 binary batch`);
  }
  return bytes;
}
