/**
 * Movement ops: `reshape`, `permute`/`transpose`, `slice`, `concat`, `pad`.
 *
 * `permute` and `slice` are zero-copy: they return a new strided view over the same
 * storage (on the host or on a device). `reshape` is free on a
 * contiguous tensor and copies otherwise. `pad`, `concat` and the slice VJP are the
 * backend's pad kernel (a tensor written into a constant-filled region), so inside a
 * device scope they stay on the device. Each VJP is the inverse movement: permute
 * back, slice ↔ pad, concat ↔ slice.
 *
 * @module
 */
import { defineOp } from '../registry.js';
import { fmtShape, sizeOf, Tensor } from '../tensor.js';
import { normalizeAxes } from './shape-utils.js';
import { kernels, operand, reshaped, wrap } from './kernels.js';

const reshapeOp = defineOp<{ shape: number[] }>({
  name: 'reshape',
  forward: ([x], { shape }) => reshaped(x, shape),
  vjp: [({ g, inputs }) => reshaped(g, inputs[0].shape)],
});

/**
 * The same values with a new shape; one size may be `-1` and is inferred.
 *
 * @throws naming both shapes when the sizes differ.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = shape.slice();
  const unknown = resolved.indexOf(-1);
  if (unknown !== resolved.lastIndexOf(-1)) throw new Error(`reshape: only one size may be -1, got ${fmtShape(shape)}`);
  if (unknown >= 0) {
    const known = sizeOf(resolved.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} values) to ${fmtShape(shape)}`);
    resolved[unknown] = x.size / known;
  }
  if (sizeOf(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} values) to ${fmtShape(shape)} (${sizeOf(resolved)} values)`);
  }
  return reshapeOp([x], { shape: resolved });
}

/** Collapse all axes from `startAxis` on into one: `[N, C, H, W] → [N, C·H·W]`. */
export function flatten(x: Tensor, startAxis = 1): Tensor {
  const shape = x.shape;
  return reshape(x, [...shape.slice(0, startAxis), sizeOf(shape.slice(startAxis))]);
}

/** A view of `x` (sharing its storage) whose axis `i` is `x`'s axis `axes[i]`. */
function permutedView(x: Tensor, axes: readonly number[]): Tensor {
  const shape = x.shape;
  const strides = x.strides;
  return new Tensor(x.storage, axes.map((a) => shape[a]), axes.map((a) => strides[a]), x.offset);
}

const permuteOp = defineOp<{ axes: number[] }>({
  name: 'permute',
  forward: ([x], { axes }) => permutedView(x, axes),
  vjp: [
    ({ g, attrs }) => {
      const inverse = new Array<number>(attrs.axes.length);
      attrs.axes.forEach((a, i) => (inverse[a] = i));
      return permutedView(g, inverse);
    },
  ],
});

/**
 * Reorder axes (a zero-copy view): output axis `i` is input axis `axes[i]`.
 *
 * @example
 * permute(x, [0, 2, 3, 1]); // NCHW → NHWC
 */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.ndim) throw new Error(`permute: ${axes.length} axes given for a tensor of shape ${fmtShape(x.shape)}`);
  const norm = axes.map((a) => (a < 0 ? a + x.ndim : a));
  const sorted = [...norm].sort((a, b) => a - b);
  if (sorted.some((a, i) => a !== i)) throw new Error(`permute: [${axes.join(',')}] is not a permutation of the axes of ${fmtShape(x.shape)}`);
  return permuteOp([x], { axes: norm });
}

/** Swap two axes (default: the last two), as a zero-copy view. */
export function transpose(x: Tensor, axisA = -2, axisB = -1): Tensor {
  if (x.ndim < 2) throw new Error(`transpose: needs at least 2 axes, got shape ${fmtShape(x.shape)}`);
  const [a, b] = [axisA, axisB].map((ax) => normalizeAxes(ax, x.ndim, 'transpose')[0]);
  const axes = Array.from({ length: x.ndim }, (_, i) => i);
  axes[a] = b;
  axes[b] = a;
  return permuteOp([x], { axes });
}

/** A per-axis range `[start, end)`; `null` takes the whole axis. */
export type SliceRange = readonly [number, number] | null;

const sliceOp = defineOp<{ starts: number[]; ends: number[] }>({
  name: 'slice',
  forward: ([x], { starts, ends }) => {
    const strides = x.strides;
    const offset = starts.reduce((o, s, i) => o + s * strides[i], x.offset);
    return new Tensor(x.storage, ends.map((e, i) => e - starts[i]), strides, offset);
  },
  vjp: [({ g, inputs, attrs }) => padRegion(g, inputs[0].shape, attrs.starts, 0)],
});

/**
 * The sub-tensor `x[start0:end0, start1:end1, ...]` as a zero-copy view; axes without
 * a range (or with `null`) are kept whole. Negative bounds count from the end.
 */
export function slice(x: Tensor, ranges: readonly SliceRange[]): Tensor {
  const shape = x.shape;
  if (ranges.length > shape.length) throw new Error(`slice: ${ranges.length} ranges for a tensor of shape ${fmtShape(shape)}`);
  const starts: number[] = [];
  const ends: number[] = [];
  shape.forEach((d, i) => {
    const r = ranges[i] ?? null;
    let [s, e] = r === null ? [0, d] : r;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > d || s > e) {
      throw new Error(`slice: range [${r?.join(', ')}) is outside axis ${i} of size ${d} (shape ${fmtShape(shape)})`);
    }
    starts.push(s);
    ends.push(e);
  });
  return sliceOp([x], { starts, ends });
}

const concatOp = defineOp<{ axis: number }>({
  name: 'concat',
  // Each input is padded into the full shape with −0, and the pieces are added to the
  // first: x + (−0) is x for every x (−0 and ±∞ included; NaN stays NaN), so every
  // element is its input's value, where a fill of +0 would turn −0 into +0. Each piece
  // is a kernel result, so the whole join stays on the device inside a device scope.
  forward: (xs, { axis }) => {
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
    const start = new Array<number>(shape.length).fill(0);
    const pieces = xs.map((x) => {
      const piece = padRegion(x, shape, start, -0);
      start[axis] += x.shape[axis];
      return piece;
    });
    const k = kernels();
    return pieces.reduce((sum, piece) => wrap(k.binary('add', operand(sum, k), shape, operand(piece, k), shape, shape), shape));
  },
  // Variadic: one VJP for every input, the slice of the gradient that input filled.
  vjp: ({ g, inputs, attrs, index }) => {
    let start = 0;
    for (let i = 0; i < index; i++) start += inputs[i].shape[attrs.axis];
    const end = start + inputs[index].shape[attrs.axis];
    return slice(g, g.shape.map((_, i) => (i === attrs.axis ? [start, end] : null)));
  },
});

/**
 * Join tensors along `axis`; all other sizes must agree.
 *
 * @example
 * concat([a, b], 1); // [2,3] and [2,4] → [2,7]
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const ax = normalizeAxes(axis, xs[0].ndim, 'concat')[0];
  const ref = xs[0].shape;
  for (const x of xs) {
    const s = x.shape;
    if (s.length !== ref.length || s.some((d, i) => i !== ax && d !== ref[i])) {
      throw new Error(`concat: shapes ${fmtShape(ref)} and ${fmtShape(s)} differ outside axis ${ax}`);
    }
    if (x.dtype !== xs[0].dtype) throw new Error(`concat: dtypes ${xs[0].dtype} and ${x.dtype} differ`);
  }
  return concatOp([...xs], { axis: ax });
}

const padOp = defineOp<{ before: number[]; after: number[]; value: number }>({
  name: 'pad',
  forward: ([x], { before, after, value }) => {
    const shape = x.shape.map((d, i) => d + before[i] + after[i]);
    return padRegion(x, shape, before, value);
  },
  vjp: [
    ({ g, inputs, attrs }) => {
      const ranges: SliceRange[] = inputs[0].shape.map((d, i) => [attrs.before[i], attrs.before[i] + d]);
      return slice(g, ranges);
    },
  ],
});

/**
 * Pad with a constant: `pads[i] = [before, after]` for axis `i` (missing axes unpadded).
 *
 * @example
 * pad(x, [[0, 0], [0, 0], [1, 1], [1, 1]]); // one pixel of zeros around NCHW images
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  if (pads.length > x.ndim) throw new Error(`pad: ${pads.length} pad pairs for a tensor of shape ${fmtShape(x.shape)}`);
  const before = x.shape.map((_, i) => pads[i]?.[0] ?? 0);
  const after = x.shape.map((_, i) => pads[i]?.[1] ?? 0);
  if ([...before, ...after].some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(`pad: pads must be non-negative integers, got ${JSON.stringify(pads)}`);
  }
  return padOp([x], { before, after, value });
}

/** A tensor of `shape` filled with `value`, with `x` written at `starts` (the backend's pad kernel). */
function padRegion(x: Tensor, shape: readonly number[], starts: readonly number[], value: number): Tensor {
  const k = kernels();
  return wrap(k.pad(operand(x, k), x.shape, shape, starts, value), shape);
}
