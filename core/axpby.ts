/**
 * `a·x + b·y` over the values of tensors: the one loop of every optimizer update.
 *
 * Momentum (`v ← m·v + g`), Spike Compensation's mix (`a·v + b·g`), learning-rate
 * scaling (`−η·u`), weight decay (`g + λ·w`), applying an update (`w + u`) and weight
 * prediction (`w − T·η·v`) are all this one elementwise formula. It runs on the current
 * backend's `axpby` kernel (SIMD on the wasm backend), which computes each product and
 * the sum in float64 and rounds once to the element type — what the plain loop
 * `out[i] = a * x[i] + b * y[i]` over typed arrays computes — so an optimizer gives the
 * same bits on every backend. Not an op: nothing is recorded on the tape.
 *
 * @module
 */
import type { Data } from './backend/backend.js';
import { getBackend } from './backend/index.js';
import { fmtShape, type Tensor } from './tensor.js';

/**
 * A new buffer (of `x`'s element type) holding `a·x[i] + b·y[i]` for every element, or
 * `a·x[i]` when `y` is null.
 *
 * @example
 * const v = new Tensor(axpby(0.9, velocity, 1, grad), grad.shape); // v ← 0.9·v + g
 * @throws when `x` and `y` differ in shape.
 */
export function axpby(a: number, x: Tensor, b: number, y: Tensor | null): Data {
  if (y !== null && (y.size !== x.size || y.ndim !== x.ndim || y.shape.some((d, i) => d !== x.shape[i]))) {
    throw new Error(`axpby: x has shape ${fmtShape(x.shape)} but y has shape ${fmtShape(y.shape)}; give tensors of one shape`);
  }
  return getBackend().axpby(a, x.data, b, y === null ? null : y.data);
}
