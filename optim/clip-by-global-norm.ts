/**
 * Gradient clipping by the norm of all gradients together.
 *
 * @module
 */
import { checkGradients, scaleTensors, type GradientTransform, type Params } from './transform.js';

/**
 * Rescale all updates together so their global norm is at most `c`:
 * `‖u‖ = sqrt(Σ_tensors Σ_i u_i²)`; when `‖u‖ > c`, `u' = u·c/‖u‖`, else the updates
 * pass through as the same tensors. The direction never changes.
 *
 * @param maxNorm `c > 0`
 * @example
 * chain(clipByGlobalNorm(1), momentum(0.9), scaleByLearningRate(0.1));
 * @throws when `c` is not a positive finite number.
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransform<undefined> {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipByGlobalNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  return {
    init: () => undefined,
    update(grads: Params, state: undefined, params: Params) {
      checkGradients('clipByGlobalNorm', grads, params);
      const norm = globalNorm(grads);
      if (!(norm > maxNorm)) return { updates: grads, state };
      return { updates: scaleTensors(grads, maxNorm / norm), state };
    },
  };
}

/** The global norm `sqrt(Σ_tensors Σ_i u_i²)` of a set of tensors, summed in float64. */
export function globalNorm(tensors: Params): number {
  let sq = 0;
  for (const t of tensors.values()) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) sq += d[i] * d[i];
  }
  return Math.sqrt(sq);
}
