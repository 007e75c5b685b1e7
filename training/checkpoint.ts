/**
 * A training checkpoint: the model's weights, every stage's optimizer state (under
 * `stage<s>.`), and in the metadata the run's configuration and what resuming needs
 * (the epoch, each stage's optimizer clock, the metrics and training curve so far).
 *
 * Checkpoints are written at the end of an epoch, when the pipeline has drained, so no
 * sample is in flight and the live weights are the only version; the data order of
 * epoch `e` depends only on the seed and `e`. Together these make a resumed run
 * bit-identical to an uninterrupted one.
 *
 * @module
 */
import type { Tensor } from '../core/index.js';
import { decodeSafetensors, encodeCheckpoint, restoreCheckpoint, type Model } from '../nn/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { TrainConfig } from './config.js';
import type { CurvePoint } from './curves.js';
import { ConfigError } from './errors.js';
import type { EpochMetrics } from './events.js';

/** An optimizer's clock: updates applied and samples seen. */
export interface OptimizerClock {
  /** Updates applied. */
  step: number;
  /** Samples seen. */
  samples: number;
}

/** What a checkpoint holds for resuming, besides the tensors. */
export interface ResumeState {
  /** Epochs completed. */
  epoch: number;
  /** Each stage's optimizer clock, stage 1 first. */
  clocks: OptimizerClock[];
  /** The metrics of the completed epochs. */
  metrics: EpochMetrics[];
  /** The training curve so far. */
  trainCurve: CurvePoint[];
}

/** The metadata `config` of a training checkpoint. */
export interface CheckpointConfig {
  /** The run's configuration. */
  train: TrainConfig;
  /** What resuming needs. */
  resume: ResumeState;
}

/**
 * The bytes of a training checkpoint of `model` trained by `pipe`, after the drain at
 * the end of an epoch: the live weights are bound into the model first.
 */
export function encodeTrainingCheckpoint(model: Model, pipe: Pipeline, config: TrainConfig, resume: ResumeState, step: number): Uint8Array {
  const optimizerState = new Map<string, Tensor>();
  pipe.stages.forEach((stage, i) => {
    for (const [k, v] of stage.optimizer.stateDict().state) optimizerState.set(`stage${i + 1}.${k}`, v);
  });
  pipe.bindCurrent();
  const saved: CheckpointConfig = { train: config, resume };
  return encodeCheckpoint(model, { optimizerState, step, seed: config.seed, config: saved });
}

/**
 * The training configuration a checkpoint carries, read without a model (to build the
 * model it needs).
 *
 * @param source what to call the checkpoint in errors (e.g. its path).
 * @throws {@link ConfigError} when the checkpoint holds no training configuration.
 */
export function checkpointTrainConfig(bytes: Uint8Array, source: string): TrainConfig {
  const meta = decodeSafetensors(bytes, source).metadata.config;
  const train = meta ? (JSON.parse(meta) as Partial<CheckpointConfig>).train : undefined;
  if (!train) throw new ConfigError(`${source} holds no training configuration (was it written by pipegrad's training loop?)`);
  return train;
}

/** What {@link restoreTrainingCheckpoint} gives back besides the restored model. */
export interface RestoredTraining {
  /** What resuming needs. */
  resume: ResumeState;
  /** Every stage's optimizer state, by `stage<s>.<name>`. */
  optimizerState: Map<string, Tensor>;
}

/**
 * Restore `model` from a training checkpoint and return its resume state and the
 * optimizer state by name.
 *
 * @throws {@link ConfigError} when the checkpoint holds no resume state.
 */
export function restoreTrainingCheckpoint(bytes: Uint8Array, model: Model, source: string): RestoredTraining {
  const restored = restoreCheckpoint(decodeSafetensors(bytes, source), model, {}, source);
  const saved = (restored.config ?? {}) as Partial<CheckpointConfig>;
  if (!saved.resume) throw new ConfigError(`${source} was not written by pipegrad's training loop (no resume state)`);
  return { resume: saved.resume, optimizerState: restored.optimizerState };
}

/**
 * Give every stage of `pipe` its optimizer state (the entries under `stage<s>.`) and
 * its clock.
 *
 * @throws {@link ConfigError} when the checkpoint's stage count differs from the pipeline's.
 */
export function loadStageOptimizers(pipe: Pipeline, optimizerState: ReadonlyMap<string, Tensor>, clocks: readonly OptimizerClock[]): void {
  if (clocks.length !== pipe.stages.length) throw new ConfigError(`the checkpoint has ${clocks.length} stages, this configuration makes ${pipe.stages.length}`);
  pipe.stages.forEach((stage, i) => {
    const prefix = `stage${i + 1}.`;
    const own = new Map([...optimizerState].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    stage.optimizer.loadStateDict({ state: own, ...clocks[i] });
  });
}
