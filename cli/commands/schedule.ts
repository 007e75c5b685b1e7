/**
 * `pipegrad schedule`: print a method's schedule as a tick × stage grid, and
 * optionally write it as an SVG picture.
 *
 * @module
 */
import { accountSchedule, assignWorkers, makeSchedule, renderAscii, renderSvg, resolveSchedule, steadyStateDelays, workerOf, type Schedule, type ScheduleName, type WorkerAssignment } from '../../pipeline/index.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import type { Sink } from '../report.js';
import { writeFileAtomic } from '../../nn/node.js';
import { DEFAULT_MICRO_BATCHES } from '../../training/index.js';

const FLAGS: FlagSpec[] = [
  { name: 'method', kind: 'string', default: 'pb', choices: ['sgd', 'sequential', 'pb', 'gpipe', '1f1b'], help: 'which schedule' },
  { name: 'stages', kind: 'integer', min: 1, default: 4, help: 'number of stages S' },
  { name: 'samples', kind: 'integer', min: 1, default: 8, help: 'samples (or micro-batches)' },
  { name: 'micro-batches', kind: 'integer', min: 1, help: 'micro-batches per update, gpipe and 1f1b only (default: 4)' },
  { name: 'workers', kind: 'integer', min: 1, help: 'also show which of N workers runs each stage (stages of equal cost; `inspect --workers` balances a model by FLOPs)' },
  { name: 'svg', kind: 'string', help: 'also write the picture to this SVG file' },
  { name: 'json', kind: 'boolean', default: false, help: 'print the instruction stream as JSON' },
];

/**
 * The most cells (stages × ticks) `schedule` draws: a grid of a million cells is about
 * 5 MB of text, far past what a picture can show; larger requests are refused before
 * anything is drawn, rather than running out of memory.
 */
export const MAX_SCHEDULE_CELLS = 1_000_000;

/** Help of `pipegrad schedule`. */
export function scheduleHelp(): string {
  return helpText('pipegrad schedule [options]', 'Print the instruction grid of a schedule: sFj = stage s runs the forward of sample j, sBj its backward, sUj the update.', FLAGS);
}

/** Run `pipegrad schedule`. */
export function scheduleCommand(argv: readonly string[], out: Sink): void {
  const { flags, positional } = parseFlags('schedule', argv, FLAGS);
  if (positional.length > 0) throw new UsageError(`schedule: unexpected argument '${positional[0]}'`);
  const definition = resolveSchedule(flags.method === 'sgd' ? 'sequential' : (flags.method as ScheduleName));
  const given = flags['micro-batches'] as number | undefined;
  if (given !== undefined && !definition.flushes) throw new UsageError(`schedule: --micro-batches is for gpipe and 1f1b; --method ${flags.method} does not use it, so leave it out`);
  const microBatches = definition.flushes ? (given ?? DEFAULT_MICRO_BATCHES) : undefined;
  const schedule = makeSchedule(definition, { stages: flags.stages as number, samples: flags.samples as number, microBatches });
  checkGridSize(schedule);
  const account = accountSchedule(schedule);
  const delays = steadyStateDelays(definition, schedule.stages, microBatches);
  const assignment = flags.workers === undefined ? undefined : workersFor(schedule.stages, flags.workers as number);
  const workers = assignment && Array.from({ length: schedule.stages }, (_, k) => workerOf(assignment, k + 1) + 1);
  if (flags.json) {
    out.write(JSON.stringify({ schedule: schedule.name, stages: schedule.stages, samples: schedule.samples, utilization: account.utilization, delays, ...(assignment ? { workers: assignment.ranges } : {}), ticks: [...schedule.ticks()] }) + '\n');
  } else {
    out.write(renderAscii(schedule, workers));
    out.write(`\n${account.ticks} ticks, utilization ${(account.utilization * 100).toFixed(1)}% (busy stage-ticks / all stage-ticks)\n`);
    out.write(`steady-state delays D_s, stage 1..${schedule.stages}: ${delays.join(', ')}\n`);
    if (assignment) out.write(`workers: ${assignment.ranges.map(([first, last], w) => `worker ${w + 1} runs ${stageRange(first, last)}`).join('; ')}\n`);
  }
  if (flags.svg) {
    writeFileAtomic(flags.svg as string, renderSvg(schedule));
    if (!flags.json) out.write(`wrote ${flags.svg}\n`);
  }
}

/**
 * Refuse a schedule whose grid has more than {@link MAX_SCHEDULE_CELLS} cells; counting
 * stops as soon as the limit is passed, so the check itself stays small.
 */
function checkGridSize(schedule: Schedule): void {
  const mostTicks = Math.floor(MAX_SCHEDULE_CELLS / schedule.stages);
  let ticks = 0;
  for (const _ of schedule.ticks()) {
    if (++ticks > mostTicks) {
      throw new UsageError(
        `schedule: ${schedule.stages} stages × more than ${mostTicks.toLocaleString('en-US')} ticks is more than the ${MAX_SCHEDULE_CELLS.toLocaleString('en-US')} cells schedule draws; use fewer --stages or --samples`,
      );
    }
  }
}

/** `stage 3` or `stages 1-4`. */
export function stageRange(first: number, last: number): string {
  return first === last ? `stage ${first}` : `stages ${first}-${last}`;
}

/** The assignment of `stages` stages of equal cost to `workers` workers, or a usage error. */
function workersFor(stages: number, workers: number): WorkerAssignment {
  try {
    return assignWorkers(Array.from({ length: stages }, () => 1), workers);
  } catch (e) {
    throw new UsageError(`schedule: --workers: ${(e as Error).message}`);
  }
}
