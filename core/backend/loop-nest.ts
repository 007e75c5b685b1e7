/**
 * Shape arithmetic that every backend's kernels share: sizes, row-major strides,
 * broadcast strides, and the collapse of a loop nest into its fewest, longest axes.
 *
 * @module
 */
import type { GemmArgs } from './backend.js';

/** Product of the sizes in a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major element strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * A loop nest in collapsed form: `dims` sizes (outermost first) and, for each operand,
 * its element stride along each of them (0 where the operand is broadcast or reduced).
 */
export interface Nest {
  /** Sizes of the collapsed axes, outermost first. */
  dims: number[];
  /** Per operand, its stride along each collapsed axis. */
  strides: number[][];
}

/**
 * Simplify a loop nest without changing which elements it visits, or in what order:
 * drop axes of size 1, and merge two neighbouring axes into one when, for every operand,
 * one step along the outer axis equals a full sweep of the inner one (so
 * `[N,C,H,W] + [1,C,1,1]` becomes `[N, C, H·W]`, and a same-shape zip becomes one run).
 */
export function collapse(dims: readonly number[], strides: readonly (readonly number[])[]): Nest {
  // Plain loops into arrays sized for the worst case and trimmed at the end: every
  // elementwise and reduction kernel comes here, so a call allocates only its result.
  const operands = strides.length;
  const outDims = new Array<number>(dims.length);
  const outStrides = new Array<number[]>(operands);
  for (let j = 0; j < operands; j++) outStrides[j] = new Array<number>(dims.length);
  let count = 0;
  for (let axis = 0; axis < dims.length; axis++) {
    const d = dims[axis];
    if (d === 1) continue;
    const last = count - 1;
    let merges = last >= 0;
    for (let j = 0; merges && j < operands; j++) merges = outStrides[j][last] === strides[j][axis] * d;
    if (merges) {
      outDims[last] *= d;
      for (let j = 0; j < operands; j++) outStrides[j][last] = strides[j][axis];
    } else {
      outDims[count] = d;
      for (let j = 0; j < operands; j++) outStrides[j][count] = strides[j][axis];
      count++;
    }
  }
  outDims.length = count;
  for (let j = 0; j < operands; j++) outStrides[j].length = count;
  return { dims: outDims, strides: outStrides };
}

/**
 * Strides of an input of `shape` broadcast to `outShape` (right-aligned, 0 on the
 * stretched axes).
 *
 * @throws `<kernel>: cannot broadcast [..] to [..]` when the shapes do not broadcast.
 */
export function broadcastStrides(kernel: string, shape: readonly number[], outShape: readonly number[]): number[] {
  const lead = outShape.length - shape.length;
  if (lead < 0) throw new Error(`${kernel}: cannot broadcast [${shape.join(',')}] to the smaller rank of [${outShape.join(',')}]`);
  const strides = new Array<number>(outShape.length);
  let own = 1; // the input's own row-major stride on the current axis
  for (let axis = outShape.length - 1; axis >= 0; axis--) {
    if (axis < lead) {
      strides[axis] = 0;
      continue;
    }
    const s = shape[axis - lead];
    const d = outShape[axis];
    if (s !== d && s !== 1) throw new Error(`${kernel}: cannot broadcast [${shape.join(',')}] to [${outShape.join(',')}] (axis ${axis}: ${s} vs ${d})`);
    strides[axis] = s === 1 ? 0 : own;
    own *= s;
  }
  return strides;
}

/**
 * Check that a buffer holds exactly the elements its shape says.
 *
 * @throws `<kernel>: <what> has N elements but shape [..] needs M`.
 */
export function checkLength(kernel: string, what: string, data: { readonly length: number }, shape: readonly number[]): void {
  const expected = sizeOf(shape);
  if (data.length !== expected) throw new Error(`${kernel}: ${what} has ${data.length} elements but shape [${shape.join(',')}] needs ${expected}`);
}

/**
 * Check that a contiguous `x` of `shape` fits inside `outShape` at offset `starts`: the
 * same rank, the right element count, and on each axis `0 ≤ start` and
 * `start + size ≤ out` (the region a pad kernel writes).
 *
 * @throws `<kernel>: …` naming the shapes and the axis that does not fit.
 */
export function checkRegion(kernel: string, x: { readonly length: number }, shape: readonly number[], outShape: readonly number[], starts: readonly number[]): void {
  if (shape.length !== outShape.length || starts.length !== outShape.length) {
    throw new Error(`${kernel}: shape [${shape.join(',')}], outShape [${outShape.join(',')}] and starts [${starts.join(',')}] must have the same rank`);
  }
  checkLength(kernel, 'x', x, shape);
  outShape.forEach((d, axis) => {
    const s = starts[axis];
    if (!Number.isInteger(s) || s < 0) throw new Error(`${kernel}: starts [${starts.join(',')}] must be non-negative integers (axis ${axis}: ${s})`);
    if (s + shape[axis] > d) {
      throw new Error(`${kernel}: x of shape [${shape.join(',')}] at starts [${starts.join(',')}] does not fit in [${outShape.join(',')}] (axis ${axis}: ${s} + ${shape[axis]} > ${d})`);
    }
  });
}

/** The loop nest of a reduction: its output shape (keepDims layout), and the collapsed nest over x with the output's strides (0 on reduced axes). */
export interface ReductionNest {
  /** `shape` with the reduced axes set to 1. */
  outShape: number[];
  /** The collapsed nest: strides of x, then of the output. */
  nest: Nest;
}

/**
 * Check a reduction's op and axes (negative axes count from the end) and lay out its
 * loop nest; both backends' `reduce` start here.
 *
 * @throws `<kernel>: unknown op …` or `<kernel>: axis … is out of range …`.
 */
export function reductionNest(kernel: string, op: string, shape: readonly number[], axes: readonly number[]): ReductionNest {
  if (op !== 'sum' && op !== 'max') throw new Error(`${kernel}: unknown op '${op}'`);
  const outShape = shape.slice();
  for (const a of axes) {
    const axis = a < 0 ? a + shape.length : a;
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) throw new Error(`${kernel}: axis ${a} is out of range for shape [${shape.join(',')}]`);
    outShape[axis] = 1;
  }
  // The output's strides are its own row-major strides, 0 on the reduced axes (a size-1
  // axis that was not reduced gets 0 too, which visits the same elements).
  const outStrides = contiguousStrides(outShape);
  for (let axis = 0; axis < shape.length; axis++) if (outShape[axis] === 1) outStrides[axis] = 0;
  return { outShape, nest: collapse(shape, [contiguousStrides(shape), outStrides]) };
}

/**
 * Calls `visit(row, offsets)` for every index of the outer axes of `nest` (all but the
 * last), in row-major order, with each operand's element offset. An odometer updates the
 * offsets incrementally, so nothing is allocated per row; `offsets` is reused, read it
 * inside `visit` only.
 */
export function forEachRow(nest: Nest, start: readonly number[], visit: (row: number, offsets: readonly number[]) => void): void {
  const outer = nest.dims.length - 1;
  const offsets = start.slice();
  const index = new Array<number>(Math.max(outer, 0)).fill(0);
  let rows = 1;
  for (let axis = 0; axis < outer; axis++) rows *= nest.dims[axis];
  for (let row = 0; row < rows; row++) {
    visit(row, offsets);
    for (let axis = outer - 1; axis >= 0; axis--) {
      const d = nest.dims[axis];
      if (++index[axis] < d) {
        for (let j = 0; j < offsets.length; j++) offsets[j] += nest.strides[j][axis];
        break;
      }
      index[axis] = 0;
      for (let j = 0; j < offsets.length; j++) offsets[j] -= nest.strides[j][axis] * (d - 1);
    }
  }
}

/**
 * Check a batched matrix product's sizes and that A and B hold the matrices they
 * describe: `(batch − 1)·stride + m·k` elements of A, `(batch − 1)·stride + k·n` of B.
 *
 * @throws `<kernel>: …` naming the size or the operand that is short.
 */
export function checkGemm(kernel: string, a: { readonly length: number }, b: { readonly length: number }, args: GemmArgs): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = args;
  for (const [name, v] of Object.entries({ batch, m, n, k, strideA, strideB })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${kernel}: ${name} must be a non-negative integer, got ${v}`);
  }
  const needA = batch === 0 ? 0 : (batch - 1) * strideA + m * k;
  const needB = batch === 0 ? 0 : (batch - 1) * strideB + k * n;
  if (a.length < needA) throw new Error(`${kernel}: A has ${a.length} elements; batch ${batch} of ${transA ? `[${k},${m}]` : `[${m},${k}]`} with strideA ${strideA} needs ${needA}`);
  if (b.length < needB) throw new Error(`${kernel}: B has ${b.length} elements; batch ${batch} of ${transB ? `[${n},${k}]` : `[${k},${n}]`} with strideB ${strideB} needs ${needB}`);
}
