/**
 * Deterministic test inputs for the backend specs, independent of the library's `Rng`.
 *
 * @module
 */

/** `n` values in [−1, 1) from a seed: a small linear congruential generator (`s ← 1664525·s + 1013904223 mod 2³²`). */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
