/**
 * Each stage's delay, read off the schedule's own instruction stream.
 *
 * The delay `D_s` of a stage is the number of updates it applies between the forward
 * of a sample and that sample's backward (DESIGN §5). SC's coefficients, LWP's and
 * SpecTrain's horizon, PipeMare's warm-up and correction, the stage's optimizer
 * context and `pipegrad inspect` all take it from {@link steadyStateDelays}, which
 * accounts the stream (`accountSchedule`) instead of using a formula, so a schedule
 * gets the delays it really has: `2(S − s)` for PB, 0 for the sequential schedule,
 * GPipe and 1F1B, and whatever a user-written schedule does.
 *
 * @module
 */
import { accountSchedule } from './accounting.js';
import type { ScheduleDefinition } from './schedules/definition.js';

/**
 * The steady-state delay of every stage (index `s − 1` for stage `s`) of `schedule`
 * in an `stages`-stage pipeline.
 *
 * **How it is read.** The account of a stream gives, per stage, the largest
 * `backwardVersion − forwardVersion` over its samples. Samples forwarded during the
 * fill see fewer updates before their backward (the versions start at 0), so a short
 * stream under-reports. The probe therefore runs `N = 4·S·r` samples, with `r` the
 * micro-batches per update (1 for schedules that update after every sample). Why that
 * is long enough:
 *
 * - a schedule that applies the samples' gradients one by one, in sample order, lets
 *   sample `j` see at most the `j` updates of samples `0..j−1`, so a delay `D` shows
 *   first at sample `D`. PB's delays are the largest among the built-in ones,
 *   `D_s ≤ 2(S − 1)` (one update per tick while a sample goes down and back up), so the
 *   first sample with the full delay is within the first `2S`, and `4S` leaves as many
 *   again after it;
 * - a schedule that flushes repeats the same round of `r` samples, so its first round
 *   shows its steady state, and `4S·r` is a whole number of rounds (no short last round).
 *
 * That argument covers the built-in schedules and those like them, not every stream a
 * user could write. So the probe is checked: the account of a stream twice as long,
 * `2N`, must report the same delays. A schedule whose delays still grow between the
 * two (a window that widens with the run has no steady-state delay) is an error,
 * rather than a silently wrong number.
 *
 * @param schedule the schedule's definition
 * @param stages the number of stages S
 * @param microBatches micro-batches per update, for a schedule that flushes
 * @example
 * steadyStateDelays(pb, 4);                  // [6, 4, 2, 0]
 * steadyStateDelays(gpipe, 4, 8);            // [0, 0, 0, 0]
 * @throws when the delays of the `N`- and `2N`-sample probes differ, naming the stage.
 */
export function steadyStateDelays(schedule: ScheduleDefinition, stages: number, microBatches?: number): number[] {
  const rounds = schedule.flushes ? (microBatches ?? 1) : 1;
  const probe = (samples: number): number[] =>
    accountSchedule(schedule.make({ stages, samples, microBatches: schedule.flushes ? microBatches : undefined })).perStage.map((s) => s.delay);
  const samples = 4 * stages * rounds;
  const delays = probe(samples);
  const longer = probe(2 * samples);
  const grown = longer.findIndex((d, k) => d !== delays[k]);
  if (grown >= 0) {
    throw new Error(
      `schedule '${schedule.name}' has no steady-state delay: stage ${grown + 1} shows ${delays[grown]} over ${samples} samples ` +
        `but ${longer[grown]} over ${2 * samples}; a schedule's delays must stop growing once the pipeline is full`,
    );
  }
  return delays;
}
