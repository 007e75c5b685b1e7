/**
 * Batch normalization (Ioffe & Szegedy, 2015) for batched baselines.
 *
 * In training each channel is standardized with the statistics of the current batch
 * (over the batch and spatial axes), and running estimates are kept:
 *
 * ```
 * running_mean ← (1 − m)·running_mean + m·μ_B
 * running_var  ← (1 − m)·running_var  + m·σ²_B · n/(n − 1)     (unbiased, n values per channel)
 * ```
 *
 * with momentum `m = 0.1` (PyTorch's convention). In evaluation the running estimates
 * are used instead. The running buffers are **rebound** to new tensors at each training
 * step, never written in place (DESIGN §3). At batch size one with a 1×1 image there
 * is a single value per channel and no variance to estimate: that is an error, and the
 * reason pipelined training uses GroupNorm.
 *
 * @module
 */
import { add, checkOptions, div, mul, noGrad, ones, reshape, sqrt, sub, type Tensor, zeros } from '../../core/index.js';
import { checkSize } from './check-size.js';
import { channelShape, Normalization, standardize, type NormalizationOptions } from './normalization.js';

/** Options of {@link BatchNorm2d}. */
export interface BatchNormOptions extends NormalizationOptions {
  /** Weight of the newest batch in the running estimates (default 0.1). */
  momentum?: number;
}

/**
 * Per-channel batch normalization of `[N, C, H, W]` (or `[N, C]`, like PyTorch's
 * BatchNorm1d); `γ, β` and the running buffers `runningMean`, `runningVar` are `[C]`.
 */
export class BatchNorm2d extends Normalization {
  /** Number of channels. */
  readonly channels: number;
  /** Weight of the newest batch in the running estimates. */
  readonly momentum: number;
  /** Running estimate of each channel's mean (init 0). */
  runningMean: Tensor;
  /** Running estimate of each channel's variance (init 1). */
  runningVar: Tensor;

  constructor(channels: number, options: BatchNormOptions = {}) {
    checkOptions('BatchNorm2d', options, ['eps', 'affine', 'momentum']);
    checkSize('BatchNorm2d', 'channels', channels);
    super([channels], options);
    this.channels = channels;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`BatchNorm2d: momentum must be in [0, 1], got ${this.momentum}`);
    this.runningMean = this.registerBuffer('runningMean', zeros([channels]));
    this.runningVar = this.registerBuffer('runningVar', ones([channels]));
  }

  /** Normalize with batch statistics (training, updating the running ones) or running statistics (evaluation). */
  forward(x: Tensor): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 4) || x.shape[1] !== this.channels) {
      throw new Error(`BatchNorm2d(${this.channels}): input must be [N, ${this.channels}, H, W] or [N, ${this.channels}], got [${x.shape.join(',')}]`);
    }
    const perChannel = channelShape(x.shape);
    if (!this.training) {
      const normalized = div(sub(x, reshape(this.runningMean, perChannel)), sqrt(add(reshape(this.runningVar, perChannel), this.eps)));
      return this.scaleAndShift(normalized, perChannel);
    }
    const axes = x.ndim === 4 ? [0, 2, 3] : [0];
    const n = x.size / this.channels;
    if (n < 2) {
      throw new Error(`BatchNorm2d(${this.channels}): training needs more than one value per channel, got input [${x.shape.join(',')}]; use GroupNorm at batch size one`);
    }
    const { normalized, mean, variance } = standardize(x, axes, this.eps);
    noGrad(() => {
      const m = this.momentum;
      const batchMean = reshape(mean.detach(), [this.channels]);
      const unbiased = mul(reshape(variance.detach(), [this.channels]), n / (n - 1));
      this.setBuffer('runningMean', add(mul(this.runningMean, 1 - m), mul(batchMean, m)));
      this.setBuffer('runningVar', add(mul(this.runningVar, 1 - m), mul(unbiased, m)));
    });
    return this.scaleAndShift(normalized, perChannel);
  }
}
