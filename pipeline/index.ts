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
export { makeSchedule, isFlushSchedule, scheduleNames, type ScheduleName, type ScheduleOptions } from './schedules/index.js';
export { sequentialSchedule } from './schedules/sequential.js';
export { pbSchedule } from './schedules/pb.js';
export { gpipeSchedule, type FlushScheduleSize } from './schedules/gpipe.js';
export { oneFOneBSchedule } from './schedules/one-f-one-b.js';
export { accountSchedule, delayOf, type ScheduleAccount, type StageAccount } from './accounting.js';
export { renderAscii } from './render-ascii.js';
export { renderSvg, kindColors } from './render-svg.js';
export { partitionUnits, type Partition } from './partition.js';
export { PipelineStage, type StageSnapshot, type StageInfo, type InFlight, type StageOptions, type StageGradients } from './stage.js';
export { predictWeights, axpy } from './weight-prediction.js';
export { pipemareWarmup, pipemareExponent, updateDiscrepancy, correctedWeights, type PipeMareOptions } from './pipemare.js';
export { methodFor, resolveMethod, methodNames, mitigationNames, methodScheduleNames, type MethodSpec, type Mitigation, type WeightPolicy } from './methods.js';
export {
  Pipeline,
  NonFiniteLossError,
  classificationLoss,
  sgdForMethod,
  type PipelineConfig,
  type Example,
  type Target,
  type LossFn,
  type SampleResult,
  type VersionRecord,
  type StageMemory,
  type SgdHyperParameters,
} from './engine.js';
export { accountPipeline, formatBytes, type PipelineAccount, type StageRow } from './model-accounting.js';
