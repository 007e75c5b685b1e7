/**
 * The script a Node worker thread of a parallel pipeline runs: it serves the main
 * thread through its parent port. Node-only; started by `nodeWorkerHost()`.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { threadClock } from './node.js';
import { portEndpoint, type PortLike } from './parallel/host.js';
import { serveStageWorker } from './parallel/stage-worker.js';

if (parentPort === null) throw new Error('pipeline/node-worker runs inside a worker thread; start it with nodeWorkerHost()');
serveStageWorker(portEndpoint(parentPort as unknown as PortLike), threadClock);
