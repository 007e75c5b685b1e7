/**
 * PipeMare's two mitigations, as pipegrad pieces.
 *
 * 1. **Learning-rate warm-up per stage**, a gradient transform placed after the
 *    optimizer's learning-rate scaling:
 *    `η_s(t) = η(t) · max(D_s, 1)^(−p(t))`, with `p(t) = max(0, 1 − t / warmupSamples)`
 *    annealed linearly from 1 to 0 over the warm-up (t in samples).
 * 2. **Discrepancy correction** for the backward pass: the stage keeps an exponential
 *    moving average of its weight changes, `δ ← γ·δ + (1 − γ)·(w_t − w_(t−1))`, and the
 *    backward uses `u = w − D_s·δ`, an estimate of the weights the forward saw.
 *
 * @module
 */
import { allocateLike, type GradientTransform, type Params } from '../optim/index.js';
import { Tensor } from '../core/index.js';
import { axpy } from './weight-prediction.js';

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
      const updates: Params = new Map();
      for (const [name, g] of grads) {
        const gd = g.data;
        const out = allocateLike(g);
        for (let i = 0; i < out.length; i++) out[i] = gd[i] * factor;
        updates.set(name, new Tensor(out, g.shape));
      }
      return { updates, state };
    },
  };
}

/** `δ ← γ·δ + (1 − γ)·(w_new − w_old)`; a missing `δ` starts at zero. Returns a new map. */
export function updateDiscrepancy(delta: Params | undefined, oldWeights: Params, newWeights: Params, gamma: number): Params {
  const next: Params = new Map();
  for (const [name, w] of newWeights) {
    const wn = w.data;
    const wo = oldWeights.get(name)!.data;
    const d = delta?.get(name)?.data;
    const out = allocateLike(w);
    for (let i = 0; i < out.length; i++) out[i] = gamma * (d ? d[i] : 0) + (1 - gamma) * (wn[i] - wo[i]);
    next.set(name, new Tensor(out, w.shape));
  }
  return next;
}

/** The corrected backward weights `u = w − D·δ` (the weights themselves when `D = 0` or there is no `δ` yet). */
export function correctedWeights(weights: Params, delta: Params | undefined, delay: number): Params {
  if (delay === 0 || delta === undefined) return weights;
  const out: Params = new Map();
  for (const [name, w] of weights) out.set(name, axpy(w, delta.get(name)!, -delay));
  return out;
}
