/**
 * Batches of a {@link Dataset}, shuffled, augmented and normalized, as plain arrays.
 *
 * Everything random is a pure function of `(seed, epoch)`: epoch `e` visits the samples
 * in a permutation drawn from its own stream, and sample `i` in epoch `e` is augmented
 * from a stream keyed by `(seed, e, i)`. So the same seed gives the same batches on
 * every run, a batch can be asked for out of order, and the augmentation of a sample
 * does not depend on the batch size.
 *
 * Per sample the loader copies the input, augments the copy (on raw pixels), then
 * normalizes it; the data set's own arrays are never written.
 *
 * @module
 */
import { Rng } from '../core/random.js';
import { sampleSize, shapeSize, subset, type Dataset } from './dataset.js';
import { applyCropFlip, checkAugmentOptions, drawCropFlip, type AugmentOptions } from './augment.js';
import { checkChannelStats, normalizeInPlace, type ChannelStats } from './normalize.js';

/** One batch: `B` consecutive samples of the epoch's order. */
export interface Batch {
  /** The inputs, sample-major, `shape` values. */
  inputs: Float32Array;
  /** `[B, ...sampleShape]`; `B` is the batch size except in a last, partial batch. */
  shape: number[];
  /** The class of each sample (classification sets). */
  labels?: Int32Array;
  /** The targets, sample-major, `B × targetShape` values (regression sets). */
  targets?: Float32Array;
  /** The index in the data set of each sample of the batch. */
  indices: Int32Array;
}

/** Options of a {@link DataLoader}. */
export interface LoaderOptions {
  /** Samples per batch, at least 1; the last batch of an epoch holds what is left. */
  batchSize: number;
  /** Visit the samples in a fresh seeded permutation every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling and augmentation streams (default 0). */
  seed?: number;
  /** Normalize each channel as `(x − mean[c]) / std[c]`; see {@link channelStats}. */
  normalize?: ChannelStats;
  /** Random crop and horizontal flip for `[C, H, W]` images: `true` for pad 4 and flips (default off). */
  augment?: boolean | AugmentOptions;
  /** Use only the first `limit` samples of the data set. */
  limit?: number;
}

/** Stream keys, so that shuffling and augmentation never share random numbers. */
const SHUFFLE_STREAM = 1;
const AUGMENT_STREAM = 2;

/**
 * Serves a data set in batches, epoch after epoch.
 *
 * @example
 * const train = loadMnist('train');
 * const loader = new DataLoader(train, { batchSize: 32, seed: 1, normalize: channelStats(train) });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const batch of loader.batches(epoch)) {
 *     batch.shape; // [32, 1, 28, 28], the last one [16, 1, 28, 28]
 *   }
 * }
 */
export class DataLoader {
  /** The data set served (after `limit`). */
  readonly dataset: Dataset;
  /** Samples per full batch. */
  readonly batchSize: number;
  private readonly shuffle: boolean;
  private readonly seed: number;
  private readonly normalize?: ChannelStats;
  private readonly augment?: AugmentOptions;
  private cachedOrder?: { epoch: number; order: Int32Array };

  /** @param dataset the samples to serve; it is never modified. */
  constructor(dataset: Dataset, opts: LoaderOptions) {
    const { batchSize, shuffle = true, seed = 0, normalize, augment = false, limit } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader(${dataset.name}): batchSize must be an integer >= 1, got ${batchSize}`);
    }
    if (!Number.isFinite(seed)) throw new Error(`DataLoader(${dataset.name}): seed must be a finite number, got ${seed}`);
    this.dataset = subset(dataset, limit);
    if (this.dataset.length === 0) throw new Error(`DataLoader(${dataset.name}): the data set is empty`);
    if (normalize) checkChannelStats(normalize, dataset.sampleShape);
    if (augment && dataset.sampleShape.length !== 3) {
      throw new Error(
        `DataLoader(${dataset.name}): augmentation needs [C, H, W] samples, got sampleShape [${dataset.sampleShape.join(', ')}]`,
      );
    }
    this.augment = augment === true ? {} : augment || undefined;
    if (this.augment) checkAugmentOptions(this.augment);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.normalize = normalize;
  }

  /** The number of samples served per epoch. */
  get length(): number {
    return this.dataset.length;
  }

  /** The number of batches per epoch, counting a last partial batch: `⌈length / batchSize⌉`. */
  get batchesPerEpoch(): number {
    return Math.ceil(this.dataset.length / this.batchSize);
  }

  /** The order in which epoch `epoch` visits the sample indices (the identity when not shuffling). */
  order(epoch: number): Int32Array {
    return this.epochOrder(epoch).slice();
  }

  /** Batch number `b` (from 0) of epoch `epoch`. */
  batch(epoch: number, b: number): Batch {
    if (!Number.isInteger(b) || b < 0 || b >= this.batchesPerEpoch) {
      throw new Error(`DataLoader(${this.dataset.name}): batch ${b} does not exist; an epoch has ${this.batchesPerEpoch} batches`);
    }
    const start = b * this.batchSize;
    const indices = this.epochOrder(epoch).slice(start, Math.min(start + this.batchSize, this.length));
    return this.gather(epoch, indices);
  }

  /** The batches of epoch `epoch`, in order. */
  *batches(epoch: number): Generator<Batch> {
    for (let b = 0; b < this.batchesPerEpoch; b++) yield this.batch(epoch, b);
  }

  /** The order of `epoch`, kept for the last epoch asked so that each batch does not redraw it. */
  private epochOrder(epoch: number): Int32Array {
    checkEpoch(epoch);
    if (this.cachedOrder?.epoch !== epoch) {
      const n = this.dataset.length;
      const order = this.shuffle
        ? derivedRng(this.seed, epoch, SHUFFLE_STREAM).permutation(n)
        : Int32Array.from({ length: n }, (_, i) => i);
      this.cachedOrder = { epoch, order };
    }
    return this.cachedOrder.order;
  }

  /** Copies the samples `indices` into a new batch, augmenting and normalizing the copy. */
  private gather(epoch: number, indices: Int32Array): Batch {
    const ds = this.dataset;
    const size = sampleSize(ds);
    const inputs = new Float32Array(indices.length * size);
    indices.forEach((index, j) => {
      const sample = ds.inputs.subarray(index * size, (index + 1) * size);
      const out = inputs.subarray(j * size, (j + 1) * size);
      if (this.augment) {
        const t = drawCropFlip(derivedRng(this.seed, epoch, AUGMENT_STREAM, index), this.augment);
        applyCropFlip(sample, out, ds.sampleShape, t);
      } else {
        out.set(sample);
      }
    });
    if (this.normalize) normalizeInPlace(inputs, ds.sampleShape, this.normalize);
    const batch: Batch = { inputs, shape: [indices.length, ...ds.sampleShape], indices };
    const labels = ds.labels;
    if (labels) batch.labels = Int32Array.from(indices, (i) => labels[i]);
    const { targets, targetShape } = ds;
    if (targets && targetShape) {
      const targetSize = shapeSize(targetShape);
      const out = new Float32Array(indices.length * targetSize);
      indices.forEach((i, j) => out.set(targets.subarray(i * targetSize, (i + 1) * targetSize), j * targetSize));
      batch.targets = out;
    }
    return batch;
  }
}

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`DataLoader: epoch must be an integer >= 0, got ${epoch}`);
}

/** A generator whose stream is a pure function of `keys` (each mixed in with the murmur3 finalizer). */
function derivedRng(...keys: number[]): Rng {
  let h = 0;
  for (const key of keys) h = fmix32((h ^ Math.trunc(key)) >>> 0) + 0x9e3779b9;
  return new Rng(fmix32(h >>> 0));
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
