/**
 * Shape arithmetic shared by the ops: broadcasting, axis normalization, and turning
 * numbers into tensors.
 *
 * @module
 */
import type { DType } from '../backend/backend.js';
import { allocate, fmtShape, Tensor } from '../tensor.js';

/** A tensor, or a plain number that becomes a scalar tensor of the other operand's dtype. */
export type TensorLike = Tensor | number;

/**
 * The NumPy broadcast of two shapes: align on the right; sizes must be equal or 1.
 *
 * @throws naming `op` and both shapes when they do not broadcast.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Normalize axes (negative counts from the end) and check them; `undefined` means all.
 *
 * @throws naming `op` when an axis is out of range or repeated.
 */
export function normalizeAxes(axes: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out: number[] = [];
  for (const a of list) {
    if (!Number.isInteger(a) || a < -ndim || a >= ndim) {
      throw new Error(`${op}: axis ${a} is out of range for a tensor with ${ndim} axes (valid: ${-ndim}..${ndim - 1})`);
    }
    const norm = a < 0 ? a + ndim : a;
    if (out.includes(norm)) throw new Error(`${op}: axis ${a} is given twice`);
    out.push(norm);
  }
  return out.sort((x, y) => x - y);
}

/** The dtype two operands compute in: float64 if either is float64. */
export function resultDType(a: Tensor, b?: Tensor): DType {
  return a.dtype === 'float64' || b?.dtype === 'float64' ? 'float64' : 'float32';
}

/** Scalar tensors that {@link asTensor} made from numbers written in the program. */
const numberLiterals = new WeakSet<Tensor>();

/**
 * A number as a scalar tensor of `dtype`; a tensor passes through. The scalar is
 * remembered as a number literal (see {@link isNumberLiteral}).
 */
export function asTensor(x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`expected a Tensor or a number, got ${typeof x}`);
  const data = allocate(dtype, 1);
  data[0] = x;
  const literal = new Tensor(data, []);
  numberLiterals.add(literal);
  return literal;
}

/**
 * Whether `t` is a scalar an op made from a plain number (`mul(w, 0.5)`): a constant of
 * the program, like an op attribute, and never a value that depends on a sample. The
 * weight-substitution replay (`core/weight-substitution.ts`) relies on this to tell
 * `0.5·W` (recomputed from the backward's weights) from `x·W` (kept as stored).
 */
export function isNumberLiteral(t: Tensor): boolean {
  return numberLiterals.has(t);
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
