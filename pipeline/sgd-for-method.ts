/**
 * The SGD chain a method trains with: momentum SGD as the hyper-parameters say, changed
 * as the method's mitigation asks (`Mitigation.optimizer`): Spike Compensation in place
 * of momentum for SC, PipeMare's warm-up appended for PipeMare.
 *
 * @module
 */
import { chain, sgd, type GradientTransform, type Schedule as LrSchedule } from '../optim/index.js';
import { resolveMethod, type MethodSpec } from './methods.js';

/** Hyper-parameters of {@link sgdForMethod}. */
export interface SgdHyperParameters {
  /** Learning rate, or a schedule in samples. */
  lr: number | LrSchedule;
  /** Momentum `m` (default 0). */
  momentum?: number;
  /** Weight decay `λ` (default 0). */
  weightDecay?: number;
}

/**
 * `chain(addWeightDecay(λ), momentum(m) or spikeCompensation(m), scaleByLearningRate(η),
 * …the mitigation's appended transforms)`. SC needs momentum: with `m = 0` the chain
 * is plain SGD whatever the mitigation.
 *
 * @example
 * sgdForMethod('pb+sc+lwp', { lr: 0.01, momentum: 0.9 }); // SC in place of momentum
 * sgdForMethod('pipemare', { lr: 0.01, momentum: 0.9 });  // momentum, then the warm-up
 */
export function sgdForMethod(method: MethodSpec | string, hp: SgdHyperParameters): GradientTransform {
  const spec = typeof method === 'string' ? resolveMethod(method) : method;
  const { spikeCompensation = false, append = [] } = spec.mitigation.optimizer;
  const momentum = hp.momentum ?? 0;
  const base = sgd({ lr: hp.lr, momentum, weightDecay: hp.weightDecay ?? 0, spikeCompensation: spikeCompensation && momentum > 0 });
  return append.length === 0 ? base : chain(base, ...append);
}
