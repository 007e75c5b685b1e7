/**
 * Polynomials with real coefficients, stored in ascending order:
 * `[c0, c1, …, cn]` is `c0 + c1·z + … + cn·zⁿ`. The characteristic polynomials of the
 * quadratic analysis are built from a few products and sums of these, so an exact zero
 * coefficient stays exactly zero (which lets the root finder split off roots at 0
 * exactly).
 *
 * @module
 */

/** A real polynomial in ascending order of powers: `c[k]` multiplies `z^k`. */
export type Polynomial = readonly number[];

/** `p·q`, the coefficient convolution. */
export function multiplyPolynomials(p: Polynomial, q: Polynomial): number[] {
  if (p.length === 0 || q.length === 0) return [];
  const out = new Array<number>(p.length + q.length - 1).fill(0);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    for (let j = 0; j < q.length; j++) out[i + j] += p[i] * q[j];
  }
  return out;
}

/** `Σ polys`, padded to the longest. */
export function addPolynomials(...polys: Polynomial[]): number[] {
  const out = new Array<number>(Math.max(0, ...polys.map((p) => p.length))).fill(0);
  for (const p of polys) p.forEach((c, k) => (out[k] += c));
  return out;
}

/** `s·p`. */
export function scalePolynomial(p: Polynomial, s: number): number[] {
  return p.map((c) => s * c);
}

/** The monomial `zᵏ`. */
export function monomial(k: number): number[] {
  if (!Number.isInteger(k) || k < 0) throw new Error(`monomial: the power must be an integer >= 0, got ${k}`);
  const out = new Array<number>(k + 1).fill(0);
  out[k] = 1;
  return out;
}

/** `p(z)` at a complex `z = re + i·im` by Horner's rule, as `[re, im]`. */
export function evaluatePolynomial(p: Polynomial, re: number, im: number): [number, number] {
  let a = 0;
  let b = 0;
  for (let k = p.length - 1; k >= 0; k--) {
    const na = a * re - b * im + p[k];
    b = a * im + b * re;
    a = na;
  }
  return [a, b];
}
