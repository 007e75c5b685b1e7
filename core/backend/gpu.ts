/**
 * The GPU backend: every kernel of {@link Backend} as gpu.js kernels, in the gpu.js mode
 * of your choice (`cpu`, `webasm`, `headlessgl`, or `gpu` for gpu.js's own pick).
 *
 * How a call runs: the kernel's source is generated for the call's shapes
 * (`gpu-kernel-sources.ts`), compiled once and cached (`gpu-kernel-cache.ts`), and run
 * on the inputs. Where its output goes is the only difference between the two kernel
 * sets the backend offers, which share every kernel's checks and launch:
 *
 * - the {@link Backend} kernels trade in host arrays: each call uploads its inputs and
 *   reads its output back into a new `Float32Array`;
 * - the {@link DeviceKernels} of {@link GpuBackend.deviceKernels} leave their outputs on the
 *   device as device arrays (`gpu-device-buffers.ts`; textures in the GL modes) and take
 *   them as inputs, so a chain of ops — GEMM, bias, activation, reduction — makes no
 *   round trip to the host. A device array lives until its holder downloads or releases
 *   it; for tensors that is `core/device-scope.ts`'s business.
 *
 * Either way {@link GpuBackend.liveBuffers} counts the device arrays alive, including
 * a host call's own intermediates (the partial results of a long reduction, the argmax
 * of max pooling), which it releases before it returns.
 *
 * Float64 (used by the float64 central-difference gradient checks) has no place in a
 * float32 shader: a call whose first input is a `Float64Array` runs the CPU backend's
 * kernel and returns float64, in both kernel sets, so gradient checks stay exact under
 * this backend. The GPU kernels themselves are held to the CPU backend in float32 by
 * `spec/backends/gpu-backend.spec.ts` and `spec/backends/gpu-device.spec.ts`.
 *
 * @module
 */
import type {
  Backend,
  BinaryOp,
  Conv2dGeometry,
  Data,
  DeviceArray,
  DeviceKernels,
  GemmArgs,
  Operand,
  ReduceOp,
  UnaryOp,
} from './backend.js';
import { cpuBackend } from './cpu.js';
import { DeviceBuffers, GpuDeviceArray } from './gpu-device-buffers.js';
import { MAX_INDEX } from './gpu-index-code.js';
import { broadcastStrides, checkLength, checkRegion, collapse, reductionNest, sizeOf } from './loop-nest.js';
import { unfoldedConv } from './unfolded-conv.js';
import { checkGeometry, checkPoolInput } from './window-checks.js';
import { argumentKind, DEFAULT_KERNEL_CAPACITY, KernelCache, type KernelSpec } from './gpu-kernel-cache.js';
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
  padSource,
  PARAMETRIC_UNARY,
  reduceFinishSource,
  reducePartialSource,
  reduceSource,
  unarySource,
  type ReducePlan,
} from './gpu-kernel-sources.js';
import { isGpuJsTexture, startGpuJs, type GpuJsKernel, type GpuJsModule, type GpuMode, type GpuRuntime } from './gpu-runtime.js';

/** Options of {@link createGpuBackend}. */
export interface GpuBackendOptions {
  /** The gpu.js mode (default `'gpu'`: gpu.js picks headless-gl where it works, else WebAssembly). */
  mode?: GpuMode;
  /**
   * Compiled kernels to keep before the least recently used is destroyed (default 256, at
   * least 2). A kernel with outputs still alive on the device is never destroyed, so the
   * cache may hold more while they live.
   */
  kernelCapacity?: number;
  /**
   * The gpu.js module to start, instead of importing the optional package on demand. A
   * page bundled for the browser (e.g. with esbuild) passes its own
   * `import * as gpuJs from 'gpu.js'`, because a bundler cannot follow that dynamic import.
   */
  gpuJs?: GpuJsModule;
}

/** Counters of a GPU backend's device resources and work. */
export interface GpuStats {
  /** Device arrays alive now (0 between host calls when no device array is held). */
  liveBuffers: number;
  /** Device arrays made since the backend started. */
  createdBuffers: number;
  /** Compiled kernels in the cache now. */
  kernels: number;
  /** Kernels compiled since the backend started. */
  compiled: number;
  /** Kernel launches since the backend started. */
  launches: number;
  /**
   * Copies of kernel outputs to the host since the backend started: every launch of a
   * host kernel (whose result is read back at once) and every download or read of a
   * device array. Data kept on the device between kernels shows here as fewer copies.
   */
  readbacks: number;
}

/** A {@link Backend} that runs its kernels through gpu.js, with its device bookkeeping. */
export interface GpuBackend extends Backend {
  /** `gpu:<mode>`, e.g. `gpu:webasm`; for mode `gpu`, `gpu:gpu(<what gpu.js chose>)`. */
  readonly name: string;
  /** The mode that was asked for. */
  readonly mode: GpuMode;
  /** The gpu.js backend that runs the kernels: `cpu`, `webasm` or `headlessgl`; in a browser `webgl2` or `webgl`. */
  readonly kernelMode: string;
  /** What executes the kernels; in headless-gl mode the GL renderer string (e.g. Mesa's `llvmpipe`, or a GPU's name). */
  readonly device: string;
  /**
   * The kernels whose results stay on the device as device arrays, which only this
   * backend's kernels read.
   *
   * @example
   * const k = gpu.deviceKernels;
   * const h = k.gemm(x, w, { batch: 1, m: 4, n: 3, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 }); // [4,3], on the device
   * const z = k.binary('add', h, [4, 3], bias, [3], [4, 3]); // reads h where it is
   * const y = k.unary('relu', z);
   * for (const a of [h, z]) if (k.owns(a)) a.release();
   * const values = k.owns(y) ? y.download() : y;             // 12 elements, back on the host
   */
  readonly deviceKernels: DeviceKernels;
  /** Device arrays alive now: those the device kernels returned that are not downloaded or released yet (a host call leaves none). */
  liveBuffers(): number;
  /** Counters of device arrays, compiled kernels and launches. */
  stats(): GpuStats;
  /** Release every device array, kernel and the GL context. The backend cannot be used afterwards; make another backend current first. */
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

/** A float32 operand a kernel reads: host data, or a live device array of this backend. */
type Float32Operand = Float32Array | GpuDeviceArray;

/** One argument of a launch: an operand, the argmax of max pooling, or a scalar. */
type KernelInput = Float32Operand | Int32Array | number;

/** Where a kernel set delivers its results: read back to the host, or kept on the device. */
interface Destination<R> {
  /** Run a kernel on its inputs and deliver its output. */
  run(kernel: string, spec: KernelSpec, inputs: readonly KernelInput[]): R;
  /** Deliver values the host had to finish (max pooling's −∞ for windows of padding only, a pad whose fill is NaN or ±∞). */
  adopt(kernel: string, values: Float32Array): R;
}

/**
 * Elements `lo … hi − 1` of an operand as a kernel argument, and where that argument
 * starts in `x`. Host data is cut to them, so the argument's size (part of the cache
 * key) is what the kernel reads rather than the whole buffer; a device array cannot be
 * cut and goes whole.
 */
function part(x: Float32Operand, lo: number, hi: number): { arg: Float32Operand; start: number } {
  return x instanceof Float32Array ? { arg: x.subarray(lo, hi), start: lo } : { arg: x, start: 0 };
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
  let hostReadbacks = 0;
  let disposed = false;

  function launch(kernel: string, spec: KernelSpec, inputs: readonly KernelInput[]): { output: unknown; compiled: GpuJsKernel } {
    if (disposed) fail(kernel, `the ${name} backend was disposed; make another backend current`);
    checkAddressable(kernel, spec);
    const args = inputs.map((v) => (v instanceof GpuDeviceArray ? v.buffer : v));
    const compiled = cache.get({ ...spec, argumentKinds: args.map(argumentKind) });
    launches++;
    return { output: compiled(...args), compiled };
  }

  /** Run a kernel and read its output back to the host. */
  function toHost(kernel: string, spec: KernelSpec, inputs: readonly KernelInput[]): Float32Array {
    const { output } = launch(kernel, { ...spec, pipeline: false }, inputs);
    hostReadbacks++;
    if (!(output instanceof Float32Array)) fail(kernel, `gpu.js returned ${Object.prototype.toString.call(output)} instead of a Float32Array`);
    return output.length === spec.output ? output : output.slice(0, spec.output);
  }

  /** Run a pipeline kernel whose output stays on the device as a device array; its kernel stays pinned in the cache while it lives. */
  function toDevice(kernel: string, spec: KernelSpec, inputs: readonly KernelInput[]): GpuDeviceArray {
    const { output, compiled } = launch(kernel, { ...spec, pipeline: true }, inputs);
    if (!(output instanceof Float32Array) && !isGpuJsTexture(output)) fail(kernel, `gpu.js returned ${Object.prototype.toString.call(output)} instead of a texture or a Float32Array`);
    const array = buffers.hold(backend, output, spec.output, () => cache.unpin(compiled));
    cache.pin(compiled);
    return array;
  }

  /** Why `x` is not an operand this backend can read, in words naming `what` it is. */
  function unreadable(what: string, x: unknown): string {
    const array = x as Partial<DeviceArray> | null;
    if (typeof array?.release !== 'function' || typeof array.owner?.name !== 'string') {
      return `${what} must be a Float32Array, a Float64Array or a device array of this backend, got ${Object.prototype.toString.call(x)}`;
    }
    if (array.owner !== backend) return `${what} is a device array of another backend (${array.owner.name}); only the backend that made a device array can read it`;
    return `${what} is a device array that was already downloaded or released; it has no device memory left to read`;
  }

  /** `x` as a float32 operand of `kernel`: host data (float64 rounded to float32) or a live device array of this backend. */
  function operand(kernel: string, what: string, x: Operand): Float32Operand {
    if (x instanceof Float32Array) return x;
    if (x instanceof Float64Array) return Float32Array.from(x);
    if (buffers.holds(x)) return x;
    fail(kernel, unreadable(what, x));
  }

  /** `x` as an operand of a CPU kernel, which runs when the first operand is float64. */
  function hostOperand(kernel: string, what: string, x: Operand): Data {
    if (x instanceof Float32Array || x instanceof Float64Array) return x;
    fail(kernel, `the first operand is float64, so the kernel runs on the host, but ${what} is a device array; download it first`);
  }

  const hostResults: Destination<Float32Array> = { run: toHost, adopt: (_, values) => values };
  const deviceResults: Destination<GpuDeviceArray> = {
    run: toDevice,
    // A copy kernel takes the values to the device.
    adopt: (kernel, values) => toDevice(kernel, unarySource('copy', values.length), [values]),
  };

  /**
   * The kernels both sets share, delivering results `to` the host or the device. A
   * float64 first operand runs the CPU backend's kernel instead. Results computed
   * without a kernel (empty or constant) are host arrays either way.
   */
  function kernelsTo<R>(to: Destination<R>) {
    function unary(op: UnaryOp, x: Operand, param?: number): R | Data {
      if (x instanceof Float64Array) return cpuBackend.unary(op, x, param);
      const input = operand('unary', 'x', x);
      const parametric = PARAMETRIC_UNARY.has(op);
      if (parametric && typeof param !== 'number') fail('unary', `'${op}' needs a numeric param, got ${param}`);
      if (input.length === 0) return new Float32Array(0);
      const spec = unarySource(op, input.length);
      return to.run('unary', spec, parametric ? [input, param as number] : [input]);
    }

    function binary(op: BinaryOp, a: Operand, aShape: readonly number[], b: Operand, bShape: readonly number[], outShape: readonly number[]): R | Data {
      if (a instanceof Float64Array) return cpuBackend.binary(op, a, aShape, hostOperand('binary', 'b', b), bShape, outShape);
      const left = operand('binary', 'a', a);
      const right = operand('binary', 'b', b);
      checkLength('gpu.binary', `a (${op})`, left, aShape);
      checkLength('gpu.binary', `b (${op})`, right, bShape);
      const sa = broadcastStrides('gpu.binary', aShape, outShape);
      const sb = broadcastStrides('gpu.binary', bShape, outShape);
      const n = sizeOf(outShape);
      if (n === 0) return new Float32Array(0);
      return to.run('binary', binarySource(op, collapse(outShape, [sa, sb]), n, left.length, right.length), [left, right]);
    }

    function reduce(op: ReduceOp, x: Operand, shape: readonly number[], axes: readonly number[]): R | Data {
      if (x instanceof Float64Array) return cpuBackend.reduce(op, x, shape, axes);
      const input = operand('reduce', 'x', x);
      checkLength('gpu.reduce', 'x', input, shape);
      const { outShape, nest } = reductionNest('gpu.reduce', op, shape, axes);
      const outputs = sizeOf(outShape);
      if (input.length === 0) return new Float32Array(outputs).fill(op === 'sum' ? 0 : -Infinity);
      const plan: ReducePlan = { keptDims: [], keptStrides: [], reducedDims: [], reducedStrides: [] };
      nest.dims.forEach((d, axis) => {
        const isReduced = nest.strides[1][axis] === 0;
        (isReduced ? plan.reducedDims : plan.keptDims).push(d);
        (isReduced ? plan.reducedStrides : plan.keptStrides).push(nest.strides[0][axis]);
      });
      const length = sizeOf(plan.reducedDims);
      if (length <= TWO_PASS_REDUCTION) return to.run('reduce', reduceSource(op, plan, outputs, input.length), [input]);
      const chunk = Math.ceil(Math.sqrt(length));
      const chunks = Math.ceil(length / chunk);
      const partial = toDevice('reduce', reducePartialSource(op, plan, chunks, chunk, input.length), [input]);
      try {
        return to.run('reduce', reduceFinishSource(op, outputs, chunks), [partial]);
      } finally {
        partial.release();
      }
    }

    function gemm(a: Operand, b: Operand, args: GemmArgs): R | Data {
      if (a instanceof Float64Array) return cpuBackend.gemm(a, hostOperand('gemm', 'B', b), args);
      const left = operand('gemm', 'A', a);
      const right = operand('gemm', 'B', b);
      const { batch, m, n, k, transA, transB, strideA, strideB } = args;
      for (const [key, v] of Object.entries({ batch, m, n, k, strideA, strideB })) {
        if (!Number.isInteger(v) || v < 0) fail('gemm', `${key} must be a non-negative integer, got ${v}`);
      }
      const needA = batch === 0 ? 0 : (batch - 1) * strideA + m * k;
      const needB = batch === 0 ? 0 : (batch - 1) * strideB + k * n;
      if (left.length < needA) fail('gemm', `A has ${left.length} elements; batch ${batch} of ${transA ? `[${k},${m}]` : `[${m},${k}]`} with strideA ${strideA} needs ${needA}`);
      if (right.length < needB) fail('gemm', `B has ${right.length} elements; batch ${batch} of ${transB ? `[${n},${k}]` : `[${k},${n}]`} with strideB ${strideB} needs ${needB}`);
      const size = batch * m * n;
      if (size === 0 || k === 0) return new Float32Array(size);
      const A = part(left, 0, needA).arg;
      const B = part(right, 0, needB).arg;
      return to.run('gemm', gemmSource(args, A.length, B.length), [A, B]);
    }

    function gather(x: Operand, shape: readonly number[], strides: readonly number[], offset: number): R | Data {
      if (x instanceof Float64Array) return cpuBackend.gather(x, shape, strides, offset);
      const input = operand('gather', 'x', x);
      if (shape.length !== strides.length) fail('gather', `shape [${shape.join(',')}] and strides [${strides.join(',')}] differ in rank`);
      const n = sizeOf(shape);
      if (n === 0) return new Float32Array(0);
      // The span the view reaches: [lo, hi].
      let lo = offset;
      let hi = offset;
      shape.forEach((d, axis) => {
        const reach = (d - 1) * strides[axis];
        if (reach < 0) lo += reach;
        else hi += reach;
      });
      if (lo < 0 || hi >= input.length) fail('gather', `the view (shape [${shape.join(',')}], strides [${strides.join(',')}], offset ${offset}) reaches elements ${lo}..${hi} of a buffer of ${input.length}`);
      const { arg, start } = part(input, lo, hi + 1);
      return to.run('gather', gatherSource(collapse(shape, [strides]), offset - start, n, arg.length), [arg]);
    }

    function pad(x: Operand, shape: readonly number[], outShape: readonly number[], starts: readonly number[], value: number): R | Data {
      if (x instanceof Float64Array) return cpuBackend.pad(x, shape, outShape, starts, value);
      const input = operand('pad', 'x', x);
      checkRegion('gpu.pad', input, shape, outShape, starts);
      const size = sizeOf(outShape);
      if (input.length === 0) return new Float32Array(size).fill(value);
      if (!Number.isFinite(value)) {
        // NaN and ±∞ cannot be handed to a shader reliably: the CPU kernel fills them on the host.
        const values = input instanceof GpuDeviceArray ? input.read() : input;
        return to.adopt('pad', cpuBackend.pad(values, shape, outShape, starts, value) as Float32Array);
      }
      return to.run('pad', padSource(outShape, shape, starts, input.length), [input, value]);
    }

    function maxPool2d(x: Operand, n: number, g: Conv2dGeometry): { out: R | Data; argmax: Int32Array } {
      if (x instanceof Float64Array) return cpuBackend.maxPool2d(x, n, g);
      const input = operand('maxPool2d', 'x', x);
      checkGeometry('gpu.maxPool2d', g);
      checkPoolInput('gpu.maxPool2d', 'x', input, n, g.channels * g.height * g.width);
      const outputs = n * g.channels * g.outH * g.outW;
      if (outputs === 0) return { out: new Float32Array(0), argmax: new Int32Array(0) };
      const found = toDevice('maxPool2d', maxPoolArgmaxSource(n, g), [input]);
      const values = maxPoolValuesSource(outputs, input.length);
      let out: R;
      let argmax: Int32Array;
      try {
        argmax = Int32Array.from(found.read());
        if (argmax.includes(-1)) {
          // A window of padding only has maximum −∞, which a shader cannot write: the host does.
          const patched = toHost('maxPool2d', values, [input, found]);
          argmax.forEach((at, o) => { if (at < 0) patched[o] = -Infinity; });
          out = to.adopt('maxPool2d', patched);
        } else out = to.run('maxPool2d', values, [input, found]);
      } finally {
        found.release();
      }
      poolGeometry.set(argmax, { n, g });
      return { out, argmax };
    }

    function maxPool2dBackward(grad: Operand, argmax: Int32Array, inputSize: number): R | Data {
      if (grad instanceof Float64Array) return cpuBackend.maxPool2dBackward(grad, argmax, inputSize);
      const input = operand('maxPool2dBackward', 'grad', grad);
      if (input.length !== argmax.length) fail('maxPool2dBackward', `grad has ${input.length} elements but argmax has ${argmax.length}`);
      const known = poolGeometry.get(argmax);
      if (!known || known.n * known.g.channels * known.g.height * known.g.width !== inputSize) {
        // An argmax this backend did not make carries no geometry to gather with: scatter on the host.
        return cpuBackend.maxPool2dBackward(input instanceof GpuDeviceArray ? input.read() : input, argmax, inputSize);
      }
      return to.run('maxPool2dBackward', maxPoolBackwardSource(known.n, known.g), [input, argmax]);
    }

    function avgPool2d(x: Operand, n: number, g: Conv2dGeometry): R | Data {
      if (x instanceof Float64Array) return cpuBackend.avgPool2d(x, n, g);
      const input = operand('avgPool2d', 'x', x);
      checkGeometry('gpu.avgPool2d', g);
      checkPoolInput('gpu.avgPool2d', 'x', input, n, g.channels * g.height * g.width);
      if (n * g.channels === 0) return new Float32Array(0);
      return to.run('avgPool2d', avgPoolSource(n, g), [input]);
    }

    function avgPool2dBackward(grad: Operand, n: number, g: Conv2dGeometry): R | Data {
      if (grad instanceof Float64Array) return cpuBackend.avgPool2dBackward(grad, n, g);
      const input = operand('avgPool2dBackward', 'grad', grad);
      checkGeometry('gpu.avgPool2dBackward', g);
      checkPoolInput('gpu.avgPool2dBackward', 'grad', input, n, g.channels * g.outH * g.outW);
      if (n * g.channels === 0) return new Float32Array(0);
      return to.run('avgPool2dBackward', avgPoolBackwardSource(n, g), [input]);
    }

    return { unary, binary, reduce, gemm, gather, pad, maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward };
  }

  /** Unfold one image at `xOffset` (the {@link Backend} form). */
  function im2col(x: Data, xOffset: number, g: Conv2dGeometry): Data {
    if (x instanceof Float64Array) return cpuBackend.im2col(x, xOffset, g);
    checkGeometry('gpu.im2col', g);
    const image = g.channels * g.height * g.width;
    if (x.length < xOffset + image) fail('im2col', `x has ${x.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${xOffset} needs ${xOffset + image}`);
    return toHost('im2col', im2colSource(1, g), [x.subarray(xOffset, xOffset + image)]);
  }

  /** Fold one image's columns, adding into `out` at `outOffset` (the {@link Backend} form). */
  function col2im(cols: Data, g: Conv2dGeometry, out: Data, outOffset: number): void {
    if (cols instanceof Float64Array) return cpuBackend.col2im(cols, g, out, outOffset);
    checkGeometry('gpu.col2im', g);
    const expected = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    if (cols.length !== expected) fail('col2im', `cols has ${cols.length} elements, geometry needs ${g.channels * g.kernelH * g.kernelW}×${g.outH * g.outW} = ${expected}`);
    const image = g.channels * g.height * g.width;
    if (out.length < outOffset + image) fail('col2im', `out has ${out.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${outOffset} needs ${outOffset + image}`);
    out.set(toHost('col2im', col2imSource(1, g, true), [cols, operand('col2im', 'out', out.subarray(outOffset, outOffset + image))]), outOffset);
  }

  /** Unfold `n` images at once (the {@link DeviceKernels} form). */
  function im2colBatch(x: Operand, n: number, g: Conv2dGeometry): Operand {
    checkGeometry('gpu.im2col', g);
    const image = g.channels * g.height * g.width;
    const columns = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    if (x instanceof Float64Array) {
      checkPoolInput('gpu.im2col', 'x', x, n, image);
      const out = new Float64Array(n * columns);
      for (let i = 0; i < n; i++) out.set(cpuBackend.im2col(x, i * image, g), i * columns);
      return out;
    }
    const input = operand('im2col', 'x', x);
    checkPoolInput('gpu.im2col', 'x', input, n, image);
    if (n * columns === 0) return new Float32Array(0);
    return toDevice('im2col', im2colSource(n, g), [input]);
  }

  /** Fold `n` images' columns into a new zeroed batch (the {@link DeviceKernels} form). */
  function col2imBatch(cols: Operand, n: number, g: Conv2dGeometry): Operand {
    checkGeometry('gpu.col2im', g);
    const image = g.channels * g.height * g.width;
    const columns = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    if (cols instanceof Float64Array) {
      checkPoolInput('gpu.col2im', 'cols', cols, n, columns);
      const out = new Float64Array(n * image);
      for (let i = 0; i < n; i++) cpuBackend.col2im(cols.subarray(i * columns, (i + 1) * columns), g, out, i * image);
      return out;
    }
    const input = operand('col2im', 'cols', cols);
    checkPoolInput('gpu.col2im', 'cols', input, n, columns);
    if (n * image === 0) return new Float32Array(0);
    if (columns === 0) return new Float32Array(n * image);
    return toDevice('col2im', col2imSource(n, g, false), [input]);
  }

  const onHost = kernelsTo(hostResults);
  const onDevice = kernelsTo(deviceResults);
  const unfolding = {
    ...onDevice,
    owns: (x: Operand): x is GpuDeviceArray => buffers.holds(x),
    im2col: im2colBatch,
    col2im: col2imBatch,
  };
  const deviceKernels: DeviceKernels = { ...unfolding, ...unfoldedConv(unfolding) };
  const backend: GpuBackend = {
    name,
    mode,
    kernelMode,
    device,
    deviceKernels,
    ...onHost,
    im2col,
    col2im,
    // The optimizers' update loops stay on the host, where the weights are.
    axpby: cpuBackend.axpby,
    liveBuffers: () => buffers.live,
    stats: () => ({
      liveBuffers: buffers.live,
      createdBuffers: buffers.created,
      kernels: cache.size,
      compiled: cache.compiled,
      launches,
      readbacks: hostReadbacks + buffers.downloads,
    }),
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      buffers.releaseAll();
      cache.clear();
      await gpu.destroy();
    },
  };
  return backend;
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
  const runtime = await startGpuJs(options.mode ?? 'gpu', options.gpuJs);
  return gpuBackendOn(runtime, capacity);
}
