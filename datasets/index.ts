/**
 * The data layer, the part that runs anywhere (Node or a browser): the `Dataset` shape,
 * synthetic sets, parsers of the IDX (MNIST) format from bytes, and a loader that
 * shuffles, augments, normalizes and batches. Everything is plain typed arrays; nothing
 * here depends on `Tensor`. Reading MNIST and CIFAR from files is in `datasets/node.ts`.
 *
 * @example
 * import { spirals, channelStats, DataLoader } from 'pipegrad/datasets';
 * const train = spirals({ n: 400, seed: 0 });
 * const loader = new DataLoader(train, { batchSize: 1, seed: 0, normalize: channelStats(train) });
 *
 * @module
 */
export { classCounts, sampleSize, shapeSize, slice, subset, type Dataset } from './dataset.js';
export { isGzip, parseIdx, type IdxArray, type IdxData, type IdxDtype } from './idx.js';
export { mnistFromIdx, MNIST_FILE_STEMS, MNIST_IMAGES_MAGIC, MNIST_LABELS_MAGIC } from './mnist.js';
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
export { loadFrom, syntheticDatasets, type LoadOptions, type SplitLoader } from './registry.js';
