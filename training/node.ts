/**
 * The Node-only part of training: a run's files in a folder ({@link folderStore}), and
 * evaluation of a checkpoint file. Kept out of `training/index.ts` so that the rest of
 * training runs in a browser too.
 *
 * @example
 * import { loadDataset } from 'pipegrad/datasets/node';
 * import { runTraining, trainConfig } from 'pipegrad/training';
 * import { folderStore } from 'pipegrad/training/node';
 * const store = folderStore('runs/mlp-spirals');
 * await runTraining(trainConfig({ model: 'mlp', dataset: 'spirals', epochs: 3 }), { load: loadDataset, store, resumeFrom: store });
 *
 * @module training/node
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { nodeWorkerHost } from '../pipeline/node.js';
import { loadDataset } from '../datasets/node.js';
import { ConfigError } from './errors.js';
import { evaluateCheckpoint, type CheckpointEvaluation, type EvaluationOverrides } from './evaluate-checkpoint.js';
import type { WorkerThreads } from './workers.js';

export { folderStore } from './folder-store.js';

/**
 * Worker threads for a run with `workers` above 1: Node's `worker_threads`, and the
 * machine's cores for `workers: 'auto'`.
 *
 * @example
 * await runTraining(trainConfig({ model: 'mlp', dataset: 'spirals', workers: 2 }), { load: loadDataset, workerThreads: nodeWorkerThreads() });
 */
export function nodeWorkerThreads(): WorkerThreads {
  return { host: nodeWorkerHost(), cores: availableParallelism() };
}

/**
 * Evaluate the checkpoint file at `path` on the test split of its data set, loaded by
 * `loadDataset` (see {@link evaluateCheckpoint}).
 *
 * @throws `ConfigError` "checkpoint not found: <path>" when there is no such file.
 * @example
 * const { evaluation } = evaluateCheckpointFile('runs/first/checkpoint-epoch-0003.safetensors');
 */
export function evaluateCheckpointFile(path: string, overrides: EvaluationOverrides = {}): CheckpointEvaluation {
  if (!existsSync(path)) throw new ConfigError(`checkpoint not found: ${path}`);
  const bytes = readFileSync(path);
  return evaluateCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, loadDataset, overrides);
}
