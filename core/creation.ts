/**
 * Making tensors: constants, ranges, nested arrays, and seeded random values.
 *
 * Every function takes an optional `dtype` (default `float32`); random ones take an
 * explicit {@link Rng} so results depend only on the seed.
 *
 * @module
 */
import type { Data, DType } from './backend/backend.js';
import type { Rng } from './random.js';
import { allocate, fmtShape, MAX_ELEMENTS, sizeOf, Tensor, type NestedArray } from './tensor.js';

/** A tensor of zeros. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(allocate(dtype, sizeOf(checked(shape, 'zeros'))), shape);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return full(shape, 1, dtype);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  const data = allocate(dtype, sizeOf(checked(shape, 'full')));
  data.fill(value);
  return new Tensor(data, shape);
}

/** A scalar (shape `[]`) tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return full([], value, dtype);
}

/**
 * `[start, start+step, ...)` up to (not including) `stop`; with one argument, `0..n−1`.
 *
 * @example
 * arange(4);        // [0, 1, 2, 3]
 * arange(1, 2, 0.5) // [1, 1.5]
 */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/**
 * A tensor from nested arrays (the shape is read off the nesting), or from a flat
 * array or typed array together with a `shape`.
 *
 * @example
 * fromArray([[1, 2], [3, 4]]);                     // shape [2, 2]
 * fromArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * @throws when the nesting is ragged or the shape does not match the number of values.
 */
export function fromArray(values: NestedArray | ArrayLike<number>, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
  if (shape !== undefined) {
    const flat = values as ArrayLike<number>;
    if (typeof flat === 'number' || flat.length !== sizeOf(checked(shape, 'fromArray'))) {
      throw new Error(`fromArray: shape ${fmtShape(shape)} needs ${sizeOf(shape)} values, got ${typeof flat === 'number' ? 1 : flat.length}`);
    }
    const data = allocate(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = flat[i];
    return new Tensor(data, shape);
  }
  if (typeof values === 'number') return scalar(values, dtype);
  const inferred: number[] = [];
  for (let v: unknown = values; Array.isArray(v); v = v[0]) inferred.push(v.length);
  const data = allocate(dtype, sizeOf(inferred));
  let pos = 0;
  const fill = (v: unknown, axis: number): void => {
    if (axis === inferred.length) {
      if (typeof v !== 'number') throw new Error(`fromArray: expected a number at depth ${axis}, got ${Array.isArray(v) ? 'an array' : typeof v}`);
      data[pos++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== inferred[axis]) {
      throw new Error(`fromArray: ragged nesting: expected ${inferred[axis]} entries at depth ${axis} (shape ${fmtShape(inferred)})`);
    }
    for (const item of v) fill(item, axis + 1);
  };
  fill(values, 0);
  return new Tensor(data, inferred);
}

/** Standard normal values from `rng`, scaled by `std` and shifted by `mean`. */
export function randn(shape: readonly number[], rng: Rng, std = 1, mean = 0, dtype: DType = 'float32'): Tensor {
  return generated(shape, dtype, () => mean + std * rng.normal());
}

/** Uniform values in `[low, high)` from `rng`. */
export function rand(shape: readonly number[], rng: Rng, low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  return generated(shape, dtype, () => low + (high - low) * rng.uniform());
}

function generated(shape: readonly number[], dtype: DType, draw: () => number): Tensor {
  const data: Data = allocate(dtype, sizeOf(checked(shape, 'random')));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return new Tensor(data, shape);
}

/** A copy of `x` in another element type (a leaf; no gradient flows through it). */
export function cast(x: Tensor, dtype: DType): Tensor {
  const src = x.data;
  const data = allocate(dtype, src.length);
  data.set(src);
  return new Tensor(data, x.shape);
}

/** `shape`, once it is a list of non-negative integers with at most {@link MAX_ELEMENTS} elements in all. */
function checked(shape: readonly number[], op: string): readonly number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: invalid shape ${JSON.stringify(shape)}: sizes must be non-negative integers`);
  }
  const size = sizeOf(shape);
  if (size > MAX_ELEMENTS) {
    const count = Number.isSafeInteger(size) ? String(size) : size.toExponential(2);
    throw new Error(`${op}: shape ${fmtShape(shape)} has ${count} elements, more than the ${MAX_ELEMENTS} (2^31 − 1) a tensor can hold`);
  }
  return shape;
}
