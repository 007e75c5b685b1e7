/**
 * Heavy-ball momentum (PyTorch form), and the one loop that momentum, Nesterov and
 * Spike Compensation share.
 *
 * All three keep a velocity `v` and differ only in how the update mixes `v` and `g`:
 *
 * ```
 * v ← m·v + g
 * u = a·v + b·g        momentum: a = 1, b = 0     Nesterov: a = m, b = 1
 *                      SC:       a = m^D, b = (1 − m^D)/(1 − m)
 * ```
 *
 * Writing them once means `D = 0` SC *is* momentum and `D = 1` SC *is* Nesterov, to
 * the last bit.
 *
 * @module
 */
import { axpby, Tensor } from '../core/index.js';
import { mapTensors } from './map-tensors.js';
import { checkGradients, checkState, zerosLike, type GradientTransform, type Params, type UpdateContext } from './transform.js';

/** The state of the momentum family: the velocity `v`, one tensor per parameter (`v₀ = 0`). */
export interface MomentumState {
  /** The momentum buffer `v`. */
  velocity: Params;
}

/** The mixing coefficients of `u = a·v + b·g` for one update. */
export interface MomentumMix {
  /** Weight of the new velocity `v`. */
  a: number;
  /** Weight of the gradient `g`. */
  b: number;
}

/**
 * A momentum-family transform: `v ← m·v + g`, `u = a·v + b·g` with `(a, b) = mix(ctx)`.
 * When `a = 1, b = 0` the update is the velocity tensor itself (no second buffer).
 *
 * @param who the transform's name, for error messages
 * @param m momentum, in `[0, 1)`
 * @param mix the coefficients for the update being computed
 * @throws when `m` is outside `[0, 1)`.
 */
export function momentumFamily(who: string, m: number, mix: (ctx: UpdateContext) => MomentumMix): GradientTransform<MomentumState> {
  checkMomentum(who, m);
  return {
    init: (params: Params) => ({ velocity: zerosLike(params) }),
    update(grads: Params, state: MomentumState, params: Params, ctx: UpdateContext) {
      checkGradients(who, grads, params);
      checkState(who, state.velocity, grads);
      const { a, b } = mix(ctx);
      // v ← m·v + g
      const velocity = mapTensors((g, old) => new Tensor(axpby(m, old, 1, g), g.shape), grads, state.velocity);
      if (a === 1 && b === 0) return { updates: velocity, state: { velocity } };
      // u = a·v + b·g
      const updates = mapTensors((v, g) => new Tensor(axpby(a, v, b, g), g.shape), velocity, grads);
      return { updates, state: { velocity } };
    },
    velocity: (state: MomentumState) => state.velocity,
  };
}

/**
 * Heavy-ball momentum, PyTorch form with no dampening:
 * `v ← m·v + g`, `u = v` (so the first update is `g`, as `v₀ = 0`).
 * Followed by `scaleByLearningRate(η)` this is `w ← w − η·v`.
 *
 * @param m momentum, in `[0, 1)`; `m = 0` passes the gradient through
 * @example
 * chain(momentum(0.9), scaleByLearningRate(0.1));
 * @throws when `m` is outside `[0, 1)`.
 */
export function momentum(m: number): GradientTransform<MomentumState> {
  return momentumFamily('momentum', m, () => ({ a: 1, b: 0 }));
}

/** Throw one line unless `0 ≤ m < 1`. */
export function checkMomentum(who: string, m: number): void {
  if (!(m >= 0 && m < 1)) throw new Error(`${who}: momentum must be in [0, 1), got ${m}`);
}
