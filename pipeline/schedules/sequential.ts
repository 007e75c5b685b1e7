/**
 * The sequential schedule: plain SGD, one sample at a time, the reference every
 * pipeline is compared against ("transparency", DESIGN §8).
 *
 * One stage works per tick. Sample `j` goes forward through stages 1..S−1, one tick
 * each; stage S does F, B and U of the sample in one tick (the same convention as
 * `pbSchedule`); then the backward goes down stages S−1..1, one tick each, every
 * B followed by its U. A sample takes `2S − 1` ticks and starts when the previous one
 * has updated stage 1:
 *
 * - forward  `sFj` at tick `j(2S − 1) + s − 1`;
 * - backward `sBj` at tick `j(2S − 1) + 2S − s − 1`, followed by `sUj`.
 *
 * This is PB with one sample in flight, so every forward sees every earlier update:
 * the delay is 0 at every stage, and utilization is exactly `1/S`.
 *
 * @module
 */
import type { Instruction, Schedule, ScheduleSize } from '../instruction.js';
import { defineSchedule, type ScheduleDefinition } from './definition.js';

/** The sequential schedule's definition, for `Pipeline` and `makeSchedule` (see {@link sequentialSchedule}). */
export const sequential: ScheduleDefinition = defineSchedule('sequential', function* ({ stages, samples }) {
  for (let j = 0; j < samples; j++) {
    for (let s = 1; s < stages; s++) yield [{ kind: 'F', stage: s, sample: j }];
    for (let s = stages; s >= 1; s--) {
      const tick: Instruction[] = s === stages ? [{ kind: 'F', stage: s, sample: j }] : [];
      tick.push({ kind: 'B', stage: s, sample: j }, { kind: 'U', stage: s, sample: j });
      yield tick;
    }
  }
});

/**
 * The sequential (plain SGD) schedule for `stages` stages and `samples` samples.
 *
 * Clock for S = 3, N = 2 (one line per tick, one busy stage per tick):
 *
 * ```text
 * tick  stage 1  stage 2  stage 3
 *    0  1F0
 *    1           2F0
 *    2                    3F0 3B0 3U0
 *    3           2B0 2U0
 *    4  1B0 1U0
 *    5  1F1
 *    6           2F1
 *    7                    3F1 3B1 3U1
 *    8           2B1 2U1
 *    9  1B1 1U1
 * ```
 *
 * @example
 * const schedule = sequentialSchedule({ stages: 3, samples: 2 });
 */
export function sequentialSchedule(size: ScheduleSize): Schedule {
  return sequential.make(size);
}
