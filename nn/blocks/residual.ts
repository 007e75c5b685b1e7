/**
 * What the residual blocks share: their options, the output size of their strided
 * 3×3 convolution, and zeroing the end of their branch.
 *
 * @module
 */
import type { Rng } from '../../core/index.js';
import { zeroParameter, type Initializer } from '../init.js';
import { Normalization } from '../layers/normalization.js';
import type { Module } from '../module.js';
import type { NormFactory } from '../norm-factory.js';

/** Options of {@link BasicBlock} and {@link Bottleneck}. */
export interface BlockOptions {
  /** The generator for the initial weights. */
  rng: Rng;
  /** Makes the block's normalizations. */
  norm: NormFactory;
  /** The spatial size `[H, W]` of the block's input (LayerNorm needs it). */
  inputSize: readonly [number, number];
  /** How to draw the convolution weights (default: Kaiming normal, fan_in, ReLU gain). */
  init?: Initializer;
}

/** Spatial size after a 3×3 convolution with padding 1 (or a 1×1 without) and stride `s`: `⌊(H − 1)/s⌋ + 1`. */
export function stridedSize([h, w]: readonly [number, number], stride: number): [number, number] {
  return [Math.floor((h - 1) / stride) + 1, Math.floor((w - 1) / stride) + 1];
}

/**
 * Zero the last scale of a residual branch: the normalization's γ, or, when the
 * branch has no normalization with a scale, the last convolution's weight.
 */
export function zeroBranchEnd(norm: Module, conv: Module): void {
  if (norm instanceof Normalization && norm.weight !== null) zeroParameter(norm, 'weight');
  else zeroParameter(conv, 'weight');
}
