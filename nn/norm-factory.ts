/**
 * Choosing the normalization of a model: one option (`norm`) decides which layer
 * follows every convolution (or hidden linear layer) of a model family.
 *
 * - `'group'`: {@link GroupNorm} with `gcd(groups, C)` groups (default `groups = 2`),
 *   per-channel γ, β. Two groups is pipegrad's choice for batch size one: the CIFAR
 *   networks start with only 16 channels, and two groups keep at least eight channels
 *   (times every spatial position) in each statistic, close to LayerNorm — which trains
 *   well at batch size one — while the two halves of the channels are still scaled
 *   independently. Taking the gcd makes every width multiplier valid.
 * - `'batch'`: {@link BatchNorm2d}, per-channel γ, β and running statistics (batched baselines).
 * - `'layer'`: {@link LayerNorm} over the whole sample `[C, H, W]` (or `[F]`), with
 *   PyTorch's per-element γ, β — so its parameter count depends on the input size.
 * - `'none'`: {@link Identity}; the preceding layer then gets a bias.
 *
 * With `'group'` and `'batch'` a model's parameter count is the textbook one
 * (ResNet-20: 269,722).
 *
 * @module
 */
import { checkOptions } from '../core/index.js';
import { BatchNorm2d } from './layers/batch-norm.js';
import { GroupNorm } from './layers/group-norm.js';
import { Identity } from './layers/activations.js';
import { LayerNorm } from './layers/layer-norm.js';
import type { Module } from './module.js';

/** Which normalization a model uses. */
export type NormKind = 'group' | 'batch' | 'layer' | 'none';

/** The valid {@link NormKind}s. */
export const NORM_KINDS: readonly NormKind[] = ['group', 'batch', 'layer', 'none'];

/** Makes the normalization layers of one model. */
export interface NormFactory {
  /** The kind every layer it makes has. */
  readonly kind: NormKind;
  /**
   * The normalization of an activation with `channels` channels and spatial size
   * `spatial` (`[H, W]`, or `[]` for features `[N, F]`).
   */
  make(channels: number, spatial: readonly number[]): Module;
}

/** Options of {@link normFactory}. */
export interface NormFactoryOptions {
  /** The requested number of GroupNorm groups (default 2); a layer with C channels uses `gcd(groups, C)`. */
  groups?: number;
}

/**
 * The factory for `kind`.
 *
 * @throws naming the valid kinds when `kind` is unknown.
 * @example
 * normFactory('group').make(16, [32, 32]); // GroupNorm(2, 16)
 */
export function normFactory(kind: NormKind, options: NormFactoryOptions = {}): NormFactory {
  if (!NORM_KINDS.includes(kind)) throw new Error(`normFactory: unknown norm '${kind}'; valid: ${NORM_KINDS.join(', ')}`);
  checkOptions('normFactory', options, ['groups']);
  const groups = options.groups ?? 2;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`normFactory: groups must be a positive integer, got ${groups}`);
  const make = (channels: number, spatial: readonly number[]): Module => {
    switch (kind) {
      case 'group':
        return new GroupNorm(gcd(groups, channels), channels);
      case 'batch':
        return new BatchNorm2d(channels);
      case 'layer':
        return new LayerNorm([channels, ...spatial]);
      case 'none':
        return new Identity();
    }
  };
  return { kind, make };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
