/**
 * Adam (Kingma & Ba) as a transform, and the ready-made Adam and AdamW chains.
 *
 * @module
 */
import { Tensor } from '../core/index.js';
import { addWeightDecay } from './add-weight-decay.js';
import { chain } from './chain.js';
import { scaleByLearningRate } from './scale-by-learning-rate.js';
import type { Schedule } from './schedules.js';
import { mapTensors } from './map-tensors.js';
import { allocateLike, checkGradients, checkState, zerosLike, type GradientTransform, type Params, type UpdateContext } from './transform.js';

/** Adam's state: the first and second moment estimates, one tensor each per parameter (both 0 at first). */
export interface AdamState {
  /** First moment `μ`, an EMA of `g`. */
  mu: Params;
  /** Second moment `ν`, an EMA of `g²`. */
  nu: Params;
}

/** Options of {@link scaleByAdam}. */
export interface AdamOptions {
  /** Decay of the first moment, in `[0, 1)` (default 0.9). */
  b1?: number;
  /** Decay of the second moment, in `[0, 1)` (default 0.999). */
  b2?: number;
  /** Added to `sqrt(ν̂)` so the division is safe (default 1e-8). */
  eps?: number;
}

/**
 * Adam's direction, without the learning rate. With `t = ctx.step + 1`:
 *
 * ```
 * μ ← b1·μ + (1 − b1)·g          μ̂ = μ/(1 − b1^t)
 * ν ← b2·ν + (1 − b2)·g²         ν̂ = ν/(1 − b2^t)
 * u = μ̂ / (sqrt(ν̂) + ε)
 * ```
 *
 * The step count comes from the context, not the state, so the state is tensors only.
 *
 * @example
 * chain(scaleByAdam({ b1: 0.9, b2: 0.999 }), scaleByLearningRate(1e-3));
 * @throws when `b1` or `b2` is outside `[0, 1)` or `ε` is negative.
 */
export function scaleByAdam(options: AdamOptions = {}): GradientTransform<AdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options;
  if (!(b1 >= 0 && b1 < 1)) throw new Error(`scaleByAdam: b1 must be in [0, 1), got ${b1}`);
  if (!(b2 >= 0 && b2 < 1)) throw new Error(`scaleByAdam: b2 must be in [0, 1), got ${b2}`);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new Error(`scaleByAdam: eps must be a finite number >= 0, got ${eps}`);
  return {
    init: (params: Params) => ({ mu: zerosLike(params), nu: zerosLike(params) }),
    update(grads: Params, state: AdamState, params: Params, ctx: UpdateContext) {
      checkGradients('scaleByAdam', grads, params);
      const t = ctx.step + 1;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      checkState('scaleByAdam', state.mu, grads);
      checkState('scaleByAdam', state.nu, grads);
      // μ ← b1·μ + (1 − b1)·g
      const mu = mapTensors((g, old) => {
        const gd = g.data;
        const md = old.data;
        const m = allocateLike(old);
        for (let i = 0; i < m.length; i++) m[i] = b1 * md[i] + (1 - b1) * gd[i];
        return new Tensor(m, g.shape);
      }, grads, state.mu);
      // ν ← b2·ν + (1 − b2)·g²
      const nu = mapTensors((g, old) => {
        const gd = g.data;
        const nd = old.data;
        const n = allocateLike(old);
        for (let i = 0; i < n.length; i++) n[i] = b2 * nd[i] + (1 - b2) * gd[i] * gd[i];
        return new Tensor(n, g.shape);
      }, grads, state.nu);
      // u = μ̂/(√ν̂ + ε)
      const updates = mapTensors((g, m, n) => {
        const md = m.data;
        const nd = n.data;
        const out = allocateLike(g);
        for (let i = 0; i < out.length; i++) out[i] = md[i] / c1 / (Math.sqrt(nd[i] / c2) + eps);
        return new Tensor(out, g.shape);
      }, grads, mu, nu);
      return { updates, state: { mu, nu } };
    },
  };
}

/** Options of {@link adam} and {@link adamw}. */
export interface AdamChainOptions extends AdamOptions {
  /** The learning rate `η`, a number or a schedule in samples. */
  lr: number | Schedule;
  /** Weight decay `λ` (default 0 for `adam`, 0.01 for `adamw`). */
  weightDecay?: number;
  /** Which parameters are decayed (default: all). */
  weightDecayMask?: (name: string) => boolean;
}

/**
 * Adam with L2 regularization: the decay is added to the gradient before the moments,
 * `chain(addWeightDecay(λ), scaleByAdam(…), scaleByLearningRate(η))`, so
 * `w ← w − η·adam(g + λ·w)`.
 *
 * @example
 * const opt = new Optimizer(adam({ lr: 1e-3 }), params);
 */
export function adam(options: AdamChainOptions): GradientTransform<unknown[]> {
  const { lr, weightDecay = 0, weightDecayMask, ...moments } = options;
  return chain(addWeightDecay(weightDecay, { mask: weightDecayMask }), scaleByAdam(moments), scaleByLearningRate(lr));
}

/**
 * AdamW, decoupled weight decay (Loshchilov & Hutter): the decay skips the moments,
 * `chain(scaleByAdam(…), addWeightDecay(λ), scaleByLearningRate(η))`, so
 * `w ← w − η·(adam(g) + λ·w)`.
 *
 * @example
 * const opt = new Optimizer(adamw({ lr: 1e-3, weightDecay: 0.05 }), params);
 */
export function adamw(options: AdamChainOptions): GradientTransform<unknown[]> {
  const { lr, weightDecay = 0.01, weightDecayMask, ...moments } = options;
  return chain(scaleByAdam(moments), addWeightDecay(weightDecay, { mask: weightDecayMask }), scaleByLearningRate(lr));
}
