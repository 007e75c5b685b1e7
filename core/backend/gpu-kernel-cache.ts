/**
 * Kernels compiled once and cached by (kernel, shapes, argument kinds).
 *
 * A kernel's source has its sizes and strides written in as literals (see
 * `gpu-index-code.ts`), so the source itself names the kernel and the shapes; together
 * with the output size, whether the output stays on the device, and the size and kind
 * of each argument it is the cache key. gpu.js compiles an argument according to what
 * it was given the first time (a texture is sampled, a host array is uploaded) and, if a
 * later call passes the other kind, silently builds a replacement kernel; keying on the
 * kind gives each combination a kernel of its own instead. Compiling costs far more
 * than running — a GLSL compile and link on headless-gl — so a training loop, which
 * calls the same few shapes over and over, compiles each once.
 *
 * The cache is bounded: past `capacity` kernels the least recently used one is
 * destroyed, which frees its program, output texture and argument textures, so a long
 * session with ever-new shapes (gradient checks, say) does not grow without bound. But
 * destroying a GL kernel also breaks the textures it returned earlier (gpu.js deletes
 * the first and reads the others through the kernel's context), so a kernel is
 * {@link KernelCache.pin | pinned} while any output of it is alive on the device, and
 * eviction passes pinned kernels over. When every other kernel is pinned the cache
 * grows past `capacity` for a while, and shrinks back as outputs are released.
 *
 * Every kernel is created with `precision: 'single'` and `tactic: 'precision'`.
 *
 * @module
 */
import { isGpuJsTexture, type GpuJsInstance, type GpuJsKernel } from './gpu-runtime.js';

/**
 * How an argument reaches a kernel: a scalar, a host array (uploaded), or a texture
 * another kernel left on the device. A scalar −0 is a kind of its own: gpu.js's GL
 * kernels skip re-uploading a scalar that is `===` the last one, and `-0 === 0`, so a
 * kernel that ran with +0 would run on with +0 when given −0 (and the other way round).
 * With a kernel of its own, −0 never follows +0 (a pad with concatenation's fill of −0).
 */
export type ArgumentKind = 'number' | 'negative zero' | 'float32' | 'int32' | 'texture';

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
  /** The kind of each argument, in order; the backend sets them from the arguments of the call (see {@link argumentKind}). */
  argumentKinds?: readonly ArgumentKind[];
}

/** The {@link ArgumentKind} of one kernel argument. */
export function argumentKind(value: unknown): ArgumentKind {
  if (typeof value === 'number') return Object.is(value, -0) ? 'negative zero' : 'number';
  if (value instanceof Float32Array) return 'float32';
  if (value instanceof Int32Array) return 'int32';
  if (isGpuJsTexture(value)) return 'texture';
  throw new Error(`gpu kernel cache: a kernel argument must be a number, a Float32Array, an Int32Array or a texture, got ${Object.prototype.toString.call(value)}`);
}

/** Default number of compiled kernels kept alive. */
export const DEFAULT_KERNEL_CAPACITY = 256;

/** Compiled gpu.js kernels of one gpu.js instance, least recently used first. */
export class KernelCache {
  private readonly kernels = new Map<string, GpuJsKernel>();
  /** Outputs alive on the device, per kernel that has any. */
  private readonly pins = new Map<GpuJsKernel, number>();
  private compiles = 0;

  /**
   * @param gpu - the gpu.js instance kernels are compiled on
   * @param capacity - how many compiled kernels to keep before destroying the least recently used unpinned one
   */
  constructor(private readonly gpu: GpuJsInstance, private readonly capacity = DEFAULT_KERNEL_CAPACITY) {}

  /** The kernel for `spec`, compiled on first use. */
  get(spec: KernelSpec): GpuJsKernel {
    const pipeline = spec.pipeline ?? false;
    const kinds = (spec.argumentKinds ?? []).join(',');
    const key = `${pipeline ? 'device' : 'host'}|${spec.output}|${spec.argumentSizes.join(',')}|${kinds}|${spec.source}`;
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
    this.evict(kernel);
    return kernel;
  }

  /** Count one more output of `kernel` alive on the device: until it is {@link KernelCache.unpin | unpinned}, the kernel is not destroyed. */
  pin(kernel: GpuJsKernel): void {
    this.pins.set(kernel, (this.pins.get(kernel) ?? 0) + 1);
  }

  /** One output of `kernel` was released; when it was the last, the kernel may be evicted again (and is, if the cache is over capacity). */
  unpin(kernel: GpuJsKernel): void {
    const count = this.pins.get(kernel);
    if (count === undefined) throw new Error('gpu kernel cache: unpinned a kernel that has no output alive');
    if (count > 1) this.pins.set(kernel, count - 1);
    else {
      this.pins.delete(kernel);
      this.evict();
    }
  }

  /** Destroy least recently used unpinned kernels, other than `keep`, until the cache is within capacity or only pinned ones are left. */
  private evict(keep?: GpuJsKernel): void {
    for (const [key, kernel] of this.kernels) {
      if (this.kernels.size <= this.capacity) return;
      if (kernel === keep || this.pins.has(kernel)) continue;
      this.kernels.delete(key);
      kernel.destroy();
    }
  }

  /** Compiled kernels alive now (above capacity only while the others are pinned). */
  get size(): number {
    return this.kernels.size;
  }

  /** Kernels compiled since the cache was made (a re-compile after eviction counts again). */
  get compiled(): number {
    return this.compiles;
  }

  /** Destroy every kernel (release their outputs first: this breaks any still alive). */
  clear(): void {
    for (const kernel of this.kernels.values()) kernel.destroy();
    this.kernels.clear();
    this.pins.clear();
  }
}
