/**
 * Stochastic gradient descent, with the momentum variants and weight decay, as one chain.
 *
 * @module
 */
import { addWeightDecay } from './add-weight-decay.js';
import { chain } from './chain.js';
import { momentum as heavyBall } from './momentum.js';
import { nesterov as nesterovMomentum } from './nesterov.js';
import { scaleByLearningRate } from './scale-by-learning-rate.js';
import type { Schedule } from './schedules.js';
import { spikeCompensation as sc } from './spike-compensation.js';
import type { GradientTransform } from './transform.js';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** The learning rate `η`, a number or a schedule in samples. */
  lr: number | Schedule;
  /** Momentum `m` in `[0, 1)` (default 0). */
  momentum?: number;
  /** Use Nesterov momentum (default false). */
  nesterov?: boolean;
  /** Use Spike Compensation with the stage's delay from the update context (default false). */
  spikeCompensation?: boolean;
  /** L2 weight decay `λ`, added to the gradient (default 0). */
  weightDecay?: number;
  /** Which parameters are decayed (default: all). */
  weightDecayMask?: (name: string) => boolean;
}

/**
 * SGD as PyTorch computes it:
 *
 * ```
 * g ← g + λ·w
 * v ← m·v + g
 * w ← w − η·v              (nesterov: w ← w − η·(g + m·v);  SC: w ← w − η·(m^D·v + (1 − m^D)/(1 − m)·g))
 * ```
 *
 * i.e. `chain(addWeightDecay(λ), momentum(m) | nesterov(m) | spikeCompensation({momentum: m}), scaleByLearningRate(η))`.
 * With `m = 0` and neither flag the middle member is left out (plain SGD keeps no
 * velocity), so the learning-rate scaling is `chain.1`.
 *
 * @example
 * sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
 * sgd({ lr: cosine(0.01, 10_000_000), momentum: 0.999, spikeCompensation: true });
 * @throws when both `nesterov` and `spikeCompensation` are set, or `m` is outside `[0, 1)`.
 */
export function sgd(options: SgdOptions): GradientTransform<unknown[]> {
  const { lr, momentum = 0, nesterov = false, spikeCompensation = false, weightDecay = 0, weightDecayMask } = options;
  if (nesterov && spikeCompensation) throw new Error('sgd: choose nesterov or spikeCompensation, not both (SC with D = 1 is Nesterov)');
  const decay = addWeightDecay(weightDecay, { mask: weightDecayMask });
  const step = scaleByLearningRate(lr);
  if (spikeCompensation) return chain(decay, sc({ momentum }), step);
  if (nesterov) return chain(decay, nesterovMomentum(momentum), step);
  if (momentum !== 0) return chain(decay, heavyBall(momentum), step);
  return chain(decay, step);
}
