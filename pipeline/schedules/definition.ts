/**
 * A schedule as the pipeline takes it: a name and a maker of instruction streams.
 *
 * A {@link Schedule} is one stream, made for a given number of stages and samples. The
 * pipeline needs streams of several lengths (the run itself, and the probe from which
 * `steadyStateDelays` reads each stage's delay), so it takes the *maker*: a
 * {@link ScheduleDefinition}. The built-in schedules are definitions, and a schedule a
 * user writes is one too: a generator of ticks wrapped by {@link defineSchedule}. The
 * engine, the accounting and both renderers then treat it exactly as a built-in one.
 *
 * @module
 */
import { checkCount, checkScheduleSize, type Schedule, type ScheduleSize, type Tick } from '../instruction.js';

/** The sizes a schedule is made for; `microBatches` only for schedules that take it. */
export interface ScheduleOptions extends ScheduleSize {
  /** Micro-batches M per synchronous update; required by schedules that flush (gpipe, 1f1b), refused by the others. */
  readonly microBatches?: number;
}

/** The sizes a tick generator receives, checked, with the micro-batch size filled in. */
export interface StreamSize {
  /** Number of stages S. */
  readonly stages: number;
  /** Number of sample indices N. */
  readonly samples: number;
  /** Training samples per sample index. */
  readonly microBatchSize: number;
  /** Micro-batches per synchronous update, for schedules that flush. */
  readonly microBatches?: number;
}

/** A named maker of instruction streams: what `Pipeline` and `makeSchedule` accept. */
export interface ScheduleDefinition {
  /** The schedule's name, e.g. `'pb'`; it names the method too (`pb+sc`). */
  readonly name: string;
  /**
   * Whether the schedule applies one synchronous update per round of `microBatches`
   * micro-batches (gpipe, 1f1b): then it needs `microBatches`, and a pipeline on it
   * does too. False for schedules that update after every backward.
   */
  readonly flushes: boolean;
  /**
   * The stream for these sizes.
   *
   * @throws one line when a size is not a positive integer, or `microBatches` is
   * missing from a schedule that flushes or given to one that does not.
   */
  make(options: ScheduleOptions): Schedule;
}

/**
 * A schedule definition from a generator of ticks. `ticks(size)` is called afresh for
 * every pass over the stream, so it must yield the same ticks each time.
 *
 * @param name the schedule's name
 * @param ticks yields the ticks for `size`, in clock order
 * @param flushes whether one update applies a round of `microBatches` micro-batches (default false)
 * @example
 * // Every stage does F, B and U of a sample in one tick, one stage after another: a
 * // (valid, slow) schedule with delay 0.
 * const stepwise = defineSchedule('stepwise', function* ({ stages, samples }) {
 *   for (let j = 0; j < samples; j++) {
 *     for (let s = 1; s <= stages; s++) yield [{ kind: 'F', stage: s, sample: j }];
 *     for (let s = stages; s >= 1; s--) yield [{ kind: 'B', stage: s, sample: j }, { kind: 'U', stage: s, sample: j }];
 *   }
 * });
 * new Pipeline({ units, method: methodFor(stepwise, 'sc'), optimizer });
 */
export function defineSchedule(name: string, ticks: (size: StreamSize) => Iterable<Tick>, flushes = false): ScheduleDefinition {
  return {
    name,
    flushes,
    make(options: ScheduleOptions): Schedule {
      const size: StreamSize = { ...checkScheduleSize(options), ...microBatchesFor(name, flushes, options.microBatches) };
      return { name, ...size, ticks: () => ticks(size) };
    },
  };
}

/** `{ microBatches }` for a schedule that flushes, `{}` for one that does not; throws on a mismatch. */
function microBatchesFor(name: string, flushes: boolean, microBatches: number | undefined): { microBatches?: number } {
  if (flushes) {
    if (microBatches === undefined) throw new Error(`${name} needs microBatches, the number of micro-batches per update (e.g. 4)`);
    return { microBatches: checkCount('microBatches', microBatches) };
  }
  if (microBatches !== undefined) {
    throw new Error(`microBatches applies to schedules that flush (gpipe, 1f1b) only; ${name} updates after every sample`);
  }
  return {};
}
