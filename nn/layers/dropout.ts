/**
 * The `Dropout` layer: inverted dropout in training, the identity in evaluation.
 *
 * @module
 */
import { dropout, type Rng, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/**
 * In training, zero each element with probability `p` and scale the rest by
 * `1/(1 − p)`; in evaluation, return the input. The masks come from the layer's own
 * seeded generator, so a run is reproducible.
 */
export class Dropout extends Module {
  /** The drop probability. */
  readonly p: number;
  /** The generator the masks are drawn from. */
  readonly rng: Rng;

  constructor(p: number, rng: Rng) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
    this.p = p;
    this.rng = rng;
  }

  /** Drop elements when training. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}
