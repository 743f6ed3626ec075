/**
 * `tg.data`: datasets, batching and image transforms (torch.utils.data plus the
 * torchvision datasets/transforms a CNN course needs), and image/IDX file I/O.
 * @example
 * const { images, labels } = tg.data.loadMnist({ split: 'train' });
 * const loader = new tg.data.DataLoader(new tg.data.TensorDataset(images, labels), { batchSize: 64, shuffle: true });
 * for (const [x, y] of loader) { ... }
 */
export { type Dataset, TensorDataset, Subset, randomSplit, permutation, type RandomSplitOptions } from './dataset.js';
export { defaultCollate, type Collated } from './collate.js';
export { DataLoader, type DataLoaderOptions } from './loader.js';
export {
  type Transform, type RandomTransformOptions, type RandomCropOptions, type RandomAffineOptions,
  compose, normalize, randomCrop, randomHorizontalFlip, randomVerticalFlip, randomAffine, resize, toTensor,
} from './transforms.js';
export { resizeBilinear } from './resize.js';
export { readIdx, encodeIdx, DEFAULT_MAX_IDX_BYTES, type IdxFile, type IdxType, type IdxData, type ReadIdxOptions } from './idx.js';
export {
  loadMnist, loadFashionMnist, loadIdxDataset, mnistDataDir, FASHION_MNIST_CLASSES,
  type ImageLabelSet, type MnistOptions, type IdxDatasetOptions,
} from './mnist.js';
export { loadCifar10, CIFAR10_CLASSES, type CifarOptions } from './cifar.js';
export { ImageFolder, IMAGE_EXTENSIONS, type ImageFolderOptions } from './image-folder.js';
export { readImage, decodeImage, writePng, encodePng, DEFAULT_MAX_IMAGE_PIXELS, type ReadImageOptions } from './image-io.js';
