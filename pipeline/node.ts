/**
 * The Node host of a parallel pipeline: workers are `worker_threads`. Node-only (the
 * rest of `pipeline/` runs in a browser too, where Web Workers host the same
 * `serveStageWorker`).
 *
 * @example
 * import { nodeWorkerHost } from 'pipegrad/pipeline/node';
 * const parallel = await ParallelPipeline.start(pipe, { recipe, workers: 2, host: nodeWorkerHost() });
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { WorkerHandle, WorkerHost } from './parallel/host.js';

/**
 * A host that starts each worker as a `worker_threads` Worker running
 * `pipeline/node-worker`. From the TypeScript sources (run through tsx), the worker
 * first registers tsx's loader, which a Worker does not inherit, then imports the
 * entry.
 */
export function nodeWorkerHost(): WorkerHost {
  return { name: 'node:worker_threads', start: startNodeWorker };
}

function startNodeWorker(): WorkerHandle {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './node-worker.ts' : './node-worker.js', import.meta.url);
  const worker = fromSources
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true })
    : new Worker(entry);
  let stopping = false;
  const errorHandlers: ((error: Error) => void)[] = [];
  worker.on('error', (error) => errorHandlers.forEach((h) => h(error)));
  worker.on('exit', (code) => {
    if (!stopping) errorHandlers.forEach((h) => h(new Error(`parallel pipeline: a worker exited unexpectedly with code ${code}`)));
  });
  return {
    post: (message, transfer = []) => worker.postMessage(message, transfer as never[]),
    listen: (handler) => worker.on('message', handler),
    onError: (handler) => errorHandlers.push(handler),
    terminate: () => {
      stopping = true;
      void worker.terminate();
    },
  };
}
