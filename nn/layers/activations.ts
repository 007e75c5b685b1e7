/**
 * Parameter-free elementwise layers: `ReLU`, `Tanh`, `Sigmoid` and `Identity`.
 *
 * Each wraps the core op of the same name, so it can stand in a `Sequential` and be
 * named in a model's structure.
 *
 * @module
 */
import { relu, sigmoid, tanh, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/** `max(x, 0)` elementwise. */
export class ReLU extends Module {
  /** Apply the rectifier. */
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** `tanh(x)` elementwise. */
export class Tanh extends Module {
  /** Apply the hyperbolic tangent. */
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** `1 / (1 + e⁻ˣ)` elementwise. */
export class Sigmoid extends Module {
  /** Apply the logistic function. */
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Returns its input unchanged (a placeholder, e.g. the normalization of a model built with `norm: 'none'`). */
export class Identity extends Module {
  /** Return `x`. */
  forward(x: Tensor): Tensor {
    return x;
  }
}
