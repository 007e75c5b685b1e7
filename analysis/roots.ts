/**
 * All roots of a real polynomial by the Aberth–Ehrlich iteration, and the largest root
 * modulus — the convergence rate of a linear recurrence whose characteristic
 * polynomial it is.
 *
 * Aberth–Ehrlich refines all `n` roots at once. For root `zᵢ`, with the Newton ratio
 * `Nᵢ = p(zᵢ)/p′(zᵢ)` and the repulsion from the other estimates
 * `Sᵢ = Σ_{j≠i} 1/(zᵢ − zⱼ)`, the step is
 *
 * ```
 *   zᵢ ← zᵢ − Nᵢ / (1 − Nᵢ·Sᵢ)
 * ```
 *
 * It is Newton's method on `p(z) / Π_{j≠i}(z − zⱼ)`: the other roots push each estimate
 * away, so the estimates cannot collapse onto the same root. It converges cubically to
 * simple roots and linearly to multiple ones, from starting points spread on a circle.
 * A root stops moving when its step is at the level of rounding or `|p(zᵢ)|` is within
 * the rounding error of Horner's rule (the only accuracy a multiple root allows).
 *
 * Roots at exactly 0 (trailing zero coefficients, which the analysis produces as exact
 * zeros) are split off first, so they cost nothing and lose no accuracy.
 *
 * @module
 */
import type { Polynomial } from './polynomial.js';

/** A complex number. */
export interface Complex {
  /** Real part. */
  re: number;
  /** Imaginary part. */
  im: number;
}

/** Options of {@link polynomialRoots}. */
export interface RootOptions {
  /** Iterations before giving up (default 500). */
  maxIterations?: number;
}

/**
 * Every root of `p` (ascending coefficients), with multiplicity: `degree(p)` complex
 * numbers in no particular order.
 *
 * @example
 * polynomialRoots([2, -3, 1]); // the roots 1 and 2 of z² − 3z + 2
 * @throws when a coefficient is not finite, when `p` is the zero polynomial, or when
 *   the iteration does not settle within `maxIterations`.
 */
export function polynomialRoots(p: Polynomial, options: RootOptions = {}): Complex[] {
  const maxIterations = options.maxIterations ?? 500;
  if (p.some((c) => !Number.isFinite(c))) throw new Error(`polynomialRoots: every coefficient must be finite, got [${p.join(', ')}]`);
  let top = p.length - 1;
  while (top >= 0 && p[top] === 0) top--;
  if (top < 0) throw new Error('polynomialRoots: the zero polynomial has no finite set of roots; give a polynomial with a nonzero coefficient');
  let low = 0;
  while (p[low] === 0) low++;
  const zeros: Complex[] = Array.from({ length: low }, () => ({ re: 0, im: 0 }));
  const n = top - low;
  if (n === 0) return zeros;
  // Monic, with the roots at 0 divided out: a[k] multiplies z^k.
  const a = p.slice(low, top + 1).map((c) => c / p[top]);
  if (n === 1) return [...zeros, { re: -a[0], im: 0 }];
  if (n === 2) return [...zeros, ...quadraticRoots(a[1], a[0])];
  return [...zeros, ...aberth(a, n, maxIterations)];
}

/**
 * The largest `|z|` over the roots of `p`: the spectral radius of any matrix whose
 * characteristic polynomial `p` is.
 *
 * @example
 * largestRootModulus([0.25, 0, 1]); // 0.5 (roots ±0.5i)
 */
export function largestRootModulus(p: Polynomial, options: RootOptions = {}): number {
  return Math.max(...polynomialRoots(p, options).map((z) => Math.hypot(z.re, z.im)));
}

/** Roots of the monic `z² + b·z + c`, computed without cancellation. */
function quadraticRoots(b: number, c: number): Complex[] {
  const disc = b * b - 4 * c;
  if (disc >= 0) {
    const q = -0.5 * (b + Math.sign(b || 1) * Math.sqrt(disc));
    return q === 0 ? [{ re: 0, im: 0 }, { re: 0, im: 0 }] : [{ re: q, im: 0 }, { re: c / q, im: 0 }];
  }
  const im = 0.5 * Math.sqrt(-disc);
  return [{ re: -0.5 * b, im }, { re: -0.5 * b, im: -im }];
}

/** The Aberth–Ehrlich iteration on the monic `a` of degree `n ≥ 3` with `a[0] ≠ 0`. */
function aberth(a: number[], n: number, maxIterations: number): Complex[] {
  const eps = Number.EPSILON;
  // Start on the circle whose radius is the geometric mean of the root moduli
  // (|a0|^(1/n)), at angles offset from the real axis so no start is a conjugate pair.
  const radius = Math.pow(Math.abs(a[0]), 1 / n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n + 0.4;
    re[i] = radius * Math.cos(angle);
    im[i] = radius * Math.sin(angle);
  }
  const done = new Uint8Array(n);
  let remaining = n;
  for (let iteration = 0; iteration < maxIterations && remaining > 0; iteration++) {
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      const zr = re[i];
      const zi = im[i];
      // Horner for p, p′ and the rounding bound Σ|a_k|·|z|^k.
      let pr = 1;
      let pi = 0;
      let dr = 0;
      let di = 0;
      const modulus = Math.hypot(zr, zi);
      let bound = 1;
      for (let k = n - 1; k >= 0; k--) {
        const ndr = dr * zr - di * zi + pr;
        di = dr * zi + di * zr + pi;
        dr = ndr;
        const npr = pr * zr - pi * zi + a[k];
        pi = pr * zi + pi * zr;
        pr = npr;
        bound = bound * modulus + Math.abs(a[k]);
      }
      if (Math.hypot(pr, pi) <= 4 * n * eps * bound) {
        done[i] = 1;
        remaining--;
        continue;
      }
      // S = Σ_{j≠i} 1/(z_i − z_j)
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const xr = zr - re[j];
        const xi = zi - im[j];
        const d = xr * xr + xi * xi;
        sr += xr / d;
        si -= xi / d;
      }
      let wr: number;
      let wi: number;
      const dd = dr * dr + di * di;
      if (dd === 0) {
        // N → ∞: the step N/(1 − N·S) tends to −1/S.
        const s = sr * sr + si * si;
        wr = -sr / s;
        wi = si / s;
      } else {
        const nr = (pr * dr + pi * di) / dd;
        const ni = (pi * dr - pr * di) / dd;
        const denr = 1 - (nr * sr - ni * si);
        const deni = -(nr * si + ni * sr);
        const den = denr * denr + deni * deni;
        wr = (nr * denr + ni * deni) / den;
        wi = (ni * denr - nr * deni) / den;
      }
      re[i] = zr - wr;
      im[i] = zi - wi;
      if (Math.hypot(wr, wi) <= 2 * eps * Math.hypot(re[i], im[i])) {
        done[i] = 1;
        remaining--;
      }
    }
  }
  if (remaining > 0) {
    throw new Error(`polynomialRoots: the Aberth iteration left ${remaining} of ${n} roots unsettled after ${maxIterations} iterations; raise maxIterations`);
  }
  return Array.from({ length: n }, (_, i) => ({ re: re[i], im: im[i] }));
}
