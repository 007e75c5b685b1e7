/**
 * The CPU backend: every kernel of {@link Backend} in plain TypeScript.
 *
 * Kernels read contiguous row-major buffers and return a new buffer of the element
 * type of their first input. Sums accumulate in JS numbers (float64) and are rounded
 * once when stored, so a float32 result is the float64 result rounded, not a long chain
 * of float32 roundings.
 *
 * Three ideas make the hot kernels fast without SIMD:
 * - elementwise and reduction kernels first *collapse* the shapes (drop size-1 axes,
 *   merge neighbouring axes that are laid out back to back), so a bias add
 *   `[N,C,H,W] + [1,C,1,1]` becomes `[N, C, H·W]` and most calls reduce to a few long
 *   runs with a tight inner loop;
 * - the matrix product packs op(A) and op(B) into panels four lines wide and computes
 *   4×4 blocks of C in sixteen local variables, so each loaded value is used four times;
 * - convolution windows compute their valid range once, so inner loops carry no
 *   bounds tests for padding.
 *
 * @module
 */
import type { Backend, BinaryOp, Conv2dGeometry, Data, GemmArgs, ReduceOp, UnaryOp } from './backend.js';
import { broadcastStrides, checkGemm, checkLength, checkRegion, collapse, forEachRow, reductionNest, contiguousStrides, sizeOf } from './loop-nest.js';
import { checkGeometry, checkPoolInput } from './window-checks.js';
import { resultBuffer } from './buffer-pool.js';

/** A zero-filled result buffer of `length` elements of the same type as `like` (see `buffer-pool.ts`). */
function alloc(like: Data, length: number): Data {
  return resultBuffer(like, length);
}

function fail(kernel: string, message: string): never {
  throw new Error(`cpu.${kernel}: ${message}`);
}

// ---------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------

/** Applies `op` to every element; one loop per op so the loop body is a single expression. */
function unary(op: UnaryOp, x: Data, param?: number): Data {
  if ((op === 'pow' || op === 'scale' || op === 'shift') && typeof param !== 'number') fail('unary', `'${op}' needs a numeric param, got ${param}`);
  const p = param ?? 0;
  const n = x.length;
  const out = alloc(x, n);
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case 'sign': for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]); break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0; break;
    case 'reluGrad': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0; break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    // exp(-x) overflows to Infinity for very negative x, and 1/(1+Infinity) is the right limit 0.
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i])); break;
    case 'pow':
      if (p === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], p);
      break;
    case 'scale': for (let i = 0; i < n; i++) out[i] = x[i] * p; break;
    case 'shift': for (let i = 0; i < n; i++) out[i] = x[i] + p; break;
    case 'copy': out.set(x); break;
    default: fail('unary', `unknown op '${op as string}'`);
  }
  return out;
}

/**
 * `out[o + t] = a[ia + t·sa] op b[ib + t·sb]` for `t < len`. Strides of 0 broadcast
 * one operand along the run, so this one loop per op serves same-shape, scalar and
 * row/column broadcasting alike.
 */
function zipRun(op: BinaryOp, out: Data, o: number, a: Data, ia: number, sa: number, b: Data, ib: number, sb: number, len: number): void {
  const end = o + len;
  switch (op) {
    case 'add': for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] + b[ib]; break;
    case 'sub': for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] - b[ib]; break;
    case 'mul': for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] * b[ib]; break;
    case 'div': for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] / b[ib]; break;
    // Math.max, unlike a comparison, lets a NaN through instead of hiding it.
    case 'max': for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.max(a[ia], b[ib]); break;
    case 'eq': for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] === b[ib] ? 1 : 0; break;
    case 'gt': for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] > b[ib] ? 1 : 0; break;
    default: fail('binary', `unknown op '${op as string}'`);
  }
}

/** Elementwise `a op b` with NumPy broadcasting. */
function binary(op: BinaryOp, a: Data, aShape: readonly number[], b: Data, bShape: readonly number[], outShape: readonly number[]): Data {
  checkLength('cpu.binary', `a (${op})`, a, aShape);
  checkLength('cpu.binary', `b (${op})`, b, bShape);
  const n = sizeOf(outShape);
  const out = alloc(a, n);
  const nest = collapse(outShape, [broadcastStrides('cpu.binary', aShape, outShape), broadcastStrides('cpu.binary', bShape, outShape)]);
  if (nest.dims.length === 0) {
    // Every axis has size 1: a single element.
    zipRun(op, out, 0, a, 0, 0, b, 0, 0, 1);
    return out;
  }
  const inner = nest.dims.length - 1;
  const len = nest.dims[inner];
  const sa = nest.strides[0][inner];
  const sb = nest.strides[1][inner];
  forEachRow(nest, [0, 0], (row, at) => zipRun(op, out, row * len, a, at[0], sa, b, at[1], sb, len));
  return out;
}

// ---------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------

/** Sum or max of the `len` elements of `x` from `start`, in a JS number. */
function reduceRun(op: ReduceOp, x: Data, start: number, len: number): number {
  const end = start + len;
  if (op === 'sum') {
    let s = 0;
    for (let i = start; i < end; i++) s += x[i];
    return s;
  }
  let m = -Infinity;
  for (let i = start; i < end; i++) m = Math.max(m, x[i]);
  return m;
}

/** `acc[o + t] = acc[o + t] op x[ix + t]` for `t < len`: folding one row into a row of partial results. */
function foldRun(op: ReduceOp, acc: Float64Array, o: number, x: Data, ix: number, len: number): void {
  const end = o + len;
  if (op === 'sum') for (; o < end; o++, ix++) acc[o] += x[ix];
  else for (; o < end; o++, ix++) acc[o] = Math.max(acc[o], x[ix]);
}

/**
 * Reduce `axes` of `x`, keepDims layout. After collapsing, reducing everything is one
 * run and reducing trailing axes is one run per output; other patterns fold whole rows
 * into a float64 buffer of partial results, then round once into the output type.
 */
function reduce(op: ReduceOp, x: Data, shape: readonly number[], axes: readonly number[]): Data {
  checkLength('cpu.reduce', 'x', x, shape);
  const { outShape, nest } = reductionNest('cpu.reduce', op, shape, axes);
  const out = alloc(x, sizeOf(outShape));
  const empty = op === 'sum' ? 0 : -Infinity;
  if (x.length === 0) return out.fill(empty);
  const depth = nest.dims.length;
  if (depth === 0) {
    out[0] = x[0];
    return out;
  }
  const innerLen = nest.dims[depth - 1];
  const innerReduced = nest.strides[1][depth - 1] === 0;
  if (innerReduced && depth <= 2) {
    // Everything, or only trailing axes (collapsed to [kept, reduced]): each output is one contiguous run of x.
    for (let o = 0; o < out.length; o++) out[o] = reduceRun(op, x, o * innerLen, innerLen);
    return out;
  }
  const acc = new Float64Array(out.length).fill(empty);
  forEachRow(nest, [0, 0], (_, at) => {
    const ix = at[0], io = at[1];
    if (!innerReduced) foldRun(op, acc, io, x, ix, innerLen);
    else if (op === 'sum') acc[io] += reduceRun(op, x, ix, innerLen);
    else acc[io] = Math.max(acc[io], reduceRun(op, x, ix, innerLen));
  });
  out.set(acc);
  return out;
}

// ---------------------------------------------------------------------------------
// Gather
// ---------------------------------------------------------------------------------

/** Copy the strided view (`shape`, `strides`, `offset`) of `x` into a new contiguous buffer. */
function gather(x: Data, shape: readonly number[], strides: readonly number[], offset: number): Data {
  if (shape.length !== strides.length) fail('gather', `shape [${shape.join(',')}] and strides [${strides.join(',')}] differ in rank`);
  const n = sizeOf(shape);
  const out = alloc(x, n);
  if (n === 0) return out;
  const nest = collapse(shape, [strides]);
  if (nest.dims.length === 0) {
    out[0] = x[offset];
    return out;
  }
  const inner = nest.dims.length - 1;
  const len = nest.dims[inner];
  const step = nest.strides[0][inner];
  forEachRow(nest, [offset], (row, at) => {
    const o = row * len, ix = at[0];
    // A contiguous run is a memcpy.
    if (step === 1) out.set(x.subarray(ix, ix + len), o);
    else for (let t = 0; t < len; t++) out[o + t] = x[ix + t * step];
  });
  return out;
}

// ---------------------------------------------------------------------------------
// Pad: write a region into a constant
// ---------------------------------------------------------------------------------

/**
 * A buffer of `outShape` filled with `value`, with contiguous `x` (of `shape`) written
 * at `starts`. The copy walks x's collapsed nest beside the output's strides, so where
 * x spans the output's inner axes each row is one long run (a memcpy).
 */
function pad(x: Data, shape: readonly number[], outShape: readonly number[], starts: readonly number[], value: number): Data {
  checkRegion('cpu.pad', x, shape, outShape, starts);
  const out = alloc(x, sizeOf(outShape));
  // Object.is, not ===: a fill of −0 must be written, since the buffer starts as +0.
  if (!Object.is(value, 0)) out.fill(value);
  if (x.length === 0) return out;
  const outStrides = contiguousStrides(outShape);
  const base = starts.reduce((o, s, axis) => o + s * outStrides[axis], 0);
  const nest = collapse(shape, [contiguousStrides(shape), outStrides]);
  if (nest.dims.length === 0) {
    out[base] = x[0];
    return out;
  }
  const inner = nest.dims.length - 1;
  const len = nest.dims[inner];
  const step = nest.strides[1][inner];
  forEachRow(nest, [0, base], (_, at) => {
    const ix = at[0], o = at[1];
    if (step === 1) out.set(x.subarray(ix, ix + len), o);
    else for (let t = 0; t < len; t++) out[o + t * step] = x[ix + t];
  });
  return out;
}

// ---------------------------------------------------------------------------------
// Matrix product
// ---------------------------------------------------------------------------------

/*
 * Layout conventions inside the GEMM: op(A)[i, p] = a[aOff + i·rsA + p·csA] and
 * op(B)[p, j] = b[bOff + p·rsB + j·csB]. Both transposes are only different strides,
 * so every code path below handles all four combinations.
 */

/** Reusable packing space (float64, so the inner loop reads JS numbers without conversion). */
let packSpace = new Float64Array(1 << 16);
/** The sixteen results of an edge tile, before the ones inside C are stored. */
const edgeTile = new Float64Array(16);
/** Upper bound (elements) on the packed block of B: about 512 KiB, so it stays in L2 while the A panels stream past. */
const PACKED_B_ELEMENTS = 1 << 16;
/** Upper bound (elements) on the packed block of A, which bounds the packing space for very long k. */
const PACKED_A_ELEMENTS = 1 << 18;

/**
 * Copy `lines` lines of a matrix (rows of op(A), or columns of op(B)) into panels of
 * four lines interleaved along k: line `4q + r` at depth `p` goes to
 * `P[dst + q·4k + 4p + r]`. The micro-kernel then reads each panel front to back.
 * A last panel with fewer than four lines is padded with zeros, which contribute
 * nothing to the products.
 */
function packPanels(src: Data, off: number, lineStride: number, kStride: number, lines: number, k: number, P: Float64Array, dst: number): void {
  for (let l0 = 0; l0 < lines; l0 += 4) {
    const s0 = off + l0 * lineStride;
    if (lines - l0 >= 4) {
      const s1 = s0 + lineStride, s2 = s1 + lineStride, s3 = s2 + lineStride;
      for (let p = 0, sp = 0; p < k; p++, dst += 4, sp += kStride) {
        P[dst] = src[s0 + sp];
        P[dst + 1] = src[s1 + sp];
        P[dst + 2] = src[s2 + sp];
        P[dst + 3] = src[s3 + sp];
      }
    } else {
      const rest = lines - l0;
      for (let p = 0; p < k; p++, dst += 4) {
        for (let r = 0; r < 4; r++) P[dst + r] = r < rest ? src[s0 + r * lineStride + p * kStride] : 0;
      }
    }
  }
}

/**
 * The micro-kernel, swept along a row panel: every 4×4 block of C in the four rows
 * that the A panel at `ai` covers, one block per B panel (`nb` columns of panels from
 * `bBase`, each `4k` long, all in `P`). For each block the sixteen sums live in local
 * variables (registers or, at worst, stack slots), and each of the eight values loaded
 * per step of k is used four times. One index walks both panels (`bi - ai` is constant)
 * and `| 0` keeps index arithmetic in int32, which spares V8 its overflow checks. The
 * sweep over blocks is inside the function, not a call per block, so small k does not
 * pay a call per 4×4 result. `rows` < 4 only on the bottom panel of C, and the last
 * block of a row can have fewer than four columns.
 */
function panelRow(P: Float64Array, ai: number, bBase: number, nb: number, k: number, C: Data, ci: number, ldc: number, rows: number): void {
  const end = ai + 4 * k;
  for (let j = 0; j < nb; j += 4, ci += 4) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    const d = bBase + j * k - ai;
    for (let p = ai; p < end; p = (p + 4) | 0) {
      const q = (p + d) | 0;
      const a0 = P[p], a1 = P[(p + 1) | 0], a2 = P[(p + 2) | 0], a3 = P[(p + 3) | 0];
      const b0 = P[q], b1 = P[(q + 1) | 0], b2 = P[(q + 2) | 0], b3 = P[(q + 3) | 0];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    const cols = Math.min(4, nb - j);
    if (rows === 4 && cols === 4) {
      let o = ci;
      C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += ldc;
      C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; o += ldc;
      C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; o += ldc;
      C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33;
    } else {
      const t = edgeTile;
      t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
      t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
      t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
      t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) C[ci + r * ldc + c] = t[4 * r + c];
    }
  }
}

/**
 * `C = op(A)·op(B)` for one matrix, C contiguous `[m, n]` at `cOff`, through packed
 * panels. Blocks: a block of B columns is packed once (sized to stay in L2), then for
 * each block of A rows the A panels are packed and every 4×4 tile of the block pair is
 * computed over the whole depth k, so every sum is finished in registers and stored once.
 */
function gemmPacked(a: Data, aOff: number, rsA: number, csA: number, b: Data, bOff: number, rsB: number, csB: number, c: Data, cOff: number, m: number, n: number, k: number): void {
  const roundUp4 = (x: number): number => (x + 3) & ~3;
  const nc = Math.min(roundUp4(n), Math.max(4, (PACKED_B_ELEMENTS / k) & ~3));
  const mc = Math.min(roundUp4(m), Math.max(4, (PACKED_A_ELEMENTS / k) & ~3));
  const bBase = mc * k;
  if (packSpace.length < (mc + nc) * k) packSpace = new Float64Array((mc + nc) * k);
  const P = packSpace;
  for (let j0 = 0; j0 < n; j0 += nc) {
    const nb = Math.min(nc, n - j0);
    packPanels(b, bOff + j0 * csB, csB, rsB, nb, k, P, bBase);
    for (let i0 = 0; i0 < m; i0 += mc) {
      const mb = Math.min(mc, m - i0);
      packPanels(a, aOff + i0 * rsA, rsA, csA, mb, k, P, 0);
      for (let i = 0; i < mb; i += 4) panelRow(P, i * k, bBase, nb, k, c, cOff + (i0 + i) * n + j0, n, Math.min(4, mb - i));
    }
  }
}

/**
 * `C = op(A)·op(B)` when op(A) has fewer than four rows (a batch-1 layer), where
 * packing B would cost as much as the product. C is written through strides
 * (`rsC`, `csC`) so the transposed problem can use this path too. Two loop orders,
 * chosen so the inner loop reads B contiguously:
 * - rows of op(B) contiguous (`csB = 1`): a row of C is a sum of rows of op(B) scaled
 *   by the entries of the A row, four rows of op(B) per pass over a float64 row;
 * - otherwise columns of op(B) are contiguous (`rsB = 1`): each entry of C is a dot
 *   product, four columns per pass so each A value is loaded once for four of them.
 */
function gemmFewRows(a: Data, aOff: number, rsA: number, csA: number, b: Data, bOff: number, rsB: number, csB: number, c: Data, cOff: number, rsC: number, csC: number, m: number, n: number, k: number): void {
  const aRow = new Float64Array(k);
  const cRow = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) aRow[p] = a[aOff + i * rsA + p * csA];
    if (csB === 1) {
      cRow.fill(0);
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const x0 = aRow[p], x1 = aRow[p + 1], x2 = aRow[p + 2], x3 = aRow[p + 3];
        const r0 = bOff + p * rsB, r1 = r0 + rsB, r2 = r1 + rsB, r3 = r2 + rsB;
        for (let j = 0; j < n; j++) cRow[j] += x0 * b[r0 + j] + x1 * b[r1 + j] + x2 * b[r2 + j] + x3 * b[r3 + j];
      }
      for (; p < k; p++) {
        const x = aRow[p], r = bOff + p * rsB;
        for (let j = 0; j < n; j++) cRow[j] += x * b[r + j];
      }
    } else {
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const o0 = bOff + j * csB, o1 = o0 + csB, o2 = o1 + csB, o3 = o2 + csB;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0, q = 0; p < k; p++, q += rsB) {
          const x = aRow[p];
          s0 += x * b[o0 + q]; s1 += x * b[o1 + q]; s2 += x * b[o2 + q]; s3 += x * b[o3 + q];
        }
        cRow[j] = s0; cRow[j + 1] = s1; cRow[j + 2] = s2; cRow[j + 3] = s3;
      }
      for (; j < n; j++) {
        const o = bOff + j * csB;
        let s = 0;
        for (let p = 0, q = 0; p < k; p++, q += rsB) s += aRow[p] * b[o + q];
        cRow[j] = s;
      }
    }
    const ci = cOff + i * rsC;
    for (let j = 0; j < n; j++) c[ci + j * csC] = cRow[j];
  }
}

/** One product `C = op(A)·op(B)`, C contiguous `[m, n]` at `cOff`: picks the path for the shape. */
function gemmOne(a: Data, aOff: number, rsA: number, csA: number, b: Data, bOff: number, rsB: number, csB: number, c: Data, cOff: number, m: number, n: number, k: number): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (m < 4) {
    gemmFewRows(a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, n, 1, m, n, k);
  } else if (n < 4) {
    // Cᵀ = op(B)ᵀ·op(A)ᵀ has fewer than four rows; swapping the roles is only a change of strides.
    gemmFewRows(b, bOff, csB, rsB, a, aOff, csA, rsA, c, cOff, 1, n, n, m, k);
  } else {
    gemmPacked(a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, m, n, k);
  }
}

/** Batched `C[b] = op(A[b])·op(B[b])`, output `[batch, m, n]`. */
function gemm(a: Data, b: Data, args: GemmArgs): Data {
  const { batch, m, n, k, transA, transB, strideA, strideB } = args;
  checkGemm('cpu.gemm', a, b, args);
  const c = alloc(a, batch * m * n);
  const rsA = transA ? 1 : k, csA = transA ? m : 1;
  const rsB = transB ? 1 : n, csB = transB ? k : 1;
  if (batch > 1 && strideB === 0 && !transA && strideA === m * k) {
    // One B for consecutive A matrices: the batch is one tall product, so B is packed once.
    gemmOne(a, 0, rsA, csA, b, 0, rsB, csB, c, 0, batch * m, n, k);
    return c;
  }
  for (let i = 0; i < batch; i++) gemmOne(a, i * strideA, rsA, csA, b, i * strideB, rsB, csB, c, i * m * n, m, n, k);
  return c;
}

// ---------------------------------------------------------------------------------
// Convolution: im2col / col2im
// ---------------------------------------------------------------------------------

/**
 * The output positions `[lo, hi)` along one axis whose input coordinate
 * `o·stride + first` falls inside `[0, size)`; the positions outside read padding.
 */
export function insideRange(outSize: number, first: number, stride: number, size: number): [number, number] {
  const lo = first >= 0 ? 0 : Math.ceil(-first / stride);
  const hi = Math.min(outSize, Math.floor((size - 1 - first) / stride) + 1);
  return [Math.min(lo, outSize), Math.max(hi, 0)];
}

/**
 * The shared walk of im2col and col2im: for each column row `(c, ki, kj)` and output
 * row `oh`, the run of output columns that read real input. `fold` false copies image →
 * columns (padding stays zero); `fold` true adds columns → image, so overlapping windows
 * accumulate.
 */
function unfoldWalk(image: Data, imageOffset: number, cols: Data, g: Conv2dGeometry, fold: boolean): void {
  const { channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const plane = outH * outW;
  for (let ch = 0; ch < channels; ch++) {
    for (let ki = 0; ki < kernelH; ki++) {
      const [ohLo, ohHi] = insideRange(outH, ki * dilationH - padH, strideH, height);
      for (let kj = 0; kj < kernelW; kj++) {
        const firstW = kj * dilationW - padW;
        const [owLo, owHi] = insideRange(outW, firstW, strideW, width);
        const rowBase = ((ch * kernelH + ki) * kernelW + kj) * plane;
        for (let oh = ohLo; oh < ohHi; oh++) {
          const ih = oh * strideH + ki * dilationH - padH;
          const xRow = imageOffset + (ch * height + ih) * width + firstW;
          const cRow = rowBase + oh * outW;
          if (fold) for (let ow = owLo; ow < owHi; ow++) image[xRow + ow * strideW] += cols[cRow + ow];
          else for (let ow = owLo; ow < owHi; ow++) cols[cRow + ow] = image[xRow + ow * strideW];
        }
      }
    }
  }
}

/** Unfold one image `[C, H, W]` at `xOffset` into columns `[C·kH·kW, outH·outW]`. */
function im2col(x: Data, xOffset: number, g: Conv2dGeometry): Data {
  checkGeometry('cpu.im2col', g);
  const need = xOffset + g.channels * g.height * g.width;
  if (x.length < need) fail('im2col', `x has ${x.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${xOffset} needs ${need}`);
  const cols = alloc(x, g.channels * g.kernelH * g.kernelW * g.outH * g.outW);
  unfoldWalk(x, xOffset, cols, g, false);
  return cols;
}

/** Fold columns back into an image, adding into `out` at `outOffset`. */
function col2im(cols: Data, g: Conv2dGeometry, out: Data, outOffset: number): void {
  checkGeometry('cpu.col2im', g);
  const expected = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
  if (cols.length !== expected) fail('col2im', `cols has ${cols.length} elements, geometry needs ${g.channels * g.kernelH * g.kernelW}×${g.outH * g.outW} = ${expected}`);
  const need = outOffset + g.channels * g.height * g.width;
  if (out.length < need) fail('col2im', `out has ${out.length} elements; an image of ${g.channels}×${g.height}×${g.width} at offset ${outOffset} needs ${need}`);
  unfoldWalk(out, outOffset, cols, g, true);
}

// ---------------------------------------------------------------------------------
// Pooling
// ---------------------------------------------------------------------------------

/**
 * For each output position along one axis, the kernel taps `[lo, hi)` that land inside
 * the input (tap `t` reads `o·stride − pad + t·dilation`). Computed once per call, so
 * the pooling loops visit only real cells.
 */
export function tapRanges(outSize: number, stride: number, pad: number, dilation: number, kernel: number, size: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    lo[o] = Math.min(kernel, start >= 0 ? 0 : Math.ceil(-start / dilation));
    hi[o] = Math.max(lo[o], Math.min(kernel, Math.floor((size - 1 - start) / dilation) + 1));
  }
  return { lo, hi };
}

/** The tap ranges of both axes of a pooling geometry. */
function poolTaps(g: Conv2dGeometry): { rows: ReturnType<typeof tapRanges>; cols: ReturnType<typeof tapRanges> } {
  return {
    rows: tapRanges(g.outH, g.strideH, g.padH, g.dilationH, g.kernelH, g.height),
    cols: tapRanges(g.outW, g.strideW, g.padW, g.dilationW, g.kernelW, g.width),
  };
}

/**
 * Max pooling. Only real cells compete (padding never wins), the first maximum in
 * window order wins ties, and a NaN in a window wins so it is not hidden. A window with
 * no real cell (possible only with padding wider than the kernel reaches) gives
 * −Infinity and argmax −1, which the backward skips.
 */
function maxPool2d(x: Data, n: number, g: Conv2dGeometry): { out: Data; argmax: Int32Array } {
  checkGeometry('cpu.maxPool2d', g);
  const { channels, height, width, outH, outW, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  checkPoolInput('cpu.maxPool2d', 'x', x, n, channels * height * width);
  const { rows, cols } = poolTaps(g);
  const out = alloc(x, n * channels * outH * outW);
  const argmax = new Int32Array(out.length);
  let o = 0;
  for (let plane = 0; plane < n * channels; plane++) {
    const base = plane * height * width;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        let best = -Infinity;
        let at = -1;
        for (let ki = rows.lo[oh]; ki < rows.hi[oh]; ki++) {
          const row = base + (h0 + ki * dilationH) * width + w0;
          for (let kj = cols.lo[ow]; kj < cols.hi[ow]; kj++) {
            const i = row + kj * dilationW;
            const v = x[i];
            if (v > best || (v !== v && best === best) || at < 0) {
              best = v;
              at = i;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
  return { out, argmax };
}

/** Scatter-add each output gradient to the input cell that won its window. */
function maxPool2dBackward(grad: Data, argmax: Int32Array, inputSize: number): Data {
  if (grad.length !== argmax.length) fail('maxPool2dBackward', `grad has ${grad.length} elements but argmax has ${argmax.length}`);
  const dx = alloc(grad, inputSize);
  for (let o = 0; o < grad.length; o++) {
    const i = argmax[o];
    if (i >= inputSize) fail('maxPool2dBackward', `argmax ${i} is outside an input of ${inputSize} elements`);
    if (i >= 0) dx[i] += grad[o];
  }
  return dx;
}

/** Average pooling; the divisor is always kH·kW, so padded cells count as zeros. */
function avgPool2d(x: Data, n: number, g: Conv2dGeometry): Data {
  checkGeometry('cpu.avgPool2d', g);
  const { channels, height, width, outH, outW, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  checkPoolInput('cpu.avgPool2d', 'x', x, n, channels * height * width);
  const { rows, cols } = poolTaps(g);
  const scale = 1 / (g.kernelH * g.kernelW);
  const out = alloc(x, n * channels * outH * outW);
  let o = 0;
  for (let plane = 0; plane < n * channels; plane++) {
    const base = plane * height * width;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        let s = 0;
        for (let ki = rows.lo[oh]; ki < rows.hi[oh]; ki++) {
          const row = base + (h0 + ki * dilationH) * width + w0;
          for (let kj = cols.lo[ow]; kj < cols.hi[ow]; kj++) s += x[row + kj * dilationW];
        }
        out[o] = s * scale;
      }
    }
  }
  return out;
}

/** Gradient of {@link avgPool2d}: each output gradient, divided by kH·kW, is added to every real cell of its window. */
function avgPool2dBackward(grad: Data, n: number, g: Conv2dGeometry): Data {
  checkGeometry('cpu.avgPool2dBackward', g);
  const { channels, height, width, outH, outW, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  checkPoolInput('cpu.avgPool2dBackward', 'grad', grad, n, channels * outH * outW);
  const { rows, cols } = poolTaps(g);
  const scale = 1 / (g.kernelH * g.kernelW);
  const dx = alloc(grad, n * channels * height * width);
  let o = 0;
  for (let plane = 0; plane < n * channels; plane++) {
    const base = plane * height * width;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        const share = grad[o] * scale;
        for (let ki = rows.lo[oh]; ki < rows.hi[oh]; ki++) {
          const row = base + (h0 + ki * dilationH) * width + w0;
          for (let kj = cols.lo[ow]; kj < cols.hi[ow]; kj++) dx[row + kj * dilationW] += share;
        }
      }
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------
// The optimizers' update loop
// ---------------------------------------------------------------------------------

/** `a·x + b·y` elementwise, in float64, stored into a new buffer of `x`'s type (see {@link Backend.axpby}). */
function axpby(a: number, x: Data, b: number, y: Data | null): Data {
  if (y !== null && y.length !== x.length) throw new Error(`cpu.axpby: x has ${x.length} elements but y has ${y.length}; give two buffers of one length`);
  const out = alloc(x, x.length);
  if (y === null) for (let i = 0; i < out.length; i++) out[i] = a * x[i];
  else for (let i = 0; i < out.length; i++) out[i] = a * x[i] + b * y[i];
  return out;
}

// ---------------------------------------------------------------------------------
// The backend object
// ---------------------------------------------------------------------------------

/**
 * The CPU backend: the kernels above behind the {@link Backend} interface. Stateless
 * apart from a reusable GEMM packing buffer, so one shared object serves everything;
 * it is registered and current from the start (see `core/backend/index.ts`).
 *
 * @example
 * const c = cpuBackend.gemm(new Float32Array([1, 2]), new Float32Array([3, 4]),
 *   { batch: 1, m: 1, n: 1, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 });
 * // c is Float32Array [11]
 */
export const cpuBackend: Backend = {
  name: 'cpu',
  unary,
  binary,
  reduce,
  gemm,
  gather,
  pad,
  im2col,
  col2im,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  axpby,
};
