/**
 * A training method is a schedule plus a mitigation (DESIGN §6): `pb+sc+lwp` is the
 * `pb` schedule with the `sc+lwp` mitigation. The schedule says when each stage runs
 * which forward, backward and update; the mitigation (a weight policy,
 * `mitigations/`) says which weights each pass uses and how the optimizer changes.
 * Every stage's delay `D_s` comes from the schedule's own stream, so a mitigation acts
 * only where there is a delay: `gpipe+sc`, `1f1b+lwp` and `sgd+sc` are exactly
 * `gpipe`, `1f1b` and `sgd`.
 *
 * | method       | schedule   | mitigation |
 * |--------------|------------|------------|
 * | `sgd`        | sequential | none       |
 * | `pb`         | pb         | none       |
 * | `pb+sc`      | pb         | sc         |
 * | `pb+lwp`     | pb         | lwp        |
 * | `pb+sc+lwp`  | pb         | sc+lwp     |
 * | `stash`      | pb         | stash      |
 * | `spectrain`  | pb         | spectrain  |
 * | `pipemare`   | pb         | pipemare   |
 * | `gpipe`      | gpipe      | none (one update per M micro-batches) |
 * | `1f1b`       | 1f1b       | none (as gpipe, fewer activations in flight) |
 *
 * Names compose as `schedule+mitigation` (`pb+stash`, `gpipe+sc`, …), and
 * {@link methodFor} takes a schedule or mitigation object a user wrote as well as a
 * name.
 *
 * @module
 */
import { resolveMitigation, type Mitigation } from './mitigations/index.js';
import { resolveSchedule, type ScheduleDefinition, type ScheduleName } from './schedules/index.js';

/** A method: the schedule that drives it and the mitigation it applies. */
export interface MethodSpec {
  /** The method's name, e.g. `pb+sc+lwp`. */
  readonly name: string;
  /** The schedule (its `name` is `'sequential'` for the method `sgd`). */
  readonly schedule: ScheduleDefinition;
  /** The weight policy. */
  readonly mitigation: Mitigation;
}

/** The schedules a method can name; `sgd` is the sequential schedule. */
export const methodScheduleNames = ['sgd', 'pb', 'gpipe', '1f1b'] as const;

/** The method names accepted everywhere (`pipegrad compare` runs these by default, from `sgd` to `pb+sc+lwp`). */
export const methodNames = ['sgd', 'pb', 'pb+sc', 'pb+lwp', 'pb+sc+lwp', 'stash', 'spectrain', 'pipemare', 'gpipe', '1f1b'] as const;

/** Mitigations that name a method on `pb` by themselves (`stash` is `pb+stash`). */
const pbShorthands = new Set(['stash', 'spectrain', 'pipemare']);

/**
 * The method for a schedule and a mitigation, each a name or an object.
 *
 * @example
 * methodFor('pb', 'sc+lwp');          // pb+sc+lwp
 * methodFor(mySchedule, 'sc');        // a user-written schedule with SC
 * @throws listing the valid choices when a name is unknown.
 */
export function methodFor(schedule: string | ScheduleDefinition, mitigation: string | Mitigation = 'none'): MethodSpec {
  if (typeof schedule === 'string' && !(methodScheduleNames as readonly string[]).includes(schedule)) {
    throw new Error(`unknown method '${schedule}'; valid methods: ${methodScheduleNames.join(', ')}`);
  }
  const definition = typeof schedule === 'string' ? resolveSchedule(schedule === 'sgd' ? 'sequential' : (schedule as ScheduleName)) : schedule;
  const policy = resolveMitigation(mitigation);
  const first = typeof schedule === 'string' ? schedule : schedule.name;
  return { name: policy.name === 'none' ? first : `${first}+${policy.name}`, schedule: definition, mitigation: policy };
}

/**
 * Resolve a method name: one of {@link methodNames}, or `schedule+mitigation`.
 *
 * @example
 * resolveMethod('pb+sc+lwp'); // { name: 'pb+sc+lwp', schedule: pb, mitigation: sc+lwp }
 * resolveMethod('stash');     // pb with weight stashing, named 'stash'
 * @throws listing the valid methods or mitigations when a part is unknown.
 */
export function resolveMethod(name: string): MethodSpec {
  if (pbShorthands.has(name)) return { ...methodFor('pb', name), name };
  const plus = name.indexOf('+');
  if (plus < 0) return methodFor(name, 'none');
  const schedule = name.slice(0, plus);
  if (!(methodScheduleNames as readonly string[]).includes(schedule)) {
    throw new Error(`unknown method '${name}'; valid methods: ${methodNames.join(', ')} (or schedule+mitigation)`);
  }
  return methodFor(schedule, name.slice(plus + 1));
}
