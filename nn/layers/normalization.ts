/**
 * What the normalization layers share: standardizing over some axes, and the
 * per-channel (or per-element) affine map that follows.
 *
 * Every normalization computes, over its set of axes `A`,
 *
 * ```
 * μ = mean_A(x)      σ² = mean_A((x − μ)²)      x̂ = (x − μ) / √(σ² + ε)
 * y = γ ⊙ x̂ + β
 * ```
 *
 * with the biased variance (divide by the count), as PyTorch does. The layers differ
 * only in `A` and in the shape of `γ, β`: GroupNorm (channel groups of one sample),
 * LayerNorm (the trailing axes of one sample), BatchNorm (the batch and the spatial
 * axes of one channel). Everything is composed from core ops, so autodiff supplies
 * the backward pass.
 *
 * @module
 */
import { add, div, mean, mul, ones, reshape, sqrt, square, sub, type Tensor, zeros } from '../../core/index.js';
import { Module } from '../module.js';

/** The statistics of a standardization, kept on the tape. */
export interface Standardized {
  /** `(x − μ) / √(σ² + ε)`. */
  normalized: Tensor;
  /** `μ`, with the reduced axes kept (size 1). */
  mean: Tensor;
  /** `σ²` (biased), with the reduced axes kept. */
  variance: Tensor;
}

/** Standardize `x` over `axes` to zero mean and unit (biased) variance. */
export function standardize(x: Tensor, axes: readonly number[], eps: number): Standardized {
  const mu = mean(x, axes, true);
  const centered = sub(x, mu);
  const variance = mean(square(centered), axes, true);
  return { normalized: div(centered, sqrt(add(variance, eps))), mean: mu, variance };
}

/** Options shared by the normalization layers. */
export interface NormalizationOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Whether to learn the scale `γ` (init 1) and shift `β` (init 0) (default true). */
  affine?: boolean;
}

/**
 * Base of the normalization layers: owns `weight` (γ) and `bias` (β) of
 * `affineShape`, and applies them. In a pipeline a normalization joins the unit of
 * the layer before it.
 */
export abstract class Normalization extends Module {
  /** The ε added to the variance. */
  readonly eps: number;
  /** The scale γ, or null without affine parameters. */
  weight: Tensor | null = null;
  /** The shift β, or null without affine parameters. */
  bias: Tensor | null = null;

  constructor(affineShape: readonly number[], options: NormalizationOptions) {
    super();
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new Error(`${this.constructor.name}: eps must be positive, got ${this.eps}`);
    if (options.affine ?? true) {
      this.weight = this.registerParameter('weight', ones(affineShape));
      this.bias = this.registerParameter('bias', zeros(affineShape));
    }
  }

  /** Normalizations belong with the layer they normalize. */
  override get joinsPrecedingUnit(): boolean {
    return true;
  }

  /** `γ ⊙ x̂ + β`, with γ and β viewed as `broadcastShape` (identity without affine parameters). */
  protected scaleAndShift(normalized: Tensor, broadcastShape: readonly number[]): Tensor {
    if (this.weight === null || this.bias === null) return normalized;
    return add(mul(normalized, reshape(this.weight, broadcastShape)), reshape(this.bias, broadcastShape));
  }
}

/** `[1, C, 1, ...]` for an input of `shape`: a per-channel tensor that broadcasts over it. */
export function channelShape(shape: readonly number[]): number[] {
  return shape.map((d, i) => (i === 1 ? d : 1));
}
