/**
 * Partitioning a network's units into pipeline stages.
 *
 * Fine-grained PB, the default, makes every unit its own stage: every layer that owns
 * parameters, with the normalization and activation that follow it (see
 * `nn/pipeline-unit.ts`). A coarser pipeline groups consecutive units, either into a
 * given number of stages (balanced by parameter count) or at given boundaries.
 *
 * @module
 */
import type { PipelineUnit } from '../nn/index.js';

/** How to cut units into stages: `'fine'` (one unit per stage), a stage count, or the unit index where each stage after the first begins. */
export type Partition = 'fine' | number | readonly number[];

/**
 * Group `units` into stages, in order.
 *
 * @example
 * partitionUnits(units, 'fine');     // S = units.length
 * partitionUnits(units, 4);          // 4 stages of about equal parameter count
 * partitionUnits(units, [2, 5]);     // units 0–1, 2–4, 5–end
 * @throws when the count or the boundaries do not fit the number of units.
 */
export function partitionUnits(units: readonly PipelineUnit[], partition: Partition = 'fine'): PipelineUnit[][] {
  const n = units.length;
  if (n === 0) throw new Error('partition: the model has no pipeline units');
  if (partition === 'fine') return units.map((u) => [u]);
  if (typeof partition === 'number') {
    if (!Number.isInteger(partition) || partition < 1 || partition > n) {
      throw new Error(`partition: stages must be an integer in 1..${n} (the model has ${n} units), got ${partition}`);
    }
    return balanced(units, partition);
  }
  const starts = [0, ...partition];
  for (let i = 1; i < starts.length; i++) {
    if (!Number.isInteger(starts[i]) || starts[i] <= starts[i - 1] || starts[i] >= n) {
      throw new Error(`partition: boundaries must be increasing unit indices in 1..${n - 1}, got [${partition.join(', ')}]`);
    }
  }
  return starts.map((s, i) => units.slice(s, starts[i + 1] ?? n));
}

/** Cut into `count` contiguous groups whose parameter counts are as even as a greedy cut makes them. */
function balanced(units: readonly PipelineUnit[], count: number): PipelineUnit[][] {
  const weight = units.map((u) => Math.max(1, u.module.parameterCount()));
  const groups: PipelineUnit[][] = [];
  let start = 0;
  let remaining = weight.reduce((a, b) => a + b, 0);
  for (let g = 0; g < count; g++) {
    const stagesLeft = count - g;
    const target = remaining / stagesLeft;
    let end = start;
    let acc = 0;
    // Leave at least one unit for every later stage.
    while (end < units.length - (stagesLeft - 1) && (end === start || acc + weight[end] / 2 <= target)) {
      acc += weight[end];
      end++;
    }
    if (g === count - 1) end = units.length;
    groups.push(units.slice(start, end));
    remaining -= weight.slice(start, end).reduce((a, b) => a + b, 0);
    start = end;
  }
  return groups;
}
