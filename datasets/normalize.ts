/**
 * Per-channel input normalization, `x' = (x − mean[c]) / std[c]`.
 *
 * The channel of a value is its index along the first axis of `sampleShape`: the colour
 * channel of a `[C, H, W]` image, or the feature of a flat `[D]` sample (each feature is
 * then normalized on its own).
 *
 * @module
 */
import { sampleSize, shapeSize, type Dataset } from './dataset.js';

/** The mean and standard deviation of each channel. */
export interface ChannelStats {
  /** `mean[c]`: the mean of all values of channel `c`. */
  mean: ArrayLike<number>;
  /** `std[c]`: the standard deviation of channel `c`; every entry must be > 0 to normalize. */
  std: ArrayLike<number>;
}

/**
 * The mean and (population) standard deviation of every channel of `ds`, over all
 * samples and positions: `mean[c] = Σ x / N`, `std[c] = √(Σ (x − mean[c])² / N)`.
 * Compute it on the training split and use it for every split.
 *
 * @example
 * const stats = channelStats(loadMnist('train')); // mean ≈ [0.1307], std ≈ [0.3081]
 * new DataLoader(train, { batchSize: 64, normalize: stats });
 */
export function channelStats(ds: Dataset): ChannelStats {
  const channels = ds.sampleShape[0];
  const inner = sampleSize(ds) / channels;
  const count = ds.length * inner;
  if (count === 0) throw new Error(`channelStats(${ds.name}): the data set is empty`);
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const at = (i: number, c: number): number => (i * channels + c) * inner;
  for (let i = 0; i < ds.length; i++) {
    for (let c = 0; c < channels; c++) {
      for (let k = at(i, c), end = k + inner; k < end; k++) sum[c] += ds.inputs[k];
    }
  }
  const mean = sum.map((s) => s / count);
  // Second pass around the mean: no cancellation, unlike E[x²] − E[x]².
  for (let i = 0; i < ds.length; i++) {
    for (let c = 0; c < channels; c++) {
      for (let k = at(i, c), end = k + inner; k < end; k++) squares[c] += (ds.inputs[k] - mean[c]) ** 2;
    }
  }
  return { mean: Float32Array.from(mean), std: Float32Array.from(squares, (s) => Math.sqrt(s / count)) };
}

/**
 * Throws a one-line error unless `stats` has one finite mean and one positive std per
 * channel of `sampleShape`.
 */
export function checkChannelStats(stats: ChannelStats, sampleShape: readonly number[]): void {
  const channels = sampleShape[0];
  if (stats.mean.length !== channels || stats.std.length !== channels) {
    throw new Error(
      `normalize: need one mean and one std per channel (${channels} for sampleShape [${sampleShape.join(', ')}]), ` +
        `got ${stats.mean.length} means and ${stats.std.length} stds`,
    );
  }
  for (let c = 0; c < channels; c++) {
    if (!Number.isFinite(stats.mean[c]) || !(stats.std[c] > 0) || !Number.isFinite(stats.std[c])) {
      throw new Error(`normalize: channel ${c} has mean ${stats.mean[c]} and std ${stats.std[c]}; need a finite mean and std > 0`);
    }
  }
}

/**
 * Normalizes `samples` (consecutive samples of `sampleShape`) in place.
 * Call it on a copy: a data set's own arrays stay unnormalized.
 */
export function normalizeInPlace(samples: Float32Array, sampleShape: readonly number[], stats: ChannelStats): void {
  const channels = sampleShape[0];
  const inner = shapeSize(sampleShape.slice(1));
  for (let start = 0; start < samples.length; start += inner) {
    const c = (start / inner) % channels;
    const mean = stats.mean[c];
    const std = stats.std[c];
    for (let k = start, end = start + inner; k < end; k++) samples[k] = (samples[k] - mean) / std;
  }
}
