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
 * Hyper-parameters for batch size `B`, from a reference at `B0`, with `r = B/B0`, so that
 * two things measured in samples stay the same (DESIGN §6):
 *
 * 1. the momentum's half-life: `m_B = m0^r`, so `m_B` applied `B0/B` times decays as
 *    much as `m0` once;
 * 2. each sample's total contribution to the weights. With the mean gradient of a
 *    batch and PyTorch-form momentum (`v ← m·v + g`, `w ← w − η·v`), one sample's
 *    gradient `g` enters a batch's mean as `g/B` and is then carried by the velocity
 *    for ever, moving the weights by `η/(B·(1 − m))·g` in all; keeping that fixed gives
 *    the learning rate below (≈ `η0·r²` for `m` near 1).
 *
 * ```
 * m_B = m0^r
 * η_B = η0 · r · (1 − m_B)/(1 − m0)
 * λ_B = λ0                                 (weight decay per sample, unchanged)
 * schedule_B(s) = c·schedule0(s),  c = η_B/η0   (same shape in samples; values scale like η)
 * ```
 *
 * (The shorter `η_B = η0·r` keeps (2) only for damped momentum `v ← m·v + (1 − m)·g`;
 * with PyTorch-form momentum it makes `B = 1` about 120 times more aggressive than the
 * reference at `B0 = 128`, `m0 = 0.9`.)
 *
 * @example
 * const ref = { batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };
 * scaleHyperparameters(ref, 1); // { batchSize: 1, lr: ≈6.43e-6, momentum: ≈0.999177, weightDecay: 5e-4 }
 * // either way one sample moves the weights by η/(B·(1 − m))·g ≈ 7.8e-3·g in all
 * @throws when a batch size is not a positive number or the reference momentum is outside `[0, 1)`.
 */
export function scaleHyperparameters(reference: HyperParameters, batchSize: number): HyperParameters {
  for (const [what, b] of [['reference batch size', reference.batchSize], ['batch size', batchSize]] as const) {
    if (!(b > 0) || !Number.isFinite(b)) throw new Error(`scaleHyperparameters: ${what} must be a finite number > 0, got ${b}`);
  }
  checkMomentum('scaleHyperparameters', reference.momentum);
  const r = batchSize / reference.batchSize;
  const m0 = reference.momentum;
  const momentum = m0 ** r;
  const c = (r * (1 - momentum)) / (1 - m0);
  const scaled: HyperParameters = { batchSize, lr: reference.lr * c, momentum, weightDecay: reference.weightDecay };
  const schedule = reference.schedule;
  if (schedule !== undefined) scaled.schedule = r === 1 ? schedule : (samples) => c * schedule(samples);
  return scaled;
}
