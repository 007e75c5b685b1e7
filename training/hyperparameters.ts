/**
 * A run's hyper-parameters as the optimizer gets them: the batch-size scaling rules
 * applied when a reference batch size is given, and the learning-rate schedule over the
 * run's samples.
 *
 * @module
 */
import { constant, cosine, linearWarmup, multiStep, scaleHyperparameters, type Schedule as LrSchedule } from '../optim/index.js';
import type { MethodSpec } from '../pipeline/index.js';
import { DEFAULT_MICRO_BATCHES, type TrainConfig } from './config.js';
import { ConfigError } from './errors.js';

/** Hyper-parameters after the scaling rules. */
export interface ResolvedHyperParameters {
  /** Learning rate at the run's batch size. */
  lr: number;
  /** Momentum at the run's batch size. */
  momentum: number;
  /** Weight decay at the run's batch size. */
  weightDecay: number;
  /** Samples per update: the micro-batch size, times the micro-batches of a flush schedule. */
  batchSize: number;
  /** The method's name, e.g. `pb+sc+lwp`. */
  method: string;
}

/**
 * Resolve the hyper-parameters: the batch of one update is `batchSize` (times
 * `microBatches` under gpipe and 1f1b); when `refBatchSize` is given, `lr`, `momentum`
 * and `weightDecay` are taken to be meant for it and scaled to that batch by the
 * batch-size scaling rules.
 */
export function resolveHyperParameters(c: TrainConfig, spec: MethodSpec): ResolvedHyperParameters {
  const effectiveBatch = c.batchSize * (spec.schedule.flushes ? (c.microBatches ?? DEFAULT_MICRO_BATCHES) : 1);
  let { lr, momentum, weightDecay } = c;
  if (c.refBatchSize !== undefined) {
    const scaled = scaleHyperparameters({ batchSize: c.refBatchSize, lr, momentum, weightDecay }, effectiveBatch);
    ({ lr, momentum, weightDecay } = scaled);
  }
  return { lr, momentum, weightDecay, batchSize: effectiveBatch, method: spec.name };
}

/**
 * The learning-rate schedule a configuration names, over `totalSamples`: `constant`,
 * `cosine` (to zero at the end), or `step` (×0.1 at one half and at three quarters),
 * after `warmup` samples of linear warm-up when `warmup > 0`.
 *
 * @throws {@link ConfigError} for an unknown schedule name.
 */
export function lrScheduleFor(c: TrainConfig, lr: number, totalSamples: number): LrSchedule {
  let base: LrSchedule;
  switch (c.schedule) {
    case 'constant':
      base = constant(lr);
      break;
    case 'cosine':
      base = cosine(lr, totalSamples);
      break;
    case 'step':
      base = multiStep(lr, [Math.round(totalSamples / 2), Math.round((totalSamples * 3) / 4)], 0.1);
      break;
    default:
      throw new ConfigError(`unknown schedule '${c.schedule}'; valid: constant, cosine, step`);
  }
  return c.warmup > 0 ? linearWarmup(c.warmup, base) : base;
}
