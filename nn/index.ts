/**
 * pipegrad's neural-network layer: modules and their named state, layers,
 * normalizations, initializers, residual blocks, the model families, pipeline units,
 * and checkpoints.
 *
 * @example
 * import { createModel, runUnits } from 'pipegrad/nn';
 * const model = createModel('resnet20', { seed: 0 });
 * const units = model.pipelineUnits();     // one per conv (+norm+relu), two per block
 * runUnits(units, x);                      // bit-identical to model.forward(x)
 *
 * @module nn
 */
export { Module, joinPath, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export {
  fanIn,
  gain,
  heNormal,
  heUniform,
  isResidualBranch,
  kaimingNormal,
  kaimingUniform,
  pytorchDefault,
  pytorchDefaultInit,
  zeroInitResidual,
  zeroParameter,
  type Initializer,
  type KaimingOptions,
  type Nonlinearity,
  type ResidualBranch,
} from './init.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { checkSize, checkSize2 } from './layers/check-size.js';
export { Conv2d, type Conv2dLayerOptions, type ConvSettings } from './layers/conv2d.js';
export { Identity, ReLU, Sigmoid, Tanh } from './layers/activations.js';
export { AvgPool2d, GlobalAvgPool, MaxPool2d, type PoolOptions } from './layers/pooling.js';
export { Flatten } from './layers/flatten.js';
export { Dropout } from './layers/dropout.js';
export { Sequential } from './layers/sequential.js';
export { channelShape, Normalization, standardize, type NormalizationOptions, type Standardized } from './layers/normalization.js';
export { GroupNorm } from './layers/group-norm.js';
export { LayerNorm } from './layers/layer-norm.js';
export { BatchNorm2d, type BatchNormOptions } from './layers/batch-norm.js';
export { NORM_KINDS, normFactory, type NormFactory, type NormFactoryOptions, type NormKind } from './norm-factory.js';
export { BasicBlock } from './blocks/basic-block.js';
export { Bottleneck } from './blocks/bottleneck.js';
export { ZeroPadShortcut } from './blocks/zero-pad-shortcut.js';
export { stridedSize, zeroBranchEnd, type BlockOptions } from './blocks/residual.js';
export {
  chainUnit,
  extendUnit,
  isSplittable,
  makeUnit,
  ModuleGroup,
  runUnits,
  UnitModule,
  unitsOfChildren,
  type Model,
  type PipelineUnit,
  type Splittable,
} from './pipeline-unit.js';
export * from './models/index.js';
export * from './checkpoint-contents.js';
export * from './safetensors.js';
