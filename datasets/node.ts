/**
 * The Node-only part of datasets: MNIST (IDX files, plain or gzipped) and CIFAR-10/100
 * (binary files) read from disk, and {@link loadDataset} over every data set by name.
 * Kept out of `datasets/index.ts` so that the rest of datasets runs in a browser too.
 *
 * @example
 * import { loadDataset } from 'pipegrad/datasets/node';
 * const digits = loadDataset('mnist', { split: 'test', limit: 1000 });
 *
 * @module datasets/node
 */
export { readIdx } from './idx-file.js';
export { loadMnist, mnistDataDir, type MnistOptions } from './mnist-file.js';
export { CIFAR_IMAGE_BYTES, loadCifar10, loadCifar100, type Cifar100Options } from './cifar.js';
export { datasetNames, fileDatasets, loadDataset } from './file-registry.js';
