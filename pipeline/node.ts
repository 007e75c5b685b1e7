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
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { WorkerHandle, WorkerHost } from './parallel/host.js';
import type { WorkerClock } from './parallel/stage-worker.js';

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

/**
 * The CPU time of the calling thread, from Linux's `/proc/thread-self/stat` (user +
 * system time, in the kernel's 1/100 s ticks); undefined where that file does not
 * exist. Each worker reports it per run, so a benchmark on a busy machine can compare
 * the work each thread did, which other jobs do not change, as well as the wall clock.
 */
export const threadClock: WorkerClock | undefined = (() => {
  const read = (): number => {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), utime and stime; the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  try {
    read();
    return { cpuSeconds: read };
  } catch {
    return undefined;
  }
})();
