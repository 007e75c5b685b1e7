/**
 * Convolution as im2col and GEMM: the convolution kernels of {@link DeviceKernels},
 * written once over any kernel set's `im2col`, `gemm`, `col2im` and `reduce`.
 *
 * `im2col` unfolds the input patches of each image into a matrix `cols` of shape
 * `[C·kH·kW, outH·outW]`; with the filters `W` as a `[O, C·kH·kW]` matrix,
 *
 * ```
 * out[i]  = W · cols[i]                      forward, [O, outH·outW] per image
 * dx[i]   = col2im(Wᵀ · G[i])                input gradient
 * dW      = Σ_i G[i] · cols[i]ᵀ              filter gradient (cols recomputed from x)
 * ```
 *
 * Each is one batched GEMM over the images (`W` broadcast with stride 0). The unfolded
 * columns and the products are intermediates: a device array among them is released as
 * soon as the next kernel has read it. A backend with fused kernels
 * ({@link Backend.fusedConv}, the wasm backend) computes the same thing without handing
 * the columns back; `host-kernels.ts` chooses.
 *
 * @module
 */
import type { Conv2dGeometry, DeviceKernels, Operand } from './backend.js';

/** The convolution kernels of a {@link DeviceKernels} set. */
export type ConvKernels = Pick<DeviceKernels, 'conv2d' | 'conv2dInputGrad' | 'conv2dWeightGrad'>;

/** The kernels the unfolded convolution is built from. */
export type UnfoldingKernels = Pick<DeviceKernels, 'owns' | 'im2col' | 'gemm' | 'col2im' | 'reduce'>;

/** `C·kH·kW` (rows of the columns) and `outH·outW` (their columns) of a geometry. */
export function unfoldedSize(g: Conv2dGeometry): { kdim: number; plane: number } {
  return { kdim: g.channels * g.kernelH * g.kernelW, plane: g.outH * g.outW };
}

/**
 * The three convolution kernels over `k`'s im2col, GEMM and col2im.
 *
 * @example
 * const conv = unfoldedConv(hostKernels(cpuBackend));
 * const y = conv.conv2d(x, w, 1, 16, geometry); // [1, 16, outH·outW]
 */
export function unfoldedConv(k: UnfoldingKernels): ConvKernels {
  /** Free an intermediate that lives on a device; host arrays are left to the garbage collector. */
  const done = (x: Operand): void => {
    if (k.owns(x)) x.release();
  };
  return {
    conv2d(x: Operand, w: Operand, n: number, outChannels: number, g: Conv2dGeometry): Operand {
      const { kdim, plane } = unfoldedSize(g);
      const cols = k.im2col(x, n, g);
      const out = k.gemm(w, cols, { batch: n, m: outChannels, n: plane, k: kdim, transA: false, transB: false, strideA: 0, strideB: kdim * plane });
      done(cols);
      return out;
    },
    conv2dInputGrad(grad: Operand, w: Operand, n: number, outChannels: number, g: Conv2dGeometry): Operand {
      const { kdim, plane } = unfoldedSize(g);
      const dcols = k.gemm(w, grad, { batch: n, m: kdim, n: plane, k: outChannels, transA: true, transB: false, strideA: 0, strideB: outChannels * plane });
      const dx = k.col2im(dcols, n, g);
      done(dcols);
      return dx;
    },
    conv2dWeightGrad(grad: Operand, x: Operand, n: number, outChannels: number, g: Conv2dGeometry): Operand {
      const { kdim, plane } = unfoldedSize(g);
      const cols = k.im2col(x, n, g);
      const parts = k.gemm(grad, cols, { batch: n, m: outChannels, n: kdim, k: plane, transA: false, transB: true, strideA: outChannels * plane, strideB: kdim * plane });
      done(cols);
      if (n === 1) return parts;
      const dw = k.reduce('sum', parts, [n, outChannels, kdim], [0]);
      done(parts);
      return dw;
    },
  };
}

