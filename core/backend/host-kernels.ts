/**
 * The {@link DeviceKernels} form of any backend's host kernels: what ops call when
 * results are not to stay on a device (outside a device scope, or on a backend with no
 * device memory such as the CPU backend).
 *
 * Every argument must be a host array here (ops read a device-resident tensor back
 * before they call these), and every result is one. The two batched kernels are loops
 * over the backend's per-image kernels: `im2col` stacks the images' columns, and
 * `col2im` folds each image's columns into a zeroed buffer. The convolution kernels are
 * the backend's fused ones where it has them ({@link Backend.fusedConv}), and im2col +
 * GEMM over these kernels otherwise (`unfolded-conv.ts`).
 *
 * @module
 */
import type { Backend, Conv2dGeometry, Data, DeviceArray, DeviceKernels, Operand } from './backend.js';
import { unfoldedConv } from './unfolded-conv.js';
import { resultBuffer } from './buffer-pool.js';

function host(kernel: string, backend: Backend, x: Operand): Data {
  if (x instanceof Float32Array || x instanceof Float64Array) return x;
  throw new Error(`${backend.name}.${kernel}: got a device array of ${x.owner.name}; read it back to the host first (tensor.data)`);
}

const adapters = new WeakMap<Backend, DeviceKernels>();

/**
 * `backend`'s host kernels in the {@link DeviceKernels} form (made once per backend).
 *
 * @example
 * const k = hostKernels(cpuBackend);
 * const cols = k.im2col(images, 2, geometry); // [2, C·kH·kW, outH·outW], a Float32Array
 */
export function hostKernels(backend: Backend): DeviceKernels {
  const found = adapters.get(backend);
  if (found) return found;
  const b = backend;
  const base: Omit<DeviceKernels, 'conv2d' | 'conv2dInputGrad' | 'conv2dWeightGrad'> = {
    owns: (_x: Operand): _x is DeviceArray => false,
    unary: (op, x, param) => b.unary(op, host('unary', b, x), param),
    binary: (op, a, aShape, c, cShape, outShape) => b.binary(op, host('binary', b, a), aShape, host('binary', b, c), cShape, outShape),
    reduce: (op, x, shape, axes) => b.reduce(op, host('reduce', b, x), shape, axes),
    gemm: (a, c, args) => b.gemm(host('gemm', b, a), host('gemm', b, c), args),
    gather: (x, shape, strides, offset) => b.gather(host('gather', b, x), shape, strides, offset),
    pad: (x, shape, outShape, starts, value) => b.pad(host('pad', b, x), shape, outShape, starts, value),
    im2col(x: Operand, n: number, g: Conv2dGeometry): Data {
      const data = host('im2col', b, x);
      const image = g.channels * g.height * g.width;
      const block = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
      if (n === 1) return b.im2col(data, 0, g);
      const out = resultBuffer(data, n * block);
      for (let i = 0; i < n; i++) out.set(b.im2col(data, i * image, g), i * block);
      return out;
    },
    col2im(cols: Operand, n: number, g: Conv2dGeometry): Data {
      const data = host('col2im', b, cols);
      const image = g.channels * g.height * g.width;
      const block = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
      if (data.length !== n * block) {
        throw new Error(`${b.name}.col2im: cols has ${data.length} elements; ${n} images of ${g.channels * g.kernelH * g.kernelW}×${g.outH * g.outW} columns need ${n * block}`);
      }
      const out = resultBuffer(data, n * image);
      for (let i = 0; i < n; i++) b.col2im(n === 1 ? data : data.subarray(i * block, (i + 1) * block), g, out, i * image);
      return out;
    },
    maxPool2d: (x, n, g) => b.maxPool2d(host('maxPool2d', b, x), n, g),
    maxPool2dBackward: (grad, argmax, inputSize) => b.maxPool2dBackward(host('maxPool2dBackward', b, grad), argmax, inputSize),
    avgPool2d: (x, n, g) => b.avgPool2d(host('avgPool2d', b, x), n, g),
    avgPool2dBackward: (grad, n, g) => b.avgPool2dBackward(host('avgPool2dBackward', b, grad), n, g),
  };
  const fused = b.fusedConv;
  const conv = fused === undefined ? unfoldedConv(base) : {
    conv2d: (x: Operand, w: Operand, n: number, o: number, g: Conv2dGeometry) => fused.conv2d(host('conv2d', b, x), host('conv2d', b, w), n, o, g),
    conv2dInputGrad: (grad: Operand, w: Operand, n: number, o: number, g: Conv2dGeometry) => fused.conv2dInputGrad(host('conv2dInputGrad', b, grad), host('conv2dInputGrad', b, w), n, o, g),
    conv2dWeightGrad: (grad: Operand, x: Operand, n: number, o: number, g: Conv2dGeometry) => fused.conv2dWeightGrad(host('conv2dWeightGrad', b, grad), host('conv2dWeightGrad', b, x), n, o, g),
  };
  const kernels: DeviceKernels = { ...base, ...conv };
  adapters.set(backend, kernels);
  return kernels;
}
