/**
 * Running a pipeline's stages on several workers at once (browser-safe; the Node host
 * is `pipegrad/pipeline/node`).
 *
 * @module
 */
export { ParallelPipeline, type ParallelOptions, type ParallelRunStats, type WorkerRunStats } from './parallel-pipeline.js';
export { serveStageWorker, type WorkerClock } from './stage-worker.js';
export { assignWorkers, workerOf, type WorkerAssignment } from './worker-assignment.js';
export { stageCosts, opFlops, opCost, ELEMENTWISE_WEIGHT } from './stage-cost.js';
export { configFromRecipe, describeStructure, type PipelineRecipe } from './recipe.js';
export { portEndpoint, type Endpoint, type WorkerHandle, type WorkerHost, type PortLike } from './host.js';
export { toWire, fromWire, stageMessageFromWire, type WireTensor } from './wire.js';
