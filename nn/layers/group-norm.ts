/**
 * Group normalization (Wu & He, 2018): statistics over groups of channels of one
 * sample, so it works at batch size one — the normalization pipelined training uses.
 *
 * For `x` of shape `[N, C, *]` with `G` groups, each sample's channels are split into
 * `G` groups of `C/G` consecutive channels; each group is standardized over its
 * channels and all spatial positions, then scaled and shifted per channel.
 * `G = 1` is LayerNorm with per-channel affine; `G = C` is InstanceNorm.
 *
 * @module
 */
import { checkOptions, reshape, type Tensor } from '../../core/index.js';
import { checkSize } from './check-size.js';
import { channelShape, Normalization, standardize, type NormalizationOptions } from './normalization.js';

/**
 * Normalize each of `groups` channel groups of each sample; per-channel `γ, β` of shape `[C]`.
 *
 * @example
 * new GroupNorm(2, 16).forward(x); // x: [1,16,32,32], statistics over 8 channels × 32×32
 */
export class GroupNorm extends Normalization {
  /** Number of channel groups. */
  readonly groups: number;
  /** Number of channels. */
  readonly channels: number;

  constructor(groups: number, channels: number, options: NormalizationOptions = {}) {
    checkOptions('GroupNorm', options, ['eps', 'affine']);
    checkSize('GroupNorm', 'groups', groups);
    checkSize('GroupNorm', 'channels', channels);
    if (channels % groups !== 0) throw new Error(`GroupNorm: groups (${groups}) must divide channels (${channels})`);
    super([channels], options);
    this.groups = groups;
    this.channels = channels;
  }

  /** Standardize each group of each sample, then apply the per-channel affine map. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.channels) {
      throw new Error(`GroupNorm(${this.groups}, ${this.channels}): input must be [N, ${this.channels}, ...], got [${x.shape.join(',')}]`);
    }
    const grouped = reshape(x, [x.shape[0], this.groups, -1]);
    const { normalized } = standardize(grouped, [2], this.eps);
    return this.scaleAndShift(reshape(normalized, x.shape), channelShape(x.shape));
  }
}
