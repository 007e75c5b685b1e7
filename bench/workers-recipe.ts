/**
 * The pipeline the workers benchmark trains, as a recipe (`pipeline/parallel/recipe.ts`):
 * a model of the registry with its default input, fine-grained `pb+sc+lwp` at batch
 * size 1, momentum SGD with the CLI's defaults.
 *
 * @module
 */
import { createModel } from '../nn/index.js';
import { resolveMethod, sgdForMethod, type PipelineConfig } from '../pipeline/index.js';

/** The model and its seed. */
export interface BenchRecipeOptions {
  model: string;
  seed: number;
}

/** Build the benchmark's pipeline configuration. */
export default function benchPipeline(options: BenchRecipeOptions): PipelineConfig {
  const method = resolveMethod('pb+sc+lwp');
  return {
    units: createModel(options.model, { seed: options.seed }).pipelineUnits(),
    method,
    optimizer: sgdForMethod(method, { lr: 0.001, momentum: 0.9 }),
    partition: 'fine',
    microBatchSize: 1,
  };
}
