/**
 * Spike Compensation (SC), DESIGN §6: momentum that knows the gradient is `D` updates late.
 *
 * In momentum SGD a gradient `g` applied at step 0 moves the weights by `η·m^k·g` at
 * every step `k`. In a pipeline, stage `s` receives the gradient `D = D_s` updates late,
 * so the first `D + 1` of those contributions are missing at arrival and the rest come
 * late. SC applies, at arrival, what undelayed momentum would have applied by then, and
 * afterwards lets it decay exactly as it would have:
 *
 * ```
 * v ← m·v + g
 * u = a·v + b·g,   a = m^D,   b = (1 − m^D)/(1 − m)
 *
 * at arrival:          a + b = 1 + m + … + m^D
 * k steps after:       a·m^k = m^(D+k)
 * ```
 *
 * `D = 0` is plain momentum, `D = 1` is Nesterov, and `m = 0` makes the update `g`
 * (plain SGD) whatever `D` is. SC *replaces* `momentum` in a chain: it keeps the velocity
 * itself.
 *
 * @module
 */
import { checkMomentum, momentumFamily, type MomentumState } from './momentum.js';
import type { GradientTransform } from './transform.js';

/** Options of {@link spikeCompensation}. */
export interface SpikeCompensationOptions {
  /** Momentum `m`, in `[0, 1)`. */
  momentum: number;
}

/**
 * Spike Compensation: `v ← m·v + g`, `u = m^D·v + (1 − m^D)/(1 − m)·g`, with
 * `D = ctx.delay ?? 0` read at every update (so one transform serves any stage).
 * Use it in place of `momentum(m)`; it exposes the velocity for weight prediction.
 *
 * @example
 * // per-stage SGD with SC; the pipeline passes { delay: D_s } in the update context
 * chain(addWeightDecay(5e-4), spikeCompensation({ momentum: 0.9 }), scaleByLearningRate(0.01));
 * @throws when `m` is outside `[0, 1)`; at update time when `ctx.delay` is negative or not finite.
 */
export function spikeCompensation(options: SpikeCompensationOptions): GradientTransform<MomentumState> {
  const m = options.momentum;
  checkMomentum('spikeCompensation', m);
  return momentumFamily('spikeCompensation', m, (ctx) => {
    const delay = ctx.delay ?? 0;
    if (!(delay >= 0) || !Number.isFinite(delay)) throw new Error(`spikeCompensation: delay must be a finite number >= 0, got ${delay}`);
    const a = m ** delay;
    return { a, b: (1 - a) / (1 - m) };
  });
}
