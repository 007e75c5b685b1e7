/**
 * The tensor: float data in a typed array, seen through an `ndarray` view.
 *
 * A tensor owns no storage of its own: its `view` holds the buffer, the shape, the
 * strides and the offset, so `transpose`, `permute` and `slice` are zero-copy. Kernels
 * want contiguous row-major data; {@link Tensor.data} hands out the buffer itself when
 * the view already is that, and a contiguous copy otherwise.
 *
 * A tensor produced by a recorded op carries the {@link TapeNode} that made it; leaves
 * (data, parameters) carry none. See `core/autodiff.ts` for how gradients flow.
 *
 * @module
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { getBackend } from './backend/index.js';
import type { Data, DType } from './backend/backend.js';
import type { TapeNode } from './autodiff.js';
import { contiguousStrides, sizeOf } from './backend/loop-nest.js';

export { contiguousStrides, sizeOf };

/** A nested JavaScript array of numbers, as accepted by `fromArray` and returned by `toArray`. */
export type NestedArray = number | NestedArray[];

/** A tensor of float32 (or, for gradient checks, float64) values. */
export class Tensor {
  /** The strided view over the underlying buffer. */
  readonly view: NdArray<Data>;
  /** Whether gradients with respect to this tensor are wanted. */
  requiresGrad: boolean;
  /** The accumulated gradient after `backward()`, or null. */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor, or null for a leaf. */
  node: TapeNode | null = null;
  /** An optional name, used in error messages and by modules (e.g. `layer1.weight`). */
  name: string | undefined;

  /**
   * Wrap a buffer. Most code should use the creation functions (`zeros`, `fromArray`,
   * `randn`, ...) instead.
   *
   * @param data the buffer; with no strides it must hold exactly `prod(shape)` values
   * @param shape the tensor's shape (`[]` for a scalar)
   * @param strides element strides per axis (default: row-major contiguous)
   * @param offset index of the first element in `data`
   */
  constructor(data: Data, shape: readonly number[], strides?: readonly number[], offset = 0) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`Tensor: invalid shape [${shape.join(',')}]: sizes must be non-negative integers`);
    }
    if (strides === undefined && data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: shape [${shape.join(',')}] needs ${sizeOf(shape)} values, got ${data.length}`);
    }
    this.view = ndarray(data, shape.slice(), strides ? strides.slice() : contiguousStrides(shape), offset);
    this.requiresGrad = false;
  }

  /** The tensor's shape (a copy; tensors are immutable in shape). */
  get shape(): number[] {
    return this.view.shape.slice();
  }

  /** Number of axes. */
  get ndim(): number {
    return this.view.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.view.shape);
  }

  /** The element type, from the buffer. */
  get dtype(): DType {
    return this.view.data instanceof Float64Array ? 'float64' : 'float32';
  }

  /** True when the view is the whole buffer in row-major order, so `data` needs no copy. */
  get isContiguous(): boolean {
    const { shape, stride, offset, data } = this.view;
    if (offset !== 0 || data.length !== sizeOf(shape)) return false;
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && stride[i] !== expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  /**
   * The values as a contiguous row-major buffer: the underlying buffer itself when the
   * view is contiguous (do not write to it unless you own the tensor), else a copy.
   */
  get data(): Data {
    if (this.isContiguous) return this.view.data;
    return getBackend().gather(this.view.data, this.view.shape, this.view.stride, this.view.offset);
  }

  /** The values as nested arrays (a scalar gives a number). */
  toArray(): NestedArray {
    const data = this.data;
    const shape = this.view.shape;
    if (shape.length === 0) return data[0];
    let pos = 0;
    const build = (axis: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[axis]; i++) out.push(axis === shape.length - 1 ? data[pos++] : build(axis + 1));
      return out;
    };
    return build(0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor has shape [${this.shape.join(',')}] (${this.size} values); item() needs exactly one`);
    return this.view.data[this.view.offset];
  }

  /** A tensor over the same values that is cut off from the tape and needs no gradient. */
  detach(): Tensor {
    return new Tensor(this.view.data, this.view.shape, this.view.stride, this.view.offset);
  }

  /** Mark this tensor as a leaf that wants a gradient; returns `this` for chaining. */
  requireGrad(flag = true): this {
    if (this.node !== null && !flag) throw new Error('requireGrad(false): this tensor was produced by an op; use detach() instead');
    this.requiresGrad = flag;
    return this;
  }

  /** A short description, e.g. `Tensor([2,3], float32)`. */
  toString(): string {
    return `Tensor([${this.shape.join(',')}], ${this.dtype})`;
  }
}

/** Format a shape for error messages: `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Allocate a zeroed buffer of the given element type. */
export function allocate(dtype: DType, size: number): Data {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}
