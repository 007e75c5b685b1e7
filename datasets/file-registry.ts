/**
 * All data sets by name, the synthetic ones and those read from files (`mnist`,
 * `cifar10`, `cifar100`). Node only (it reads files); the registry mechanism and the
 * synthetic sets are in `registry.ts`, which runs anywhere.
 *
 * @module
 */
import { loadCifar10, loadCifar100 } from './cifar.js';
import type { Dataset } from './dataset.js';
import { loadMnist } from './mnist-file.js';
import { loadFrom, syntheticDatasets, type LoadOptions, type SplitLoader } from './registry.js';

function requireDir(name: string, opts: LoadOptions, source: string): string {
  if (opts.dir === undefined) throw new Error(`loadDataset('${name}'): opts.dir is required: the folder of ${source}`);
  return opts.dir;
}

/** The data sets read from files, by name: `mnist`, `cifar10`, `cifar100`. */
export const fileDatasets: Readonly<Record<string, SplitLoader>> = {
  mnist: (split, opts) => loadMnist(split, { dir: opts.dir }),
  cifar10: (split, opts) =>
    loadCifar10(requireDir('cifar10', opts, 'the unpacked binary version of CIFAR-10 (cifar-10-binary.tar.gz)'), split),
  cifar100: (split, opts) =>
    loadCifar100(requireDir('cifar100', opts, 'the unpacked binary version of CIFAR-100 (cifar-100-binary.tar.gz)'), split, {
      labels: opts.labels,
    }),
};

const allDatasets: Readonly<Record<string, SplitLoader>> = { ...syntheticDatasets, ...fileDatasets };

/** The names {@link loadDataset} accepts. */
export const datasetNames: readonly string[] = Object.keys(allDatasets);

/**
 * Loads the data set called `name` (one of {@link datasetNames}).
 *
 * @example
 * const train = loadDataset('spirals', { n: 800, noise: 0.05, seed: 1 });
 * const test = loadDataset('spirals', { n: 800, noise: 0.05, seed: 1, split: 'test' });
 * const digits = loadDataset('mnist', { split: 'test', limit: 1000 });
 */
export function loadDataset(name: string, opts: LoadOptions = {}): Dataset {
  return loadFrom(allDatasets, name, opts);
}
