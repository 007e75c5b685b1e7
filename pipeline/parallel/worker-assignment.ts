/**
 * Which worker runs which stages: the balanced contiguous cut.
 *
 * A parallel run gives each of `W` workers a contiguous run of stages, so activations
 * and gradients cross between workers only at the `W − 1` cuts. In the steady state of
 * PB every stage does one forward and one backward per tick, so a worker needs the sum
 * of its stages' costs per sample, and the pipeline goes as fast as its slowest worker.
 * The cut is therefore the one that minimizes the largest worker's sum (the linear
 * partition problem), found exactly by dynamic programming over the prefix sums in
 * `O(W·S²)`:
 *
 * `best(k, i) = min over j < i of max(best(k − 1, j), cost(j+1 .. i))`
 *
 * with `best(1, i) = cost(1 .. i)`. Ties keep the earliest cut, so the same costs
 * always give the same assignment.
 *
 * The predicted speed-up over one worker is `Σ cost / max_w cost_w`: the work of a
 * sample divided by the slowest worker's share. It leaves out the messages between
 * workers and the pipeline's fill and drain (`S` ticks at each end of a run), so it is
 * the bound a measured speed-up approaches on long runs with idle cores.
 *
 * Which worker runs a stage never changes a result: each stage's instructions run in
 * the schedule's order on the values the schedule says, wherever the stage runs.
 *
 * @module
 */
import { checkCount } from '../instruction.js';

/** The stages of each worker, its cost and the speed-up the cut predicts. */
export interface WorkerAssignment {
  /** Per worker (index 0 = worker 1), its first and last stage (1-based, inclusive). */
  readonly ranges: readonly (readonly [number, number])[];
  /** Per worker, the sum of its stages' costs. */
  readonly costs: readonly number[];
  /** The sum of every stage's cost. */
  readonly total: number;
  /** `total / max(costs)`: the speed-up over one worker if messages were free. */
  readonly predictedSpeedup: number;
}

/**
 * The contiguous assignment of stages to `workers` workers that minimizes the largest
 * worker's cost, for the given per-stage costs (index `s − 1` for stage `s`).
 *
 * @example
 * assignWorkers([1, 1, 1, 1], 2).ranges;           // [[1, 2], [3, 4]]
 * assignWorkers([4, 1, 1, 1, 1], 2).ranges;        // [[1, 1], [2, 5]]
 * assignWorkers([4, 1, 1, 1, 1], 2).predictedSpeedup; // 8 / 4 = 2
 * @throws when `workers` is not an integer in `1..S`, or a cost is negative or not finite.
 */
export function assignWorkers(stageCosts: readonly number[], workers: number): WorkerAssignment {
  const S = stageCosts.length;
  checkCount('workers', workers);
  if (workers > S) throw new Error(`workers must be at most the number of stages (${S}), got ${workers}; each worker runs at least one stage`);
  stageCosts.forEach((c, i) => {
    if (!(Number.isFinite(c) && c >= 0)) throw new Error(`the cost of stage ${i + 1} must be a finite number ≥ 0, got ${c}`);
  });
  const prefix = [0];
  for (const c of stageCosts) prefix.push(prefix[prefix.length - 1] + c);
  const span = (from: number, to: number): number => prefix[to] - prefix[from];
  // best[k][i]: the smallest largest cost of k workers over the first i stages; cut[k][i]: where the k-th begins.
  const best: number[][] = [prefix.slice()];
  const cut: number[][] = [prefix.map(() => 0)];
  for (let k = 1; k < workers; k++) {
    const row = prefix.map(() => Infinity);
    const at = prefix.map(() => 0);
    for (let i = k + 1; i <= S; i++) {
      for (let j = k; j < i; j++) {
        const worst = Math.max(best[k - 1][j], span(j, i));
        if (worst < row[i]) {
          row[i] = worst;
          at[i] = j;
        }
      }
    }
    best.push(row);
    cut.push(at);
  }
  const starts: number[] = [];
  let end = S;
  for (let k = workers - 1; k >= 1; k--) {
    end = cut[k][end];
    starts.unshift(end);
  }
  const bounds = [0, ...starts, S];
  const ranges = bounds.slice(0, -1).map((b, w): [number, number] => [b + 1, bounds[w + 1]]);
  const costs = ranges.map(([first, last]) => span(first - 1, last));
  const total = prefix[S];
  const slowest = Math.max(...costs);
  return { ranges, costs, total, predictedSpeedup: slowest > 0 ? total / slowest : workers };
}

/**
 * The worker (0-based) that runs `stage` under `assignment`.
 *
 * @throws when no worker runs it.
 */
export function workerOf(assignment: WorkerAssignment, stage: number): number {
  const w = assignment.ranges.findIndex(([first, last]) => stage >= first && stage <= last);
  if (w < 0) throw new Error(`no worker runs stage ${stage}; the workers run stages 1..${assignment.ranges[assignment.ranges.length - 1][1]}`);
  return w;
}
