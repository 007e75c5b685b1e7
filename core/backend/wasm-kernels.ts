/**
 * The wasm backend's kernels, written with the encoder of `wasm-encoder.ts`: one module
 * of exported functions that read and write float32 arrays in the module's memory.
 *
 * Each kernel mirrors a plain-TS kernel of `cpu.ts` and computes the same thing with
 * 128-bit SIMD (four float32 lanes per instruction); JavaScript (`wasm.ts`) copies
 * operands in, calls these, and copies results out. All addresses and strides passed in
 * are **byte** addresses and byte strides, so the kernels add them without scaling.
 *
 * - `pack`: copy lines of a matrix into panels of R lines interleaved along k (the
 *   layout `packPanels` of cpu.ts makes, with R = 4 or 8 and float32 elements).
 * - `gemmTiles`: the register-tiled GEMM micro-kernel swept over panel pairs:
 *   `C[4×8 tile] += A panel · B panel` for every tile, eight v128 accumulators.
 * - `im2col` / `col2im`: the unfold walk of cpu.ts, four output columns per instruction
 *   where the stride along the width is 1.
 * - `maxPool`: cpu.ts's max pooling, compiled (scalar: each window's first maximum and
 *   its index).
 * - `unary_<op>`, `binary_<op>`: elementwise maps and zips, four lanes at a time.
 * - `reduceRun_<op>`: the sum or max of a contiguous run, four lanes at a time.
 * - `axpby`: `a·x + b·y` in float64, two lanes at a time, rounded once to float32 (the
 *   optimizers' update loops, exactly as JavaScript computes them).
 *
 * @module
 */
import { F32, F64, FunctionBuilder, I32, ModuleBuilder, V128 } from './wasm-encoder.js';

/** Rows of op(A) per panel, and rows of a GEMM tile (a multiple of 4: `pack` copies whole vectors of contiguous lines). 6 measured slower than 4. */
export const GEMM_MR = 4;
/** Columns of op(B) per panel, and columns of a GEMM tile (two v128 of four lanes). */
export const GEMM_NR = 8;

/** Elementwise one-input ops the module computes (the rest of `UnaryOp` stays in plain TS). */
export const WASM_UNARY = ['neg', 'abs', 'sqrt', 'relu', 'reluGrad', 'square', 'scale', 'shift'] as const;
/** A unary op of the module. */
export type WasmUnaryOp = (typeof WASM_UNARY)[number];
/** Elementwise two-input ops the module computes: all of `BinaryOp`. */
export const WASM_BINARY = ['add', 'sub', 'mul', 'div', 'max', 'eq', 'gt'] as const;
/** A binary op of the module. */
export type WasmBinaryOp = (typeof WASM_BINARY)[number];

/** The exported functions' signatures, as JavaScript sees them (every number an i32 byte address, count or flag, or an f32 parameter). */
export interface WasmKernelExports {
  /** Pack `lines` lines (line `l` at depth `p` is at `src + l·lineStride + p·kStride`) into panels of `r` lines at `dst`, zero-padding the last. */
  pack(src: number, lineStride: number, kStride: number, lines: number, k: number, dst: number, r: number): void;
  /**
   * For each of `nPanels` B panels and `mPanels` A panels (each `kc` deep): write (or, with
   * `accumulate` 1, add) the MR×8 product into C at `c` (row stride `ldc` bytes). B panel
   * `jr` starts at `b + jr·bPanel` and steps `bStep` bytes per k: a packed panel
   * (`bStep` 32, `bPanel` 32·kc) or a row-major B read in place (`bStep` 4n, `bPanel` 32).
   */
  gemmTiles(aPack: number, b: number, c: number, ldc: number, mPanels: number, nPanels: number, kc: number, accumulate: number, bStep: number, bPanel: number): void;
  /** Unfold one image at `x` into columns at `cols` (zeroed beforehand; a row of `outH·outW` floats every `rowBytes`); `table` holds the tap ranges (see `wasm.ts`). */
  im2col(x: number, cols: number, table: number, channels: number, height: number, width: number, kernelH: number, kernelW: number, strideH: number, strideW: number, outH: number, outW: number, rowBytes: number): void;
  /** Fold columns at `cols` into the image at `x`, adding; same arguments as `im2col`. */
  col2im(x: number, cols: number, table: number, channels: number, height: number, width: number, kernelH: number, kernelW: number, strideH: number, strideW: number, outH: number, outW: number, rowBytes: number): void;
  /** Max pooling of `planes` planes of `height`×`width` at `x` into `out` (values) and `argmax` (i32: the flat input index of each maximum, −1 for an empty window); `table` holds the tap ranges. */
  maxPool(x: number, out: number, argmax: number, table: number, planes: number, height: number, width: number, outH: number, outW: number, strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number): void;
  /** The sum of `n` floats at `x` (float32, four lane partials). */
  reduceRun_sum(x: number, n: number): number;
  /** The max of `n` floats at `x` (NaN if any is NaN; −∞ for none). */
  reduceRun_max(x: number, n: number): number;
  /** `out[i] = op(x[i])` for `n` elements; `param` is the factor of `scale` and the addend of `shift`. */
  [unary: `unary_${string}`]: (x: number, out: number, n: number, param: number) => void;
  /** `out[i] = a·x[i] + b·y[i]` (`a·x[i]` when `hasY` is 0) for `n` float32 elements, computed in float64 and rounded once. */
  axpby(x: number, y: number, out: number, n: number, a: number, b: number, hasY: number): void;
  /** `out[t] = a[t·sa] op b[t·sb]` for `t < n`, strides in elements (0 broadcasts). */
  [binary: `binary_${string}`]: WasmBinaryKernel;
}

/** The `binary_<op>` functions: `out[t] = a[t·sa] op b[t·sb]` for `t < n`, strides in elements (0 broadcasts). */
export type WasmBinaryKernel = (a: number, sa: number, b: number, sb: number, out: number, n: number) => void;

// ---------------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------------

function packKernel(m: ModuleBuilder): void {
  const f = m.func('pack', [I32, I32, I32, I32, I32, I32, I32], []);
  const [src, lineStride, kStride, lines, k, dst, r] = [0, 1, 2, 3, 4, 5, 6];
  const l0 = f.local(I32), p = f.local(I32), q = f.local(I32), at = f.local(I32), s = f.local(I32), rBytes = f.local(I32);
  f.get(r).i32_const(2).i32_shl().set(rBytes);
  f.forLoop(l0, () => f.i32_const(0), lines, { local: r }, () => {
    // A full panel of contiguous lines (lineStride 4 bytes): each depth is R consecutive floats, copied a vector at a time.
    f.get(lineStride).i32_const(4).i32_eq();
    f.get(lines).get(l0).i32_sub().get(r).i32_ge_s();
    f.i32_and().if();
    {
      f.get(src).get(l0).i32_const(2).i32_shl().i32_add().set(s);
      f.forLoop(p, () => f.i32_const(0), k, 1, () => {
        f.forLoop(q, () => f.i32_const(0), rBytes, 16, () => {
          f.get(dst).get(s).get(q).i32_add().v128_load().v128_store();
          f.get(dst).i32_const(16).i32_add().set(dst);
        });
        f.get(s).get(kStride).i32_add().set(s);
      });
    }
    f.else();
    f.get(kStride).i32_const(4).i32_eq();
    f.get(lines).get(l0).i32_sub().get(r).i32_ge_s();
    f.i32_and().if();
    {
      // A full panel of lines contiguous along k (a row-major A, a transposed B): read each line front to back, write every R-th float.
      f.forLoop(q, () => f.i32_const(0), r, 1, () => {
        f.get(src).get(l0).get(q).i32_add().get(lineStride).i32_mul().i32_add().set(s);
        f.get(dst).get(q).i32_const(4).i32_mul().i32_add().set(at);
        f.forLoop(p, () => f.i32_const(0), k, 1, () => {
          f.get(at).get(s).f32_load().f32_store();
          f.get(s).i32_const(4).i32_add().set(s);
          f.get(at).get(rBytes).i32_add().set(at);
        });
      });
      f.get(dst).get(k).get(rBytes).i32_mul().i32_add().set(dst);
    }
    f.else();
    {
      // Any strides, any number of lines: one float at a time, zeros past the last line.
      f.forLoop(p, () => f.i32_const(0), k, 1, () => {
        f.forLoop(q, () => f.i32_const(0), r, 1, () => {
          f.get(l0).get(q).i32_add().tee(at).get(lines).i32_lt_s().if();
          f.get(dst).get(src).get(at).get(lineStride).i32_mul().i32_add().get(p).get(kStride).i32_mul().i32_add().f32_load().f32_store();
          f.else();
          f.get(dst).f32_const(0).f32_store();
          f.end();
          f.get(dst).i32_const(4).i32_add().set(dst);
        });
      });
    }
    f.end();
    f.end();
  });
}

// ---------------------------------------------------------------------------------
// GEMM micro-kernel
// ---------------------------------------------------------------------------------

/**
 * `gemmTiles`: for every pair (B panel jr, A panel ir), the MR×8 tile
 * `C[MR·ir.., 8jr..] (+)= Σ_p A[ir][p, 0..MR−1]ᵀ · B[jr][p, 0..7]` (`=` on the first k
 * block, `+=` on later ones, so C needs no zeroing). Per step p it loads the two B
 * vectors once and each of the MR A values once (splat into four lanes), then does
 * 2·MR multiply-adds into 2·MR v128 accumulators, which with the two B vectors and the
 * splat stay within the 16 vector registers of x86-64 and AArch64's 32. The B panel
 * (8·kc floats) stays in L1 while the A panels stream past it. A row-major B can be read
 * in place (eight consecutive floats of a row per step) instead of packed: see `wasm.ts`.
 */
function gemmKernel(m: ModuleBuilder): void {
  const f = m.func('gemmTiles', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [aPack, b, c, ldc, mPanels, nPanels, kc, accumulate, bStep, bPanel] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const MR = GEMM_MR;
  const jr = f.local(I32), ir = f.local(I32), ap = f.local(I32), bp = f.local(I32), aEnd = f.local(I32), bStart = f.local(I32), cp = f.local(I32);
  const acc = Array.from({ length: 2 * MR }, () => f.local(V128));
  const b0 = f.local(V128), b1 = f.local(V128), a = f.local(V128);
  f.forLoop(jr, () => f.i32_const(0), nPanels, 1, () => {
    f.get(b).get(jr).get(bPanel).i32_mul().i32_add().set(bStart);
    f.forLoop(ir, () => f.i32_const(0), mPanels, 1, () => {
      f.get(aPack).get(ir).get(kc).i32_mul().i32_const(4 * MR).i32_mul().i32_add().tee(ap);
      f.get(kc).i32_const(4 * MR).i32_mul().i32_add().set(aEnd);
      f.get(bStart).set(bp);
      for (const v of acc) f.f32_const(0).f32x4_splat().set(v);
      f.loop();
      {
        f.get(bp).v128_load(0).set(b0);
        f.get(bp).v128_load(16).set(b1);
        for (let row = 0; row < MR; row++) {
          f.get(ap).v128_load32_splat(4 * row).set(a);
          f.get(acc[2 * row]).get(a).get(b0).f32x4_mul().f32x4_add().set(acc[2 * row]);
          f.get(acc[2 * row + 1]).get(a).get(b1).f32x4_mul().f32x4_add().set(acc[2 * row + 1]);
        }
        f.get(bp).get(bStep).i32_add().set(bp);
        f.get(ap).i32_const(4 * MR).i32_add().tee(ap).get(aEnd).i32_lt_u().br_if(0);
      }
      f.end();
      // C tile = accumulators (first k block), or += (later blocks), row by row.
      f.get(c).get(ir).get(ldc).i32_mul().i32_const(MR).i32_mul().i32_add().get(jr).i32_const(32).i32_mul().i32_add().set(cp);
      f.get(accumulate).if();
      for (let row = 0; row < MR; row++) {
        f.get(acc[2 * row]).get(cp).v128_load(0).f32x4_add().set(acc[2 * row]);
        f.get(acc[2 * row + 1]).get(cp).v128_load(16).f32x4_add().set(acc[2 * row + 1]);
        if (row < MR - 1) f.get(cp).get(ldc).i32_add().set(cp);
      }
      f.get(cp).get(ldc).i32_const(MR - 1).i32_mul().i32_sub().set(cp);
      f.end();
      for (let row = 0; row < MR; row++) {
        f.get(cp).get(acc[2 * row]).v128_store(0);
        f.get(cp).get(acc[2 * row + 1]).v128_store(16);
        if (row < MR - 1) f.get(cp).get(ldc).i32_add().set(cp);
      }
    });
  });
}

// ---------------------------------------------------------------------------------
// im2col / col2im
// ---------------------------------------------------------------------------------

/**
 * The unfold walk of cpu.ts (`unfoldWalk`), with the valid ranges precomputed by
 * JavaScript into `table` (i32): for each kernel row `ki` the triple
 * `(ohLo, ohHi, ki·dilationH − padH)`, then for each kernel column `kj` the triple
 * `(owLo, owHi, kj·dilationW − padW)`. `fold` false copies image → columns; true adds
 * columns → image. Rows of the columns are `rowBytes` apart (`outH·outW·4` when packed
 * tight). Where strideW is 1, runs move four floats per instruction.
 */
function unfoldKernel(m: ModuleBuilder, fold: boolean): void {
  const f = m.func(fold ? 'col2im' : 'im2col', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [x, cols, table, channels, height, width, kernelH, kernelW, strideH, strideW, outH, outW, rowBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const ch = f.local(I32), ki = f.local(I32), kj = f.local(I32), oh = f.local(I32), ow = f.local(I32);
  const ohLo = f.local(I32), ohHi = f.local(I32), rowOff = f.local(I32), owLo = f.local(I32), owHi = f.local(I32), firstW = f.local(I32);
  const colRow = f.local(I32), xRow = f.local(I32), cRow = f.local(I32), colTable = f.local(I32), vecEnd = f.local(I32);
  const sW4 = f.local(I32);
  f.get(strideW).i32_const(4).i32_mul().set(sW4);
  f.get(table).get(kernelH).i32_const(12).i32_mul().i32_add().set(colTable);
  f.get(cols).set(colRow);
  // One element: image[xRow + ow·sW] and cols[cRow + ow], copied or added.
  const moveScalar = (): void => {
    if (fold) {
      f.get(xRow).get(ow).get(sW4).i32_mul().i32_add();
      f.get(xRow).get(ow).get(sW4).i32_mul().i32_add().f32_load();
      f.get(cRow).get(ow).i32_const(4).i32_mul().i32_add().f32_load();
      f.f32_add().f32_store();
    } else {
      f.get(cRow).get(ow).i32_const(4).i32_mul().i32_add();
      f.get(xRow).get(ow).get(sW4).i32_mul().i32_add().f32_load();
      f.f32_store();
    }
  };
  const moveVector = (): void => {
    if (fold) {
      f.get(xRow).get(ow).i32_const(4).i32_mul().i32_add();
      f.get(xRow).get(ow).i32_const(4).i32_mul().i32_add().v128_load();
      f.get(cRow).get(ow).i32_const(4).i32_mul().i32_add().v128_load();
      f.f32x4_add().v128_store();
    } else {
      f.get(cRow).get(ow).i32_const(4).i32_mul().i32_add();
      f.get(xRow).get(ow).i32_const(4).i32_mul().i32_add().v128_load();
      f.v128_store();
    }
  };
  f.forLoop(ch, () => f.i32_const(0), channels, 1, () => {
    f.forLoop(ki, () => f.i32_const(0), kernelH, 1, () => {
      f.get(table).get(ki).i32_const(12).i32_mul().i32_add().i32_load(0).set(ohLo);
      f.get(table).get(ki).i32_const(12).i32_mul().i32_add().i32_load(4).set(ohHi);
      f.get(table).get(ki).i32_const(12).i32_mul().i32_add().i32_load(8).set(rowOff);
      f.forLoop(kj, () => f.i32_const(0), kernelW, 1, () => {
        f.get(colTable).get(kj).i32_const(12).i32_mul().i32_add().i32_load(0).set(owLo);
        f.get(colTable).get(kj).i32_const(12).i32_mul().i32_add().i32_load(4).set(owHi);
        f.get(colTable).get(kj).i32_const(12).i32_mul().i32_add().i32_load(8).set(firstW);
        f.get(owHi).i32_const(3).i32_sub().set(vecEnd);
        f.forLoop(oh, () => f.get(ohLo), ohHi, 1, () => {
          // xRow = x + ((ch·H + oh·sH + rowOff)·W + firstW)·4; cRow = colRow + oh·outW·4
          f.get(x).get(ch).get(height).i32_mul().get(oh).get(strideH).i32_mul().i32_add().get(rowOff).i32_add();
          f.get(width).i32_mul().get(firstW).i32_add().i32_const(4).i32_mul().i32_add().set(xRow);
          f.get(colRow).get(oh).get(outW).i32_mul().i32_const(4).i32_mul().i32_add().set(cRow);
          f.get(owLo).set(ow);
          f.get(strideW).i32_const(1).i32_eq().if();
          f.block().loop();
          f.get(ow).get(vecEnd).i32_ge_s().br_if(1);
          moveVector();
          f.get(ow).i32_const(4).i32_add().set(ow);
          f.br(0).end().end();
          f.end();
          f.block().loop();
          f.get(ow).get(owHi).i32_ge_s().br_if(1);
          moveScalar();
          f.get(ow).i32_const(1).i32_add().set(ow);
          f.br(0).end().end();
        });
        f.get(colRow).get(rowBytes).i32_add().set(colRow);
      });
    });
  });
}

// ---------------------------------------------------------------------------------
// Max pooling
// ---------------------------------------------------------------------------------

/**
 * `maxPool`: max pooling of `planes` planes, mirroring cpu.ts's `maxPool2d`. JavaScript
 * precomputes, in `table` (i32), for each output row `(lo, hi)` of the kernel rows and
 * for each output column `(lo, hi)` of the kernel columns that land inside the input, so
 * only real cells compete. A cell replaces the best so far when it is larger, when it is
 * a NaN and the best is not (a NaN is not hidden), or when it is the window's first; so
 * the first maximum wins ties. An empty window leaves −∞ and index −1.
 */
function maxPoolKernel(m: ModuleBuilder): void {
  const f = m.func('maxPool', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [x, out, argmax, table, planes, height, width, outH, outW, strideH, strideW, padH, padW, dilationH, dilationW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const plane = f.local(I32), oh = f.local(I32), ow = f.local(I32), ki = f.local(I32), kj = f.local(I32);
  const rowHi = f.local(I32), colHi = f.local(I32), colTable = f.local(I32), base = f.local(I32), row = f.local(I32), cell = f.local(I32);
  const best = f.local(F32), v = f.local(F32), at = f.local(I32), o = f.local(I32);
  f.get(table).get(outH).i32_const(8).i32_mul().i32_add().set(colTable);
  f.i32_const(0).set(o);
  f.forLoop(plane, () => f.i32_const(0), planes, 1, () => {
    f.get(plane).get(height).i32_mul().get(width).i32_mul().set(base);
    f.forLoop(oh, () => f.i32_const(0), outH, 1, () => {
      f.get(table).get(oh).i32_const(8).i32_mul().i32_add().i32_load(4).set(rowHi);
      f.forLoop(ow, () => f.i32_const(0), outW, 1, () => {
        f.get(colTable).get(ow).i32_const(8).i32_mul().i32_add().i32_load(4).set(colHi);
        f.f32_const(-Infinity).set(best);
        f.i32_const(-1).set(at);
        f.forLoop(ki, () => f.get(table).get(oh).i32_const(8).i32_mul().i32_add().i32_load(0), rowHi, 1, () => {
          // row = base + (oh·sH − pH + ki·dH)·W + ow·sW − pW
          f.get(base).get(oh).get(strideH).i32_mul().get(padH).i32_sub().get(ki).get(dilationH).i32_mul().i32_add().get(width).i32_mul().i32_add();
          f.get(ow).get(strideW).i32_mul().i32_add().get(padW).i32_sub().set(row);
          f.forLoop(kj, () => f.get(colTable).get(ow).i32_const(8).i32_mul().i32_add().i32_load(0), colHi, 1, () => {
            f.get(row).get(kj).get(dilationW).i32_mul().i32_add().tee(cell);
            f.i32_const(4).i32_mul().get(x).i32_add().f32_load().set(v);
            f.get(v).get(best).f32_gt();
            f.get(v).get(v).f32_ne().get(best).get(best).f32_eq().i32_and().i32_or();
            f.get(at).i32_const(0).i32_lt_s().i32_or().if();
            f.get(v).set(best).get(cell).set(at);
            f.end();
          });
        });
        f.get(out).get(o).i32_const(4).i32_mul().i32_add().get(best).f32_store();
        f.get(argmax).get(o).i32_const(4).i32_mul().i32_add().get(at).i32_store();
        f.get(o).i32_const(1).i32_add().set(o);
      });
    });
  });
}

// ---------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------

/** How one unary op is computed on a vector (and on a float32 for the tail), with the operand on the stack and the parameter in a local. */
interface UnaryCode {
  vector: (f: FunctionBuilder, param: number, value: number) => void;
  scalar: (f: FunctionBuilder, param: number, value: number) => void;
}

const unaryCode: Record<WasmUnaryOp, UnaryCode> = {
  neg: { vector: (f) => f.f32x4_neg(), scalar: (f) => f.f32_neg() },
  abs: { vector: (f) => f.f32x4_abs(), scalar: (f) => f.f32_abs() },
  sqrt: { vector: (f) => f.f32x4_sqrt(), scalar: (f) => f.f32_sqrt() },
  // relu: x where x > 0, else +0 (a NaN gives 0, like `x > 0 ? x : 0`).
  relu: {
    vector: (f, _p, v) => f.tee(v).get(v).f32_const(0).f32x4_splat().f32x4_gt().v128_and(),
    scalar: (f, _p, v) => f.tee(v).f32_const(0).get(v).f32_const(0).f32_gt().select(),
  },
  reluGrad: {
    vector: (f) => f.f32_const(0).f32x4_splat().f32x4_gt().f32_const(1).f32x4_splat().v128_and(),
    scalar: (f) => f.f32_const(0).f32_gt().f32_convert_i32_u(),
  },
  square: { vector: (f, _p, v) => f.tee(v).get(v).f32x4_mul(), scalar: (f, _p, v) => f.tee(v).get(v).f32_mul() },
  scale: { vector: (f, p) => f.get(p).f32x4_splat().f32x4_mul(), scalar: (f, p) => f.get(p).f32_mul() },
  shift: { vector: (f, p) => f.get(p).f32x4_splat().f32x4_add(), scalar: (f, p) => f.get(p).f32_add() },
};

function unaryKernel(m: ModuleBuilder, op: WasmUnaryOp): void {
  const f = m.func(`unary_${op}`, [I32, I32, I32, F32], []);
  const [x, out, n, param] = [0, 1, 2, 3];
  const i = f.local(I32), vecEnd = f.local(I32), v = f.local(V128), s = f.local(F32);
  const code = unaryCode[op];
  f.get(n).i32_const(3).i32_sub().set(vecEnd);
  f.i32_const(0).set(i);
  f.block().loop();
  f.get(i).get(vecEnd).i32_ge_s().br_if(1);
  f.get(out).get(i).i32_const(4).i32_mul().i32_add();
  f.get(x).get(i).i32_const(4).i32_mul().i32_add().v128_load();
  code.vector(f, param, v);
  f.v128_store();
  f.get(i).i32_const(4).i32_add().set(i);
  f.br(0).end().end();
  f.block().loop();
  f.get(i).get(n).i32_ge_s().br_if(1);
  f.get(out).get(i).i32_const(4).i32_mul().i32_add();
  f.get(x).get(i).i32_const(4).i32_mul().i32_add().f32_load();
  code.scalar(f, param, s);
  f.f32_store();
  f.get(i).i32_const(1).i32_add().set(i);
  f.br(0).end().end();
}

/** How one binary op combines the two operands on the stack: as vectors, and as float32s. */
const binaryCode: Record<WasmBinaryOp, { vector: (f: FunctionBuilder) => void; scalar: (f: FunctionBuilder) => void }> = {
  add: { vector: (f) => f.f32x4_add(), scalar: (f) => f.f32_add() },
  sub: { vector: (f) => f.f32x4_sub(), scalar: (f) => f.f32_sub() },
  mul: { vector: (f) => f.f32x4_mul(), scalar: (f) => f.f32_mul() },
  div: { vector: (f) => f.f32x4_div(), scalar: (f) => f.f32_div() },
  max: { vector: (f) => f.f32x4_max(), scalar: (f) => f.f32_max() },
  // A comparison gives an all-ones lane mask; and-ing it with 1.0 gives 1.0 or 0.0.
  eq: { vector: (f) => f.f32x4_eq().f32_const(1).f32x4_splat().v128_and(), scalar: (f) => f.f32_eq().f32_convert_i32_u() },
  gt: { vector: (f) => f.f32x4_gt().f32_const(1).f32x4_splat().v128_and(), scalar: (f) => f.f32_gt().f32_convert_i32_u() },
};

/**
 * `binary_<op>(a, sa, b, sb, out, n)`. Three vector loops cover the strides broadcasting
 * produces after collapsing — both 1 (same shape), `sb = 0` (b is one value along the
 * run), `sa = 0` — and a scalar loop serves any strides and the tails.
 */
function binaryKernel(m: ModuleBuilder, op: WasmBinaryOp): void {
  const f = m.func(`binary_${op}`, [I32, I32, I32, I32, I32, I32], []);
  const [a, sa, b, sb, out, n] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32), vecEnd = f.local(I32), sa4 = f.local(I32), sb4 = f.local(I32);
  const code = binaryCode[op];
  f.get(n).i32_const(3).i32_sub().set(vecEnd);
  f.i32_const(0).set(i);
  // Operand loaders for the vector loops: four consecutive elements, or one element in all lanes.
  const vecOf = (base: number, contiguous: boolean): void => {
    if (contiguous) f.get(base).get(i).i32_const(4).i32_mul().i32_add().v128_load();
    else f.get(base).v128_load32_splat();
  };
  const vectorLoop = (aContiguous: boolean, bContiguous: boolean): void => {
    f.block().loop();
    f.get(i).get(vecEnd).i32_ge_s().br_if(1);
    f.get(out).get(i).i32_const(4).i32_mul().i32_add();
    vecOf(a, aContiguous);
    vecOf(b, bContiguous);
    code.vector(f);
    f.v128_store();
    f.get(i).i32_const(4).i32_add().set(i);
    f.br(0).end().end();
  };
  f.get(sa).i32_const(1).i32_eq().get(sb).i32_const(1).i32_eq().i32_and().if();
  vectorLoop(true, true);
  f.end();
  f.get(sa).i32_const(1).i32_eq().get(sb).i32_eqz().i32_and().if();
  vectorLoop(true, false);
  f.end();
  f.get(sa).i32_eqz().get(sb).i32_const(1).i32_eq().i32_and().if();
  vectorLoop(false, true);
  f.end();
  f.get(sa).i32_const(4).i32_mul().set(sa4);
  f.get(sb).i32_const(4).i32_mul().set(sb4);
  f.block().loop();
  f.get(i).get(n).i32_ge_s().br_if(1);
  f.get(out).get(i).i32_const(4).i32_mul().i32_add();
  f.get(a).get(i).get(sa4).i32_mul().i32_add().f32_load();
  f.get(b).get(i).get(sb4).i32_mul().i32_add().f32_load();
  code.scalar(f);
  f.f32_store();
  f.get(i).i32_const(1).i32_add().set(i);
  f.br(0).end().end();
}

/**
 * `reduceRun_<op>(x, n)`: the sum or max of `n` consecutive floats, returned. Four lane
 * partials (`+` or `max` four floats per instruction), combined across lanes at the end,
 * then the tail. `max` keeps a NaN (both instructions propagate it); a sum is in float32,
 * in a fixed order, so it is deterministic but not cpu.ts's float64 sum.
 */
function reduceRunKernel(m: ModuleBuilder, op: 'sum' | 'max'): void {
  const f = m.func(`reduceRun_${op}`, [I32, I32], [F32]);
  const [x, n] = [0, 1];
  const i = f.local(I32), vecEnd = f.local(I32), v = f.local(V128), r = f.local(F32);
  const empty = op === 'sum' ? 0 : -Infinity;
  const combine = (): void => void (op === 'sum' ? f.f32_add() : f.f32_max());
  f.f32_const(empty).f32x4_splat().set(v);
  f.get(n).i32_const(3).i32_sub().set(vecEnd);
  f.forLoop(i, () => f.i32_const(0), vecEnd, 4, () => {
    f.get(v).get(x).get(i).i32_const(4).i32_mul().i32_add().v128_load();
    if (op === 'sum') f.f32x4_add();
    else f.f32x4_max();
    f.set(v);
  });
  f.get(v).f32x4_extract_lane(0).get(v).f32x4_extract_lane(1);
  combine();
  f.get(v).f32x4_extract_lane(2).get(v).f32x4_extract_lane(3);
  combine();
  combine();
  f.set(r);
  f.block().loop();
  f.get(i).get(n).i32_ge_s().br_if(1);
  f.get(r).get(x).get(i).i32_const(4).i32_mul().i32_add().f32_load();
  combine();
  f.set(r);
  f.get(i).i32_const(1).i32_add().set(i);
  f.br(0).end().end();
  f.get(r);
}

/**
 * `axpby(x, y, out, n, a, b, hasY)`: `out[i] = a·x[i] + b·y[i]` (or `a·x[i]` when `hasY`
 * is 0) with float32 elements and float64 `a`, `b`. Each element is widened to float64,
 * multiplied and added in float64 and rounded once to float32 — exactly what the
 * JavaScript loop `out[i] = a * x[i] + b * y[i]` over `Float32Array`s computes, so the
 * optimizers give the same bits on every backend. Two lanes of float64 per instruction
 * (two floats loaded into a vector's low half, widened, combined, narrowed, stored),
 * then a scalar tail.
 */
function axpbyKernel(m: ModuleBuilder): void {
  const f = m.func('axpby', [I32, I32, I32, I32, F64, F64, I32], []);
  const [x, y, out, n, a, b, hasY] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local(I32), pairEnd = f.local(I32), va = f.local(V128), vb = f.local(V128);
  f.get(a).f64x2_splat().set(va);
  f.get(b).f64x2_splat().set(vb);
  f.get(n).i32_const(1).i32_sub().set(pairEnd);
  const at = (base: number): void => void f.get(base).get(i).i32_const(4).i32_mul().i32_add();
  for (const withY of [true, false]) {
    f.get(hasY).i32_eqz();
    if (withY) f.i32_eqz();
    f.if();
    f.i32_const(0).set(i);
    f.block().loop();
    f.get(i).get(pairEnd).i32_ge_s().br_if(1);
    at(out);
    at(x);
    f.v128_load64_zero().f64x2_promote_low_f32x4().get(va).f64x2_mul();
    if (withY) {
      at(y);
      f.v128_load64_zero().f64x2_promote_low_f32x4().get(vb).f64x2_mul().f64x2_add();
    }
    f.f32x4_demote_f64x2_zero().v128_store64_lane(0);
    f.get(i).i32_const(2).i32_add().set(i);
    f.br(0).end().end();
    // The last element when n is odd.
    f.get(i).get(n).i32_lt_s().if();
    at(out);
    at(x);
    f.f32_load().f64_promote_f32().get(a).f64_mul();
    if (withY) {
      at(y);
      f.f32_load().f64_promote_f32().get(b).f64_mul().f64_add();
    }
    f.f32_demote_f64().f32_store();
    f.end();
    f.end();
  }
}

/**
 * The whole kernel module's binary (about 6 KiB), built from the functions above on
 * first use.
 *
 * @example
 * const bytes = kernelModuleBytes();
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  moduleBytes ??= buildModule();
  return moduleBytes;
}

/** The module's binary once built (it is the same every time). */
let moduleBytes: Uint8Array<ArrayBuffer> | undefined;

function buildModule(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(1);
  packKernel(m);
  gemmKernel(m);
  unfoldKernel(m, false);
  unfoldKernel(m, true);
  maxPoolKernel(m);
  for (const op of WASM_UNARY) unaryKernel(m, op);
  for (const op of WASM_BINARY) binaryKernel(m, op);
  reduceRunKernel(m, 'sum');
  reduceRunKernel(m, 'max');
  axpbyKernel(m);
  return m.encode();
}
