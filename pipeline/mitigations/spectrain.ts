/**
 * SpecTrain: both passes run on predicted weights `w − T·η·v`, with `T` the number of
 * updates the stage applies before this sample's own update:
 *
 * - forward: `T = D_s` (the horizon, as in LWP);
 * - backward: `T = 0`, since the stage's next update after a sample's backward is the
 *   one that applies that sample's gradient (alone in PB, with the rest of its round
 *   in GPipe and 1F1B: true of every built-in schedule).
 *
 * So SpecTrain coincides with LWP in these schedules; a test holds it to that.
 *
 * @module
 */
import { predictWeights } from '../weight-prediction.js';
import type { Mitigation } from './mitigation.js';
import { none } from './none.js';

/** SpecTrain: forward on `w − D_s·η·v`, backward on `w − 0·η·v`. */
export const spectrain: Mitigation = {
  ...none,
  name: 'spectrain',
  forwardWeights: (at, ctx) => predictWeights(at.params, at.velocity, at.learningRate, ctx.horizon),
  backwardWeights: (now) => ({ weights: predictWeights(now.params, now.velocity, now.learningRate, 0), version: now.version }),
};
