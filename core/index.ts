/**
 * pipegrad's core: tensors, ops with their VJPs, reverse-mode autodiff, seeded
 * randomness and backends.
 *
 * @example
 * import { Rng, randn, matmul, relu, sum, backward } from 'pipegrad/core';
 * const rng = new Rng(0);
 * const w = randn([3, 2], rng).requireGrad();
 * const loss = sum(relu(matmul(randn([4, 3], rng), w)));
 * backward(loss);
 * w.grad; // d loss / d w
 *
 * @module core
 */
export { Tensor, sizeOf, contiguousStrides, fmtShape, type NestedArray } from './tensor.js';
export { Rng, type Shuffleable } from './random.js';
export { deviceScope, DeviceScope, keep, isDeviceScopeActive, type DeviceScopeOptions } from './device-scope.js';
export { resultBuffer, overwrittenBuffer, bufferPoolStats, clearBufferPool, POOL_LIMIT_BYTES, type BufferPoolStats } from './backend/buffer-pool.js';
export { Storage, type ScopeState } from './storage.js';
export { zeros, ones, full, scalar, arange, fromArray, randn, rand, cast } from './creation.js';
export { backward, gradients, type BackwardOptions } from './autodiff.js';
export { noGrad, isGradEnabled } from './grad-mode.js';
export { collectTape, type TapeNode } from './tape.js';
export { checkOptions } from './check-options.js';
export { axpby } from './axpby.js';
export { defineOp, getOp, listOps, type OpDefinition, type Op, type Vjp, type VjpContext, type ForwardResult } from './registry.js';
export {
  getBackend,
  setBackend,
  registerBackend,
  listBackends,
  cpuBackend,
  defaultBackendName,
  createWasmBackend,
  createWasmBackendAsync,
  wasmSimdSupported,
  useGpuBackend,
  useBackend,
  createGpuBackend,
  GPU_MODES,
  GpuUnavailableError,
  type WasmBackend,
  type GpuBackend,
  type GpuBackendOptions,
  type GpuStats,
  type GpuMode,
  type GpuMissing,
  type GpuJsModule,
} from './backend/index.js';
export type { Backend, MaxPoolResult, Data, DType, UnaryOp, BinaryOp, ReduceOp, GemmArgs, Conv2dGeometry, DeviceArray, DeviceKernels, FusedConvKernels, DeviceMaxPoolResult, Operand } from './backend/backend.js';
export { hostKernels } from './backend/host-kernels.js';
export { add, sub, mul, div, maximum, neg, exp, log, sqrt, pow, abs, relu, tanh, sigmoid, square } from './ops/elementwise.js';
export { sum, mean, max } from './ops/reduce.js';
export { reshape, flatten, permute, transpose, slice, concat, pad, type SliceRange } from './ops/shape.js';
export { matmul } from './ops/matmul.js';
export { conv2d, maxPool2d, avgPool2d, globalAvgPool2d, type Conv2dOptions, type Pool2dOptions, type Size2 } from './ops/conv.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { crossEntropy, mse, type Reduction } from './ops/loss.js';
export { dropout } from './ops/dropout.js';
export { unbroadcast, expandTo } from './ops/unbroadcast.js';
export { broadcastShapes, type TensorLike } from './ops/shape-utils.js';
