/**
 * The schedules by name, for the engine, the cli and the pictures.
 *
 * | name         | updates                         | delay at stage s | utilization          |
 * | ------------ | ------------------------------- | ---------------- | -------------------- |
 * | `sequential` | after every sample              | 0                | 1/S                  |
 * | `pb`         | after every sample              | 2(S − s)         | → 1 in steady state  |
 * | `gpipe`      | every M micro-batches (flush)   | 0                | M / (M + S − 1)      |
 * | `1f1b`       | every M micro-batches (flush)   | 0                | M / (M + S − 1)      |
 *
 * @module
 */
import type { Schedule, ScheduleSize } from '../instruction.js';
import { gpipeSchedule } from './gpipe.js';
import { oneFOneBSchedule } from './one-f-one-b.js';
import { pbSchedule } from './pb.js';
import { sequentialSchedule } from './sequential.js';

/** The names {@link makeSchedule} accepts. */
export const scheduleNames = ['sequential', 'pb', 'gpipe', '1f1b'] as const;

/** One of {@link scheduleNames}. */
export type ScheduleName = (typeof scheduleNames)[number];

/** The sizes {@link makeSchedule} takes; `microBatches` is for `gpipe` and `1f1b` only. */
export interface ScheduleOptions extends ScheduleSize {
  /** Micro-batches M per synchronous update; required by `gpipe` and `1f1b`, refused by the others. */
  readonly microBatches?: number;
}

/**
 * Makes the schedule called `name`. Throws a one-line error for an unknown name
 * (listing the valid ones), for a size that is not a positive integer, and for
 * `microBatches` missing from `gpipe`/`1f1b` or given to `sequential`/`pb`.
 *
 * @example
 * makeSchedule('pb', { stages: 4, samples: 8 });
 * makeSchedule('gpipe', { stages: 4, samples: 8, microBatches: 4 });
 * makeSchedule('pd', { stages: 4, samples: 8 }); // throws: unknown schedule 'pd'; valid names: ...
 */
export function makeSchedule(name: ScheduleName, options: ScheduleOptions): Schedule {
  const { microBatches, ...size } = options;
  switch (name) {
    case 'sequential':
    case 'pb':
      if (microBatches !== undefined) {
        throw new Error(`microBatches applies to gpipe and 1f1b only; ${name} updates after every sample`);
      }
      return name === 'pb' ? pbSchedule(size) : sequentialSchedule(size);
    case 'gpipe':
    case '1f1b': {
      if (microBatches === undefined) {
        throw new Error(`${name} needs microBatches, the number of micro-batches per update (e.g. 4)`);
      }
      const flushSize = { ...size, microBatches };
      return name === 'gpipe' ? gpipeSchedule(flushSize) : oneFOneBSchedule(flushSize);
    }
    default:
      throw new Error(`unknown schedule '${String(name)}'; valid names: ${scheduleNames.join(', ')}`);
  }
}

/** Whether a schedule flushes the pipeline for one synchronous update per round of micro-batches (gpipe, 1f1b). */
export function isFlushSchedule(name: string): boolean {
  return name === 'gpipe' || name === '1f1b';
}
