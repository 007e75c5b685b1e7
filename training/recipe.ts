/**
 * The pipeline of a training run, as a recipe (`pipeline/parallel/recipe.ts`): the
 * run builds its own pipeline with {@link trainPipeline}, and with `workers` above 1
 * every worker thread builds the same one from the same module and options
 * ({@link trainRecipe}). The options are plain data, so that they cross to a worker.
 *
 * @module
 */
import type { Model } from '../nn/index.js';
import { methodFor, sgdForMethod, type PipelineConfig, type PipelineRecipe } from '../pipeline/index.js';
import type { TrainConfig } from './config.js';
import { buildModel, type ExampleShape } from './data.js';
import { lrScheduleFor, resolveHyperParameters } from './hyperparameters.js';

/** What the pipeline of a run is built from: the configuration and the data's sizes (plain data). */
export interface TrainRecipeOptions {
  /** The run's configuration (complete, as {@link trainConfig} returns it). */
  config: TrainConfig;
  /** The model's input and output sizes. */
  shape: ExampleShape;
  /** Training samples per epoch (the learning-rate schedule spans `epochs ×` these). */
  trainSamples: number;
}

/** A run's pipeline configuration, with the model its units belong to (for checkpoints). */
export interface TrainPipeline extends PipelineConfig {
  /** The model whose layers the pipeline's units are. */
  model: Model;
}

/**
 * Build the model and the pipeline configuration of a run: the method and mitigation,
 * SGD with the resolved hyper-parameters and the learning-rate schedule over
 * `epochs × trainSamples` samples, the stages, and the micro-batches of gpipe and 1f1b.
 *
 * @example
 * const { model, ...config } = trainPipeline({ config: trainConfig({ model: 'mlp' }), shape, trainSamples: 1000 });
 * const pipe = new Pipeline(config);
 */
export default function trainPipeline(options: TrainRecipeOptions): TrainPipeline {
  const c = options.config;
  const spec = methodFor(c.method, c.mitigation);
  const resolved = resolveHyperParameters(c, spec);
  const model = buildModel(c, options.shape);
  const schedule = lrScheduleFor(c, resolved.lr, c.epochs * options.trainSamples);
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

export { trainPipeline };

/** The recipe of a run, for its worker threads: this module, and `options`. */
export function trainRecipe(options: TrainRecipeOptions): PipelineRecipe {
  return { module: import.meta.url, options };
}
