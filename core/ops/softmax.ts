/**
 * `softmax` and `logSoftmax` along one axis, computed stably (shifted by the max).
 *
 * VJPs, with `y` the output and `Σ` the sum along the axis:
 * - softmax: `dx = y ⊙ (g − Σ(g ⊙ y))`
 * - logSoftmax: `dx = g − softmax(x) ⊙ Σ g`
 *
 * An empty tensor gives an empty result of its shape, also when the softmax axis itself
 * has length 0 (a `[0, 10]` batch gives `[0, 10]`, a `[10, 0]` one gives `[10, 0]`).
 *
 * @module
 */
import { defineOp } from '../registry.js';
import { allocate, Tensor } from '../tensor.js';
import { div, exp, log, mul, sub } from './elementwise.js';
import { max, sum } from './reduce.js';
import { normalizeAxes } from './shape-utils.js';

/** An empty tensor of `x`'s shape and dtype. */
function emptyLike(x: Tensor): Tensor {
  return new Tensor(allocate(x.dtype, 0), x.shape);
}

const softmaxOp = defineOp<{ axis: number }>({
  name: 'softmax',
  forward: ([x], { axis }) => {
    if (x.size === 0) return emptyLike(x);
    const e = exp(sub(x, max(x, axis, true)));
    return div(e, sum(e, axis, true));
  },
  vjp: [({ g, out, attrs }) => mul(out, sub(g, sum(mul(g, out), attrs.axis, true)))],
});

const logSoftmaxOp = defineOp<{ axis: number }>({
  name: 'logSoftmax',
  forward: ([x], { axis }) => {
    if (x.size === 0) return emptyLike(x);
    const shifted = sub(x, max(x, axis, true));
    return sub(shifted, log(sum(exp(shifted), axis, true)));
  },
  vjp: [({ g, out, attrs }) => sub(g, mul(exp(out), sum(g, attrs.axis, true)))],
});

/** `exp(x) / Σ exp(x)` along `axis` (default: the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp([x], { axis: normalizeAxes(axis, x.ndim, 'softmax')[0] });
}

/** `x − log Σ exp(x)` along `axis` (default: the last); stable for large logits. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return logSoftmaxOp([x], { axis: normalizeAxes(axis, x.ndim, 'logSoftmax')[0] });
}
