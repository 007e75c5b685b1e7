/**
 * Linear Weight Prediction (LWP) and SpecTrain's prediction.
 *
 * A stage with delay `D` runs the forward of a sample on weights that will have moved
 * `D` updates by the time that sample's gradient is applied. LWP extrapolates them
 * along the momentum: with `w` the stage's weights, `v` its velocity (momentum buffer)
 * and `η` the learning rate,
 *
 * ```
 *   ŵ = w − T·η·v          (horizon T = D_s by default)
 * ```
 *
 * The prediction is computed from `(w, v)` when the forward needs it and is never
 * written into `w`; the backward uses the actual weights (`mitigations/lwp.ts`).
 * SpecTrain uses the same formula for both passes (`mitigations/spectrain.ts`).
 *
 * @module
 */
import { axpby, Tensor } from '../core/index.js';
import { mapTensors, type Params } from '../optim/index.js';

/**
 * `ŵ = w − T·η·v` for every parameter. Returns `w` itself (the same tensors) when the
 * horizon is 0 or there is no velocity yet, so a zero horizon is exactly plain PB.
 *
 * @throws when `velocity` lacks a parameter of `weights`.
 */
export function predictWeights(weights: Params, velocity: Params | undefined, learningRate: number, horizon: number): Params {
  if (horizon === 0 || velocity === undefined || learningRate === 0) return weights;
  const scale = horizon * learningRate;
  return mapTensors((w, v) => axpy(w, v, -scale), weights, velocity);
}

/** `w + a·x` as a new leaf tensor that requires a gradient, named like `w`. */
export function axpy(w: Tensor, x: Tensor, a: number): Tensor {
  const t = new Tensor(axpby(1, w, a, x), w.shape).requireGrad();
  t.name = w.name;
  return t;
}
