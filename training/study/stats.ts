/**
 * The statistics of a study's error bars: the mean and the sample standard deviation
 * over seeds.
 *
 * ```
 * mean = (1/n)·Σ xᵢ
 * sd   = √( Σ (xᵢ − mean)² / (n − 1) )      (0 for n = 1)
 * ```
 *
 * @module
 */

/** Mean and sample standard deviation of some values. */
export interface MeanSd {
  /** The mean. */
  mean: number;
  /** The sample standard deviation (divisor `n − 1`; 0 when `n = 1`). */
  sd: number;
  /** How many values. */
  n: number;
}

/**
 * The mean and sample standard deviation of `values`.
 *
 * @example
 * meanSd([1, 2, 3]); // { mean: 2, sd: 1, n: 3 }
 * @throws when `values` is empty.
 */
export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  if (n === 0) throw new Error('meanSd: no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}
