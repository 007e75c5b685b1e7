/**
 * Undo broadcasting in a gradient.
 *
 * When an input of shape `[3]` was broadcast to `[2,3]` in the forward, every copy
 * of it received gradient; its own gradient is the sum over the copies. One function
 * serves every broadcasting op.
 *
 * @module
 */
import { Tensor } from '../tensor.js';
import { sameShape } from './shape-utils.js';
import { kernels, operand, reshaped, wrap } from './kernels.js';

/** Sum `g` over the axes that broadcasting added or stretched, giving a tensor of `shape`. */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  const gShape = g.shape;
  if (sameShape(gShape, shape)) return g;
  const lead = gShape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < gShape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && gShape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return reshaped(g, shape);
  const k = kernels();
  return wrap(k.reduce('sum', operand(g, k), gShape, axes), shape);
}

/** Repeat `x` along broadcast axes so it has `shape` (a contiguous copy). */
export function expandTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const zero = x.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
  const k = kernels();
  return wrap(k.binary('add', operand(x, k), x.shape, zero, [], shape), shape);
}
