/**
 * Spike Compensation (SC), as a mitigation: the stage's optimizer uses
 * `spikeCompensation` in place of momentum, with the stage's delay `D_s`:
 *
 * ```
 * v ← m·v + g
 * w ← w − η·(a·v + b·g),   a = m^D,   b = (1 − m^D)/(1 − m)
 * ```
 *
 * The weights of both passes are PB's. The update rule itself, and why it works, are in
 * `optim/spike-compensation.ts`. With `D = 0` (the sequential schedule, GPipe, 1F1B)
 * `a = 1, b = 0`: the update is the velocity itself, so SC is plain momentum there bit
 * for bit.
 *
 * @module
 */
import type { Mitigation } from './mitigation.js';
import { none } from './none.js';

/** SC: PB's weights, Spike Compensation in place of momentum. */
export const sc: Mitigation = { ...none, name: 'sc', optimizer: { spikeCompensation: true } };
