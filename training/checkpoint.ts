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
import { decodeSafetensors, encodeCheckpoint, restoreCheckpoint, type DecodedSafetensors, type Model, type RestoredCheckpoint } from '../nn/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { ConfigChange, TrainConfig } from './config.js';
import type { CurvePoint } from './curves.js';
import { ConfigError } from './errors.js';
import type { EpochMetrics } from './events.js';
import { checkFiniteTensors, savedCheckpointConfig } from './saved-run.js';

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
  /** The training curve so far (thinned to a bounded number of points, see `curves.ts`). */
  trainCurve: CurvePoint[];
  /** The settings a resume changed (allowed explicitly), by the first epoch trained with them; absent when none. */
  changes?: ConfigChangeRecord[];
}

/** Settings that a resume changed, and from which epoch on. */
export interface ConfigChangeRecord {
  /** The first epoch trained with the changed settings. */
  epoch: number;
  /** What changed. */
  changes: ConfigChange[];
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
 * model it needs), every field checked.
 *
 * @param source what to call the checkpoint in errors (e.g. its path).
 * @throws {@link ConfigError} naming the file (and the field) when the file is damaged
 *   or holds no valid training configuration.
 */
export function checkpointTrainConfig(bytes: Uint8Array, source: string): TrainConfig {
  return savedCheckpointConfig(decodeOrRefuse(bytes, source).metadata.config, source, false).train;
}

/** What {@link restoreTrainingCheckpoint} gives back besides the restored model. */
export interface RestoredTraining {
  /** The configuration the checkpoint was trained with. */
  train: TrainConfig;
  /** What resuming needs. */
  resume: ResumeState;
  /** Every stage's optimizer state, by `stage<s>.<name>`. */
  optimizerState: Map<string, Tensor>;
}

/**
 * Restore `model` from a training checkpoint and return its configuration, its resume
 * state and the optimizer state by name.
 *
 * @throws {@link ConfigError} naming the file when it is damaged, holds no valid
 *   configuration or resume state, holds weights that are not finite, or does not fit
 *   the model.
 */
export function restoreTrainingCheckpoint(bytes: Uint8Array, model: Model, source: string): RestoredTraining {
  const contents = decodeOrRefuse(bytes, source);
  const { train, resume } = savedCheckpointConfig(contents.metadata.config, source, true);
  checkFiniteTensors(contents.tensors, source);
  let restored: RestoredCheckpoint;
  try {
    restored = restoreCheckpoint(contents, model, {}, source);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return { train, resume: resume!, optimizerState: restored.optimizerState };
}

/** Decode a checkpoint; a damaged file is a {@link ConfigError} (the user gave a file that cannot be used). */
export function decodeOrRefuse(bytes: Uint8Array, source: string): DecodedSafetensors {
  try {
    return decodeSafetensors(bytes, source);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
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
