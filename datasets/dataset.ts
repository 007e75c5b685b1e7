/**
 * The in-memory data set that every reader and generator in `datasets/` returns.
 *
 * A data set is plain typed arrays, sample-major: sample `i` occupies
 * `inputs[i * size .. (i + 1) * size)` where `size` is the product of `sampleShape`.
 * It knows nothing of tensors, so the layers above decide when (and on which backend)
 * the numbers become a `Tensor`.
 *
 * @module
 */

/**
 * A fixed collection of samples held in memory.
 *
 * Classification sets carry `labels` and `numClasses`; regression sets carry `targets`
 * and `targetShape`. Images are stored channel-first, `[C, H, W]`.
 *
 * @example
 * const ds = spirals({ n: 200, seed: 1 });
 * ds.inputs.length === ds.length * sampleSize(ds); // true
 */
export interface Dataset {
  /** A short identifier for logs and reports, e.g. `mnist-train`. */
  name: string;
  /** All inputs, sample-major, `length × sampleShape` values. */
  inputs: Float32Array;
  /** The shape of one input sample, e.g. `[1, 28, 28]` for MNIST or `[2]` for spirals. */
  sampleShape: number[];
  /** The number of samples. */
  length: number;
  /** One class index per sample, in `0 .. numClasses - 1` (classification sets). */
  labels?: Int32Array;
  /** All targets, sample-major, `length × targetShape` values (regression sets). */
  targets?: Float32Array;
  /** The shape of one target sample (regression sets). */
  targetShape?: number[];
  /** The number of classes (classification sets). */
  numClasses?: number;
}

/** The number of values in one sample of a shape: the product of its dimensions. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The number of input values in one sample of `ds`. */
export function sampleSize(ds: Dataset): number {
  return shapeSize(ds.sampleShape);
}

/**
 * Samples `start .. end - 1` of `ds` as a new data set whose arrays are views into the
 * original (no copy). `end` is clamped to `ds.length`.
 *
 * Synthetic sets draw their samples one after another, so a held-out split of the
 * same task is a slice of a longer draw.
 *
 * @example
 * const all = blobs({ n: 1200, seed: 3 });
 * const train = slice(all, 0, 1000);
 * const test = slice(all, 1000, 1200);
 */
export function slice(ds: Dataset, start: number, end: number = ds.length): Dataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new Error(`slice(${ds.name}): need integers 0 <= start <= end, got start ${start}, end ${end}`);
  }
  const stop = Math.min(end, ds.length);
  const from = Math.min(start, stop);
  const size = sampleSize(ds);
  const out: Dataset = {
    ...ds,
    inputs: ds.inputs.subarray(from * size, stop * size),
    length: stop - from,
  };
  if (ds.labels) out.labels = ds.labels.subarray(from, stop);
  if (ds.targets && ds.targetShape) {
    const targetSize = shapeSize(ds.targetShape);
    out.targets = ds.targets.subarray(from * targetSize, stop * targetSize);
  }
  return out;
}

/**
 * The first `limit` samples of `ds` (all of them when `limit` is undefined or at least
 * `ds.length`), as views into the original arrays.
 *
 * @example
 * const small = subset(loadMnist('train'), 1000); // for a quick run
 */
export function subset(ds: Dataset, limit?: number): Dataset {
  if (limit === undefined) return ds;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`subset(${ds.name}): limit must be a positive integer, got ${limit}`);
  }
  return slice(ds, 0, limit);
}

/**
 * How many samples of each class `ds` holds: entry `k` counts the samples labelled `k`.
 * Throws for a data set without labels.
 */
export function classCounts(ds: Dataset): Int32Array {
  if (!ds.labels || ds.numClasses === undefined) {
    throw new Error(`classCounts(${ds.name}): the data set has no labels (it is not a classification set)`);
  }
  const counts = new Int32Array(ds.numClasses);
  for (let i = 0; i < ds.labels.length; i++) counts[ds.labels[i]]++;
  return counts;
}
