/**
 * `--dataset` for the commands: the named datasets of src/data/named-datasets.ts,
 * with mistakes reported in the CLI's own words (flag names, UserError).
 */
import {
  DATASETS, DATASET_NAMES, loadDataset as loadNamedDataset, normalizeImages, resizeImages,
  type LoadedDataset, type LoadOptions as DataLoadOptions, type Normalization, type Split,
} from '../data/named-datasets.js';
import { UserError } from './errors.js';

export { DATASET_NAMES, normalizeImages, resizeImages, type LoadedDataset, type Normalization, type Split };

export interface LoadOptions extends DataLoadOptions {
  /** Refuse subsets larger than the split (the CLI's --train-subset / --test-subset); default false: use all. */
  strictSubsets?: boolean;
}

/**
 * Loads a dataset by name, resized to the model and normalised; unknown names,
 * a missing --data-dir and (with strictSubsets) subsets larger than the data
 * are UserErrors naming the flag.
 * @example const data = loadDataset('mnist', { trainSubset: 600, testSubset: 100, strictSubsets: true });
 */
export function loadDataset(name: string, opts: LoadOptions = {}): LoadedDataset {
  const spec = DATASETS[name];
  if (!spec) throw new UserError(`unknown dataset '${name}' (available: ${DATASET_NAMES.join(', ')})`);
  if (spec.needsDir && !opts.dataDir) throw new UserError(`dataset '${name}' needs --data-dir pointing at its files`);
  const { strictSubsets, ...rest } = opts;
  const data = loadNamedDataset(name, rest);
  if (strictSubsets) {
    // Never silently clamped: asking for more than there is is a mistake in the command line.
    for (const split of opts.splits ?? ['train', 'test']) {
      const asked = split === 'train' ? opts.trainSubset : opts.testSubset;
      if (asked !== undefined && asked > data.available[split]) {
        throw new UserError(`--${split}-subset ${asked} is more than the ${data.available[split]} ${split === 'train' ? 'training' : 'test'} images of the dataset`);
      }
    }
  }
  return data;
}
