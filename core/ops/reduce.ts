/**
 * Reductions over axes: `sum`, `mean`, `max`, each with `keepDims`.
 *
 * The kernels always return the keepDims layout (reduced axes of size 1); without
 * `keepDims` the op drops those axes, which is a free reshape of a contiguous buffer.
 * The VJPs broadcast the gradient back over the reduced axes.
 *
 * **Empty tensors.** An empty tensor reduces to an empty result: `max` of a `[0, 10]`
 * batch over axis 1 is `[0]`. Reducing over an axis of length 0 is different: every
 * output then reduces zero elements. `sum` gives its identity, 0; `max` (no identity)
 * and `mean` (0/0) have no value there, so they are an error whenever that result has
 * elements (`max` of `[10, 0]` over axis 1, or of `[0]` over all axes), and an empty
 * result otherwise (`max` of `[0, 0]` over axis 1 is `[0]`).
 *
 * @module
 */
import { defineOp } from '../registry.js';
import { fmtShape, Tensor } from '../tensor.js';
import { div, mul } from './elementwise.js';
import { normalizeAxes } from './shape-utils.js';
import { expandTo } from './unbroadcast.js';
import { kernels, operand, reshaped, wrap } from './kernels.js';

/** Attributes of a reduction. */
interface ReduceAttrs {
  axes: number[];
  keepDims: boolean;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function finalShape(shape: readonly number[], { axes, keepDims }: ReduceAttrs): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** The gradient `g` of a reduced tensor, reshaped to keepDims form and broadcast to `shape`. */
function spread(g: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  return expandTo(reshaped(g, keptShape(shape, axes)), shape);
}

function reduceWith(op: 'sum' | 'max', x: Tensor, attrs: ReduceAttrs): Tensor {
  const k = kernels();
  return wrap(k.reduce(op, operand(x, k), x.shape, attrs.axes), finalShape(x.shape, attrs));
}

const sumOp = defineOp<ReduceAttrs>({
  name: 'sum',
  forward: ([x], attrs) => reduceWith('sum', x, attrs),
  vjp: [({ g, inputs, attrs }) => spread(g, inputs[0].shape, attrs.axes)],
});

const maxOp = defineOp<ReduceAttrs>({
  name: 'max',
  forward: ([x], attrs) => reduceWith('max', x, attrs),
  vjp: [
    // The gradient is shared equally among the elements that attain the maximum.
    ({ g, inputs, out, attrs }) => {
      const x = inputs[0];
      const kept = keptShape(x.shape, attrs.axes);
      const k = kernels();
      const mask = wrap(k.binary('eq', operand(x, k), x.shape, operand(out, k), kept, x.shape), x.shape);
      const count = wrap(k.reduce('sum', operand(mask, k), x.shape, attrs.axes), kept);
      return mul(mask, div(spread(g, x.shape, attrs.axes), count));
    },
  ],
});

/**
 * Sum over `axes` (all axes when omitted).
 *
 * @example
 * sum(fromArray([[1, 2], [3, 4]]), 1); // [3, 7]
 */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return sumOp([x], { axes: normalizeAxes(axes, x.ndim, 'sum'), keepDims });
}

/**
 * Mean over `axes` (all axes when omitted).
 *
 * @throws when a reduced axis has length 0 and the result would have elements (the
 *   mean of no elements has no value)
 */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const norm = normalizeAxes(axes, x.ndim, 'mean');
  checkReducible('mean', x.shape, norm);
  let count = 1;
  for (const a of norm) count *= x.shape[a];
  return mul(sumOp([x], { axes: norm, keepDims }), 1 / count);
}

/**
 * Maximum over `axes` (all axes when omitted); ties share the gradient equally.
 *
 * @throws when a reduced axis has length 0 and the result would have elements (the
 *   maximum of no elements has no value)
 */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const norm = normalizeAxes(axes, x.ndim, 'max');
  checkReducible('max', x.shape, norm);
  return maxOp([x], { axes: norm, keepDims });
}

/** A reduction without an identity cannot reduce a zero-length axis into outputs that exist. */
function checkReducible(op: string, shape: readonly number[], axes: readonly number[]): void {
  const empty = axes.find((a) => shape[a] === 0);
  if (empty === undefined) return;
  const outputs = shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1);
  if (outputs > 0) {
    throw new Error(`${op}: axis ${empty} of shape ${fmtShape(shape)} has length 0, so each of the ${outputs} outputs would be the ${op} of no elements, which has no value; reduce over non-empty axes`);
  }
}
