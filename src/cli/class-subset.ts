/**
 * `--classes 5,6,7,8,9` and `--per-class k` of `train` and `finetune`: keep
 * some classes of a dataset, relabelled 0..k-1 in the order given, and
 * optionally only the first k training images of each (few-shot). A run
 * trained this way records the kept classes in config.json ("datasetClasses"),
 * so `eval` and `viz` select the same classes of the test set.
 */
import { noGrad } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import { indexSelect } from '../ops/indexing.js';
import type { LoadedDataset, Split } from './datasets.js';
import { UserError } from './errors.js';

/**
 * Parses `--classes`: a comma-separated list of class indices or names of
 * the dataset (`5,6,7` or `cat,dog`), each at most once, at least one.
 * @example parseClassList('5,6,7,8,9', MNIST_CLASSES) // [5, 6, 7, 8, 9]
 */
export function parseClassList(text: string, names: readonly string[], flag = '--classes'): number[] {
  const items = String(text).split(',').map((s) => s.trim());
  if (!items.length || items.some((s) => s === '')) throw new UserError(`${flag} must be a comma-separated list of classes, e.g. 0,1,2 (got '${text}')`);
  const out: number[] = [];
  for (const item of items) {
    const byName = names.indexOf(item);
    const index = byName >= 0 ? byName : /^\d+$/.test(item) ? Number(item) : NaN;
    if (!(index >= 0 && index < names.length)) {
      throw new UserError(`${flag}: '${item}' is not a class of the dataset (indices 0 to ${names.length - 1}, or names: ${names.join(', ')})`);
    }
    if (out.includes(index)) throw new UserError(`${flag}: class '${item}' is listed twice`);
    out.push(index);
  }
  return out;
}

/**
 * The samples of `split` whose label is in `classes`, relabelled to their
 * position in `classes`; with `perClass`, only the first that many of each
 * class (in dataset order). Images are copied (indexSelect).
 * @example selectClasses(data.test, [5, 6, 7, 8, 9]).labels // values 0..4
 */
export function selectClasses(split: Split, classes: readonly number[], perClass = Infinity): Split {
  const labels = split.labels.data();
  const position = new Map(classes.map((c, i) => [c, i]));
  const counts = new Array<number>(classes.length).fill(0);
  const picked: number[] = [];
  const relabelled: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const k = position.get(labels[i]!);
    if (k === undefined || counts[k]! >= perClass) continue;
    counts[k]!++;
    picked.push(i);
    relabelled.push(k);
  }
  const index = tensor(picked, { dtype: 'int32' });
  return {
    images: noGrad(() => indexSelect(split.images, 0, index)),
    labels: tensor(relabelled, { dtype: 'int32' }),
  };
}

/**
 * `data` restricted to `classes` (both splits; `perClass` limits the training
 * split only) with the kept class names; an empty training split or a class
 * with fewer than `perClass` training images is a UserError naming the flags.
 * @example subsetDataset(loadDataset('mnist'), [5, 6, 7, 8, 9], 10) // 50 training images, classes ['5', ..., '9']
 */
export function subsetDataset(data: LoadedDataset, classes: readonly number[], perClass?: number): LoadedDataset {
  const train = selectClasses(data.train, classes, perClass ?? Infinity);
  const test = selectClasses(data.test, classes);
  if (data.available.train > 0) {
    const counts = new Array<number>(classes.length).fill(0);
    for (const y of train.labels.data()) counts[y]!++;
    const short = classes.filter((_, i) => counts[i]! === 0 || (perClass !== undefined && counts[i]! < perClass));
    if (short.length) {
      const names = short.map((c) => `'${data.classes[c]}' (${counts[classes.indexOf(c)]})`).join(', ');
      throw new UserError(`too few training images of class ${names}${perClass !== undefined ? ` for --per-class ${perClass}` : ''}; use a larger --train-subset or other --classes`);
    }
  }
  return { ...data, classes: classes.map((c) => data.classes[c]!), train, test };
}
