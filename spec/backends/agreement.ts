/**
 * Float32-aware agreement between a backend's results and the CPU backend's.
 *
 * Two correct float32 computations of the same value differ by rounding: each
 * elementwise op by an ulp or two (more for transcendental functions on a GPU), a sum
 * of L terms by up to about L ulps of the terms' magnitude, and the CPU backend sums
 * in float64 while a shader sums in float32. So element `i` agrees when
 *
 *   |got_i − want_i| ≤ ε·(RELATIVE + ABSOLUTE·L)·(|want_i| + max_j |want_j|)
 *
 * with ε = 2⁻²³ (float32's machine epsilon), `L` the reduction length behind the
 * value, and the tensor's largest magnitude standing in for the magnitude of the terms
 * (a sum can cancel to a small value while its terms are large).
 */

/** float32 machine epsilon, 2⁻²³. */
export const EPS32 = 2 ** -23;
/** Allowed ulps of an elementwise result. */
export const RELATIVE = 32;
/** Allowed ulps per term of a reduction. */
export const ABSOLUTE = 4;

/** The outcome of comparing two arrays: whether they agree, and the worst element. */
export interface Agreement {
  /** True when every element is within tolerance (and the lengths match). */
  ok: boolean;
  /** The worst element's error as a fraction of its allowance (≤ 1 when ok). */
  worstRatio: number;
  /** On failure: where and by how much, as "received … expected …". */
  detail: string;
}

/** Compare `got` with the reference `want` for values behind sums of up to `length` terms. */
export function agree(got: ArrayLike<number>, want: ArrayLike<number>, length: number): Agreement {
  if (got.length !== want.length) return { ok: false, worstRatio: Infinity, detail: `received ${got.length} elements, expected ${want.length}` };
  let scale = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  let worstRatio = 0;
  let worst = -1;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    let ratio: number;
    if (!Number.isFinite(w) || !Number.isFinite(g)) ratio = Object.is(g, w) ? 0 : Infinity;
    else {
      const allowed = EPS32 * (RELATIVE + ABSOLUTE * length) * (Math.abs(w) + scale);
      ratio = allowed === 0 ? (g === w ? 0 : Infinity) : Math.abs(g - w) / allowed;
    }
    if (ratio > worstRatio || worst < 0) {
      worstRatio = ratio;
      worst = i;
    }
  }
  const ok = worstRatio <= 1;
  return { ok, worstRatio, detail: ok || worst < 0 ? '' : `at element ${worst} received ${got[worst]}, expected ${want[worst]}` };
}
