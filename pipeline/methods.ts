/**
 * The training methods pipegrad compares, each a schedule plus weight-version policies
 * and optimizer options (DESIGN §6):
 *
 * | method       | schedule   | forward weights          | backward weights        | optimizer |
 * |--------------|------------|--------------------------|-------------------------|-----------|
 * | `sgd`        | sequential | current                  | current                 | momentum  |
 * | `pb`         | pb         | current (version j − D)  | current                 | momentum  |
 * | `pb+sc`      | pb         | current                  | current                 | SC        |
 * | `pb+lwp`     | pb         | predicted `w − D·η·v`    | current                 | momentum  |
 * | `pb+sc+lwp`  | pb         | predicted                | current                 | SC        |
 * | `stash`      | pb         | current                  | stashed (forward's)     | momentum  |
 * | `spectrain`  | pb         | predicted, T = D         | predicted, T = 0        | momentum  |
 * | `pipemare`   | pb         | current                  | corrected `w − D·δ`     | momentum + warm-up |
 * | `gpipe`      | gpipe      | current                  | current                 | momentum, one update per M micro-batches |
 * | `1f1b`       | 1f1b       | current                  | current                 | as gpipe  |
 *
 * Names compose as `schedule+mitigation`: `pb+stash`, `gpipe+sc` (a no-op: D = 0), ….
 *
 * @module
 */
import type { ScheduleName } from './schedules/index.js';
import type { PipeMareOptions } from './pipemare.js';

/** Which weights a pass uses. */
export type WeightPolicy = 'current' | 'predicted' | 'stashed' | 'corrected';

/** The mitigations that can be added to a schedule. */
export const mitigationNames = ['none', 'sc', 'lwp', 'sc+lwp', 'stash', 'spectrain', 'pipemare'] as const;

/** A mitigation name. */
export type Mitigation = (typeof mitigationNames)[number];

/** The schedules a method can run on; `sgd` is the sequential schedule. */
export const methodScheduleNames = ['sgd', 'pb', 'gpipe', '1f1b'] as const;

/** A method's full description. */
export interface MethodSpec {
  /** The method's name, e.g. `pb+sc+lwp`. */
  readonly name: string;
  /** The schedule that drives it. */
  readonly schedule: ScheduleName;
  /** The mitigation applied. */
  readonly mitigation: Mitigation;
  /** Whether the stage optimizers use Spike Compensation in place of momentum. */
  readonly spikeCompensation: boolean;
  /** Weights for the forward pass. */
  readonly forward: 'current' | 'predicted';
  /** Weights for the backward pass. */
  readonly backward: WeightPolicy;
  /** PipeMare's settings, when the mitigation is `pipemare`. */
  readonly pipemare?: PipeMareOptions;
}

/** The method names accepted everywhere (`pipegrad compare` runs these by default, from `sgd` to `pb+sc+lwp`). */
export const methodNames = ['sgd', 'pb', 'pb+sc', 'pb+lwp', 'pb+sc+lwp', 'stash', 'spectrain', 'pipemare', 'gpipe', '1f1b'] as const;

/**
 * The method for a schedule and a mitigation.
 *
 * @throws listing the valid choices when either is unknown.
 */
export function methodFor(schedule: string, mitigation: string = 'none'): MethodSpec {
  if (!(methodScheduleNames as readonly string[]).includes(schedule)) {
    throw new Error(`unknown method '${schedule}'; valid methods: ${methodScheduleNames.join(', ')}`);
  }
  if (!(mitigationNames as readonly string[]).includes(mitigation)) {
    throw new Error(`unknown mitigation '${mitigation}'; valid mitigations: ${mitigationNames.join(', ')}`);
  }
  const m = mitigation as Mitigation;
  const sched: ScheduleName = schedule === 'sgd' ? 'sequential' : (schedule as ScheduleName);
  const name = m === 'none' ? schedule : `${schedule}+${m}`;
  const lwp = m === 'lwp' || m === 'sc+lwp';
  return {
    name,
    schedule: sched,
    mitigation: m,
    spikeCompensation: m === 'sc' || m === 'sc+lwp',
    forward: lwp || m === 'spectrain' ? 'predicted' : 'current',
    backward: m === 'stash' ? 'stashed' : m === 'spectrain' ? 'predicted' : m === 'pipemare' ? 'corrected' : 'current',
    pipemare: m === 'pipemare' ? {} : undefined,
  };
}

/**
 * Resolve a method name: one of {@link methodNames}, or `schedule+mitigation`.
 *
 * @example
 * resolveMethod('pb+sc+lwp'); // { schedule: 'pb', spikeCompensation: true, forward: 'predicted', ... }
 * resolveMethod('stash');     // pb with weight stashing
 */
export function resolveMethod(name: string): MethodSpec {
  if (name === 'stash' || name === 'spectrain' || name === 'pipemare') return { ...methodFor('pb', name), name };
  const plus = name.indexOf('+');
  if (plus < 0) return methodFor(name, 'none');
  const schedule = name.slice(0, plus);
  if (!(methodScheduleNames as readonly string[]).includes(schedule)) {
    throw new Error(`unknown method '${name}'; valid methods: ${methodNames.join(', ')} (or schedule+mitigation)`);
  }
  return methodFor(schedule, name.slice(plus + 1));
}
