/**
 * Evaluate a training checkpoint on the test split of the data it was trained on: the
 * configuration travels in the checkpoint, so the model and the data are rebuilt from
 * it (a few settings, such as where the data are, may be overridden).
 *
 * @module
 */
import { decodeSafetensors, restoreCheckpoint } from '../nn/index.js';
import { Pipeline, sgdForMethod } from '../pipeline/index.js';
import { checkpointTrainConfig } from './checkpoint.js';
import { trainConfig, type TrainConfig } from './config.js';
import { buildModel, prepareData, type DatasetSource } from './data.js';
import { evaluate, type Evaluation } from './evaluate.js';

/** Settings of the saved configuration that an evaluation may change. */
export type EvaluationOverrides = Partial<Pick<TrainConfig, 'dataDir' | 'limitTest'>>;

/** What {@link evaluateCheckpoint} gives back. */
export interface CheckpointEvaluation {
  /** The configuration the model and data were rebuilt from (the saved one, with the overrides). */
  config: TrainConfig;
  /** The test loss and accuracy. */
  evaluation: Evaluation;
}

/**
 * Rebuild the model a checkpoint was trained as, load its weights, and evaluate it on
 * the test split of its data set.
 *
 * @param bytes the checkpoint file's content.
 * @param source what to call the checkpoint in errors (e.g. its path).
 * @param load loads the configuration's data set by name.
 * @param overrides settings that replace the saved ones (given ones only).
 * @throws {@link ConfigError} when the checkpoint holds no training configuration.
 * @example
 * const { evaluation } = evaluateCheckpoint(store.read('checkpoint-epoch-0002.safetensors'), 'epoch 2', load);
 */
export function evaluateCheckpoint(bytes: Uint8Array, source: string, load: DatasetSource, overrides: EvaluationOverrides = {}): CheckpointEvaluation {
  const saved = checkpointTrainConfig(bytes, source);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const config = trainConfig({ ...saved, ...given });
  const data = prepareData(config, load);
  const model = buildModel(config, data);
  restoreCheckpoint(decodeSafetensors(bytes, source), model, {}, source);
  const pipe = new Pipeline({ units: model.pipelineUnits(), method: 'sgd', optimizer: sgdForMethod('sgd', { lr: 0 }) });
  return { config, evaluation: evaluate(pipe, data.testLoader, data) };
}
