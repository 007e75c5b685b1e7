/**
 * Device buffers: the outputs a gpu.js kernel leaves on the device, as
 * {@link DeviceArray | device arrays}, counted from the kernel that made them until
 * they are downloaded or released.
 *
 * A kernel compiled with `pipeline: true, immutable: true` returns its output as a
 * texture in the GL modes, a new one per call, which the next kernel samples without
 * a trip through host memory. In the `cpu` and `webasm` modes gpu.js returns a host
 * `Float32Array` instead — also a new one per call (gpu.js allocates the cpu kernel's
 * result, and slices the webasm result out of WebAssembly memory) — which stands in
 * for the device buffer with the same bookkeeping.
 *
 * A device array lives until its holder downloads or releases it: the GPU backend's
 * `deviceKernels` return them to the ops, and the rules for when a tensor's array is
 * released live in `core/device-scope.ts`. Inside one host call the backend makes short
 * lived ones too (the partial results of a long reduction, the argmax of max pooling)
 * and releases them before the call returns. {@link DeviceBuffers.live} counts all of
 * them, so a test can assert that a training step leaves none behind.
 *
 * @module
 */
import type { Backend, DeviceArray } from './backend.js';
import { isGpuJsTexture, type GpuJsOutput } from './gpu-runtime.js';

/**
 * One kernel output kept on the device: a gpu.js texture (or, in the `cpu` and
 * `webasm` modes, the host array standing in for one) with its length and owner.
 */
export class GpuDeviceArray implements DeviceArray {
  private value: GpuJsOutput | null;

  /**
   * @param owner - the backend whose kernels made it and may read it
   * @param length - number of elements
   * @param value - the kernel's output
   * @param onRelease - called once the device memory is freed (the registry stops counting it)
   * @param onRead - called each time the elements are copied to the host
   */
  constructor(
    readonly owner: Backend,
    readonly length: number,
    value: GpuJsOutput,
    private readonly onRelease: () => void,
    private readonly onRead: () => void = () => {},
  ) {
    this.value = value;
  }

  /** True once downloaded or released. */
  get released(): boolean {
    return this.value === null;
  }

  /** The gpu.js value to pass to a kernel. */
  get buffer(): GpuJsOutput {
    return this.live('read');
  }

  /** Copy the elements to a new host array, keeping the device memory. */
  read(): Float32Array {
    const value = this.live('read');
    this.onRead();
    return isGpuJsTexture(value) ? this.fit(value.toArray()) : value.slice(0, this.length);
  }

  /** Copy the elements to a host array and free the device memory. */
  download(): Float32Array {
    const value = this.live('download');
    this.onRead();
    // A host stand-in is handed over as it is: once released, nothing else refers to it.
    const host = isGpuJsTexture(value) ? value.toArray() : value;
    this.release();
    return this.fit(host);
  }

  /** Free the device memory without reading it. */
  release(): void {
    const value = this.live('release');
    this.value = null;
    if (isGpuJsTexture(value)) value.delete();
    this.onRelease();
  }

  /** `host` cut to the array's elements (a texture may hold more cells than elements). */
  private fit(host: Float32Array): Float32Array {
    return host.length === this.length ? host : host.slice(0, this.length);
  }

  private live(method: string): GpuJsOutput {
    if (this.value === null) {
      throw new Error(`gpu device array: ${method}() of an array of ${this.length} elements that was already released (a device array is downloaded or released once)`);
    }
    return this.value;
  }
}

/** The device arrays a GPU backend holds right now. */
export class DeviceBuffers {
  private readonly held = new Map<GpuJsOutput, GpuDeviceArray>();
  private made = 0;
  private reads = 0;

  /**
   * Wrap `value`, the output of a pipeline kernel of `owner`, as a device array of
   * `length` elements, counted until it is downloaded or released; `onRelease` runs
   * after its memory is freed.
   *
   * @throws when gpu.js returned a value a live device array already wraps (two arrays would alias).
   */
  hold(owner: Backend, value: GpuJsOutput, length: number, onRelease: () => void): GpuDeviceArray {
    if (this.held.has(value)) throw new Error('gpu device array: gpu.js returned an output that a live device array already holds; kernels must be compiled with immutable: true');
    const array = new GpuDeviceArray(
      owner,
      length,
      value,
      () => {
        this.held.delete(value);
        onRelease();
      },
      () => this.reads++,
    );
    this.held.set(value, array);
    this.made++;
    return array;
  }

  /** True when `x` is one of the live device arrays held here. */
  holds(x: unknown): x is GpuDeviceArray {
    return x instanceof GpuDeviceArray && !x.released && this.held.get(x.buffer) === x;
  }

  /** Release every array still held (used by `dispose`). */
  releaseAll(): void {
    for (const array of [...this.held.values()]) array.release();
  }

  /** How many device arrays are alive now. */
  get live(): number {
    return this.held.size;
  }

  /** How many device arrays have been made since the backend started. */
  get created(): number {
    return this.made;
  }

  /** How many times a device array's elements were copied to the host (downloads and reads). */
  get downloads(): number {
    return this.reads;
  }
}
