/**
 * The wasm backend: the {@link Backend} kernels that dominate training run as
 * WebAssembly SIMD (the module of `wasm-kernels.ts`, built at run time); the rest are
 * the plain-TS kernels of `cpu.ts`.
 *
 * It is a host backend: kernels take and return ordinary `Float32Array`s. The module's
 * linear memory is a scratch arena that each kernel call reuses from address 0: copy the
 * operands in (a `TypedArray.set`, i.e. a memcpy), run the kernel, copy the result out.
 * docs/performance.md has the measurements behind this choice: copying in is a memcpy,
 * small against the work of any kernel worth running in SIMD; what a result costs is the
 * fresh array every backend returns, not the copy; and keeping tensors in module memory
 * would need an allocator with explicit frees that pipegrad's garbage-collected tensors
 * do not have.
 * The arena grows to the largest single kernel's operands and then stays that size, so
 * memory is bounded over a run (`memoryBytes` reports it; a spec checks it).
 *
 * What runs where:
 * - `gemm`: packed panels and the 4×8 SIMD micro-kernel, blocked along k so a B panel
 *   stays in L1; products with fewer than four rows or columns (a batch-1 dense layer)
 *   use cpu.ts's loops, which skip packing.
 * - `im2col`, `col2im`: SIMD unfold and fold; `maxPool2d`: compiled scalar loops.
 * - `fusedConv`: the convolution kernels of `unfolded-conv.ts` with the unfolded columns
 *   kept in the arena (im2col then GEMM, or GEMM then col2im), bit for bit the same.
 * - `axpby` (the optimizers' update loop): float64 SIMD lanes, rounded once — the bits
 *   of cpu.ts's JavaScript loop.
 * - `unary` (`neg abs sqrt relu reluGrad scale shift`, `pow` 1 and 2), `binary` (all ops,
 *   with broadcasting) and `reduce` (sum and max): SIMD over each collapsed run.
 * - float64 inputs (gradient checks), transcendental functions (`exp log tanh sigmoid`,
 *   which WebAssembly has no instruction for), `gather`, `pad`, average pooling and
 *   max pooling's backward: cpu.ts. In a profile of a resnet20 step these take a few
 *   percent of the step's time (docs/performance.md).
 *
 * Sums (GEMM, reductions) accumulate in float32 (cpu.ts accumulates in float64), so
 * the two backends agree within float32 rounding, not bit for bit; runs are
 * deterministic (one thread, fixed summation order).
 *
 * @module
 */
import type { Backend, BinaryOp, Conv2dGeometry, Data, FusedConvKernels, GemmArgs, MaxPoolResult, ReduceOp, UnaryOp } from './backend.js';
import { cpuBackend, insideRange, tapRanges } from './cpu.js';
import { hostKernels } from './host-kernels.js';
import { unfoldedConv, unfoldedSize, type ConvKernels } from './unfolded-conv.js';
import { broadcastStrides, checkGemm, checkLength, collapse, forEachRow, reductionNest, sizeOf } from './loop-nest.js';
import { GEMM_MR, GEMM_NR, kernelModuleBytes, type WasmKernelExports, type WasmUnaryOp } from './wasm-kernels.js';
import { checkGeometry, checkPoolInput } from './window-checks.js';
import { overwrittenBuffer } from './buffer-pool.js';

/** Bytes in one WebAssembly memory page. */
const PAGE = 65536;
/** Depth of one k block of the GEMM: a B panel is 8·256 floats = 8 KiB, well inside L1. */
const GEMM_KC = 256;
/** A panels per call of the micro-kernel sweep: 32 panels · 4 rows · 256 deep = 128 KiB of A, inside L2. */
const GEMM_MC_PANELS = 32;
/**
 * Up to this many rows of op(A), a row-major B is read in place rather than packed: with
 * few A panels to reuse it, packing B costs more than it saves (conv forward
 * `[32,288]·[288,1024]`: 0.69 → 0.61 ms), while a square 1024 product is faster packed
 * (39 vs 34 GFLOP/s).
 */
const IN_PLACE_B_MAX_ROWS = 64;
/** Products with fewer multiply-adds than this run on the plain-TS kernel, whose call costs less. */
const SMALL_GEMM = 4096;
/**
 * The row stride (floats) of unfolded columns that the GEMM reads in place: `plane`,
 * plus 16 floats when a row is a multiple of 4 KiB. The micro-kernel reads eight floats
 * from each of k consecutive rows; rows 4 KiB apart all fall in the same L1 cache set
 * (48 KiB, 12 ways: sets repeat every 4 KiB), so a 144-deep panel would evict itself.
 * Measured on the conv bench's `[32,288]·[288,1024]`: 0.69 → 0.66 ms per forward.
 */
function columnStride(plane: number): number {
  return (plane * 4) % 4096 === 0 ? plane + 16 : plane;
}
/** `axpby` runs shorter than this stay in plain TS, where a call costs less than the copies in and out. */
const SMALL_AXPBY = 256;
/** The largest arena the backend grows to (bytes); a kernel that needs more runs in plain TS. */
const MAX_ARENA = 2 ** 31;

/** The wasm backend: a {@link Backend} whose hot kernels run in WebAssembly SIMD. */
export interface WasmBackend extends Backend {
  /** Bytes of the module's linear memory now: the scratch arena's high-water mark. */
  memoryBytes(): number;
}

/** True when this JavaScript engine can compile the SIMD kernel module. */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(kernelModuleBytes());
}

/** The module's memory with its typed views, re-taken whenever the memory grows. */
class Arena {
  f32: Float32Array;
  i32: Int32Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Make the memory at least `bytes` long; false when that is past {@link MAX_ARENA}. */
  reserve(bytes: number): boolean {
    if (bytes > MAX_ARENA) return false;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    return true;
  }
}

/** Lays out consecutive regions of the arena, each 16-byte aligned; returns byte addresses. */
class Layout {
  bytes = 0;
  /** A region of `floats` 4-byte elements; returns its byte address. */
  floats(floats: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(floats / 4) * 16;
    return at;
  }
}

/** `x` rounded up to a multiple of `step`. */
function roundUp(x: number, step: number): number {
  return Math.ceil(x / step) * step;
}

/**
 * A new wasm backend: compiles the kernel module (synchronously; in a browser's main
 * thread, where engines refuse to compile modules over 4 KiB synchronously, use
 * {@link createWasmBackendAsync}) and gives it a fresh memory.
 *
 * @example
 * const wasm = createWasmBackend();
 * const c = wasm.gemm(a, b, { batch: 1, m: 64, n: 64, k: 64, transA: false, transB: false, strideA: 0, strideB: 0 });
 */
export function createWasmBackend(): WasmBackend {
  return backendOver(new WebAssembly.Module(kernelModuleBytes()));
}

/** {@link createWasmBackend}, compiling asynchronously (what a browser's main thread needs). */
export async function createWasmBackendAsync(): Promise<WasmBackend> {
  return backendOver(await WebAssembly.compile(kernelModuleBytes()));
}

function backendOver(module: WebAssembly.Module): WasmBackend {
  const memory = new WebAssembly.Memory({ initial: 16 });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmKernelExports;
  const arena = new Arena(memory);

  /**
   * A float32 result buffer (lent from the pool inside a recycling scope,
   * `buffer-pool.ts`), not zero-filled: every caller writes all of it — a copy out of
   * the arena, or one product or folded image per batch item.
   */
  function result(length: number): Float32Array {
    return overwrittenBuffer('float32', length) as Float32Array;
  }

  /** A result buffer holding the `length` floats of the arena from float index `at`. */
  function copyOut(at: number, length: number): Float32Array {
    const out = result(length);
    out.set(arena.f32.subarray(at, at + length));
    return out;
  }

  // -------------------------------------------------------------------------------
  // GEMM
  // -------------------------------------------------------------------------------

  /**
   * Where a GEMM's packing space and result lie in the arena: the regions
   * {@link planGemm} adds to a layout after the operands'. C has `mPad` rows of row
   * stride `nPad` (padded to whole tiles).
   */
  interface GemmPlan {
    packA: number;
    packB: number;
    c: number;
    nPad: number;
    /** Depth of one k block. */
    kc: number;
    /** Whether a row-major B is read in place rather than packed. */
    inPlaceB: boolean;
  }

  /** Add the packing and result regions of the product `args` to `layout`. */
  function planGemm(layout: Layout, args: GemmArgs): GemmPlan {
    const { m, n, k, transB } = args;
    const mPad = roundUp(m, GEMM_MR), nPad = roundUp(n, GEMM_NR);
    // k split into equal blocks of at most GEMM_KC (288 → 144 + 144, not 256 + 32: a thin last block pays the tile overheads for little work).
    const kc = Math.ceil(k / Math.ceil(k / GEMM_KC));
    const packA = layout.floats(mPad * kc), packB = layout.floats(nPad * kc);
    const c = layout.floats(mPad * nPad);
    return { packA, packB, c, nPad, kc, inPlaceB: !transB && m <= IN_PLACE_B_MAX_ROWS };
  }

  /** Floats a B operand's region needs: the last panel of an in-place B reads up to 7 floats past its row (into padding columns of C that are never read). */
  function bRegion(args: GemmArgs): number {
    return (args.batch - 1) * args.strideB + args.k * args.n + GEMM_NR;
  }

  /** Whether the wasm GEMM takes this product (else cpu.ts's loops, whose call costs less on tiny ones). */
  function gemmInWasm(args: GemmArgs): boolean {
    return args.batch > 0 && args.m >= GEMM_MR && args.n >= GEMM_MR && args.m * args.n * args.k >= SMALL_GEMM;
  }

  /**
   * `C[b] = op(A[b])·op(B[b])` with A and B already in the arena at `rawA`, `rawB`: per
   * product and per k block of depth ≤ {@link GEMM_KC}: pack op(A) into 4-row panels and
   * op(B) into 8-column panels (zero-padded), and have the micro-kernel write every 4×8
   * tile of the padded C (the first k block) or add to it (later blocks). After product
   * `i`, `done(i)` reads C (at `plan.c`, row stride `plan.nPad`) before the next one
   * overwrites it. A block shared by the whole batch (stride 0) is packed once when k is
   * a single block. `ldb` is the row stride (floats) of a B that is not transposed
   * (`n` unless its rows are padded, see {@link columnStride}).
   */
  function runGemm(rawA: number, rawB: number, args: GemmArgs, plan: GemmPlan, done: (i: number) => void, ldb = args.n): void {
    const { batch, m, n, k, transA, transB, strideA, strideB } = args;
    const { packA, packB, kc, nPad, inPlaceB } = plan;
    // Element strides of op(A)[i, p] and op(B)[p, j].
    const rsA = transA ? 1 : k, csA = transA ? m : 1;
    const rsB = transB ? 1 : ldb, csB = transB ? k : 1;
    const oneBlock = k <= GEMM_KC;
    const mPanels = roundUp(m, GEMM_MR) / GEMM_MR, nPanels = nPad / GEMM_NR;
    for (let i = 0; i < batch; i++) {
      for (let p0 = 0; p0 < k; p0 += kc) {
        const depth = Math.min(kc, k - p0);
        if (!(oneBlock && strideA === 0 && i > 0)) exports.pack(rawA + 4 * (i * strideA + p0 * csA), 4 * rsA, 4 * csA, m, depth, packA, GEMM_MR);
        // A row-major B is read in place: each step of k reads eight consecutive floats of a row.
        let bAt = rawB + 4 * (i * strideB + p0 * ldb), bStep = 4 * ldb, bPanel = 32;
        if (!inPlaceB) {
          if (!(oneBlock && strideB === 0 && i > 0)) exports.pack(rawB + 4 * (i * strideB + p0 * rsB), 4 * csB, 4 * rsB, n, depth, packB, GEMM_NR);
          [bAt, bStep, bPanel] = [packB, 32, 32 * depth];
        }
        for (let ip = 0; ip < mPanels; ip += GEMM_MC_PANELS) {
          exports.gemmTiles(packA + 4 * GEMM_MR * ip * depth, bAt, plan.c + 4 * ip * GEMM_MR * nPad, 4 * nPad, Math.min(GEMM_MC_PANELS, mPanels - ip), nPanels, depth, p0 > 0 ? 1 : 0, bStep, bPanel);
        }
      }
      done(i);
    }
  }

  /** Copy the `m × n` product at `plan.c` (row stride `plan.nPad`) into `out` at `offset`. */
  function copyProductOut(plan: GemmPlan, m: number, n: number, out: Float32Array, offset: number): void {
    const c0 = plan.c / 4;
    if (plan.nPad === n) out.set(arena.f32.subarray(c0, c0 + m * n), offset);
    else for (let r = 0; r < m; r++) out.set(arena.f32.subarray(c0 + r * plan.nPad, c0 + r * plan.nPad + n), offset + r * n);
  }

  /** `C[b] = op(A[b])·op(B[b])` in the arena: A and B copied in whole, {@link runGemm}, and each product's real rows copied out. */
  function gemm(a: Data, b: Data, args: GemmArgs): Data {
    const { batch, m, n, k, strideA } = args;
    checkGemm('wasm.gemm', a, b, args);
    if (!(a instanceof Float32Array) || !(b instanceof Float32Array) || !gemmInWasm(args)) return cpuBackend.gemm(a, b, args);
    const needA = (batch - 1) * strideA + m * k;
    const needB = (batch - 1) * args.strideB + k * n;
    const layout = new Layout();
    const rawA = layout.floats(needA), rawB = layout.floats(bRegion(args));
    const plan = planGemm(layout, args);
    if (!arena.reserve(layout.bytes)) return cpuBackend.gemm(a, b, args);
    arena.f32.set(a.subarray(0, needA), rawA / 4);
    arena.f32.set(b.subarray(0, needB), rawB / 4);
    const out = result(batch * m * n);
    runGemm(rawA, rawB, args, plan, (i) => copyProductOut(plan, m, n, out, i * m * n));
    return out;
  }

  // -------------------------------------------------------------------------------
  // im2col / col2im
  // -------------------------------------------------------------------------------

  /**
   * The tap table the unfold kernels read: for each kernel row and then each kernel
   * column, `(lo, hi, first)` — the output positions `[lo, hi)` whose input coordinate
   * `o·stride + first` is inside the image (`first = tap·dilation − pad`).
   */
  function writeTapTable(at: number, g: Conv2dGeometry): void {
    const t = arena.i32;
    let o = at / 4;
    const axis = (taps: number, dilation: number, pad: number, stride: number, outSize: number, size: number): void => {
      for (let tap = 0; tap < taps; tap++, o += 3) {
        const first = tap * dilation - pad;
        [t[o], t[o + 1]] = insideRange(outSize, first, stride, size);
        t[o + 2] = first;
      }
    };
    axis(g.kernelH, g.dilationH, g.padH, g.strideH, g.outH, g.height);
    axis(g.kernelW, g.dilationW, g.padW, g.strideW, g.outW, g.width);
  }

  /** Run the unfold (`fold` false) or fold kernel on one image at `image` in the arena, with columns at `cols` whose rows are `rowFloats` apart. */
  function unfold(g: Conv2dGeometry, image: number, cols: number, table: number, fold: boolean, rowFloats = g.outH * g.outW): void {
    writeTapTable(table, g);
    (fold ? exports.col2im : exports.im2col)(image, cols, table, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.outH, g.outW, 4 * rowFloats);
  }

  function im2col(x: Data, xOffset: number, g: Conv2dGeometry): Data {
    checkGeometry('wasm.im2col', g);
    const imageSize = g.channels * g.height * g.width;
    const need = xOffset + imageSize;
    if (x.length < need) throw new Error(`wasm.im2col: x has ${x.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${xOffset} needs ${need}`);
    if (!(x instanceof Float32Array)) return cpuBackend.im2col(x, xOffset, g);
    const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    const layout = new Layout();
    const image = layout.floats(imageSize), cols = layout.floats(colsSize), table = layout.floats(3 * (g.kernelH + g.kernelW));
    if (!arena.reserve(layout.bytes)) return cpuBackend.im2col(x, xOffset, g);
    arena.f32.set(x.subarray(xOffset, need), image / 4);
    arena.f32.fill(0, cols / 4, cols / 4 + colsSize);
    unfold(g, image, cols, table, false);
    return copyOut(cols / 4, colsSize);
  }

  function col2im(colsData: Data, g: Conv2dGeometry, out: Data, outOffset: number): void {
    checkGeometry('wasm.col2im', g);
    const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    if (colsData.length !== colsSize) throw new Error(`wasm.col2im: cols has ${colsData.length} elements, geometry needs ${g.channels * g.kernelH * g.kernelW}×${g.outH * g.outW} = ${colsSize}`);
    const imageSize = g.channels * g.height * g.width;
    const need = outOffset + imageSize;
    if (out.length < need) throw new Error(`wasm.col2im: out has ${out.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${outOffset} needs ${need}`);
    if (!(colsData instanceof Float32Array) || !(out instanceof Float32Array)) return cpuBackend.col2im(colsData, g, out, outOffset);
    const layout = new Layout();
    const image = layout.floats(imageSize), cols = layout.floats(colsSize), table = layout.floats(3 * (g.kernelH + g.kernelW));
    if (!arena.reserve(layout.bytes)) return cpuBackend.col2im(colsData, g, out, outOffset);
    arena.f32.set(out.subarray(outOffset, need), image / 4);
    arena.f32.set(colsData, cols / 4);
    unfold(g, image, cols, table, true);
    out.set(arena.f32.subarray(image / 4, image / 4 + imageSize), outOffset);
  }

  // -------------------------------------------------------------------------------
  // Fused convolution
  // -------------------------------------------------------------------------------

  /**
   * The convolution kernels where the unfolded columns never leave the arena: what
   * `unfolded-conv.ts` computes with im2col, GEMM and col2im calls, with the same kernels
   * in the same order (so the same floats), minus the copies of the columns out and back
   * in and the fresh arrays they would need. Float64 inputs and products the wasm GEMM
   * leaves to cpu.ts take the unfolded path.
   */
  function fusedConv(): FusedConvKernels {
    let unfolded: ConvKernels | undefined;
    const fallback = (): ConvKernels => (unfolded ??= unfoldedConv(hostKernels(plain)));
    const tableFloats = (g: Conv2dGeometry): number => 3 * (g.kernelH + g.kernelW);

    /** Zero the columns of `n` images at `cols` and unfold the images at `images` into them. */
    const unfoldImages = (images: number, cols: number, table: number, n: number, g: Conv2dGeometry, ld = unfoldedSize(g).plane): void => {
      const { kdim } = unfoldedSize(g);
      const imageSize = g.channels * g.height * g.width;
      arena.f32.fill(0, cols / 4, cols / 4 + n * kdim * ld);
      for (let i = 0; i < n; i++) unfold(g, images + 4 * i * imageSize, cols + 4 * i * kdim * ld, table, false, ld);
    };

    const checkFilters = (kernel: string, w: Data, outChannels: number, g: Conv2dGeometry): void => {
      const { kdim } = unfoldedSize(g);
      if (w.length !== outChannels * kdim) throw new Error(`wasm.${kernel}: w has ${w.length} elements; ${outChannels} filters of ${g.channels}×${g.kernelH}×${g.kernelW} need ${outChannels * kdim}`);
    };

    return {
      conv2d(x: Data, w: Data, n: number, outChannels: number, g: Conv2dGeometry): Data {
        checkGeometry('wasm.conv2d', g);
        const imageSize = g.channels * g.height * g.width;
        checkPoolInput('wasm.conv2d', 'x', x, n, imageSize);
        checkFilters('conv2d', w, outChannels, g);
        const { kdim, plane } = unfoldedSize(g);
        // Columns with rows `ld` floats apart (see columnStride); the GEMM reads them in place when it reads B so.
        const ld = columnStride(plane);
        const args: GemmArgs = { batch: n, m: outChannels, n: plane, k: kdim, transA: false, transB: false, strideA: 0, strideB: kdim * ld };
        if (!(x instanceof Float32Array) || !(w instanceof Float32Array) || !gemmInWasm(args)) return fallback().conv2d(x, w, n, outChannels, g) as Data;
        const layout = new Layout();
        const images = layout.floats(x.length), filters = layout.floats(w.length), cols = layout.floats(n * kdim * ld + GEMM_NR), table = layout.floats(tableFloats(g));
        const plan = planGemm(layout, args);
        if (!arena.reserve(layout.bytes)) return fallback().conv2d(x, w, n, outChannels, g) as Data;
        arena.f32.set(x, images / 4);
        arena.f32.set(w, filters / 4);
        unfoldImages(images, cols, table, n, g, ld);
        const out = result(n * outChannels * plane);
        runGemm(filters, cols, args, plan, (i) => copyProductOut(plan, outChannels, plane, out, i * outChannels * plane), ld);
        return out;
      },

      conv2dInputGrad(grad: Data, w: Data, n: number, outChannels: number, g: Conv2dGeometry): Data {
        checkGeometry('wasm.conv2dInputGrad', g);
        const { kdim, plane } = unfoldedSize(g);
        checkPoolInput('wasm.conv2dInputGrad', 'grad', grad, n, outChannels * plane);
        checkFilters('conv2dInputGrad', w, outChannels, g);
        const args: GemmArgs = { batch: n, m: kdim, n: plane, k: outChannels, transA: true, transB: false, strideA: 0, strideB: outChannels * plane };
        if (!(grad instanceof Float32Array) || !(w instanceof Float32Array) || !gemmInWasm(args)) return fallback().conv2dInputGrad(grad, w, n, outChannels, g) as Data;
        const imageSize = g.channels * g.height * g.width;
        const layout = new Layout();
        const filters = layout.floats(w.length), grads = layout.floats(bRegion(args)), image = layout.floats(imageSize), table = layout.floats(tableFloats(g));
        const plan = planGemm(layout, args);
        if (!arena.reserve(layout.bytes)) return fallback().conv2dInputGrad(grad, w, n, outChannels, g) as Data;
        arena.f32.set(w, filters / 4);
        arena.f32.set(grad, grads / 4);
        const dx = result(n * imageSize);
        runGemm(filters, grads, args, plan, (i) => {
          // The columns Wᵀ·G[i] at plan.c, closed up to row stride `plane` (the fold reads them so), folded into a zeroed image.
          const c0 = plan.c / 4;
          if (plan.nPad !== plane) for (let r = 1; r < kdim; r++) arena.f32.copyWithin(c0 + r * plane, c0 + r * plan.nPad, c0 + r * plan.nPad + plane);
          arena.f32.fill(0, image / 4, image / 4 + imageSize);
          unfold(g, image, plan.c, table, true);
          dx.set(arena.f32.subarray(image / 4, image / 4 + imageSize), i * imageSize);
        });
        return dx;
      },

      conv2dWeightGrad(grad: Data, x: Data, n: number, outChannels: number, g: Conv2dGeometry): Data {
        checkGeometry('wasm.conv2dWeightGrad', g);
        const { kdim, plane } = unfoldedSize(g);
        checkPoolInput('wasm.conv2dWeightGrad', 'grad', grad, n, outChannels * plane);
        checkPoolInput('wasm.conv2dWeightGrad', 'x', x, n, g.channels * g.height * g.width);
        const args: GemmArgs = { batch: n, m: outChannels, n: kdim, k: plane, transA: false, transB: true, strideA: outChannels * plane, strideB: kdim * plane };
        if (!(grad instanceof Float32Array) || !(x instanceof Float32Array) || !gemmInWasm(args)) return fallback().conv2dWeightGrad(grad, x, n, outChannels, g) as Data;
        const layout = new Layout();
        const grads = layout.floats(grad.length), images = layout.floats(x.length), cols = layout.floats(bRegion(args)), table = layout.floats(tableFloats(g));
        const plan = planGemm(layout, args);
        if (!arena.reserve(layout.bytes)) return fallback().conv2dWeightGrad(grad, x, n, outChannels, g) as Data;
        arena.f32.set(grad, grads / 4);
        arena.f32.set(x, images / 4);
        unfoldImages(images, cols, table, n, g);
        // One product per image, summed over the images as `unfolded-conv.ts` sums them (the same reduction kernel).
        const parts = result(n * outChannels * kdim);
        runGemm(grads, cols, args, plan, (i) => copyProductOut(plan, outChannels, kdim, parts, i * outChannels * kdim));
        return n === 1 ? parts : reduce('sum', parts, [n, outChannels, kdim], [0]);
      },
    };
  }

  // -------------------------------------------------------------------------------
  // Max pooling
  // -------------------------------------------------------------------------------

  /** Max pooling of `n` images: the tap ranges of cpu.ts (`tapRanges`) in a table, then the module's loop. */
  function maxPool2d(x: Data, n: number, g: Conv2dGeometry): MaxPoolResult {
    checkGeometry('wasm.maxPool2d', g);
    checkPoolInput('wasm.maxPool2d', 'x', x, n, g.channels * g.height * g.width);
    const outSize = n * g.channels * g.outH * g.outW;
    if (!(x instanceof Float32Array)) return cpuBackend.maxPool2d(x, n, g);
    const layout = new Layout();
    const xAt = layout.floats(x.length), outAt = layout.floats(outSize), argAt = layout.floats(outSize), table = layout.floats(2 * (g.outH + g.outW));
    if (!arena.reserve(layout.bytes)) return cpuBackend.maxPool2d(x, n, g);
    arena.f32.set(x, xAt / 4);
    let o = table / 4;
    for (const { lo, hi } of [tapRanges(g.outH, g.strideH, g.padH, g.dilationH, g.kernelH, g.height), tapRanges(g.outW, g.strideW, g.padW, g.dilationW, g.kernelW, g.width)]) {
      for (let i = 0; i < lo.length; i++, o += 2) [arena.i32[o], arena.i32[o + 1]] = [lo[i], hi[i]];
    }
    exports.maxPool(xAt, outAt, argAt, table, n * g.channels, g.height, g.width, g.outH, g.outW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW);
    return { out: copyOut(outAt / 4, outSize), argmax: arena.i32.slice(argAt / 4, argAt / 4 + outSize) };
  }

  // -------------------------------------------------------------------------------
  // Elementwise
  // -------------------------------------------------------------------------------

  /**
   * The module's op and parameter for `op` (with `param`), or null when plain TS computes
   * it. `pow` 2 is `x·x` and `pow` 1 is `x·1`, both exactly what `Math.pow` gives (the
   * square's VJP calls `pow` 1).
   */
  function wasmUnary(op: UnaryOp, param: number | undefined): [WasmUnaryOp, number] | null {
    switch (op) {
      case 'neg': case 'abs': case 'sqrt': case 'relu': case 'reluGrad': return [op, 0];
      case 'scale': case 'shift': return typeof param === 'number' ? [op, param] : null;
      case 'pow': return param === 2 ? ['square', 0] : param === 1 ? ['scale', 1] : null;
      default: return null;
    }
  }

  function unary(op: UnaryOp, x: Data, param?: number): Data {
    const code = wasmUnary(op, param);
    if (code === null || !(x instanceof Float32Array)) return cpuBackend.unary(op, x, param);
    const [kernel, p] = code;
    const n = x.length;
    const layout = new Layout();
    const at = layout.floats(n);
    if (!arena.reserve(layout.bytes)) return cpuBackend.unary(op, x, param);
    arena.f32.set(x, at / 4);
    exports[`unary_${kernel}`](at, at, n, p);
    return copyOut(at / 4, n);
  }

  /** Elementwise `a op b` with broadcasting: collapsed as in cpu.ts, then one SIMD run per row of the nest. */
  function binary(op: BinaryOp, a: Data, aShape: readonly number[], b: Data, bShape: readonly number[], outShape: readonly number[]): Data {
    checkLength('wasm.binary', `a (${op})`, a, aShape);
    checkLength('wasm.binary', `b (${op})`, b, bShape);
    const nest = collapse(outShape, [broadcastStrides('wasm.binary', aShape, outShape), broadcastStrides('wasm.binary', bShape, outShape)]);
    const n = sizeOf(outShape);
    if (!(a instanceof Float32Array) || !(b instanceof Float32Array) || nest.dims.length === 0 || n < 16) return cpuBackend.binary(op, a, aShape, b, bShape, outShape);
    const layout = new Layout();
    const aAt = layout.floats(a.length), bAt = layout.floats(b.length), outAt = layout.floats(n);
    if (!arena.reserve(layout.bytes)) return cpuBackend.binary(op, a, aShape, b, bShape, outShape);
    arena.f32.set(a, aAt / 4);
    arena.f32.set(b, bAt / 4);
    const kernel = exports[`binary_${op}`];
    const inner = nest.dims.length - 1;
    const len = nest.dims[inner];
    const sa = nest.strides[0][inner];
    const sb = nest.strides[1][inner];
    forEachRow(nest, [0, 0], (row, at) => kernel(aAt + 4 * at[0], sa, bAt + 4 * at[1], sb, outAt + 4 * row * len, len));
    return copyOut(outAt / 4, n);
  }

  /**
   * `a·x + b·y` in float64, rounded once (see `axpby` in wasm-kernels.ts): the same bits
   * as cpu.ts's loop. Runs of fewer than {@link SMALL_AXPBY} floats stay in cpu.ts.
   */
  function axpby(a: number, x: Data, b: number, y: Data | null): Data {
    if (y !== null && y.length !== x.length) throw new Error(`wasm.axpby: x has ${x.length} elements but y has ${y.length}; give two buffers of one length`);
    if (!(x instanceof Float32Array) || (y !== null && !(y instanceof Float32Array)) || x.length < SMALL_AXPBY) return cpuBackend.axpby(a, x, b, y);
    const n = x.length;
    const layout = new Layout();
    const xAt = layout.floats(n), yAt = layout.floats(y === null ? 0 : n);
    if (!arena.reserve(layout.bytes)) return cpuBackend.axpby(a, x, b, y);
    arena.f32.set(x, xAt / 4);
    if (y !== null) arena.f32.set(y, yAt / 4);
    exports.axpby(xAt, yAt, xAt, n, a, b, y === null ? 0 : 1);
    return copyOut(xAt / 4, n);
  }

  // -------------------------------------------------------------------------------
  // Reductions
  // -------------------------------------------------------------------------------

  /**
   * Reduce `axes` of `x`, keepDims layout, in the loop structure of cpu.ts's `reduce`:
   * reducing trailing axes is one SIMD run per output; other patterns fold rows of x into
   * rows of partial results with the SIMD `binary_add` / `binary_max` (the reduced axis is
   * not the inner one), or add one run's result per row. Partial results are float32.
   */
  function reduce(op: ReduceOp, x: Data, shape: readonly number[], axes: readonly number[]): Data {
    checkLength('wasm.reduce', 'x', x, shape);
    const { outShape, nest } = reductionNest('wasm.reduce', op, shape, axes);
    const depth = nest.dims.length;
    if (!(x instanceof Float32Array) || x.length === 0 || depth === 0) return cpuBackend.reduce(op, x, shape, axes);
    const outSize = sizeOf(outShape);
    const layout = new Layout();
    const xAt = layout.floats(x.length), accAt = layout.floats(outSize);
    if (!arena.reserve(layout.bytes)) return cpuBackend.reduce(op, x, shape, axes);
    const f32 = arena.f32;
    f32.set(x, xAt / 4);
    const acc = accAt / 4;
    f32.fill(op === 'sum' ? 0 : -Infinity, acc, acc + outSize);
    const run = op === 'sum' ? exports.reduceRun_sum : exports.reduceRun_max;
    const innerLen = nest.dims[depth - 1];
    const innerReduced = nest.strides[1][depth - 1] === 0;
    if (innerReduced && depth <= 2) {
      for (let o = 0; o < outSize; o++) f32[acc + o] = run(xAt + 4 * o * innerLen, innerLen);
    } else if (!innerReduced) {
      const fold = exports[op === 'sum' ? 'binary_add' : 'binary_max'];
      forEachRow(nest, [0, 0], (_, at) => fold(accAt + 4 * at[1], 1, xAt + 4 * at[0], 1, accAt + 4 * at[1], innerLen));
    } else if (op === 'sum') {
      forEachRow(nest, [0, 0], (_, at) => { f32[acc + at[1]] += run(xAt + 4 * at[0], innerLen); });
    } else {
      forEachRow(nest, [0, 0], (_, at) => { f32[acc + at[1]] = Math.max(f32[acc + at[1]], run(xAt + 4 * at[0], innerLen)); });
    }
    return copyOut(acc, outSize);
  }

  /** The kernels one by one; {@link fusedConv} falls back to them. */
  const plain: Backend = {
    name: 'wasm',
    unary,
    binary,
    reduce,
    gemm,
    gather: cpuBackend.gather,
    pad: cpuBackend.pad,
    im2col,
    col2im,
    maxPool2d,
    maxPool2dBackward: cpuBackend.maxPool2dBackward,
    avgPool2d: cpuBackend.avgPool2d,
    avgPool2dBackward: cpuBackend.avgPool2dBackward,
    axpby,
  };
  return { ...plain, fusedConv: fusedConv(), memoryBytes: () => memory.buffer.byteLength };
}
