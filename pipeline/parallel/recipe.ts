/**
 * How a worker builds the pipeline it runs part of.
 *
 * A model is code (its layers, closures, a user's custom layer or mitigation), and code
 * does not cross a thread boundary. So every worker builds the pipeline itself, from a
 * **recipe**: the URL of an ES module and plain options for it. The module's export
 * returns the same {@link PipelineConfig} the main thread's pipeline was built from.
 * The workers then receive each stage's weights and optimizer state from the main
 * thread before every run, so the recipe has to reproduce the pipeline's *structure*
 * (units, method, optimizer chain, loss), not its random initial weights; the main
 * thread checks the structure when the workers start.
 *
 * @example
 * // my-pipeline.ts
 * export default function build(options: { seed: number }): PipelineConfig {
 *   const model = createModel('smallcnn', { seed: options.seed });
 *   const method = resolveMethod('pb+sc+lwp');
 *   return { units: model.pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }) };
 * }
 * // main thread
 * const recipe = { module: new URL('./my-pipeline.ts', import.meta.url).href, options: { seed: 1 } };
 * const pipe = new Pipeline(await configFromRecipe(recipe));
 *
 * @module
 */
import type { Pipeline, PipelineConfig } from '../engine.js';

/** A module that builds a pipeline's configuration, and the options to build it with. */
export interface PipelineRecipe {
  /** The module's URL (`new URL('./my-pipeline.ts', import.meta.url).href`). */
  readonly module: string;
  /** The name of the export to call (default `'default'`). */
  readonly export?: string;
  /** Its argument: plain data (what `postMessage` can copy). */
  readonly options?: unknown;
}

/**
 * Import the recipe's module and call its export with the recipe's options.
 *
 * @throws when the module has no such export, or the export is not a function.
 */
export async function configFromRecipe(recipe: PipelineRecipe): Promise<PipelineConfig> {
  const module = (await import(recipe.module)) as Record<string, unknown>;
  const name = recipe.export ?? 'default';
  const build = module[name];
  if (typeof build !== 'function') {
    throw new Error(`recipe ${recipe.module} has no function export '${name}'; export a function that returns the PipelineConfig`);
  }
  return (await (build as (options: unknown) => PipelineConfig | Promise<PipelineConfig>)(recipe.options)) as PipelineConfig;
}

/**
 * The structure a recipe must reproduce, as one string: the method, and per stage its
 * delay and its weights' names and shapes. Two pipelines whose descriptions are equal
 * run the same instructions on the same kinds of state.
 */
export function describeStructure(pipe: Pipeline): string {
  const stages = pipe.stages.map((stage) => {
    const weights = [...stage.params].map(([name, w]) => `${name}[${w.shape.join(',')}]`).join(' ');
    return `stage ${stage.index} (D=${stage.delay}): ${weights}`;
  });
  return [`method ${pipe.method.name}, ${pipe.stages.length} stages`, ...stages].join('\n');
}
