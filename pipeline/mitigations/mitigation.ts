/**
 * A mitigation is a weight policy: one object that says which weights a stage's
 * forward uses, which weights its backward uses, what state and extra weight copies it
 * keeps, and how it changes the stage's optimizer (DESIGN §6).
 *
 * The engine calls these hooks and nothing else; it never asks which mitigation it is
 * running. Every built-in mitigation is one file of this folder, written as
 * `{ ...none, name, <the hooks it changes> }` on top of {@link none}'s plain PB
 * behaviour, and registered with one line in `index.ts`. A mitigation made of two
 * others (`sc+lwp`) is {@link composeMitigations} of them.
 *
 * The hooks see a stage through a {@link StageSnapshot} — its weight version, weights,
 * velocity `v`, learning rate `η` and the mitigation's own state — and its
 * {@link WeightContext}: the stage's index and delay `D_s` (read off the schedule's
 * stream, `steadyStateDelays`) and LWP's horizon `T`.
 *
 * @module
 */
import type { GradientTransform, Params } from '../../optim/index.js';
import type { InFlight, StageInfo, StageSnapshot } from '../stage.js';
import { none } from './none.js';

/** What a weight policy knows about the stage it chooses weights for. */
export interface WeightContext {
  /** The stage: its index, the number of stages and its delay `D_s` from the schedule. */
  readonly stage: StageInfo;
  /** The prediction horizon `T` for the forward (`D_s` unless the pipeline was given another). */
  readonly horizon: number;
}

/** Weights for a pass, and the weight version they are (or were derived from). */
export interface VersionedWeights {
  /** The weight tensors, by full model path. */
  readonly weights: Params;
  /** The number of updates the stage had applied to the weights they come from. */
  readonly version: number;
}

/** How a mitigation changes the stage's SGD chain (`sgdForMethod`). */
export interface OptimizerChange {
  /** Spike Compensation in place of momentum, with `D = D_s` (no effect when the momentum is 0). */
  readonly spikeCompensation?: boolean;
  /** Transforms appended to the chain, after the learning-rate scaling, in order. */
  readonly append?: readonly GradientTransform[];
}

/** A weight policy; see the module description. Write one as `{ ...none, name, … }`. */
export interface Mitigation {
  /** The mitigation's name, as in `pb+<name>`. */
  readonly name: string;
  /**
   * The weights the forward of a sample uses, from the stage as it was at the start of
   * the tick (`at`). The recorded forward version is `at.version`.
   *
   * Like {@link Mitigation.backwardWeights}, it runs inside the sample's scope at the
   * stage (`core/device-scope.ts`): tensors it makes live until the sample's backward
   * there and are then released, so a mitigation that caches one across samples must
   * `keep()` it.
   */
  forwardWeights(at: StageSnapshot, ctx: WeightContext): Params;
  /**
   * The weights the backward of a sample uses and the version they count as. `now` is
   * the stage at the backward; `flight` is what the sample's forward stored there
   * (its weights and their version).
   */
  backwardWeights(now: StageSnapshot, flight: InFlight, ctx: WeightContext): VersionedWeights;
  /** The per-stage state the mitigation keeps (beside the optimizer's), before the first update. */
  initialState(params: Params): unknown;
  /** The state after an update took the stage's weights from `before` to `after`. */
  nextState(state: unknown, before: Params, after: Params): unknown;
  /**
   * How many copies of the stage's weights the mitigation holds beside the current
   * ones, when the samples in flight were forwarded with `inFlightVersions` and the
   * stage is at `currentVersion` (stashed versions, PipeMare's `δ`).
   */
  weightCopies(inFlightVersions: readonly number[], currentVersion: number): number;
  /** How it changes the stage's optimizer. */
  readonly optimizer: OptimizerChange;
}

/** The hooks a composition takes from exactly one of its parts. */
const hooks = ['forwardWeights', 'backwardWeights', 'initialState', 'nextState', 'weightCopies'] as const;

/**
 * A mitigation that does what each of `parts` does: every hook comes from the one part
 * that changes it from {@link none}'s, and the optimizer changes add up (SC from any
 * part; appended transforms in the parts' order).
 *
 * @example
 * const scLwp = composeMitigations('sc+lwp', sc, lwp); // SC's optimizer, LWP's forward
 * @throws when two parts change the same hook (say, both choose the backward's weights).
 */
export function composeMitigations(name: string, ...parts: Mitigation[]): Mitigation {
  const composed: Mitigation = {
    ...none,
    name,
    optimizer: {
      spikeCompensation: parts.some((p) => p.optimizer.spikeCompensation === true),
      append: parts.flatMap((p) => p.optimizer.append ?? []),
    },
  };
  for (const hook of hooks) {
    const changing = parts.filter((p) => p[hook] !== none[hook]);
    if (changing.length > 1) {
      throw new Error(`composeMitigations: ${changing.map((p) => p.name).join(' and ')} both set ${hook}; ${name} can take it from one of them only`);
    }
    if (changing.length === 1) Object.assign(composed, { [hook]: changing[0][hook] });
  }
  return composed;
}
