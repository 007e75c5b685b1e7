/**
 * GPipe: fill-and-drain with `M` micro-batches per synchronous update.
 *
 * Each round takes the next `M` sample indices (the last round may be shorter) and
 * runs, with `m` the round's size and `k` the tick counted from the round's start:
 *
 * - forward phase, `m + S − 1` ticks: `sFi` at `k = i + s − 1` (micro-batch `i` of
 *   the round, 0-based);
 * - backward phase, `m + S − 1` ticks, in reverse: `sBi` at
 *   `k = (m + S − 1) + (m − 1 − i) + (S − s)`: the last micro-batch forwarded is the
 *   first to come back;
 * - the flush: in the round's last tick, right after stage 1's last backward, every
 *   stage applies the accumulated gradients with one U, written with the round's last
 *   sample (`sU3` for a round of samples 0..3).
 *
 * A stage does at most one F or one B per tick, so a round takes `2(m + S − 1)` ticks
 * and keeps each stage busy in `2m` of them: utilization `m / (m + S − 1)` exactly,
 * counting a stage-tick as busy when it holds an F or a B.
 *
 * The rounds and the flush are shared with 1F1B ({@link defineFlushSchedule}); only the
 * order of the work inside a round differs.
 *
 * @module
 */
import type { Instruction, Schedule, ScheduleSize } from '../instruction.js';
import { defineSchedule, type ScheduleDefinition } from './definition.js';

/** The sizes of a GPipe or 1F1B schedule: the common ones plus `microBatches`. */
export interface FlushScheduleSize extends ScheduleSize {
  /** Micro-batches M per synchronous update, an integer ≥ 1. */
  readonly microBatches: number;
}

/** The work a stage does in one tick of a flush schedule's round. */
export interface RoundWork {
  /** Forward or backward. */
  readonly kind: 'F' | 'B';
  /** The micro-batch's index within the round, 0..m−1. */
  readonly i: number;
}

/**
 * Where a flush schedule puts the work of a round: the F or B that stage `stage` runs
 * at tick `k` of a round of `m` micro-batches in a `stages`-stage pipeline, or
 * `undefined` when the stage idles.
 */
export type RoundPlacement = (m: number, stages: number, stage: number, k: number) => RoundWork | undefined;

/**
 * A schedule of rounds of `microBatches` micro-batches, each `2(m + S − 1)` ticks long
 * with the work placed by `place`, and ended by a flush: one U per stage in the round's
 * last tick, written with the round's last sample.
 *
 * @example
 * const gpipe = defineFlushSchedule('gpipe', gpipePlacement);
 * gpipe.make({ stages: 4, samples: 8, microBatches: 4 });
 */
export function defineFlushSchedule(name: string, place: RoundPlacement): ScheduleDefinition {
  return defineSchedule(
    name,
    function* ({ stages, samples, microBatches = 1 }) {
      for (let first = 0; first < samples; first += microBatches) {
        const m = Math.min(microBatches, samples - first);
        const length = 2 * (m + stages - 1);
        for (let k = 0; k < length; k++) {
          const tick: Instruction[] = [];
          for (let s = 1; s <= stages; s++) {
            const work = place(m, stages, s, k);
            if (work) tick.push({ kind: work.kind, stage: s, sample: first + work.i });
          }
          if (k === length - 1) {
            for (let s = 1; s <= stages; s++) tick.push({ kind: 'U', stage: s, sample: first + m - 1 });
          }
          yield tick;
        }
      }
    },
    true,
  );
}

/**
 * GPipe's placement: all forwards pipelined (`k = i + s − 1`), then all backwards
 * pipelined in reverse (`k = (m + S − 1) + (m − 1 − i) + (S − s)`).
 */
export const gpipePlacement: RoundPlacement = (m, stages, stage, k) => {
  const phase = m + stages - 1;
  const forward = k < phase;
  const i = forward ? k - (stage - 1) : m - 1 - (k - phase - (stages - stage));
  return i >= 0 && i < m ? { kind: forward ? 'F' : 'B', i } : undefined;
};

/** GPipe's definition, for `Pipeline` and `makeSchedule` (see {@link gpipeSchedule}). */
export const gpipe: ScheduleDefinition = defineFlushSchedule('gpipe', gpipePlacement);

/**
 * The GPipe (fill-and-drain) schedule: `samples / microBatches` synchronous updates
 * (rounded up; the last round may be shorter).
 *
 * Clock for S = 3, M = 3, N = 3 (one round):
 *
 * ```text
 * tick  stage 1  stage 2  stage 3
 *    0  1F0
 *    1  1F1      2F0
 *    2  1F2      2F1      3F0
 *    3           2F2      3F1
 *    4                    3F2
 *    5                    3B2
 *    6           2B2      3B1
 *    7  1B2      2B1      3B0
 *    8  1B1      2B0
 *    9  1B0 1U2  2U2      3U2
 * ```
 *
 * @example
 * const schedule = gpipeSchedule({ stages: 4, samples: 8, microBatches: 4 }); // two updates
 */
export function gpipeSchedule(size: FlushScheduleSize): Schedule {
  return gpipe.make(size);
}
