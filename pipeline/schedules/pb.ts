/**
 * Fine-grained Pipelined Backpropagation (DESIGN §5).
 *
 * Every stage works on a different sample in every tick, forward and backward at
 * once, and updates its weights right after each backward — no batches, no flush.
 *
 * Tick rule, for stage `s = 1..S` and sample `j = 0..N−1`:
 *
 * - forward  `sFj` at tick `j + s − 1`;
 * - backward `sBj` at tick `j + 2S − s − 1`, followed in the same tick by `sUj`.
 *
 * The last stage therefore does F, B and U of a sample in one tick. The run lasts
 * `N + 2S − 2` ticks, until the last backward has drained through stage 1.
 *
 * @module
 */
import { checkCount, type Instruction, type Schedule, type ScheduleSize } from '../instruction.js';
import { defineSchedule, type ScheduleDefinition } from './definition.js';

/** The PB schedule's definition, for `Pipeline` and `makeSchedule` (see {@link pbSchedule}). */
export const pb: ScheduleDefinition = defineSchedule('pb', function* ({ stages, samples }) {
  const length = samples + 2 * stages - 2;
  for (let t = 0; t < length; t++) {
    const tick: Instruction[] = [];
    for (let s = 1; s <= stages; s++) {
      const forward = t - (s - 1);
      const backward = t - (2 * stages - s - 1);
      if (forward >= 0 && forward < samples) tick.push({ kind: 'F', stage: s, sample: forward });
      if (backward >= 0 && backward < samples) {
        tick.push({ kind: 'B', stage: s, sample: backward }, { kind: 'U', stage: s, sample: backward });
      }
    }
    yield tick;
  }
});

/**
 * The PB schedule for `stages` stages and `samples` samples (or micro-batches, with
 * `microBatchSize` > 1: the stream is the same, each index carries more samples).
 *
 * Clock for S = 3, N = 5 (one line per tick; in steady state every stage is busy):
 *
 * ```text
 * tick  stage 1      stage 2      stage 3
 *    0  1F0
 *    1  1F1          2F0
 *    2  1F2          2F1          3F0 3B0 3U0
 *    3  1F3          2F2 2B0 2U0  3F1 3B1 3U1
 *    4  1F4 1B0 1U0  2F3 2B1 2U1  3F2 3B2 3U2
 *    5  1B1 1U1      2F4 2B2 2U2  3F3 3B3 3U3
 *    6  1B2 1U2      2B3 2U3      3F4 3B4 3U4
 *    7  1B3 1U3      2B4 2U4
 *    8  1B4 1U4
 * ```
 *
 * @example
 * const schedule = pbSchedule({ stages: 4, samples: 8 });
 * for (const tick of schedule.ticks()) console.log(tick.map(formatInstruction).join(' '));
 */
export function pbSchedule(size: ScheduleSize): Schedule {
  return pb.make(size);
}

/**
 * PB's delays in closed form: the updates stage `s` applies between the forward of a
 * sample (tick `j + s − 1`) and its backward (tick `j + 2S − s − 1`), one per tick:
 *
 * `D_s = 2(S − s)`
 *
 * The pipeline does not use this formula: every consumer reads the delay off the
 * schedule's own stream (`steadyStateDelays`), so it holds for any schedule. The
 * formula is what the tests hold that reading to for PB.
 *
 * @example
 * delayOf(1, 4); // 6
 * delayOf(4, 4); // 0
 */
export function delayOf(stage: number, stages: number): number {
  checkCount('stages', stages);
  if (!Number.isInteger(stage) || stage < 1 || stage > stages) {
    throw new Error(`stage must be an integer in 1..${stages}, got ${String(stage)}`);
  }
  return 2 * (stages - stage);
}
