/**
 * The GPU backend's device kernels (`backend.deviceKernels`) held to the CPU backend, in every
 * gpu.js mode that can run here (modes are run as `gpu-modes.ts` says).
 *
 * For each mode: every device kernel agrees with the CPU backend's host kernel within
 * float32 tolerance, on host inputs and on device arrays a previous device kernel made;
 * chains of kernels (a dense layer, a convolution forward and backward) run with no
 * download in between; a device array is counted from the kernel that made it until it
 * is downloaded or released; misuse (a released array, a second release, another
 * backend's array) fails with one line naming the kernel; a float64 first operand gives
 * the CPU backend's float64 result exactly; a pad's fill of +0 or −0 keeps its sign;
 * host arrays and textures get kernels of their own; and with a cache of two kernels,
 * eviction never destroys a kernel whose outputs are still alive.
 */
import test from 'tape';
import type { Conv2dGeometry, Data, DeviceArray, DeviceKernels, Operand } from '../../core/backend/backend.js';
import { cpuBackend, createGpuBackend, type GpuBackend } from '../../core/backend/index.js';
import { Rng } from '../../core/random.js';
import { hostKernels } from '../../core/backend/host-kernels.js';
import { agree } from './agreement.js';
import { forEachGpuMode } from './gpu-modes.js';

const rng = new Rng(20240611);

/** `n` seeded values: standard normal, or uniform in `[low, high)`. */
function randoms(n: number, low?: number, high?: number): Float32Array {
  return Float32Array.from({ length: n }, () => (low === undefined ? rng.normal() : low + (high! - low) * rng.uniform()));
}

/** The geometry of a square `k`×`k` window over `height`×`width` images. */
function geometry(channels: number, height: number, width: number, k: number, stride: number, pad: number): Conv2dGeometry {
  const out = (size: number): number => Math.floor((size + 2 * pad - (k - 1) - 1) / stride) + 1;
  return { channels, height, width, kernelH: k, kernelW: k, strideH: stride, strideW: stride, padH: pad, padW: pad, dilationH: 1, dilationW: 1, outH: out(height), outW: out(width) };
}

function isDevice(x: Operand): x is DeviceArray {
  return !(x instanceof Float32Array || x instanceof Float64Array);
}

/** The elements of a kernel result, downloading (and so releasing) a device array. */
function download(x: Operand): Data {
  return isDevice(x) ? x.download() : x;
}

/** The CPU backend's kernels in the batched form (its per-image im2col and col2im, looped over the images). */
const cpuBatched = hostKernels(cpuBackend);

/** The CPU backend's im2col over `n` images. */
function im2colLoop(x: Data, n: number, g: Conv2dGeometry): Data {
  return cpuBatched.im2col(x, n, g) as Data;
}

/** The CPU backend's col2im over `n` images, into a zeroed batch. */
function col2imLoop(cols: Data, n: number, g: Conv2dGeometry): Data {
  return cpuBatched.col2im(cols, n, g) as Data;
}

/** One device kernel call and the CPU backend's host kernels that compute the same. */
interface KernelCase {
  /** The kernel and its shapes. */
  name: string;
  /** The array operands, in order. */
  inputs: Float32Array[];
  /** The longest sum behind an output element (for the float32 tolerance). */
  length: number;
  /** The call on a device kernel set. */
  device(d: DeviceKernels, ...xs: Operand[]): Operand;
  /** The same on the CPU backend. */
  host(...xs: Data[]): Data;
}

const POOL_N = 2;
const POOL = geometry(3, 6, 7, 3, 2, 1);
const POOL_IN = POOL_N * 3 * 6 * 7;
const POOL_OUT = POOL_N * 3 * POOL.outH * POOL.outW;
const CONV_N = 2;
const CONV = geometry(2, 5, 6, 3, 2, 1);
const CONV_COLUMNS = 2 * 9 * CONV.outH * CONV.outW;

/** Every device kernel, with broadcasting, transposes, a strided view, a two-pass reduction and padded windows. */
function kernelCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  const positive = ['log', 'sqrt'] as const;
  for (const op of ['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'relu', 'reluGrad', 'tanh', 'sigmoid', 'copy'] as const) {
    const x = (positive as readonly string[]).includes(op) ? randoms(30, 0.1, 4) : randoms(30);
    cases.push({ name: `unary ${op} [30]`, inputs: [x], length: 1, device: (d, a) => d.unary(op, a), host: (a) => cpuBackend.unary(op, a) });
  }
  for (const [op, param, low] of [['pow', 3, undefined], ['pow', 0.5, 0.1], ['scale', 2.5, undefined], ['shift', -1, undefined]] as const) {
    cases.push({ name: `unary ${op} ${param} [30]`, inputs: [randoms(30, low, low === undefined ? undefined : 3)], length: 1, device: (d, a) => d.unary(op, a, param), host: (a) => cpuBackend.unary(op, a, param) });
  }
  const integers = (n: number): Float32Array => randoms(n, -2, 2).map(Math.round);
  for (const op of ['add', 'sub', 'mul', 'div', 'max', 'eq', 'gt'] as const) {
    const b = op === 'div' ? randoms(3, 0.5, 2) : op === 'eq' ? integers(3) : randoms(3);
    cases.push({
      name: `binary ${op} [2,3,4] with [3,1]`, inputs: [op === 'eq' ? integers(24) : randoms(24), b], length: 1,
      device: (d, a, c) => d.binary(op, a, [2, 3, 4], c, [3, 1], [2, 3, 4]), host: (a, c) => cpuBackend.binary(op, a, [2, 3, 4], c, [3, 1], [2, 3, 4]),
    });
  }
  cases.push({ name: 'binary add [4] + [2,3,4] (first operand broadcast)', inputs: [randoms(4), randoms(24)], length: 1, device: (d, a, b) => d.binary('add', a, [4], b, [2, 3, 4], [2, 3, 4]), host: (a, b) => cpuBackend.binary('add', a, [4], b, [2, 3, 4], [2, 3, 4]) });
  for (const [op, shape, axes] of [['sum', [4, 5, 6], [1]], ['max', [4, 5, 6], [0, 2]], ['sum', [3, 700], [1]], ['max', [3, 700], [-1]]] as const) {
    const length = axes.reduce((l: number, a: number) => l * shape[a < 0 ? a + shape.length : a], 1);
    cases.push({
      name: `reduce ${op} [${shape}] over [${axes}]${length > 256 ? ' (two passes)' : ''}`, inputs: [randoms(shape.reduce((a: number, b: number) => a * b, 1))], length,
      device: (d, x) => d.reduce(op, x, shape, axes), host: (x) => cpuBackend.reduce(op, x, shape, axes),
    });
  }
  const gemms = [
    { batch: 1, m: 4, n: 5, k: 3, transA: false, transB: false, strideA: 0, strideB: 0 },
    { batch: 1, m: 4, n: 5, k: 3, transA: true, transB: true, strideA: 0, strideB: 0 },
    { batch: 3, m: 4, n: 5, k: 6, transA: false, transB: false, strideA: 24, strideB: 0 },
  ];
  for (const args of gemms) {
    cases.push({
      name: `gemm batch ${args.batch} [${args.m},${args.k}]·[${args.k},${args.n}]${args.transA ? ' Aᵀ' : ''}${args.transB ? ' Bᵀ' : ''}${args.strideB === 0 && args.batch > 1 ? ' (B broadcast)' : ''}`,
      inputs: [randoms(args.batch > 1 ? args.batch * args.strideA : args.m * args.k), randoms(args.k * args.n)], length: args.k,
      device: (d, a, b) => d.gemm(a, b, args), host: (a, b) => cpuBackend.gemm(a, b, args),
    });
  }
  cases.push({ name: 'gather the transpose of [3,4]', inputs: [randoms(12)], length: 1, device: (d, x) => d.gather(x, [4, 3], [1, 4], 0), host: (x) => cpuBackend.gather(x, [4, 3], [1, 4], 0) });
  cases.push({ name: 'gather rows 1, 0 of [3,4] from column 1, offset 5', inputs: [randoms(12)], length: 1, device: (d, x) => d.gather(x, [2, 3], [-4, 1], 5), host: (x) => cpuBackend.gather(x, [2, 3], [-4, 1], 5) });
  const pads = [
    { what: 'the channels of [2,3,2,2] into [2,8,2,2] with 0 (the zero-pad shortcut)', shape: [2, 3, 2, 2], out: [2, 8, 2, 2], starts: [0, 2, 0, 0], value: 0 },
    { what: '[2,3] at [1,2] in [5,6] with 2.5', shape: [2, 3], out: [5, 6], starts: [1, 2], value: 2.5 },
    { what: '[1,3,2] at [1,0,2] in [2,5,4] with −0 (a size-1 axis; concat\'s fill)', shape: [1, 3, 2], out: [2, 5, 4], starts: [1, 0, 2], value: -0 },
    { what: '[3,4] at [1,0] in [5,4] with −∞ (filled on the host)', shape: [3, 4], out: [5, 4], starts: [1, 0], value: -Infinity },
    { what: '[4] whole (a copy)', shape: [4], out: [4], starts: [0], value: 7 },
    { what: 'a rank-0 x', shape: [], out: [], starts: [], value: 1 },
  ];
  for (const p of pads) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    cases.push({ name: `pad ${p.what}`, inputs: [randoms(size)], length: 1, device: (d, x) => d.pad(x, p.shape, p.out, p.starts, p.value), host: (x) => cpuBackend.pad(x, p.shape, p.out, p.starts, p.value) });
  }
  cases.push({ name: `im2col ${CONV_N} images [2,5,6], 3×3 stride 2 pad 1`, inputs: [randoms(CONV_N * 60)], length: 1, device: (d, x) => d.im2col(x, CONV_N, CONV), host: (x) => im2colLoop(x, CONV_N, CONV) });
  cases.push({ name: `col2im ${CONV_N} images [2,5,6], 3×3 stride 2 pad 1 (overlapping windows add)`, inputs: [randoms(CONV_N * CONV_COLUMNS)], length: 9, device: (d, c) => d.col2im(c, CONV_N, CONV), host: (c) => col2imLoop(c, CONV_N, CONV) });
  cases.push({
    name: `maxPool2d ${POOL_N}×[3,6,7], 3×3 stride 2 pad 1`, inputs: [randoms(POOL_IN)], length: 1,
    device: (d, x) => d.maxPool2d(x, POOL_N, POOL).out, host: (x) => cpuBackend.maxPool2d(x, POOL_N, POOL).out,
  });
  cases.push({
    name: `maxPool2dBackward ${POOL_N}×[3,6,7], 3×3 stride 2 pad 1`, inputs: [randoms(POOL_IN), randoms(POOL_OUT)], length: 4,
    device: (d, x, grad) => {
      const { out, argmax } = d.maxPool2d(x, POOL_N, POOL);
      if (isDevice(out)) out.release();
      return d.maxPool2dBackward(grad, argmax, POOL_IN);
    },
    host: (x, grad) => cpuBackend.maxPool2dBackward(grad, cpuBackend.maxPool2d(x, POOL_N, POOL).argmax, POOL_IN),
  });
  cases.push({ name: `avgPool2d ${POOL_N}×[3,6,7], 3×3 stride 2 pad 1`, inputs: [randoms(POOL_IN)], length: 9, device: (d, x) => d.avgPool2d(x, POOL_N, POOL), host: (x) => cpuBackend.avgPool2d(x, POOL_N, POOL) });
  cases.push({ name: `avgPool2dBackward ${POOL_N}×[3,6,7], 3×3 stride 2 pad 1`, inputs: [randoms(POOL_OUT)], length: 4, device: (d, grad) => d.avgPool2dBackward(grad, POOL_N, POOL), host: (grad) => cpuBackend.avgPool2dBackward(grad, POOL_N, POOL) });
  return cases;
}

const cases = kernelCases();

/** Assert that `fn` throws one line matching `pattern`. */
function throwsOneLine(t: test.Test, fn: () => unknown, pattern: RegExp, what: string): void {
  try {
    fn();
    t.fail(`${what}: expected an error matching ${pattern}, but the call returned`);
  } catch (e) {
    const message = (e as Error).message;
    t.ok(pattern.test(message) && !message.includes('\n'), `${what}: ${message}` + (pattern.test(message) ? '' : ` — expected one line matching ${pattern}`));
  }
}

/** Register the device-kernel tests of one started backend; the last one disposes it. */
function deviceSuite(backend: GpuBackend): void {
  const name = backend.name;
  const d = backend.deviceKernels;

  test(`${name}: every device kernel on host inputs returns a device array that agrees with the CPU kernel`, (t) => {
    for (const c of cases) {
      const before = backend.liveBuffers();
      const got = c.device(d, ...c.inputs);
      t.ok(d.owns(got) && backend.liveBuffers() === before + 1, `${name}: ${c.name} — the result is a live device array of this backend, counted once`);
      const a = agree(download(got), c.host(...c.inputs), c.length);
      t.ok(a.ok, `${name}: ${c.name} — agrees with cpu (worst error ${(100 * a.worstRatio).toFixed(1)} % of the allowance)` + (a.ok ? '' : ` — ${a.detail}`));
    }
    t.equal(backend.liveBuffers(), 0, `${name}: every result was downloaded, so no device array is alive`);
    t.end();
  });

  test(`${name}: every device kernel reads device arrays made by a previous device kernel`, (t) => {
    for (const c of cases) {
      const inputs = c.inputs.map((x) => d.unary('copy', x));
      const got = download(c.device(d, ...inputs));
      inputs.forEach((x) => { if (isDevice(x)) x.release(); });
      const a = agree(got, c.host(...c.inputs), c.length);
      t.ok(a.ok, `${name}: ${c.name} on device inputs — agrees with cpu (worst error ${(100 * a.worstRatio).toFixed(1)} % of the allowance)` + (a.ok ? '' : ` — ${a.detail}`));
    }
    t.equal(backend.liveBuffers(), 0, `${name}: inputs released and results downloaded leave no device array alive`);
    t.end();
  });

  test(`${name}: max pooling on the device records the CPU backend's argmax on the host`, (t) => {
    const x = randoms(POOL_IN);
    const { out, argmax } = d.maxPool2d(x, POOL_N, POOL);
    const want = cpuBackend.maxPool2d(x, POOL_N, POOL);
    t.ok(argmax instanceof Int32Array, `${name}: argmax is a host Int32Array`);
    t.deepEqual(Array.from(argmax), Array.from(want.argmax), `${name}: argmax equals cpu's`);
    t.ok(d.owns(out) && backend.liveBuffers() === 1, `${name}: the pooled values stay on the device, and the argmax pass left nothing alive`);
    download(out);
    t.end();
  });

  test(`${name}: a dense layer gemm → bias add → relu → column sum runs on the device with no download in between`, (t) => {
    const [rows, inputs, units] = [8, 5, 4];
    const x = randoms(rows * inputs);
    const w = randoms(inputs * units);
    const bias = randoms(units);
    const args = { batch: 1, m: rows, n: units, k: inputs, transA: false, transB: false, strideA: 0, strideB: 0 };
    const before = backend.stats();
    const h = d.gemm(x, w, args);
    const z = d.binary('add', h, [rows, units], bias, [units], [rows, units]);
    const y = d.unary('relu', z);
    const s = d.reduce('sum', y, [rows, units], [0]);
    const after = backend.stats();
    t.equal(after.launches - before.launches, 4, `${name}: four kernels launched`);
    t.ok([h, z, y, s].every((a) => d.owns(a)), `${name}: each intermediate is a device array of this backend`);
    t.equal(backend.liveBuffers(), 4, `${name}: all four are alive until released`);
    for (const a of [h, z, y]) if (isDevice(a)) a.release();
    const want = cpuBackend.reduce('sum', cpuBackend.unary('relu', cpuBackend.binary('add', cpuBackend.gemm(x, w, args), [rows, units], bias, [units], [rows, units])), [rows, units], [0]);
    const a = agree(download(s), want, rows * inputs);
    t.ok(a.ok, `${name}: the downloaded column sums agree with cpu` + (a.ok ? '' : ` — ${a.detail}`));
    t.equal(backend.liveBuffers(), 0, `${name}: nothing is alive after the download`);
    t.end();
  });

  test(`${name}: a batched convolution forward (im2col → gemm → bias → relu → max pool) and backward (gemm → col2im) run on the device`, (t) => {
    const [n, channels, filters] = [2, 3, 4];
    const g = geometry(channels, 6, 6, 3, 1, 1);
    const plane = g.outH * g.outW;
    const taps = channels * 9;
    const x = randoms(n * channels * 36);
    const w = randoms(filters * taps);
    const bias = randoms(filters);
    const forward = { batch: n, m: filters, n: plane, k: taps, transA: false, transB: false, strideA: 0, strideB: taps * plane };
    const pool = geometry(filters, g.outH, g.outW, 2, 2, 0);
    const dy = randoms(n * filters * plane);
    const backward = { batch: n, m: taps, n: plane, k: filters, transA: true, transB: false, strideA: 0, strideB: filters * plane };

    const cols = d.im2col(x, n, g);
    const conv = d.gemm(w, cols, forward);
    const biased = d.binary('add', conv, [n, filters, plane], bias, [filters, 1], [n, filters, plane]);
    const act = d.unary('relu', biased);
    const pooled = d.maxPool2d(act, n, pool);
    const dCols = d.gemm(w, dy, backward);
    const dx = d.col2im(dCols, n, g);
    t.equal(backend.liveBuffers(), 7, `${name}: seven device arrays are alive, none downloaded`);

    const wantCols = im2colLoop(x, n, g);
    const wantAct = cpuBackend.unary('relu', cpuBackend.binary('add', cpuBackend.gemm(w, wantCols, forward), [n, filters, plane], bias, [filters, 1], [n, filters, plane]));
    const wantPooled = cpuBackend.maxPool2d(wantAct, n, pool);
    const wantDx = col2imLoop(cpuBackend.gemm(w, dy, backward), n, g);
    for (const [what, got, want, length] of [['im2col', cols, wantCols, 1], ['relu(conv + bias)', act, wantAct, taps], ['max pool', pooled.out, wantPooled.out, taps], ['dX', dx, wantDx, 9 * filters]] as const) {
      const a = agree(download(got), want, length);
      t.ok(a.ok, `${name}: ${what} agrees with cpu` + (a.ok ? '' : ` — ${a.detail}`));
    }
    t.deepEqual(Array.from(pooled.argmax), Array.from(wantPooled.argmax), `${name}: the pooling argmax equals cpu's`);
    for (const a of [conv, biased, dCols]) if (isDevice(a)) a.release();
    t.equal(backend.liveBuffers(), 0, `${name}: nothing is alive after downloading the results and releasing the rest`);
    t.end();
  });

  test(`${name}: a device array is counted from the kernel that made it until it is downloaded or released`, (t) => {
    const x = randoms(40);
    const created = backend.stats().createdBuffers;
    const a = d.unary('neg', x);
    t.equal(backend.liveBuffers(), 1, `${name}: one result, one live device array`);
    const b = d.binary('mul', a, [40], x, [40], [40]);
    t.equal(backend.liveBuffers(), 2, `${name}: a second result, two`);
    const values = download(a);
    t.ok(values instanceof Float32Array && values.length === 40, `${name}: download() gives a host Float32Array of the array's 40 elements`);
    t.ok(isDevice(a) && a.released, `${name}: … and marks the array released`);
    t.equal(backend.liveBuffers(), 1, `${name}: after one download, one is alive`);
    if (isDevice(b)) b.release();
    t.equal(backend.liveBuffers(), 0, `${name}: after a release, none`);
    t.equal(backend.stats().createdBuffers - created, 2, `${name}: two device arrays were made`);

    const long = randoms(3 * 700);
    const before = backend.stats().createdBuffers;
    const sum = d.reduce('sum', long, [3, 700], [1]);
    t.equal(backend.stats().createdBuffers - before, 2, `${name}: a two-pass reduction makes two device arrays (the partial sums and the result)`);
    t.equal(backend.liveBuffers(), 1, `${name}: … and leaves only its result alive`);
    download(sum);

    const empty = d.unary('exp', new Float32Array(0));
    t.ok(empty instanceof Float32Array && empty.length === 0 && backend.liveBuffers() === 0, `${name}: an empty result is an empty host Float32Array, not a device array`);
    t.end();
  });

  test(`${name}: misusing a device array fails with one line naming the kernel or the array`, async (t) => {
    const x = randoms(12);
    const a = d.unary('neg', x);
    if (isDevice(a)) a.release();
    t.notOk(d.owns(a), `${name}: owns() is false for a released array`);
    throwsOneLine(t, () => d.unary('exp', a), /^gpu\.unary: x is a device array that was already downloaded or released/, `${name}: a released array as input`);
    throwsOneLine(t, () => d.binary('add', x, [12], a, [12], [12]), /^gpu\.binary: b is a device array that was already downloaded or released/, `${name}: a released array as second operand`);
    throwsOneLine(t, () => isDevice(a) && a.release(), /^gpu device array: release\(\) of an array of 12 elements that was already released/, `${name}: a second release`);
    throwsOneLine(t, () => isDevice(a) && a.download(), /^gpu device array: download\(\) of an array of 12 elements that was already released/, `${name}: a download after release`);

    const other = await createGpuBackend({ mode: backend.mode });
    const foreign = other.deviceKernels.unary('neg', x);
    t.ok(other.deviceKernels.owns(foreign) && !d.owns(foreign), `${name}: an array belongs to the backend that made it only`);
    throwsOneLine(t, () => d.gemm(foreign, x, { batch: 1, m: 3, n: 4, k: 4, transA: false, transB: false, strideA: 0, strideB: 0 }), new RegExp(`^gpu\\.gemm: A is a device array of another backend \\(${other.name.replace(/[()]/g, '\\$&')}\\)`), `${name}: another backend's array`);
    const live = d.unary('neg', x);
    throwsOneLine(t, () => d.binary('add', Float64Array.from(x), [12], live, [12], [12]), /^gpu\.binary: the first operand is float64, so the kernel runs on the host, but b is a device array/, `${name}: a device array beside a float64 first operand`);
    download(live);
    await other.dispose();
    t.ok(isDevice(foreign) && foreign.released, `${name}: disposing a backend releases its device arrays`);
    t.equal(backend.liveBuffers(), 0, `${name}: the failed calls left no device array alive`);
  });

  test(`${name}: a float64 first operand runs the CPU kernel and returns its float64 result exactly`, (t) => {
    const before = backend.stats();
    for (const c of cases) {
      const inputs = c.inputs.map((x) => Float64Array.from(x));
      const got = c.device(d, ...inputs);
      const want = c.host(...inputs);
      t.ok(got instanceof Float64Array && want instanceof Float64Array, `${name}: ${c.name} in float64 — a host Float64Array`);
      t.deepEqual(Array.from(got as Float64Array), Array.from(want), `${name}: ${c.name} in float64 — equal to cpu's`);
    }
    const after = backend.stats();
    t.equal(after.launches, before.launches, `${name}: float64 calls launched no GPU kernel`);
    t.equal(after.liveBuffers, 0, `${name}: … and made no device array`);
    t.end();
  });

  test(`${name}: a pad's fill keeps the sign of zero, alternating +0 and −0 on one shape`, (t) => {
    const x = randoms(2);
    const sign = (v: number): string => (Object.is(v, -0) ? '−0' : Object.is(v, 0) ? '+0' : String(v));
    // gpu.js's GL kernels skip a scalar equal (===) to the last one; a −0 must still arrive as −0.
    for (const value of [0, -0, 0, -0]) {
      const out = download(d.pad(x, [2], [4], [1], value));
      t.deepEqual([sign(out[0]), sign(out[3])], [sign(value), sign(value)], `${name}: a fill of ${sign(value)} comes out ${sign(value)}`);
    }
    t.end();
  });

  test(`${name}: a texture argument gets a kernel of its own; a host array keeps the host kernel`, (t) => {
    const x = randoms(37);
    const onDevice = d.unary('copy', x);
    const compiled = (): number => backend.stats().compiled;
    const start = compiled();
    download(d.unary('tanh', x));
    t.equal(compiled() - start, 1, `${name}: tanh of a host array compiles one kernel`);
    const fromDevice = download(d.unary('tanh', onDevice));
    const textures = backend.kernelMode === 'headlessgl';
    t.equal(compiled() - start, textures ? 2 : 1, `${name}: tanh of a device array ${textures ? 'compiles its own kernel (the argument is a texture)' : 'reuses it (the device array is a host stand-in here)'}`);
    download(d.unary('tanh', x));
    t.equal(compiled() - start, textures ? 2 : 1, `${name}: tanh of a host array again compiles nothing`);
    const a = agree(fromDevice, cpuBackend.unary('tanh', x), 1);
    t.ok(a.ok, `${name}: the texture kernel's result agrees with cpu` + (a.ok ? '' : ` — ${a.detail}`));
    download(onDevice);
    t.end();
  });

  test(`${name}: with a cache of two kernels, evictions never destroy a kernel whose outputs are alive`, async (t) => {
    const small = await createGpuBackend({ mode: backend.mode, kernelCapacity: 2 });
    const s = small.deviceKernels;
    const made: { what: string; result: Operand; want: Data; length: number }[] = [];
    const x1 = randoms(16);
    const x2 = randoms(16);
    made.push({ what: 'neg of x1', result: s.unary('neg', x1), want: cpuBackend.unary('neg', x1), length: 1 });
    made.push({ what: 'neg of x2 (same kernel)', result: s.unary('neg', x2), want: cpuBackend.unary('neg', x2), length: 1 });
    made.push({ what: 'x1 + x2', result: s.binary('add', x1, [16], x2, [16], [16]), want: cpuBackend.binary('add', x1, [16], x2, [16], [16]), length: 1 });
    const gemmArgs = { batch: 1, m: 4, n: 4, k: 4, transA: false, transB: true, strideA: 0, strideB: 0 };
    made.push({ what: 'x1·x2ᵀ as 4×4', result: s.gemm(made[0].result, x2, gemmArgs), want: cpuBackend.gemm(cpuBackend.unary('neg', x1), x2, gemmArgs), length: 4 });
    const images = randoms(CONV_N * 60);
    made.push({ what: 'im2col', result: s.im2col(images, CONV_N, CONV), want: im2colLoop(images, CONV_N, CONV), length: 1 });
    const long = randoms(2 * 600);
    made.push({ what: 'two-pass sum', result: s.reduce('sum', long, [2, 600], [1]), want: cpuBackend.reduce('sum', long, [2, 600], [1]), length: 600 });
    const pinned = small.stats().kernels;
    t.ok(pinned > 2, `${name}: with ${made.length} outputs of ${pinned} kernels alive the cache holds ${pinned} kernels, over its capacity of 2`);

    const compiledBefore = small.stats().compiled;
    for (let i = 0; i < 8; i++) {
      const y = randoms(50 + i);
      const a = agree(small.unary('scale', y, 2), cpuBackend.unary('scale', y, 2), 1);
      if (!a.ok) t.fail(`${name}: a host kernel compiled among pinned ones gives a wrong result — ${a.detail}`);
      download(s.unary('abs', y));
    }
    t.equal(small.stats().compiled - compiledBefore, 16, `${name}: sixteen new kernels were compiled (evicting each other)`);
    t.ok(small.stats().kernels <= pinned + 2, `${name}: … while the cache kept its pinned kernels and at most two others (${small.stats().kernels} now)`);

    for (const m of made) {
      const a = agree(download(m.result), m.want, m.length);
      t.ok(a.ok, `${name}: ${m.what}, made before the evictions, downloads the right values` + (a.ok ? '' : ` — ${a.detail}`));
    }
    t.ok(small.stats().kernels <= 2, `${name}: with every output released the cache is back within its capacity (${small.stats().kernels} kernels)`);
    const recompiled = small.stats().compiled;
    download(s.unary('neg', x1));
    t.equal(small.stats().compiled - recompiled, 1, `${name}: the first kernel, unpinned, was evicted (running it compiles it again)`);

    const kept = s.unary('exp', x1);
    await small.dispose();
    t.ok(isDevice(kept) && kept.released && small.liveBuffers() === 0, `${name}: dispose releases the device arrays still alive`);
  });

  test(`${name}: dispose releases everything`, async (t) => {
    const kept = d.unary('sigmoid', randoms(9));
    await backend.dispose();
    t.ok(isDevice(kept) && kept.released, `${name}: a device array alive at dispose is released`);
    t.equal(backend.stats().kernels, 0, `${name}: every compiled kernel is destroyed`);
    throwsOneLine(t, () => d.unary('neg', new Float32Array(1)), /was disposed/, `${name}: a disposed backend's device kernels say so`);
  });
}

await forEachGpuMode(import.meta.url, deviceSuite);
