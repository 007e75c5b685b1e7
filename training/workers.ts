/**
 * The worker threads of a training run: how many (`workers` of the configuration, with
 * `auto` resolved), which stages each runs (balanced by each stage's cost), and the
 * checks that refuse what cannot run in parallel. The threads themselves come from a
 * host given to the run ({@link WorkerThreads}; in Node, `nodeWorkerThreads()` of
 * `pipegrad/training/node`), so that this folder stays browser-safe.
 *
 * @module
 */
import { Tensor } from '../core/index.js';
import { ParallelPipeline, stageCosts, type Pipeline, type PipelineRecipe, type WorkerHost } from '../pipeline/index.js';
import type { ConfigNaming, TrainConfig } from './config.js';
import { ConfigError } from './errors.js';

/** What runs a training run's stages on threads: the host that starts them, and the cores `auto` may use. */
export interface WorkerThreads {
  /** Starts each worker (`nodeWorkerHost()` of `pipegrad/pipeline/node` in Node). */
  host: WorkerHost;
  /** The cores available (`workers: 'auto'` uses this many, at most one per stage). */
  cores: number;
}

/**
 * The number of workers a run uses: `workers`, or for `auto` the cores of `threads`
 * capped at the stage count (1 without threads).
 */
export function workerCountFor(c: TrainConfig, stages: number, threads: WorkerThreads | undefined): number {
  if (c.workers === 'auto') return threads ? Math.max(1, Math.min(threads.cores, stages)) : 1;
  return c.workers;
}

/**
 * With more than one worker, start the workers that run `pipe`'s stages, balanced by
 * each stage's cost (`stageCosts` of one batch of `inputShape`); null for the
 * single-thread engine. `pipe` already holds a resumed checkpoint's state: the workers
 * receive it before every run.
 *
 * @throws {@link ConfigError} without `threads`, on the gpu backend, or for more workers
 *   than stages; the errors name the settings as `naming` says.
 */
export async function startWorkers(c: TrainConfig, pipe: Pipeline, recipe: PipelineRecipe, inputShape: readonly number[], threads: WorkerThreads | undefined, naming: ConfigNaming): Promise<ParallelPipeline | null> {
  const stages = pipe.stages.length;
  const workers = workerCountFor(c, stages, threads);
  if (workers <= 1) return null;
  const flag = naming.name('workers');
  if (!threads) throw new ConfigError(`${flag} ${workers}: this run has no worker threads; give runTraining the option workerThreads (in Node: nodeWorkerThreads() of pipegrad/training/node), or use ${flag} 1`);
  if (c.backend.startsWith('gpu')) throw new ConfigError(`${flag} ${workers}: the ${c.backend} backend runs single-worker; use ${flag} 1, or ${naming.name('backend')} wasm or ts to run the stages on ${workers} workers`);
  if (workers > stages) throw new ConfigError(`${flag} ${workers}: the pipeline has ${stages} stages, and each worker runs at least one; use ${flag} ${stages} or fewer`);
  const input = new Tensor(new Float32Array(c.batchSize * inputShape.reduce((a, b) => a * b, 1)), [c.batchSize, ...inputShape]);
  return ParallelPipeline.start(pipe, { recipe, workers, host: threads.host, stageCosts: stageCosts(pipe, input) });
}
