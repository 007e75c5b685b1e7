/**
 * The GPU backend: every kernel of {@link Backend} as gpu.js kernels, in the gpu.js mode
 * of your choice (`cpu`, `webasm`, `headlessgl`, or `gpu` for gpu.js's own pick).
 *
 * How a call runs: the kernel's source is generated for the call's shapes
 * (`gpu-kernel-sources.ts`), compiled once and cached (`gpu-kernel-cache.ts`), run on
 * the inputs, and its output is read back into a new `Float32Array`. The
 * {@link Backend} interface trades in host arrays, so every call uploads its inputs and
 * reads back its output; only inside a call do intermediates stay on the device (the
 * partial results of a long reduction, the argmax of max pooling), counted by
 * {@link GpuBackend.liveBuffers} and released before the call returns. Keeping tensors
 * on the device between calls needs a device-buffer type in the interface (see
 * `docs/gpu.md`).
 *
 * Float64 (used by the float64 central-difference gradient checks) has no place in a
 * float32 shader: a call whose first input is a `Float64Array` runs the CPU backend's
 * kernel and returns float64, so gradient checks stay exact under this backend. The
 * GPU kernels themselves are held to the CPU backend in float32 by
 * `spec/backends/gpu-backend.spec.ts`.
 *
 * @module
 */
import type { Backend, BinaryOp, Conv2dGeometry, Data, GemmArgs, MaxPoolResult, ReduceOp, UnaryOp } from './backend.js';
import { cpuBackend } from './cpu.js';
import { DeviceBuffers } from './gpu-device-buffers.js';
import { MAX_INDEX } from './gpu-index-code.js';
import { broadcastStrides, checkLength, collapse, contiguousStrides, sizeOf } from './loop-nest.js';
import { checkGeometry, checkPoolInput } from './window-checks.js';
import { DEFAULT_KERNEL_CAPACITY, KernelCache, type KernelSpec } from './gpu-kernel-cache.js';
import {
  avgPoolBackwardSource,
  avgPoolSource,
  binarySource,
  col2imSource,
  gatherSource,
  gemmSource,
  im2colSource,
  maxPoolArgmaxSource,
  maxPoolBackwardSource,
  maxPoolValuesSource,
  PARAMETRIC_UNARY,
  reduceFinishSource,
  reducePartialSource,
  reduceSource,
  unarySource,
  type ReducePlan,
} from './gpu-kernel-sources.js';
import { startGpuJs, type GpuJsOutput, type GpuMode, type GpuRuntime } from './gpu-runtime.js';

/** Options of {@link createGpuBackend}. */
export interface GpuBackendOptions {
  /** The gpu.js mode (default `'gpu'`: gpu.js picks headless-gl where it works, else WebAssembly). */
  mode?: GpuMode;
  /** Compiled kernels to keep before the least recently used is destroyed (default 256, at least 2). */
  kernelCapacity?: number;
}

/** Counters of a GPU backend's device resources and work. */
export interface GpuStats {
  /** Device buffers alive now (0 between calls). */
  liveBuffers: number;
  /** Device buffers made since the backend started. */
  createdBuffers: number;
  /** Compiled kernels in the cache now. */
  kernels: number;
  /** Kernels compiled since the backend started. */
  compiled: number;
  /** Kernel launches since the backend started. */
  launches: number;
}

/** A {@link Backend} that runs its kernels through gpu.js, with its device bookkeeping. */
export interface GpuBackend extends Backend {
  /** `gpu:<mode>`, e.g. `gpu:webasm`; for mode `gpu`, `gpu:gpu(<what gpu.js chose>)`. */
  readonly name: string;
  /** The mode that was asked for. */
  readonly mode: GpuMode;
  /** The gpu.js backend that runs the kernels: `cpu`, `webasm` or `headlessgl`. */
  readonly kernelMode: string;
  /** What executes the kernels; in headless-gl mode the GL renderer string (e.g. Mesa's `llvmpipe`, or a GPU's name). */
  readonly device: string;
  /** Device buffers alive now; 0 whenever no backend call is running. */
  liveBuffers(): number;
  /** Counters of device buffers, compiled kernels and launches. */
  stats(): GpuStats;
  /** Release every device buffer, kernel and the GL context. The backend cannot be used afterwards; make another backend current first. */
  dispose(): Promise<void>;
}

function fail(kernel: string, message: string): never {
  throw new Error(`gpu.${kernel}: ${message}`);
}

/** Every buffer a kernel addresses must stay below {@link MAX_INDEX} elements, where float32 index arithmetic is exact. */
function checkAddressable(kernel: string, spec: KernelSpec): void {
  for (const size of [spec.output, ...spec.argumentSizes]) {
    if (size >= MAX_INDEX) fail(kernel, `a buffer of ${size} elements is too large: shader index arithmetic in float32 is exact only below 2^24 = ${MAX_INDEX} elements; use the cpu backend for tensors this large`);
  }
}

/** `data` as float32 (a float64 second operand is rounded; the first operand decides the result type). */
function float32(data: Data): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** Where a long reduction switches to two passes (partial results per chunk of about √length). */
const TWO_PASS_REDUCTION = 256;

/** The GPU backend on a started gpu.js; see {@link createGpuBackend}. */
function gpuBackendOn(runtime: GpuRuntime, kernelCapacity: number): GpuBackend {
  const { gpu, mode, kernelMode, device } = runtime;
  const name = mode === 'gpu' ? `gpu:gpu(${kernelMode})` : `gpu:${mode}`;
  const cache = new KernelCache(gpu, kernelCapacity);
  const buffers = new DeviceBuffers();
  /** The geometry of each argmax this backend returned, so the backward can gather instead of scatter. */
  const poolGeometry = new WeakMap<Int32Array, { n: number; g: Conv2dGeometry }>();
  let launches = 0;
  let disposed = false;

  function launch(kernel: string, spec: KernelSpec, args: (Float32Array | Int32Array | GpuJsOutput | number)[]): unknown {
    if (disposed) fail(kernel, `the ${name} backend was disposed; make another backend current`);
    checkAddressable(kernel, spec);
    launches++;
    return cache.get(spec)(...args);
  }

  /** Run a kernel and read its output back to the host. */
  function toHost(kernel: string, spec: KernelSpec, ...args: (Float32Array | Int32Array | GpuJsOutput | number)[]): Float32Array {
    const out = launch(kernel, spec, args);
    if (!(out instanceof Float32Array)) fail(kernel, `gpu.js returned ${Object.prototype.toString.call(out)} instead of a Float32Array`);
    return out.length === spec.output ? out : out.slice(0, spec.output);
  }

  /** Run a pipeline kernel whose output stays on the device; the caller releases it. */
  function onDevice(kernel: string, spec: KernelSpec, ...args: (Float32Array | Int32Array | GpuJsOutput | number)[]): GpuJsOutput {
    return buffers.hold(launch(kernel, spec, args) as GpuJsOutput);
  }

  function unary(op: UnaryOp, x: Data, param?: number): Data {
    if (x instanceof Float64Array) return cpuBackend.unary(op, x, param);
    const parametric = PARAMETRIC_UNARY.has(op);
    if (parametric && typeof param !== 'number') fail('unary', `'${op}' needs a numeric param, got ${param}`);
    if (x.length === 0) return new Float32Array(0);
    const spec = unarySource(op, x.length);
    return parametric ? toHost('unary', spec, x, param as number) : toHost('unary', spec, x);
  }

  function binary(op: BinaryOp, a: Data, aShape: readonly number[], b: Data, bShape: readonly number[], outShape: readonly number[]): Data {
    if (a instanceof Float64Array) return cpuBackend.binary(op, a, aShape, b, bShape, outShape);
    checkLength('gpu.binary', `a (${op})`, a, aShape);
    checkLength('gpu.binary', `b (${op})`, b, bShape);
    const sa = broadcastStrides('gpu.binary', aShape, outShape);
    const sb = broadcastStrides('gpu.binary', bShape, outShape);
    const n = sizeOf(outShape);
    if (n === 0) return new Float32Array(0);
    return toHost('binary', binarySource(op, collapse(outShape, [sa, sb]), n, a.length, b.length), a, float32(b));
  }

  function reduce(op: ReduceOp, x: Data, shape: readonly number[], axes: readonly number[]): Data {
    if (x instanceof Float64Array) return cpuBackend.reduce(op, x, shape, axes);
    checkLength('gpu.reduce', 'x', x, shape);
    if (op !== 'sum' && op !== 'max') fail('reduce', `unknown op '${op as string}'`);
    const reduced = shape.map(() => false);
    for (const a of axes) {
      const axis = a < 0 ? a + shape.length : a;
      if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) fail('reduce', `axis ${a} is out of range for shape [${shape.join(',')}]`);
      reduced[axis] = true;
    }
    const outShape = shape.map((d, i) => (reduced[i] ? 1 : d));
    const outputs = sizeOf(outShape);
    if (x.length === 0) return new Float32Array(outputs).fill(op === 'sum' ? 0 : -Infinity);
    const outStrides = contiguousStrides(outShape).map((s, i) => (reduced[i] ? 0 : s));
    const nest = collapse(shape, [contiguousStrides(shape), outStrides]);
    const plan: ReducePlan = { keptDims: [], keptStrides: [], reducedDims: [], reducedStrides: [] };
    nest.dims.forEach((d, axis) => {
      const isReduced = nest.strides[1][axis] === 0;
      (isReduced ? plan.reducedDims : plan.keptDims).push(d);
      (isReduced ? plan.reducedStrides : plan.keptStrides).push(nest.strides[0][axis]);
    });
    const length = sizeOf(plan.reducedDims);
    if (length <= TWO_PASS_REDUCTION) return toHost('reduce', reduceSource(op, plan, outputs, x.length), x);
    const chunk = Math.ceil(Math.sqrt(length));
    const chunks = Math.ceil(length / chunk);
    const partial = onDevice('reduce', reducePartialSource(op, plan, chunks, chunk, x.length), x);
    try {
      return toHost('reduce', reduceFinishSource(op, outputs, chunks), partial);
    } finally {
      buffers.release(partial);
    }
  }

  function gemm(a: Data, b: Data, args: GemmArgs): Data {
    if (a instanceof Float64Array) return cpuBackend.gemm(a, b, args);
    const { batch, m, n, k, transA, transB, strideA, strideB } = args;
    for (const [key, v] of Object.entries({ batch, m, n, k, strideA, strideB })) {
      if (!Number.isInteger(v) || v < 0) fail('gemm', `${key} must be a non-negative integer, got ${v}`);
    }
    const needA = batch === 0 ? 0 : (batch - 1) * strideA + m * k;
    const needB = batch === 0 ? 0 : (batch - 1) * strideB + k * n;
    if (a.length < needA) fail('gemm', `A has ${a.length} elements; batch ${batch} of ${transA ? `[${k},${m}]` : `[${m},${k}]`} with strideA ${strideA} needs ${needA}`);
    if (b.length < needB) fail('gemm', `B has ${b.length} elements; batch ${batch} of ${transB ? `[${n},${k}]` : `[${k},${n}]`} with strideB ${strideB} needs ${needB}`);
    const size = batch * m * n;
    if (size === 0 || k === 0) return new Float32Array(size);
    // Upload only what the product reads, so the argument size (part of the cache key) is the product's own.
    return toHost('gemm', gemmSource(args, needA, needB), a.subarray(0, needA), float32(b).subarray(0, needB));
  }

  function gather(x: Data, shape: readonly number[], strides: readonly number[], offset: number): Data {
    if (x instanceof Float64Array) return cpuBackend.gather(x, shape, strides, offset);
    if (shape.length !== strides.length) fail('gather', `shape [${shape.join(',')}] and strides [${strides.join(',')}] differ in rank`);
    const n = sizeOf(shape);
    if (n === 0) return new Float32Array(0);
    // Upload only the span the view reaches; offsets become relative to its start.
    let lo = offset;
    let hi = offset;
    shape.forEach((d, axis) => {
      const reach = (d - 1) * strides[axis];
      if (reach < 0) lo += reach;
      else hi += reach;
    });
    if (lo < 0 || hi >= x.length) fail('gather', `the view (shape [${shape.join(',')}], strides [${strides.join(',')}], offset ${offset}) reaches elements ${lo}..${hi} of a buffer of ${x.length}`);
    const nest = collapse(shape, [strides]);
    return toHost('gather', gatherSource(nest, offset - lo, n, hi - lo + 1), x.subarray(lo, hi + 1));
  }

  function im2col(x: Data, xOffset: number, g: Conv2dGeometry): Data {
    if (x instanceof Float64Array) return cpuBackend.im2col(x, xOffset, g);
    checkGeometry('gpu.im2col', g);
    const image = g.channels * g.height * g.width;
    if (x.length < xOffset + image) fail('im2col', `x has ${x.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${xOffset} needs ${xOffset + image}`);
    return toHost('im2col', im2colSource(g), x.subarray(xOffset, xOffset + image));
  }

  function col2im(cols: Data, g: Conv2dGeometry, out: Data, outOffset: number): void {
    if (cols instanceof Float64Array) return cpuBackend.col2im(cols, g, out, outOffset);
    checkGeometry('gpu.col2im', g);
    const expected = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    if (cols.length !== expected) fail('col2im', `cols has ${cols.length} elements, geometry needs ${g.channels * g.kernelH * g.kernelW}×${g.outH * g.outW} = ${expected}`);
    const image = g.channels * g.height * g.width;
    if (out.length < outOffset + image) fail('col2im', `out has ${out.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${outOffset} needs ${outOffset + image}`);
    out.set(toHost('col2im', col2imSource(g), cols, float32(out.subarray(outOffset, outOffset + image))), outOffset);
  }

  function maxPool2d(x: Data, n: number, g: Conv2dGeometry): MaxPoolResult {
    if (x instanceof Float64Array) return cpuBackend.maxPool2d(x, n, g);
    checkGeometry('gpu.maxPool2d', g);
    checkPoolInput('gpu.maxPool2d', 'x', x, n, g.channels * g.height * g.width);
    const outputs = n * g.channels * g.outH * g.outW;
    if (outputs === 0) return { out: new Float32Array(0), argmax: new Int32Array(0) };
    const found = onDevice('maxPool2d', maxPoolArgmaxSource(n, g), x);
    try {
      const out = toHost('maxPool2d', maxPoolValuesSource(outputs, x.length), x, found);
      const argmax = Int32Array.from(buffers.read(found));
      for (let o = 0; o < outputs; o++) if (argmax[o] < 0) out[o] = -Infinity;
      poolGeometry.set(argmax, { n, g });
      return { out, argmax };
    } finally {
      buffers.release(found);
    }
  }

  function maxPool2dBackward(grad: Data, argmax: Int32Array, inputSize: number): Data {
    if (grad instanceof Float64Array) return cpuBackend.maxPool2dBackward(grad, argmax, inputSize);
    if (grad.length !== argmax.length) fail('maxPool2dBackward', `grad has ${grad.length} elements but argmax has ${argmax.length}`);
    const known = poolGeometry.get(argmax);
    if (!known || known.n * known.g.channels * known.g.height * known.g.width !== inputSize) {
      // An argmax this backend did not make carries no geometry to gather with: scatter on the host.
      return cpuBackend.maxPool2dBackward(grad, argmax, inputSize);
    }
    return toHost('maxPool2dBackward', maxPoolBackwardSource(known.n, known.g), grad, argmax);
  }

  function avgPool2d(x: Data, n: number, g: Conv2dGeometry): Data {
    if (x instanceof Float64Array) return cpuBackend.avgPool2d(x, n, g);
    checkGeometry('gpu.avgPool2d', g);
    checkPoolInput('gpu.avgPool2d', 'x', x, n, g.channels * g.height * g.width);
    if (n * g.channels === 0) return new Float32Array(0);
    return toHost('avgPool2d', avgPoolSource(n, g), x);
  }

  function avgPool2dBackward(grad: Data, n: number, g: Conv2dGeometry): Data {
    if (grad instanceof Float64Array) return cpuBackend.avgPool2dBackward(grad, n, g);
    checkGeometry('gpu.avgPool2dBackward', g);
    checkPoolInput('gpu.avgPool2dBackward', 'grad', grad, n, g.channels * g.outH * g.outW);
    if (n * g.channels === 0) return new Float32Array(0);
    return toHost('avgPool2dBackward', avgPoolBackwardSource(n, g), grad);
  }

  return {
    name,
    mode,
    kernelMode,
    device,
    unary,
    binary,
    reduce,
    gemm,
    gather,
    im2col,
    col2im,
    maxPool2d,
    maxPool2dBackward,
    avgPool2d,
    avgPool2dBackward,
    liveBuffers: () => buffers.live,
    stats: () => ({ liveBuffers: buffers.live, createdBuffers: buffers.created, kernels: cache.size, compiled: cache.compiled, launches }),
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      buffers.releaseAll();
      cache.clear();
      await gpu.destroy();
    },
  };
}

/**
 * Start gpu.js in `options.mode` and return a backend that runs every kernel there.
 * gpu.js is imported only now (it is an optional dependency). When it is missing, or
 * the mode cannot start here, this rejects with one line saying why and what to
 * install or run (a `GpuUnavailableError`).
 *
 * The backend is not made current; pass it to `setBackend`, or use `useGpuBackend`.
 *
 * @example
 * const gpu = await createGpuBackend({ mode: 'webasm' });
 * const previous = setBackend(gpu);   // ops now run through gpu.js (gpu.name === 'gpu:webasm')
 * // … train …
 * setBackend(previous);
 * await gpu.dispose();
 */
export async function createGpuBackend(options: GpuBackendOptions = {}): Promise<GpuBackend> {
  const capacity = options.kernelCapacity ?? DEFAULT_KERNEL_CAPACITY;
  // A call may use two kernels at once (a pass and the one reading its output): keep at least those.
  if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`createGpuBackend: kernelCapacity must be an integer of at least 2, got ${capacity}`);
  const runtime = await startGpuJs(options.mode ?? 'gpu');
  return gpuBackendOn(runtime, capacity);
}
