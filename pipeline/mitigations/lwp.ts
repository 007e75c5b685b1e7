/**
 * Linear Weight Prediction (LWP): the forward of stage `s` runs on the weights
 * extrapolated along the momentum to when the sample's gradient will be applied,
 *
 * ```
 * ŵ = w − T·η·v        horizon T = D_s (by default)
 * ```
 *
 * computed from the stage's `(w, v, η)` at the start of the tick and never written
 * into `w`; the backward uses the current weights. With `D_s = 0` the horizon is 0 and
 * the forward gets `w` itself, so LWP is a no-op there bit for bit. The formula is
 * `predictWeights` (`pipeline/weight-prediction.ts`), shared with SpecTrain.
 *
 * @module
 */
import { predictWeights } from '../weight-prediction.js';
import type { Mitigation } from './mitigation.js';
import { none } from './none.js';

/** LWP: forward on `w − T·η·v`, backward on the current weights. */
export const lwp: Mitigation = {
  ...none,
  name: 'lwp',
  forwardWeights: (at, ctx) => predictWeights(at.params, at.velocity, at.learningRate, ctx.horizon),
};
