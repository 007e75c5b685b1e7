/**
 * Layer normalization (Ba et al., 2016), as PyTorch defines it: statistics over the
 * trailing `normalizedShape` axes of each sample, and an affine map with one `γ` and
 * one `β` **per element** of `normalizedShape`.
 *
 * For an NCHW activation use `normalizedShape = [C, H, W]` (statistics over the whole
 * sample; `γ, β` are `[C, H, W]`); for features `[N, F]` use `[F]`. The per-element
 * affine map makes the parameter count depend on the spatial size — a per-channel
 * alternative is `GroupNorm(1, C)`.
 *
 * @module
 */
import { checkOptions, type Tensor } from '../../core/index.js';
import { checkSize } from './check-size.js';
import { Normalization, standardize, type NormalizationOptions } from './normalization.js';

/**
 * Normalize the trailing axes `normalizedShape` of each sample; `γ, β` have that shape.
 *
 * @example
 * new LayerNorm([16, 32, 32]).forward(x); // x: [1,16,32,32]
 * new LayerNorm(128).forward(h);          // h: [N,128]
 */
export class LayerNorm extends Normalization {
  /** The trailing shape normalized over (and the shape of γ and β). */
  readonly normalizedShape: number[];

  constructor(normalizedShape: number | readonly number[], options: NormalizationOptions = {}) {
    checkOptions('LayerNorm', options, ['eps', 'affine']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new Error('LayerNorm: normalizedShape must have at least one axis');
    for (const d of shape) checkSize('LayerNorm', 'every size of normalizedShape', d);
    super(shape, options);
    this.normalizedShape = shape;
  }

  /** Standardize over the trailing axes, then apply the per-element affine map. */
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - k);
    if (x.ndim <= k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new Error(`LayerNorm([${this.normalizedShape.join(',')}]): input [${x.shape.join(',')}] must end in [${this.normalizedShape.join(',')}] after a batch axis`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const { normalized } = standardize(x, axes, this.eps);
    return this.scaleAndShift(normalized, this.normalizedShape);
  }
}
