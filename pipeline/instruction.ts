/**
 * Schedules as data: the instruction, the tick and the schedule.
 *
 * A pipeline schedule is nothing but a stream of ticks, and a tick is the list of
 * instructions the stages carry out in it. The engine interprets the stream; the
 * accounting (weight versions, delays, memory, utilization) and the pictures (ASCII,
 * SVG) read the very same stream and never re-derive it (DESIGN §7).
 *
 * ## Notation
 *
 * An instruction is written `<stage><kind><sample>`:
 *
 * - `2F0`: stage 2 runs the **forward** pass of sample 0;
 * - `3B1`: stage 3 runs the **backward** pass of sample 1;
 * - `3U1`: stage 3 **updates** its weights with the gradient of sample 1. When an
 *   update applies gradients accumulated over several samples (GPipe, 1F1B), the
 *   sample is the last one it includes: `3U7` after micro-batches 4..7.
 *
 * Stages count from 1 (input side) to S (the stage that computes the loss); samples
 * count from 0.
 *
 * ## Order inside a tick
 *
 * In every tick, every F and B of a stage sees the weights the stage had at the start
 * of the tick; a U takes effect for later ticks. A stage's U is listed right after the
 * B whose gradient it applies (DESIGN §5: "the weights of a stage are updated right
 * after its backward"), but the order of instructions inside one tick never changes
 * which weight version an F or B uses.
 *
 * @module
 */

/** What an instruction does: forward (`F`), backward (`B`) or weight update (`U`). */
export type InstructionKind = 'F' | 'B' | 'U';

/** One step of one stage, e.g. `2F0` (stage 2, forward, sample 0). */
export interface Instruction {
  /** Forward, backward or weight update. */
  readonly kind: InstructionKind;
  /** The stage that runs it, 1..S (1 is the input side, S computes the loss). */
  readonly stage: number;
  /**
   * The sample, 0-based. For `U`, the sample whose gradient the update applies, or
   * the last of the samples whose accumulated gradients it applies (GPipe, 1F1B).
   * With a micro-batch size above one ({@link Schedule.microBatchSize}) a "sample" is
   * one micro-batch.
   */
  readonly sample: number;
}

/** The instructions all stages carry out in one tick of the pipeline clock. */
export type Tick = readonly Instruction[];

/**
 * A schedule: the sizes it was made for and a generator of its ticks.
 *
 * `ticks()` starts a fresh pass over the stream each time it is called, so the engine,
 * the accounting and the renderers can each read it.
 */
export interface Schedule {
  /** The schedule's name, as given to `makeSchedule` (`'pb'`, `'gpipe'`, ...). */
  readonly name: string;
  /** Number of pipeline stages S. */
  readonly stages: number;
  /** Number of sample indices the stream runs over (micro-batches if {@link Schedule.microBatchSize} > 1). */
  readonly samples: number;
  /**
   * Training samples carried by one sample index: sample index `j` stands for the
   * training samples `j·B .. j·B + B − 1`. 1 means one sample at a time, as in
   * fine-grained PB.
   */
  readonly microBatchSize: number;
  /**
   * Micro-batches whose gradients one synchronous update applies (GPipe, 1F1B);
   * absent for schedules that update after every backward.
   */
  readonly microBatches?: number;
  /** A fresh pass over the ticks, in clock order. */
  ticks(): Iterable<Tick>;
}

/** The sizes every schedule generator takes. */
export interface ScheduleSize {
  /** Number of pipeline stages S, an integer ≥ 1. */
  readonly stages: number;
  /** Number of sample indices to run, an integer ≥ 1. */
  readonly samples: number;
  /** Training samples per sample index, an integer ≥ 1 (default 1). */
  readonly microBatchSize?: number;
}

/**
 * The short notation of an instruction: stage, kind, sample.
 *
 * @example
 * formatInstruction({ kind: 'F', stage: 2, sample: 0 }); // '2F0'
 * formatInstruction({ kind: 'U', stage: 3, sample: 1 }); // '3U1'
 */
export function formatInstruction(instruction: Instruction): string {
  return `${instruction.stage}${instruction.kind}${instruction.sample}`;
}

/**
 * Throws a one-line error unless `value` is an integer ≥ `min`; returns it otherwise.
 * Every schedule generator checks its sizes with it, so a bad number fails at once
 * instead of producing an empty or endless stream.
 *
 * @example
 * checkCount('stages', 4);   // 4
 * checkCount('stages', 0);   // throws "stages must be an integer ≥ 1, got 0"
 */
export function checkCount(what: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Checks the sizes a schedule generator was given and fills in the default
 * micro-batch size of 1. Throws a one-line error naming the first bad number.
 *
 * @example
 * checkScheduleSize({ stages: 4, samples: 8 }); // { stages: 4, samples: 8, microBatchSize: 1 }
 */
export function checkScheduleSize(size: ScheduleSize): Required<ScheduleSize> {
  return {
    stages: checkCount('stages', size.stages),
    samples: checkCount('samples', size.samples),
    microBatchSize: checkCount('microBatchSize', size.microBatchSize ?? 1),
  };
}
