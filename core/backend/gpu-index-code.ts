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
