/**
 * The data layer: readers for MNIST (IDX) and CIFAR-10/100 (binary), synthetic sets,
 * and a loader that shuffles, augments, normalizes and batches. Everything is plain
 * typed arrays; nothing here depends on `Tensor`.
 *
 * @example
 * import { loadDataset, channelStats, DataLoader } from './datasets/index.js';
 * const train = loadDataset('mnist', { split: 'train' });
 * const loader = new DataLoader(train, { batchSize: 1, seed: 0, normalize: channelStats(train) });
 *
 * @module
 */
export { classCounts, sampleSize, shapeSize, slice, subset, type Dataset } from './dataset.js';
export { isGzip, parseIdx, readIdx, type IdxArray, type IdxData, type IdxDtype } from './idx.js';
export { loadMnist, mnistDataDir, MNIST_IMAGES_MAGIC, MNIST_LABELS_MAGIC, type MnistOptions } from './mnist.js';
export { CIFAR_IMAGE_BYTES, loadCifar10, loadCifar100, type Cifar100Options } from './cifar.js';
export {
  blobs,
  spirals,
  teacher,
  type BlobsOptions,
  type SpiralsOptions,
  type TeacherOptions,
} from './synthetic.js';
export { channelStats, checkChannelStats, normalizeInPlace, type ChannelStats } from './normalize.js';
export { applyCropFlip, checkAugmentOptions, drawCropFlip, type AugmentOptions, type CropFlip } from './augment.js';
export { DataLoader, type Batch, type LoaderOptions } from './loader.js';
export { datasetNames, loadDataset, type LoadOptions } from './registry.js';
