/**
 * The pipeline of a training run, as a recipe (`pipeline/parallel/recipe.ts`): the
 * trainer builds its own pipeline with it, and with `--workers N` every worker builds
 * the same one from the same module and options.
 *
 * @module
 */
import { methodFor, sgdForMethod, type PipelineConfig, type PipelineRecipe } from '../pipeline/index.js';
import type { Model } from '../nn/index.js';
import { buildModel, lrSchedule, resolveHyperParameters, type TrainConfig } from './trainer.js';

/** What the pipeline of a run is built from: the configuration and the data's sizes (plain data). */
export interface TrainRecipeOptions {
  /** The run's configuration. */
  config: TrainConfig;
  /** The model's input `[C, H, W]`. */
  inputShape: [number, number, number];
  /** Classes (or regression outputs). */
  outputs: number;
  /** Training samples per epoch (the learning-rate schedule spans `epochs ×` these). */
  trainSamples: number;
}

/** A run's pipeline configuration, with the model its units belong to (for checkpoints). */
export interface TrainPipeline extends PipelineConfig {
  /** The model. */
  model: Model;
}

/** Build the model and the pipeline configuration of a run. */
export default function trainPipeline(options: TrainRecipeOptions): TrainPipeline {
  const c = options.config;
  const spec = methodFor(c.method, c.mitigation);
  const resolved = resolveHyperParameters(c, spec);
  const model = buildModel(c, options.inputShape, options.outputs);
  const schedule = lrSchedule(c, resolved.lr, c.epochs * options.trainSamples);
  return {
    model,
    units: model.pipelineUnits(),
    method: spec,
    optimizer: sgdForMethod(spec, { lr: schedule, momentum: resolved.momentum, weightDecay: resolved.weightDecay }),
    partition: c.stages ?? 'fine',
    microBatchSize: c.batchSize,
    ...(spec.schedule.flushes ? { microBatches: c.microBatches } : {}),
  };
}

/** The recipe of a run, for the workers. */
export function trainRecipe(options: TrainRecipeOptions): PipelineRecipe {
  return { module: import.meta.url, options };
}
