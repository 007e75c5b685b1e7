/**
 * Device buffers: the outputs a gpu.js kernel leaves on the device for the next
 * kernel, counted while they live and released deterministically.
 *
 * A kernel compiled with `pipeline: true` returns its output as a texture in the GL
 * modes (in the `cpu` and `webasm` modes gpu.js returns a host array instead, which
 * stands in for the device buffer). Every such output is {@link DeviceBuffers.hold | held}
 * here when it is made and {@link DeviceBuffers.release | released} as soon as the
 * kernel that reads it has run, so after each backend call the live count is back to
 * zero; a test asserts that a training step leaves none behind.
 *
 * @module
 */
import type { GpuJsOutput, GpuJsTexture } from './gpu-runtime.js';

function isTexture(value: GpuJsOutput): value is GpuJsTexture {
  return typeof (value as GpuJsTexture).delete === 'function';
}

/** The set of device buffers a GPU backend holds right now. */
export class DeviceBuffers {
  private readonly held = new Set<GpuJsOutput>();
  private made = 0;

  /** Start counting `buffer`, a pipeline kernel's output; returns it. */
  hold(buffer: GpuJsOutput): GpuJsOutput {
    this.held.add(buffer);
    this.made++;
    return buffer;
  }

  /** Copy `buffer` into host memory (a texture is read back; a host array is returned as is). */
  read(buffer: GpuJsOutput): Float32Array {
    return isTexture(buffer) ? buffer.toArray() : buffer;
  }

  /** Stop counting `buffer` and free its device memory. */
  release(buffer: GpuJsOutput): void {
    if (!this.held.delete(buffer)) throw new Error('gpu backend: released a device buffer it does not hold');
    if (isTexture(buffer)) buffer.delete();
  }

  /** Release every buffer still held (used by `dispose`). */
  releaseAll(): void {
    for (const buffer of [...this.held]) this.release(buffer);
  }

  /** How many device buffers are alive now. */
  get live(): number {
    return this.held.size;
  }

  /** How many device buffers have been made since the backend started. */
  get created(): number {
    return this.made;
  }
}
