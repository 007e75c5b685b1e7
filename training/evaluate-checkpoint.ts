/**
 * Evaluate a training checkpoint on the test split of the data it was trained on: the
 * configuration travels in the checkpoint, so the model and the data are rebuilt from
 * it (a few settings, such as where the data are, may be overridden).
 *
 * @module
 */
import { restoreCheckpoint } from '../nn/index.js';
import { Pipeline, sgdForMethod } from '../pipeline/index.js';
import { decodeOrRefuse } from './checkpoint.js';
import { trainConfig, type TrainConfig } from './config.js';
import { buildModel, prepareData, type DatasetSource } from './data.js';
import { ConfigError } from './errors.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { checkFiniteTensors, savedCheckpointConfig } from './saved-run.js';

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
 * @throws {@link ConfigError} naming the file when it is damaged, holds no valid
 *   training configuration, holds weights that are not finite, or evaluates to a test
 *   loss that is not finite.
 * @example
 * const { evaluation } = evaluateCheckpoint(store.read('checkpoint-epoch-0002.safetensors'), 'epoch 2', load);
 */
export function evaluateCheckpoint(bytes: Uint8Array, source: string, load: DatasetSource, overrides: EvaluationOverrides = {}): CheckpointEvaluation {
  const contents = decodeOrRefuse(bytes, source);
  const saved = savedCheckpointConfig(contents.metadata.config, source, false).train;
  checkFiniteTensors(contents.tensors, source);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const config = trainConfig({ ...saved, ...given });
  const data = prepareData(config, load);
  const model = buildModel(config, data);
  try {
    restoreCheckpoint(contents, model, {}, source);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const pipe = new Pipeline({ units: model.pipelineUnits(), method: 'sgd', optimizer: sgdForMethod('sgd', { lr: 0 }) });
  const evaluation = evaluate(pipe, data.testLoader, data);
  if (!Number.isFinite(evaluation.loss)) {
    throw new ConfigError(`${source}: the test loss is ${evaluation.loss} on ${evaluation.samples} samples, though every weight is finite; the model's outputs overflow, so no accuracy is reported`);
  }
  return { config, evaluation };
}
