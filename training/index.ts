/**
 * The training loop as a library, the part that runs anywhere (Node or a browser):
 * a run's configuration (one table, {@link TRAIN_FIELDS}, from which the type and the
 * command line's flags come), its data and model, the loop with progress events,
 * evaluation, checkpoints and resumption through a {@link RunStore}, and the stop when
 * the loss stops being a number. Files on disk are in `pipegrad/training/node`.
 *
 * @example
 * import { loadFrom, syntheticDatasets } from 'pipegrad/datasets';
 * import { memoryStore, runTraining, trainConfig } from 'pipegrad/training';
 * const config = trainConfig({ model: 'mlp', dataset: 'spirals', epochs: 2, lr: 0.01 });
 * const load = (name, opts) => loadFrom(syntheticDatasets, name, opts);
 * const store = memoryStore();
 * const first = await runTraining({ ...config, epochs: 1 }, { load, store });
 * const resumed = await runTraining(config, { load, store, resumeFrom: store });
 *
 * @module
 */
export {
  checkField,
  configChanges,
  DEFAULT_MICRO_BATCHES,
  defaultMitigation,
  defaulted,
  LR_SCHEDULES,
  optional,
  RESUMABLE_CHANGES,
  TRAIN_FIELDS,
  trainConfig,
  type ConfigChange,
  type ConfigField,
  type ConfigNaming,
  type ConfigOf,
  type DefaultedField,
  type FieldKind,
  type FieldLimits,
  type FieldValue,
  type OptionalField,
  type TrainConfig,
} from './config.js';
export { ConfigError, DivergedError, type Divergence } from './errors.js';
export { metricsAtCheckpoint, recordResume, refuseExistingRun, resumeRun, savedRunConfig, type Resumption } from './resume.js';
export { checkFiniteTensors, savedCheckpointConfig, savedResumeState, savedTrainConfig, type SavedCheckpoint } from './saved-run.js';
export { lrScheduleFor, resolveHyperParameters, type ResolvedHyperParameters } from './hyperparameters.js';
export { batchToExample, buildModel, prepareData, type DatasetSource, type ExampleShape, type PreparedData } from './data.js';
export { argmaxRows, evaluate, type Evaluation } from './evaluate.js';
export { evaluateCheckpoint, type CheckpointEvaluation, type EvaluationOverrides } from './evaluate-checkpoint.js';
export type { EpochMetrics, Progress, TrainEvents } from './events.js';
export { checkpointEpoch, checkpointName, lastCheckpoint, memoryStore, RUN_FILES, runFilesIn, type MemoryStore, type RunStore } from './store.js';
export {
  checkpointTrainConfig,
  decodeOrRefuse,
  encodeTrainingCheckpoint,
  loadStageOptimizers,
  restoreTrainingCheckpoint,
  type CheckpointConfig,
  type ConfigChangeRecord,
  type RestoredTraining,
  type OptimizerClock,
  type ResumeState,
} from './checkpoint.js';
export { addCurvePoint, CURVE_POINTS, renderCurves, type Curve, type CurvePoint } from './curves.js';
export { METRICS_FILE, runTraining, type RunOptions, type TrainResult } from './run.js';
export { trainPipeline, trainRecipe, type TrainPipeline, type TrainRecipeOptions } from './recipe.js';
export { startWorkers, workerCountFor, type WorkerThreads } from './workers.js';
export * from './study/index.js';
