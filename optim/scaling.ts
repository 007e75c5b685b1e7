/**
 * Batch-size scaling rules (DESIGN §6): reuse hyper-parameters tuned at a reference
 * batch size `B0` at another batch size `B`, down to `B = 1` for fine-grained PB.
 *
 * @module
 */
import { checkMomentum } from './momentum.js';
import type { Schedule } from './schedules.js';

/** Hyper-parameters of momentum SGD at one batch size. */
export interface HyperParameters {
  /** The batch size they are meant for. */
  batchSize: number;
  /** Learning rate `η`. */
  lr: number;
  /** Momentum `m`, in `[0, 1)`. */
  momentum: number;
  /** Weight decay `λ`. */
  weightDecay: number;
  /** A learning-rate schedule in samples (its values are learning rates, so they include `η`). */
  schedule?: Schedule;
}

/**
 * Hyper-parameters for batch size `B`, from a reference at `B0`, with `r = B/B0`:
 *
 * ```
 * η_B = η0·r          (the same step size per sample)
 * m_B = m0^r          (the momentum's half-life stays the same number of samples)
 * λ_B = λ0            (unchanged)
 * schedule_B(s) = r·schedule0(s)   (same shape in samples; values scale like η)
 * ```
 *
 * @example
 * const ref = { batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };
 * scaleHyperparameters(ref, 1); // { batchSize: 1, lr: 0.00078125, momentum: ≈0.999177, weightDecay: 5e-4 }
 * @throws when a batch size is not a positive number or the reference momentum is outside `[0, 1)`.
 */
export function scaleHyperparameters(reference: HyperParameters, batchSize: number): HyperParameters {
  for (const [what, b] of [['reference batch size', reference.batchSize], ['batch size', batchSize]] as const) {
    if (!(b > 0) || !Number.isFinite(b)) throw new Error(`scaleHyperparameters: ${what} must be a finite number > 0, got ${b}`);
  }
  checkMomentum('scaleHyperparameters', reference.momentum);
  const r = batchSize / reference.batchSize;
  const scaled: HyperParameters = {
    batchSize,
    lr: reference.lr * r,
    momentum: reference.momentum ** r,
    weightDecay: reference.weightDecay,
  };
  const schedule = reference.schedule;
  if (schedule !== undefined) scaled.schedule = r === 1 ? schedule : (samples) => r * schedule(samples);
  return scaled;
}
