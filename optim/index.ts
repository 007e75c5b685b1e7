/**
 * pipegrad's optimizers: gradient transforms that compose into chains (optax style),
 * the usual optimizers built from them, learning-rate schedules in samples, the
 * batch-size scaling rules, and the {@link Optimizer} that runs a chain over weights.
 *
 * @example
 * import { Optimizer, sgd, cosine, linearWarmup } from 'pipegrad/optim';
 * const opt = new Optimizer(sgd({ lr: linearWarmup(50_000, cosine(0.1, 10_000_000)), momentum: 0.9 }), params);
 * params = opt.step(grads);
 *
 * @module optim
 */
export {
  applyUpdates,
  checkGradients,
  checkNames,
  allocateLike,
  scaleTensors,
  zerosLike,
  stateTensor,
  checkState,
  type Params,
  type UpdateContext,
  type GradientTransform,
  type TransformResult,
} from './transform.js';
export { mapTensors } from './map-tensors.js';
export { chain } from './chain.js';
export { addWeightDecay, type WeightDecayOptions } from './add-weight-decay.js';
export { momentum, momentumFamily, checkMomentum, type MomentumState, type MomentumMix } from './momentum.js';
export { nesterov } from './nesterov.js';
export { spikeCompensation, type SpikeCompensationOptions } from './spike-compensation.js';
export { scaleByLearningRate } from './scale-by-learning-rate.js';
export { clipByGlobalNorm, globalNorm } from './clip-by-global-norm.js';
export { scaleByAdam, adam, adamw, type AdamState, type AdamOptions, type AdamChainOptions } from './adam.js';
export { sgd, type SgdOptions } from './sgd.js';
export { constant, multiStep, cosine, linearWarmup, sequence, type Schedule, type CosineOptions, type WarmupOptions } from './schedules.js';
export { scaleHyperparameters, type HyperParameters } from './scaling.js';
export { flattenState, restoreState } from './state-dict.js';
export { Optimizer, stepModule, paramsOf, gradsOf, type StepContext, type OptimizerStateDict, type ModuleLike } from './optimizer.js';
