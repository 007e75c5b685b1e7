/**
 * The tensor: float data in a typed array, seen through an `ndarray` view.
 *
 * A tensor is a shape, strides and an offset over a {@link Storage}, which views share,
 * so `transpose`, `permute` and `slice` are zero-copy. Kernels want contiguous
 * row-major data; {@link Tensor.data} hands out the buffer itself when the view already
 * is that, and a contiguous copy otherwise. Inside a device scope a GPU backend's
 * results stay in device memory until host code reads them (`core/device-scope.ts`).
 *
 * A tensor produced by a recorded op carries the {@link TapeNode} that made it; leaves
 * (data, parameters) carry none. See `core/autodiff.ts` for how gradients flow.
 *
 * @module
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { cpuBackend } from './backend/cpu.js';
import type { Data, DeviceArray, DType } from './backend/backend.js';
import type { TapeNode } from './tape.js';
import { contiguousStrides, sizeOf } from './backend/loop-nest.js';
import { Storage } from './storage.js';
import { resultBuffer } from './backend/buffer-pool.js';

export { contiguousStrides, sizeOf };

/** A nested JavaScript array of numbers, as accepted by `fromArray` and returned by `toArray`. */
export type NestedArray = number | NestedArray[];

/** A tensor of float32 (or, for gradient checks, float64) values. */
export class Tensor {
  /** Where the elements live (shared by every view of the same values). */
  readonly storage: Storage;
  /** Whether gradients with respect to this tensor are wanted. */
  requiresGrad: boolean;
  /** The accumulated gradient after `backward()`, or null. */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor, or null for a leaf. */
  node: TapeNode | null = null;
  /** An optional name, used in error messages and by modules (e.g. `layer1.weight`). */
  name: string | undefined;
  readonly #shape: readonly number[];
  readonly #strides: readonly number[];
  readonly #offset: number;
  #view: NdArray<Data> | null = null;

  /**
   * Wrap a buffer. Most code should use the creation functions (`zeros`, `fromArray`,
   * `randn`, ...) instead.
   *
   * @param data the elements: a host buffer, a backend's device array (inside a device
   *   scope, see `core/device-scope.ts`), or another tensor's storage (a view); with no
   *   strides it must hold exactly `prod(shape)` values
   * @param shape the tensor's shape (`[]` for a scalar)
   * @param strides element strides per axis (default: row-major contiguous)
   * @param offset index of the first element in `data`
   */
  constructor(data: Data | DeviceArray | Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`Tensor: invalid shape [${shape.join(',')}]: sizes must be non-negative integers`);
    }
    if (strides === undefined && data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: shape [${shape.join(',')}] needs ${sizeOf(shape)} values, got ${data.length}`);
    }
    if (strides !== undefined && strides.length !== shape.length) {
      throw new Error(`Tensor: shape [${shape.join(',')}] and strides [${strides.join(',')}] differ in rank`);
    }
    this.storage = data instanceof Storage ? data : new Storage(data);
    this.#shape = shape.slice();
    this.#strides = strides ? strides.slice() : contiguousStrides(shape);
    this.#offset = offset;
    this.requiresGrad = false;
  }

  /**
   * The strided `ndarray` view over the host buffer. On a device-resident tensor this
   * downloads the values first (see {@link Tensor.onDevice}).
   */
  get view(): NdArray<Data> {
    // A released storage has no values; reading it is the error that says so, even through a view made earlier.
    if (this.#view === null || this.storage.released) this.#view = ndarray(this.storage.data, this.#shape.slice(), this.#strides.slice(), this.#offset);
    return this.#view;
  }

  /**
   * The tensor's shape. Tensors are immutable in shape, so this is the tensor's own array,
   * typed read-only, not a copy: the kernels read it for every op, and a copy per read was
   * a tenth of what training allocated. Copy it (`[...t.shape]`) to build a new shape.
   * (It is not frozen at run time: V8 iterates frozen arrays with `for…of` through a slow
   * path that allocates per element.)
   */
  get shape(): readonly number[] {
    return this.#shape;
  }

  /** Element strides per axis: the tensor's own array, typed read-only like {@link Tensor.shape}. */
  get strides(): readonly number[] {
    return this.#strides;
  }

  /** Index of the first element in the storage. */
  get offset(): number {
    return this.#offset;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.#shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.#shape);
  }

  /** The element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }

  /** True while the values are in a backend's device memory (they are downloaded when host code reads them). */
  get onDevice(): boolean {
    return this.storage.onDevice;
  }

  /** True when the view is the whole storage in row-major order, so `data` needs no copy. */
  get isContiguous(): boolean {
    const shape = this.#shape;
    if (this.#offset !== 0 || this.storage.length !== sizeOf(shape)) return false;
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && this.#strides[i] !== expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  /**
   * The values as a contiguous row-major host buffer: the underlying buffer itself when
   * the view is contiguous (do not write to it unless you own the tensor), else a copy.
   * A device-resident tensor is downloaded first.
   */
  get data(): Data {
    if (this.isContiguous) return this.storage.data;
    // A host-to-host copy: the CPU kernel, whatever backend is current.
    return cpuBackend.gather(this.storage.data, this.#shape, this.#strides, this.#offset);
  }

  /** The values as nested arrays (a scalar gives a number). */
  toArray(): NestedArray {
    const data = this.data;
    const shape = this.#shape;
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
    if (this.size !== 1) throw new Error(`item: tensor has shape [${this.#shape.join(',')}] (${this.size} values); item() needs exactly one`);
    return this.storage.data[this.#offset];
  }

  /** A tensor over the same values that is cut off from the tape and needs no gradient. */
  detach(): Tensor {
    return new Tensor(this.storage, this.#shape, this.#strides, this.#offset);
  }

  /** Mark this tensor as a leaf that wants a gradient; returns `this` for chaining. */
  requireGrad(flag = true): this {
    if (this.node !== null && !flag) throw new Error('requireGrad(false): this tensor was produced by an op; use detach() instead');
    this.requiresGrad = flag;
    return this;
  }

  /** A short description, e.g. `Tensor([2,3], float32)`. */
  toString(): string {
    return `Tensor([${this.#shape.join(',')}], ${this.dtype})`;
  }
}

/** Format a shape for error messages: `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * The most elements one tensor may hold: 2^31 − 1, so that every element index fits an
 * Int32 (pooling's argmax, class labels) and every JavaScript engine can allocate it.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Allocate a zeroed buffer of the given element type (lent from the pool inside a
 * recycling scope, see `core/backend/buffer-pool.ts`); more than {@link MAX_ELEMENTS}
 * elements is an error.
 */
export function allocate(dtype: DType, size: number): Data {
  if (!(Number.isInteger(size) && size >= 0 && size <= MAX_ELEMENTS)) {
    throw new Error(`cannot allocate a tensor of ${size} elements: a tensor holds at most ${MAX_ELEMENTS} (2^31 − 1)`);
  }
  return resultBuffer(dtype, size);
}
