/**
 * Learning-rate schedules, measured in training samples.
 *
 * A schedule is a plain function from the number of samples seen to a learning rate.
 * Measuring in samples rather than steps means the same schedule carries over when the
 * batch size changes (DESIGN §6): at batch size 1 a step is a sample, at batch size 128
 * it is 128 of them.
 *
 * @example
 * // 5 epochs of warm-up, then cosine decay over 200 epochs of 50 000 samples:
 * const lr = linearWarmup(5 * 50_000, cosine(0.1, 200 * 50_000));
 * lr(0); // 0
 * lr(5 * 50_000); // ≈ 0.0998
 *
 * @module
 */

/** A learning rate `η(s)` as a function of the samples seen `s`. */
export type Schedule = (samples: number) => number;

/**
 * `η(s) = η`.
 *
 * @example
 * constant(0.1)(1e6); // 0.1
 */
export function constant(lr: number): Schedule {
  checkFinite('constant', 'learning rate', lr);
  return () => lr;
}

/**
 * Step decay: `η(s) = η·γ^k` where `k` is the number of milestones `≤ s`.
 *
 * @param milestones sample counts, ascending
 * @param gamma the factor applied at each milestone (default 0.1)
 * @example
 * const lr = multiStep(0.1, [1000, 2000]);
 * lr(999);  // 0.1
 * lr(1000); // 0.01
 * lr(2500); // 0.001
 * @throws when the milestones are not ascending.
 */
export function multiStep(lr: number, milestones: readonly number[], gamma = 0.1): Schedule {
  checkFinite('multiStep', 'learning rate', lr);
  checkAscending('multiStep', 'milestones', milestones);
  const points = milestones.slice();
  return (samples) => {
    let k = 0;
    while (k < points.length && points[k] <= samples) k++;
    return lr * gamma ** k;
  };
}

/** Options of {@link cosine}. */
export interface CosineOptions {
  /** The learning rate reached at `totalSamples` and kept after it (default 0). */
  final?: number;
}

/**
 * Cosine decay from `η` to `η_f` over `T` samples:
 * `η(s) = η_f + (η − η_f)·(1 + cos(π·s/T))/2` for `s ≤ T`, and `η_f` after.
 *
 * @param totalSamples `T > 0`
 * @example
 * const lr = cosine(0.1, 1000);
 * lr(0);   // 0.1
 * lr(500); // 0.05
 * lr(1000); // 0
 */
export function cosine(lr: number, totalSamples: number, options: CosineOptions = {}): Schedule {
  checkFinite('cosine', 'learning rate', lr);
  if (!(totalSamples > 0)) throw new Error(`cosine: totalSamples must be > 0, got ${totalSamples}`);
  const final = options.final ?? 0;
  return (samples) => {
    if (samples >= totalSamples) return final;
    return final + ((lr - final) * (1 + Math.cos((Math.PI * samples) / totalSamples))) / 2;
  };
}

/** Options of {@link linearWarmup}. */
export interface WarmupOptions {
  /** The learning rate at `s = 0` (default 0). */
  start?: number;
}

/**
 * Linear warm-up over `W` samples into `schedule`, which keeps its own clock (it is
 * evaluated at `s`, not `s − W`):
 * `η(s) = η₀ + (schedule(W) − η₀)·s/W` for `s < W`, and `schedule(s)` after.
 *
 * @param warmupSamples `W ≥ 0` (0 means no warm-up)
 * @example
 * const lr = linearWarmup(100, constant(0.1));
 * lr(0);   // 0
 * lr(25);  // 0.025
 * lr(100); // 0.1
 */
export function linearWarmup(warmupSamples: number, schedule: Schedule, options: WarmupOptions = {}): Schedule {
  if (!(warmupSamples >= 0)) throw new Error(`linearWarmup: warmupSamples must be >= 0, got ${warmupSamples}`);
  const start = options.start ?? 0;
  const target = schedule(warmupSamples);
  return (samples) => (samples < warmupSamples ? start + ((target - start) * samples) / warmupSamples : schedule(samples));
}

/**
 * Schedules one after another. With boundaries `b₁ < … < bₙ` (and `b₀ = 0`),
 * `η(s) = schedules[i](s − bᵢ)` where `i` is the number of boundaries `≤ s`: each
 * schedule starts its own clock at its boundary.
 *
 * @param schedules `n + 1` schedules
 * @param boundaries `n` ascending sample counts
 * @example
 * // 100 samples at 0.01, then cosine from 0.1 over the next 900:
 * const lr = sequence([constant(0.01), cosine(0.1, 900)], [100]);
 * lr(99);  // 0.01
 * lr(100); // 0.1
 * @throws when there is not exactly one boundary fewer than schedules, or they are not ascending.
 */
export function sequence(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length === 0 || boundaries.length !== schedules.length - 1) {
    throw new Error(`sequence: ${schedules.length} schedules need ${Math.max(schedules.length - 1, 0)} boundaries, got ${boundaries.length}`);
  }
  checkAscending('sequence', 'boundaries', boundaries);
  const parts = schedules.slice();
  const starts = [0, ...boundaries];
  return (samples) => {
    let i = 0;
    while (i < boundaries.length && boundaries[i] <= samples) i++;
    return parts[i](samples - starts[i]);
  };
}

function checkFinite(who: string, what: string, x: number): void {
  if (!Number.isFinite(x)) throw new Error(`${who}: ${what} must be a finite number, got ${x}`);
}

function checkAscending(who: string, what: string, xs: readonly number[]): void {
  for (let i = 1; i < xs.length; i++) {
    if (!(xs[i] > xs[i - 1])) throw new Error(`${who}: ${what} must be strictly ascending, got [${xs.join(', ')}]`);
  }
}
