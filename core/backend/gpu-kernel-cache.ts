/**
 * Kernels compiled once and cached by (kernel, shapes).
 *
 * A kernel's source has its sizes and strides written in as literals (see
 * `gpu-index-code.ts`), so the source itself names the kernel and the shapes; together
 * with the output size and the sizes of the arguments (gpu.js sizes an argument's
 * texture at compile time) it is the cache key. Compiling costs far more than running
 * — a GLSL compile and link on headless-gl — so a training loop, which calls the same
 * few shapes over and over, compiles each once.
 *
 * The cache is bounded: past `capacity` kernels the least recently used one is
 * destroyed, which frees its program, output texture and argument textures, so a long
 * session with ever-new shapes (gradient checks, say) does not grow without bound.
 *
 * Every kernel is created with `precision: 'single'` and `tactic: 'precision'`.
 *
 * @module
 */
import type { GpuJsInstance, GpuJsKernel } from './gpu-runtime.js';

/** What identifies a compiled kernel. */
export interface KernelSpec {
  /** JavaScript function source with the shapes written in. */
  source: string;
  /** Number of output elements. */
  output: number;
  /** Element count of each array argument, in order (numbers count as 1). */
  argumentSizes: readonly number[];
  /** True: the output stays on the device (a texture in GL modes) for the next kernel. */
  pipeline?: boolean;
}

/** Default number of compiled kernels kept alive. */
export const DEFAULT_KERNEL_CAPACITY = 256;

/** Compiled gpu.js kernels of one gpu.js instance, least recently used first. */
export class KernelCache {
  private readonly kernels = new Map<string, GpuJsKernel>();
  private compiles = 0;

  /**
   * @param gpu - the gpu.js instance kernels are compiled on
   * @param capacity - how many compiled kernels to keep before destroying the least recently used
   */
  constructor(private readonly gpu: GpuJsInstance, private readonly capacity = DEFAULT_KERNEL_CAPACITY) {}

  /** The kernel for `spec`, compiled on first use. */
  get(spec: KernelSpec): GpuJsKernel {
    const pipeline = spec.pipeline ?? false;
    const key = `${pipeline ? 'device' : 'host'}|${spec.output}|${spec.argumentSizes.join(',')}|${spec.source}`;
    const found = this.kernels.get(key);
    if (found) {
      // Re-insert: Map order is the recency order.
      this.kernels.delete(key);
      this.kernels.set(key, found);
      return found;
    }
    const kernel = this.gpu.createKernel(spec.source, {
      output: [spec.output],
      precision: 'single',
      tactic: 'precision',
      pipeline,
      immutable: pipeline,
      loopMaxIterations: 1 << 24,
    });
    this.compiles++;
    this.kernels.set(key, kernel);
    if (this.kernels.size > this.capacity) {
      const [oldestKey, oldest] = this.kernels.entries().next().value as [string, GpuJsKernel];
      this.kernels.delete(oldestKey);
      oldest.destroy();
    }
    return kernel;
  }

  /** Compiled kernels alive now. */
  get size(): number {
    return this.kernels.size;
  }

  /** Kernels compiled since the cache was made (a re-compile after eviction counts again). */
  get compiled(): number {
    return this.compiles;
  }

  /** Destroy every kernel. */
  clear(): void {
    for (const kernel of this.kernels.values()) kernel.destroy();
    this.kernels.clear();
  }
}
