/**
 * How the benchmarks time things: warm up, then time rounds and keep every round's
 * figure, so a report can give both the best (the machine's capability, least disturbed
 * by other work on a shared machine) and the median (what a run typically sees).
 *
 * Each round is measured twice: in wall-clock time, and in the process's CPU time
 * (user + system, `process.cpuUsage`). On a machine shared with other jobs, wall time
 * includes the time the process waited for a core — on the 2-core development machine
 * with a load average of 8, about half of it — while CPU time counts only the work, so
 * ratios between sides are taken from CPU time. CPU time also counts the engine's
 * helper threads (garbage collection), which is work the call caused.
 *
 * A round repeats the call until at least `minRoundMs` have passed and divides by the
 * count, so a call far shorter than the timer's noise is still timed well; with
 * `minRoundMs` 0 a round is exactly one call.
 *
 * @module
 */

/** How much to time: warm-up calls, then `rounds` timed rounds. */
export interface TimingPlan {
  /** Untimed calls first, so the JIT has compiled the hot paths. */
  warmup: number;
  /** Timed rounds; one figure each. */
  rounds: number;
  /** Each round repeats the call until this many milliseconds have passed (0: one call per round). */
  minRoundMs: number;
}

/** Milliseconds per call, one entry per round, with their best and median. */
export interface Timing {
  /** The per-call time of each round, in the order they ran. */
  roundsMs: number[];
  /** The fastest round. */
  bestMs: number;
  /** The median round. */
  medianMs: number;
  /** The process CPU time per call of each round. */
  cpuRoundsMs: number[];
  /** The round with the least CPU time per call. */
  bestCpuMs: number;
}

/**
 * Time `call` as `plan` says.
 *
 * @example
 * const t = time(() => matmul(a, b), { warmup: 3, rounds: 5, minRoundMs: 100 });
 * t.bestMs; // milliseconds per product in the fastest round
 */
export function time(call: () => void, plan: TimingPlan): Timing {
  for (let i = 0; i < plan.warmup; i++) call();
  const roundsMs: number[] = [];
  const cpuRoundsMs: number[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let calls = 0;
    let elapsed = 0;
    do {
      call();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < plan.minRoundMs);
    const cpu = process.cpuUsage(cpuStart);
    roundsMs.push(elapsed / calls);
    cpuRoundsMs.push((cpu.user + cpu.system) / 1000 / calls);
  }
  const sorted = [...roundsMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { roundsMs, bestMs: sorted[0], medianMs, cpuRoundsMs, bestCpuMs: Math.min(...cpuRoundsMs) };
}
