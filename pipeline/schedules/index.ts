/**
 * The built-in schedules by name, for the engine, the cli and the pictures.
 *
 * | name         | updates                         | delay at stage s | utilization          |
 * | ------------ | ------------------------------- | ---------------- | -------------------- |
 * | `sequential` | after every sample              | 0                | 1/S                  |
 * | `pb`         | after every sample              | 2(S − s)         | → 1 in steady state  |
 * | `gpipe`      | every M micro-batches (flush)   | 0                | M / (M + S − 1)      |
 * | `1f1b`       | every M micro-batches (flush)   | 0                | M / (M + S − 1)      |
 *
 * The delays in this table are not used by the code: the pipeline reads each stage's
 * delay off the stream (`steadyStateDelays`), and the tests hold that reading to the
 * table. Anywhere a name is accepted, a {@link ScheduleDefinition} a user wrote is
 * accepted too.
 *
 * @module
 */
import type { Schedule } from '../instruction.js';
import type { ScheduleDefinition, ScheduleOptions } from './definition.js';
import { gpipe } from './gpipe.js';
import { oneFOneB } from './one-f-one-b.js';
import { pb } from './pb.js';
import { sequential } from './sequential.js';

/** The names {@link makeSchedule} accepts. */
export const scheduleNames = ['sequential', 'pb', 'gpipe', '1f1b'] as const;

/** One of {@link scheduleNames}. */
export type ScheduleName = (typeof scheduleNames)[number];

/** The built-in schedules, by name. */
export const scheduleDefinitions: Readonly<Record<ScheduleName, ScheduleDefinition>> = { sequential, pb, gpipe, '1f1b': oneFOneB };

/**
 * The definition of a built-in schedule by name; a definition is returned as it is.
 *
 * @throws for an unknown name, listing the valid ones.
 */
export function resolveSchedule(schedule: ScheduleName | ScheduleDefinition): ScheduleDefinition {
  if (typeof schedule !== 'string') return schedule;
  if (!Object.hasOwn(scheduleDefinitions, schedule)) {
    throw new Error(`unknown schedule '${String(schedule)}'; valid names: ${scheduleNames.join(', ')}`);
  }
  return scheduleDefinitions[schedule];
}

/**
 * Makes the schedule called `name` (or the one `definition` makes). Throws a one-line
 * error for an unknown name (listing the valid ones), for a size that is not a positive
 * integer, and for `microBatches` missing from a schedule that flushes (`gpipe`, `1f1b`)
 * or given to one that does not.
 *
 * @example
 * makeSchedule('pb', { stages: 4, samples: 8 });
 * makeSchedule('gpipe', { stages: 4, samples: 8, microBatches: 4 });
 * makeSchedule('pd', { stages: 4, samples: 8 }); // throws: unknown schedule 'pd'; valid names: ...
 */
export function makeSchedule(schedule: ScheduleName | ScheduleDefinition, options: ScheduleOptions): Schedule {
  return resolveSchedule(schedule).make(options);
}

/**
 * Whether a schedule flushes the pipeline for one synchronous update per round of
 * micro-batches (gpipe, 1f1b), and so needs `microBatches`. Unknown names do not flush.
 */
export function isFlushSchedule(schedule: string | ScheduleDefinition): boolean {
  if (typeof schedule !== 'string') return schedule.flushes;
  return Object.hasOwn(scheduleDefinitions, schedule) && scheduleDefinitions[schedule as ScheduleName].flushes;
}

export { defineSchedule, type ScheduleDefinition, type ScheduleOptions, type StreamSize } from './definition.js';
