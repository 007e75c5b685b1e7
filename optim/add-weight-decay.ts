/**
 * Weight decay as a transform: add `λ·w` to the incoming updates.
 *
 * @module
 */
import { axpby, Tensor } from '../core/index.js';
import { mapTensors } from './map-tensors.js';
import { checkGradients, type GradientTransform, type Params } from './transform.js';

/** Options of {@link addWeightDecay}. */
export interface WeightDecayOptions {
  /** Which parameters are decayed (default: all). Those left out pass through unchanged. */
  mask?: (name: string) => boolean;
}

/**
 * `u' = u + λ·w` for each parameter `w` the mask selects.
 *
 * Placed before momentum (on the gradient `g`), this is L2 regularization of the loss
 * `λ/2·‖w‖²`; placed after a normalizing transform such as Adam it is decoupled weight
 * decay (AdamW). With `λ = 0` the updates pass through as the same tensors.
 *
 * @param weightDecay `λ ≥ 0`
 * @example
 * // no decay on biases or norm parameters:
 * addWeightDecay(5e-4, { mask: (name) => name.endsWith('.weight') });
 * @throws when `λ` is negative or not finite.
 */
export function addWeightDecay(weightDecay: number, options: WeightDecayOptions = {}): GradientTransform<undefined> {
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) {
    throw new Error(`addWeightDecay: weight decay must be a finite number >= 0, got ${weightDecay}`);
  }
  const { mask } = options;
  return {
    init: () => undefined,
    update(grads: Params, state: undefined, params: Params) {
      checkGradients('addWeightDecay', grads, params);
      if (weightDecay === 0) return { updates: grads, state };
      const selected = mask === undefined ? grads : new Map([...grads].filter(([name]) => mask(name)));
      const decayed = mapTensors((g, w) => new Tensor(axpby(1, g, weightDecay, w), g.shape), selected, params);
      // Parameters the mask leaves out pass through as the same tensors, in the gradients' order.
      const updates: Params = new Map([...grads].map(([name, g]) => [name, decayed.get(name) ?? g]));
      return { updates, state };
    },
  };
}
