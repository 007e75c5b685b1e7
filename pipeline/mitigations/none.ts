/**
 * No mitigation: plain Pipelined Backpropagation.
 *
 * The forward uses the stage's weights at the start of its tick (version `j − D_s` in
 * PB), the backward the stage's current weights (version `j`); no state, no extra
 * weight copies, the optimizer unchanged. Every other mitigation starts from this one
 * (`{ ...none, … }`) and replaces the hooks it changes.
 *
 * @module
 */
import type { Mitigation } from './mitigation.js';

/** Plain PB: forward on the tick's weights, backward on the current ones. */
export const none: Mitigation = {
  name: 'none',
  forwardWeights: (at) => at.params,
  backwardWeights: (now) => ({ weights: now.params, version: now.version }),
  initialState: () => undefined,
  nextState: (state) => state,
  weightCopies: () => 0,
  optimizer: {},
};
