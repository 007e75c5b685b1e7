/**
 * Fine-grained Pipelined Backpropagation: stages, schedules as data, the engine that
 * interprets them with explicit weight versions, the mitigations, and accounting.
 *
 * @example
 * import { createModel } from 'pipegrad/nn';
 * import { Pipeline, resolveMethod, sgdForMethod } from 'pipegrad/pipeline';
 * const model = createModel('smallcnn');
 * const method = resolveMethod('pb+sc+lwp');
 * const pipe = new Pipeline({ units: model.pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }) });
 *
 * @module pipeline
 */
export type { Instruction, InstructionKind, Tick, Schedule, ScheduleSize } from './instruction.js';
export { formatInstruction, checkCount, checkScheduleSize } from './instruction.js';
export {
  makeSchedule,
  resolveSchedule,
  isFlushSchedule,
  scheduleNames,
  scheduleDefinitions,
  defineSchedule,
  type ScheduleName,
  type ScheduleOptions,
  type ScheduleDefinition,
  type StreamSize,
} from './schedules/index.js';
export { sequential, sequentialSchedule } from './schedules/sequential.js';
export { pb, pbSchedule, delayOf } from './schedules/pb.js';
export { gpipe, gpipeSchedule, defineFlushSchedule, gpipePlacement, type FlushScheduleSize, type RoundPlacement, type RoundWork } from './schedules/gpipe.js';
export { oneFOneB, oneFOneBSchedule, oneFOneBPlacement } from './schedules/one-f-one-b.js';
export { accountSchedule, type ScheduleAccount, type StageAccount } from './accounting.js';
export { steadyStateDelays } from './delays.js';
export { renderAscii } from './render-ascii.js';
export { renderSvg, kindColors } from './render-svg.js';
export { partitionUnits, type Partition } from './partition.js';
export { PipelineStage, type StageSnapshot, type StageInfo, type InFlight, type StageGradients, type StageState } from './stage.js';
export { predictWeights, axpy } from './weight-prediction.js';
export {
  mitigations,
  mitigationNames,
  resolveMitigation,
  composeMitigations,
  none,
  sc,
  lwp,
  stash,
  spectrain,
  pipemare,
  pipemareMitigation,
  pipemareWarmup,
  pipemareExponent,
  updateDiscrepancy,
  correctedWeights,
  type Mitigation,
  type MitigationName,
  type WeightContext,
  type VersionedWeights,
  type OptimizerChange,
  type PipeMareOptions,
} from './mitigations/index.js';
export { methodFor, resolveMethod, methodNames, methodScheduleNames, type MethodSpec } from './methods.js';
export { sgdForMethod, type SgdHyperParameters } from './sgd-for-method.js';
export {
  Pipeline,
  NonFiniteLossError,
  classificationLoss,
  type PipelineConfig,
  type Example,
  type Target,
  type LossFn,
  type SampleResult,
  type VersionRecord,
} from './engine.js';
export { emptyMemory, measureStage, type StageMemory } from './memory.js';
export { simulate } from './simulate.js';
export { accountPipeline, formatBytes, type PipelineAccount, type StageRow } from './model-accounting.js';
export { Mailbox, messageKey, type StageMessage, type StageMessageKind, type StageMessageOf } from './mailbox.js';
export {
  ParallelPipeline,
  serveStageWorker,
  type WorkerClock,
  assignWorkers,
  workerOf,
  stageCosts,
  opFlops,
  opCost,
  ELEMENTWISE_WEIGHT,
  configFromRecipe,
  describeStructure,
  portEndpoint,
  toWire,
  fromWire,
  stageMessageFromWire,
  type ParallelOptions,
  type ParallelRunStats,
  type WorkerRunStats,
  type WorkerAssignment,
  type PipelineRecipe,
  type Endpoint,
  type WorkerHandle,
  type WorkerHost,
  type PortLike,
  type WireTensor,
} from './parallel/index.js';
