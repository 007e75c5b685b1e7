/**
 * 1F1B with a flush (PipeDream-flush): the same rounds, update count and bubble as
 * GPipe, but each stage starts a micro-batch's backward as soon as it can, so it keeps
 * at most `S − s + 1` activations instead of `M`.
 *
 * Tick rule inside a round of `m` micro-batches (`k` counted from the round's start,
 * `i` the micro-batch's index within the round, one F or one B per stage per tick):
 *
 * - warm-up, `i ≤ S − s`: forward `sFi` at `k = i + s − 1`, pipelined as in GPipe
 *   (the `S − s` warm-up forwards, then the first forward of the steady phase);
 * - steady, `i > S − s`: forward `sFi` at `k = 2i + s − 1`, in the tick after the
 *   backward of micro-batch `i − (S − s) − 1`;
 * - every backward: `sBi` at `k = 2i + 2S − s`, the tick after stage `s + 1` (or, at
 *   stage S, the tick after its forward); once the forwards run out, these are the
 *   cool-down backwards;
 * - the flush: one U per stage in the round's last tick, as in GPipe.
 *
 * Forwards fall on ticks of parity `s − 1` and backwards on parity `s` once the steady
 * phase starts, so a stage never has two instructions in one tick. The last backward,
 * `1B(m−1)`, is at `k = 2(m + S − 1) − 1`: the round is exactly as long as GPipe's.
 *
 * @module
 */
import type { Schedule } from '../instruction.js';
import type { ScheduleDefinition } from './definition.js';
import { defineFlushSchedule, type FlushScheduleSize, type RoundPlacement } from './gpipe.js';

/** 1F1B's placement: the tick rule of this module, inverted to "what runs at tick k". */
export const oneFOneBPlacement: RoundPlacement = (m, stages, stage, k) => {
  const fill = k - (stage - 1);
  if (fill >= 0 && fill <= stages - stage && fill < m) return { kind: 'F', i: fill };
  if (fill % 2 === 0 && fill / 2 > stages - stage && fill / 2 < m) return { kind: 'F', i: fill / 2 };
  const backward = k - (2 * stages - stage);
  if (backward >= 0 && backward % 2 === 0 && backward / 2 < m) return { kind: 'B', i: backward / 2 };
  return undefined;
};

/** 1F1B's definition, for `Pipeline` and `makeSchedule` (see {@link oneFOneBSchedule}). */
export const oneFOneB: ScheduleDefinition = defineFlushSchedule('1f1b', oneFOneBPlacement);

/**
 * The 1F1B (PipeDream-flush) schedule: warm-up forwards, one forward one backward,
 * cool-down backwards, then a synchronous update, every `microBatches` micro-batches.
 *
 * Clock for S = 3, M = 4, N = 4 (one round):
 *
 * ```text
 * tick  stage 1  stage 2  stage 3
 *    0  1F0
 *    1  1F1      2F0
 *    2  1F2      2F1      3F0
 *    3                    3B0
 *    4           2B0      3F1
 *    5  1B0      2F2      3B1
 *    6  1F3      2B1      3F2
 *    7  1B1      2F3      3B2
 *    8           2B2      3F3
 *    9  1B2               3B3
 *   10           2B3
 *   11  1B3 1U3  2U3      3U3
 * ```
 *
 * @example
 * const schedule = oneFOneBSchedule({ stages: 4, samples: 8, microBatches: 4 });
 */
export function oneFOneBSchedule(size: FlushScheduleSize): Schedule {
  return oneFOneB.make(size);
}
