/**
 * Weight stashing (PipeDream): the backward of a sample uses the very weights its
 * forward used, so forward and backward are consistent; the gradient is still `D_s`
 * updates stale when it is applied.
 *
 * The cost is memory: the stage keeps every weight version that a sample in flight was
 * forwarded with, other than the current one — up to `D_s` extra copies.
 *
 * @module
 */
import type { Mitigation } from './mitigation.js';
import { none } from './none.js';

/** Stashing: the backward uses the forward's weights, of the forward's version. */
export const stash: Mitigation = {
  ...none,
  name: 'stash',
  backwardWeights: (_now, flight) => ({ weights: flight.weights, version: flight.version }),
  weightCopies: (inFlightVersions, currentVersion) => new Set(inFlightVersions.filter((v) => v !== currentVersion)).size,
};
