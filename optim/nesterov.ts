/**
 * Nesterov momentum, PyTorch form.
 *
 * @module
 */
import { momentumFamily, type MomentumState } from './momentum.js';
import type { GradientTransform } from './transform.js';

/**
 * Nesterov momentum as PyTorch computes it: `v ← m·v + g`, `u = g + m·v` (with the
 * new `v`). It looks one momentum step ahead; Spike Compensation with delay `D = 1`
 * is exactly this.
 *
 * @param m momentum, in `[0, 1)`
 * @example
 * chain(nesterov(0.9), scaleByLearningRate(0.1));
 * @throws when `m` is outside `[0, 1)`.
 */
export function nesterov(m: number): GradientTransform<MomentumState> {
  return momentumFamily('nesterov', m, () => ({ a: m, b: 1 }));
}
