/**
 * The `Flatten` layer: collapse all axes after the batch axis.
 *
 * @module
 */
import { flatten, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/** `[N, C, H, W] → [N, C·H·W]` (from `startAxis`, default 1). */
export class Flatten extends Module {
  /** The first axis that is collapsed. */
  readonly startAxis: number;

  constructor(startAxis = 1) {
    super();
    this.startAxis = startAxis;
  }

  /** Collapse the axes from `startAxis` on into one. */
  forward(x: Tensor): Tensor {
    return flatten(x, this.startAxis);
  }
}
