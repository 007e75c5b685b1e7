/**
 * PipeMare's two mitigations, as one weight policy.
 *
 * 1. **Learning-rate warm-up per stage**, a gradient transform appended to the
 *    stage's SGD chain, after the learning-rate scaling:
 *    `η_s(t) = η(t) · max(D_s, 1)^(−p(t))`, with `p(t) = max(0, 1 − t / warmupSamples)`
 *    annealed linearly from 1 to 0 over the warm-up (t in samples).
 * 2. **Discrepancy correction** for the backward pass: the stage keeps an exponential
 *    moving average of its weight changes, `δ ← γ·δ + (1 − γ)·(w_t − w_(t−1))` (its
 *    state, one extra copy of the weights), and the backward uses `u = w − D_s·δ`, an
 *    estimate of the weights the forward saw.
 *
 * With `D_s = 0` both are no-ops: the warm-up factor is `1^(−p) = 1` and `u = w`.
 *
 * @module
 */
import { Tensor } from '../../core/index.js';
import { allocateLike, mapTensors, type GradientTransform, type Params } from '../../optim/index.js';
import { axpy } from '../weight-prediction.js';
import type { Mitigation } from './mitigation.js';
import { none } from './none.js';

/** Options of PipeMare. */
export interface PipeMareOptions {
  /** Samples over which the exponent `p` falls from 1 to 0 (default 50,000). */
  warmupSamples?: number;
  /** Decay `γ` of the weight-change average (default 0.9). */
  gamma?: number;
}

/** The exponent `p(t) = max(0, 1 − t / warmupSamples)`. */
export function pipemareExponent(samples: number, warmupSamples: number): number {
  return warmupSamples <= 0 ? 0 : Math.max(0, 1 - samples / warmupSamples);
}

/**
 * Scale each update by `max(D, 1)^(−p(t))`, with `D = ctx.delay`: PipeMare's per-stage
 * learning-rate warm-up. Put it last in the chain (after `scaleByLearningRate`).
 */
export function pipemareWarmup(warmupSamples = 50_000): GradientTransform<null> {
  if (!(warmupSamples >= 0)) throw new Error(`pipemareWarmup: warmupSamples must be >= 0, got ${warmupSamples}`);
  return {
    init: () => null,
    update(grads, state, _params, ctx) {
      const factor = Math.pow(Math.max(ctx.delay ?? 0, 1), -pipemareExponent(ctx.samples, warmupSamples));
      if (factor === 1) return { updates: grads, state };
      const updates = mapTensors((g) => {
        const gd = g.data;
        const out = allocateLike(g);
        for (let i = 0; i < out.length; i++) out[i] = gd[i] * factor;
        return new Tensor(out, g.shape);
      }, grads);
      return { updates, state };
    },
  };
}

/** `δ ← γ·δ + (1 − γ)·(w_new − w_old)`; a missing `δ` starts at zero. Returns a new map. */
export function updateDiscrepancy(delta: Params | undefined, oldWeights: Params, newWeights: Params, gamma: number): Params {
  const step = (w: Tensor, before: Tensor, average?: Tensor): Tensor => {
    const wn = w.data;
    const wo = before.data;
    const d = average?.data;
    const out = allocateLike(w);
    for (let i = 0; i < out.length; i++) out[i] = gamma * (d ? d[i] : 0) + (1 - gamma) * (wn[i] - wo[i]);
    return new Tensor(out, w.shape);
  };
  return delta === undefined ? mapTensors(step, newWeights, oldWeights) : mapTensors(step, newWeights, oldWeights, delta);
}

/** The corrected backward weights `u = w − D·δ` (the weights themselves when `D = 0` or there is no `δ` yet). */
export function correctedWeights(weights: Params, delta: Params | undefined, delay: number): Params {
  if (delay === 0 || delta === undefined) return weights;
  return mapTensors((w, d) => axpy(w, d, -delay), weights, delta);
}

/**
 * PipeMare with these options: the warm-up appended to the optimizer, `δ` as the
 * stage's state (none before the first update, i.e. zero; one extra weight copy), the
 * backward on `u = w − D_s·δ`.
 *
 * @example
 * methodFor('pb', pipemareMitigation({ warmupSamples: 10_000, gamma: 0.95 }));
 */
export function pipemareMitigation(options: PipeMareOptions = {}): Mitigation {
  const gamma = options.gamma ?? 0.9;
  if (!(gamma >= 0 && gamma < 1)) throw new Error(`pipemare: gamma must be in [0, 1), got ${gamma}`);
  return {
    ...none,
    name: 'pipemare',
    backwardWeights: (now, _flight, ctx) => ({
      weights: correctedWeights(now.params, now.state as Params | undefined, ctx.stage.delay),
      version: now.version,
    }),
    nextState: (delta, before, after) => updateDiscrepancy(delta as Params | undefined, before, after, gamma),
    weightCopies: () => 1,
    optimizer: { append: [pipemareWarmup(options.warmupSamples)] },
  };
}

/** PipeMare with its default options (warm-up over 50,000 samples, `γ = 0.9`). */
export const pipemare: Mitigation = pipemareMitigation();
