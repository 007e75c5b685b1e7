/**
 * Index arithmetic for the gpu.js kernels: turning the flat thread index of an
 * output element into the element offsets of each input, as kernel source text.
 *
 * Every gpu.js kernel here is written for one set of shapes, so sizes and strides are
 * literals in its source: a loop bound is a constant (as GLSL ES 1.0 requires) and a
 * broadcast operand's offset is a sum of literal multiples. Before code is generated
 * the loop nest is *collapsed* (size-1 axes dropped, axes laid out back to back merged),
 * so a same-shape zip has no index arithmetic at all and a bias add `[N,C,H,W] +
 * [1,C,1,1]` splits its index only twice.
 *
 * Shaders compute indices in float32. Integers up to 2^24 are exact there, but a
 * division may land one ulp below an integer, so {@link divmodCode} corrects the
 * quotient with an exact integer remainder test. {@link MAX_INDEX} is the resulting
 * size limit of a buffer the kernels address.
 *
 * @module
 */

/**
 * Largest element count a buffer addressed by a gpu.js kernel may have: float32 holds
 * every integer below 2^24 exactly, so index arithmetic stays exact below it.
 */
export const MAX_INDEX = 2 ** 24;

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
 * Simplify a loop nest without changing the elements it visits or their order: drop
 * axes of size 1 and merge two neighbouring axes when, for every operand, one step of
 * the outer axis equals a full sweep of the inner one. (The CPU backend does the same
 * to find long contiguous runs; here it shortens the generated index code.)
 */
export function collapse(dims: readonly number[], strides: readonly (readonly number[])[]): Nest {
  const outDims: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let axis = 0; axis < dims.length; axis++) {
    const d = dims[axis];
    if (d === 1) continue;
    const last = outDims.length - 1;
    if (last >= 0 && strides.every((s, j) => outStrides[j][last] === s[axis] * d)) {
      outDims[last] *= d;
      strides.forEach((s, j) => { outStrides[j][last] = s[axis]; });
    } else {
      outDims.push(d);
      strides.forEach((s, j) => outStrides[j].push(s[axis]));
    }
  }
  return { dims: outDims, strides: outStrides };
}

/**
 * Strides of an input of `shape` broadcast to `outShape` (right-aligned, 0 on the
 * stretched axes), or a message saying why it does not broadcast.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] | string {
  const lead = outShape.length - shape.length;
  if (lead < 0) return `cannot broadcast [${shape.join(',')}] to the smaller rank of [${outShape.join(',')}]`;
  const own = contiguousStrides(shape);
  const strides: number[] = [];
  for (let axis = 0; axis < outShape.length; axis++) {
    if (axis < lead) {
      strides.push(0);
      continue;
    }
    const s = shape[axis - lead];
    if (s !== outShape[axis] && s !== 1) return `cannot broadcast [${shape.join(',')}] to [${outShape.join(',')}] (axis ${axis}: ${s} vs ${outShape[axis]})`;
    strides.push(s === 1 ? 0 : own[axis - lead]);
  }
  return strides;
}

/** A number as a kernel-source literal (gpu.js reads `3` as the float 3.0). */
export function literal(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`gpu kernel source: ${x} has no float literal`);
  return x < 0 ? `(${x})` : String(x);
}

/**
 * Statements that set `q = floor(value / divisor)` and `m = value − q·divisor` exactly
 * for an integer `value` in `[0, 2^24)`: the float division may miss by one, and the
 * remainder test puts it back.
 *
 * @example
 * divmodCode('r', 7, 'q', 'm');
 * // let q = Math.floor((r + 0.5) / 7); let m = r - q * 7;
 * // if (m < 0) { q = q - 1; m = m + 7; } if (m >= 7) { q = q + 1; m = m - 7; }
 */
export function divmodCode(value: string, divisor: number, q: string, m: string): string {
  if (divisor === 1) return `let ${q} = ${value}; let ${m} = 0;\n`;
  const d = literal(divisor);
  return (
    `let ${q} = Math.floor((${value} + 0.5) / ${d}); let ${m} = ${value} - ${q} * ${d};\n` +
    `if (${m} < 0) { ${q} = ${q} - 1; ${m} = ${m} + ${d}; }\n` +
    `if (${m} >= ${d}) { ${q} = ${q} + 1; ${m} = ${m} - ${d}; }\n`
  );
}

/**
 * Statements splitting the flat index `value` into coordinates along `dims` (outermost
 * first), named `${prefix}0`, `${prefix}1`, …; the outermost coordinate needs no
 * remainder.
 */
export function coordinatesCode(value: string, dims: readonly number[], prefix: string): string {
  if (dims.length === 0) return '';
  let code = '';
  let rest = value;
  for (let axis = dims.length - 1; axis > 0; axis--) {
    code += divmodCode(rest, dims[axis], `${prefix}q${axis}`, `${prefix}${axis}`);
    rest = `${prefix}q${axis}`;
  }
  return code + `const ${prefix}0 = ${rest};\n`;
}

/** The expression `base + Σ coordinate·stride` over the axes with a non-zero stride. */
export function offsetExpression(prefix: string, strides: readonly number[], base = 0): string {
  const terms = strides.flatMap((s, axis) => (s === 0 ? [] : [s === 1 ? `${prefix}${axis}` : `${prefix}${axis} * ${literal(s)}`]));
  if (base !== 0 || terms.length === 0) terms.unshift(literal(base));
  return terms.join(' + ');
}
