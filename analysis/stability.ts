/**
 * Where each method converges on the quadratic: the rate over a grid of `(η·λ, D)`,
 * and the largest stable `η·λ` for a delay.
 *
 * The stable set of `h = η·λ` starts at 0 (for small `h` every method's slowest root is
 * `1 − O(h)`, inside the unit circle) and ends where a root leaves it. The largest
 * stable `h` is the end of that first interval: a scan upward on a logarithmic grid finds
 * the first unstable point, and bisection on `rate(h) < 1` pins the crossing between it
 * and the last stable one.
 *
 * @module
 */
import { quadraticRecurrence, type QuadraticSetting } from './quadratic-methods.js';
import { convergenceRate } from './quadratic-recurrence.js';

/** A setting without `h`, which the stability scan chooses. */
export type StabilitySetting = Omit<QuadraticSetting, 'h'>;

/** Options of {@link largestStableStep}. */
export interface StabilityScanOptions {
  /** The smallest `h` scanned (default 1e-9). */
  hMin?: number;
  /** The largest `h` scanned (default 100). */
  hMax?: number;
  /** Grid points per decade of the upward scan (default 40). */
  pointsPerDecade?: number;
  /** Relative width of the final bracket (default 1e-12). */
  tolerance?: number;
}

/**
 * The largest `h = η·λ` for which `method` converges at `setting`: the upper end of the
 * stable interval that starts at 0, to a relative `tolerance`. Returns `hMax` when no
 * instability is found below it.
 *
 * @example
 * largestStableStep('pb', { momentum: 0.9, delay: 0 }); // 3.8 = 2(1 + m)
 * @throws when the method is already unstable at `hMin`.
 */
export function largestStableStep(method: string, setting: StabilitySetting, options: StabilityScanOptions = {}): number {
  const hMin = options.hMin ?? 1e-9;
  const hMax = options.hMax ?? 100;
  const perDecade = options.pointsPerDecade ?? 40;
  const tolerance = options.tolerance ?? 1e-12;
  if (!(hMin > 0 && hMax > hMin)) throw new Error(`largestStableStep: need 0 < hMin < hMax, got hMin = ${hMin}, hMax = ${hMax}`);
  const stable = (h: number) => convergenceRate(quadraticRecurrence(method, { ...setting, h })) < 1;
  if (!stable(hMin)) {
    throw new Error(`largestStableStep: ${method} is unstable already at h = ${hMin} (m = ${setting.momentum}, D = ${setting.delay}); lower hMin`);
  }
  const factor = Math.pow(10, 1 / perDecade);
  let low = hMin;
  let high = low * factor;
  while (stable(high)) {
    if (high >= hMax) return hMax;
    low = high;
    high = Math.min(hMax, high * factor);
  }
  while (high - low > tolerance * high) {
    const mid = 0.5 * (low + high);
    if (stable(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/** The rates of one method over a grid: `rates[i][j]` at `delays[i]`, `hs[j]`. */
export interface RateGrid {
  /** The method. */
  readonly method: string;
  /** The `h = η·λ` values, one per column. */
  readonly hs: readonly number[];
  /** The delays, one per row. */
  readonly delays: readonly number[];
  /** `rates[i][j]`: the convergence rate at `delays[i]`, `hs[j]`. */
  readonly rates: readonly (readonly number[])[];
}

/** The convergence rate of `method` at every `(D, h)` of the grid. */
export function rateGrid(method: string, setting: Omit<StabilitySetting, 'delay'>, hs: readonly number[], delays: readonly number[]): RateGrid {
  const rates = delays.map((delay) => hs.map((h) => convergenceRate(quadraticRecurrence(method, { ...setting, delay, h }))));
  return { method, hs, delays, rates };
}

/** `n` values spaced evenly in `log10` from `from` to `to` inclusive. */
export function logSpace(from: number, to: number, n: number): number[] {
  if (!(from > 0 && to > from && Number.isInteger(n) && n >= 2)) throw new Error(`logSpace: need 0 < from < to and an integer n >= 2, got ${from}, ${to}, ${n}`);
  const a = Math.log10(from);
  const step = (Math.log10(to) - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.pow(10, a + i * step));
}
