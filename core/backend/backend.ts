/**
 * The kernel interface every backend implements.
 *
 * Ops (see `core/ops/`) are written once over these kernels; a backend implements
 * kernels, never ops. Every kernel reads contiguous row-major buffers and returns a
 * new contiguous buffer of the same element type as its first input (`Float32Array`
 * for training, `Float64Array` for gradient checks).
 *
 * @module
 */

/** A contiguous row-major buffer of tensor elements. */
export type Data = Float32Array | Float64Array;

/** The element types a tensor may have. `float32` is the default; `float64` exists for gradient checks. */
export type DType = 'float32' | 'float64';

/**
 * Elementwise one-input kernels. `pow` raises to `param`; `scale` multiplies by
 * `param`; `shift` adds `param`; `reluGrad` is 1 where x > 0 else 0; `sign` is -1, 0 or 1.
 */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'relu' | 'reluGrad'
  | 'tanh' | 'sigmoid' | 'pow' | 'scale' | 'shift' | 'copy';

/** Elementwise two-input kernels with NumPy broadcasting. `eq` and `gt` return 1 or 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'eq' | 'gt';

/** Reductions over a set of axes. */
export type ReduceOp = 'sum' | 'max';

/** Geometry of a 2-D convolution or pooling window over one NCHW image. */
export interface Conv2dGeometry {
  /** Input channels (per group for im2col). */
  channels: number;
  /** Input height. */
  height: number;
  /** Input width. */
  width: number;
  /** Kernel height. */
  kernelH: number;
  /** Kernel width. */
  kernelW: number;
  /** Stride along height. */
  strideH: number;
  /** Stride along width. */
  strideW: number;
  /** Zero padding added on top and bottom. */
  padH: number;
  /** Zero padding added left and right. */
  padW: number;
  /** Dilation along height. */
  dilationH: number;
  /** Dilation along width. */
  dilationW: number;
  /** Output height, `floor((H + 2p - d(k-1) - 1)/s) + 1`. */
  outH: number;
  /** Output width. */
  outW: number;
}

/** Arguments of a (batched) matrix product `C[b] = op(A[b]) · op(B[b])`. */
export interface GemmArgs {
  /** Number of independent products. */
  batch: number;
  /** Rows of op(A) and of C. */
  m: number;
  /** Columns of op(B) and of C. */
  n: number;
  /** Columns of op(A), rows of op(B). */
  k: number;
  /** When true A is stored as [k, m] (so op(A) = Aᵀ). */
  transA: boolean;
  /** When true B is stored as [n, k] (so op(B) = Bᵀ). */
  transB: boolean;
  /** Elements between consecutive A matrices; 0 broadcasts one A over the batch. */
  strideA: number;
  /** Elements between consecutive B matrices; 0 broadcasts one B over the batch. */
  strideB: number;
}

/** What max pooling returns: the pooled values and where each came from. */
export interface MaxPoolResult {
  /** The pooled output `[n, C, outH, outW]`. */
  out: Data;
  /** For each output, the flat index of its maximum in the input (−1 when the window held only padding). */
  argmax: Int32Array;
}

/**
 * An array a backend keeps in its own memory between kernels (a GPU texture), from the
 * kernel that made it until it is downloaded or released. Tensors hold one through
 * their storage (see `core/device-scope.ts` for who releases it, and when).
 */
export interface DeviceArray {
  /** Number of elements (float32). */
  readonly length: number;
  /** The backend whose kernels made it; only that backend's {@link DeviceKernels} read it. */
  readonly owner: Backend;
  /** True once downloaded or released: the device memory is gone. */
  readonly released: boolean;
  /** Copy the elements into a new host `Float32Array` and free the device memory. */
  download(): Float32Array;
  /** Free the device memory without reading it. */
  release(): void;
}

/** A device kernel's argument or result: host data, or a device array of the backend called. */
export type Operand = Data | DeviceArray;

/** What the device form of max pooling returns: the pooled values (on the device) and, on the host, where each came from. */
export interface DeviceMaxPoolResult {
  /** The pooled output `[n, C, outH, outW]`. */
  out: Operand;
  /** For each output, the flat index of its maximum in the input (−1 when the window held only padding). */
  argmax: Int32Array;
}

/**
 * The kernels ops call, in a form whose results may stay on the device.
 *
 * Arguments are host arrays or device arrays that this kernel set {@link DeviceKernels.owns | owns};
 * results are device arrays on a backend that keeps data on its device (the gpu
 * backend's `deviceKernels`, used inside a device scope), and host arrays otherwise.
 * A float64 first argument always gives a float64 host result (gradient checks).
 *
 * Two kernels are batched here where {@link Backend}'s work on one image:
 * {@link DeviceKernels.im2col} unfolds `n` images at once and
 * {@link DeviceKernels.col2im} folds into a new zeroed buffer rather than adding into
 * an existing one, so a convolution is one GEMM over the batch and nothing is written
 * in place.
 */
export interface DeviceKernels {
  /** True when `x` is a live device array these kernels can read. */
  owns(x: Operand): x is DeviceArray;
  /** Elementwise map; see {@link Backend.unary}. */
  unary(op: UnaryOp, x: Operand, param?: number): Operand;
  /** Elementwise zip with broadcasting; see {@link Backend.binary}. */
  binary(op: BinaryOp, a: Operand, aShape: readonly number[], b: Operand, bShape: readonly number[], outShape: readonly number[]): Operand;
  /** Reduction with kept axes; see {@link Backend.reduce}. */
  reduce(op: ReduceOp, x: Operand, shape: readonly number[], axes: readonly number[]): Operand;
  /** Batched matrix product; see {@link Backend.gemm}. */
  gemm(a: Operand, b: Operand, args: GemmArgs): Operand;
  /** Copy a strided view into a new contiguous array; see {@link Backend.gather}. */
  gather(x: Operand, shape: readonly number[], strides: readonly number[], offset: number): Operand;
  /** A new array of `outShape` filled with `value`, with `x` written at `starts`; see {@link Backend.pad}. */
  pad(x: Operand, shape: readonly number[], outShape: readonly number[], starts: readonly number[], value: number): Operand;
  /** Unfold `n` images `[n, C, H, W]` into columns `[n, C·kH·kW, outH·outW]`. */
  im2col(x: Operand, n: number, g: Conv2dGeometry): Operand;
  /** Fold columns `[n, C·kH·kW, outH·outW]` into a new image batch `[n, C, H, W]` (overlapping windows add). */
  col2im(cols: Operand, n: number, g: Conv2dGeometry): Operand;
  /** Max pooling; see {@link Backend.maxPool2d}. */
  maxPool2d(x: Operand, n: number, g: Conv2dGeometry): DeviceMaxPoolResult;
  /** Gradient of max pooling; see {@link Backend.maxPool2dBackward}. */
  maxPool2dBackward(grad: Operand, argmax: Int32Array, inputSize: number): Operand;
  /** Average pooling; see {@link Backend.avgPool2d}. */
  avgPool2d(x: Operand, n: number, g: Conv2dGeometry): Operand;
  /** Gradient of average pooling; see {@link Backend.avgPool2dBackward}. */
  avgPool2dBackward(grad: Operand, n: number, g: Conv2dGeometry): Operand;
  /**
   * Ungrouped convolution of `n` images `x` `[n, C, H, W]` with filters `w`
   * `[O, C·kH·kW]`: `out[i] = w · im2col(x[i])`, `[n, O, outH·outW]` (no bias).
   */
  conv2d(x: Operand, w: Operand, n: number, outChannels: number, g: Conv2dGeometry): Operand;
  /** The input gradient of {@link DeviceKernels.conv2d}: `dx[i] = col2im(wᵀ · grad[i])`, `[n, C, H, W]`. */
  conv2dInputGrad(grad: Operand, w: Operand, n: number, outChannels: number, g: Conv2dGeometry): Operand;
  /** The filter gradient of {@link DeviceKernels.conv2d}: `dw = Σ_i grad[i] · im2col(x[i])ᵀ`, `[O, C·kH·kW]`. */
  conv2dWeightGrad(grad: Operand, x: Operand, n: number, outChannels: number, g: Conv2dGeometry): Operand;
}

/**
 * Convolution kernels a host backend may fuse: each computes what its
 * {@link DeviceKernels} namesake computes through im2col and GEMM
 * (`core/backend/unfolded-conv.ts`), without handing the unfolded columns back in
 * between (the wasm backend keeps them in its module's memory).
 */
export interface FusedConvKernels {
  /** See {@link DeviceKernels.conv2d}. */
  conv2d(x: Data, w: Data, n: number, outChannels: number, g: Conv2dGeometry): Data;
  /** See {@link DeviceKernels.conv2dInputGrad}. */
  conv2dInputGrad(grad: Data, w: Data, n: number, outChannels: number, g: Conv2dGeometry): Data;
  /** See {@link DeviceKernels.conv2dWeightGrad}. */
  conv2dWeightGrad(grad: Data, x: Data, n: number, outChannels: number, g: Conv2dGeometry): Data;
}

/** The kernel set a backend provides. */
export interface Backend {
  /** Short name shown in errors and benchmarks, e.g. `cpu`. */
  readonly name: string;
  /** Elementwise map. */
  unary(op: UnaryOp, x: Data, param?: number): Data;
  /** Elementwise zip with NumPy broadcasting of `aShape` and `bShape` into `outShape`. */
  binary(op: BinaryOp, a: Data, aShape: readonly number[], b: Data, bShape: readonly number[], outShape: readonly number[]): Data;
  /** Reduce `axes` of a tensor of `shape`; the result has those axes of size 1 (keepDims layout). */
  reduce(op: ReduceOp, x: Data, shape: readonly number[], axes: readonly number[]): Data;
  /** Batched matrix product, output `[batch, m, n]`. */
  gemm(a: Data, b: Data, args: GemmArgs): Data;
  /** Copy a strided view into a new contiguous buffer. */
  gather(x: Data, shape: readonly number[], strides: readonly number[], offset: number): Data;
  /**
   * A new contiguous buffer of `outShape` filled with `value`, with the contiguous `x`
   * (of `shape`, the same rank) written at offset `starts`: element `i` of `x` lands at
   * index `starts + i`. The region must fit inside `outShape`. Constant padding, the
   * slice VJP and concatenation are this one write.
   */
  pad(x: Data, shape: readonly number[], outShape: readonly number[], starts: readonly number[], value: number): Data;
  /** Unfold one image `[C, H, W]` at `xOffset` into columns `[C·kH·kW, outH·outW]`. */
  im2col(x: Data, xOffset: number, g: Conv2dGeometry): Data;
  /** Fold columns `[C·kH·kW, outH·outW]` back, adding into `out` at `outOffset` (`[C, H, W]`). */
  col2im(cols: Data, g: Conv2dGeometry, out: Data, outOffset: number): void;
  /** Max pooling over `n` images `[n, C, H, W]`; returns the output and the flat input index of each maximum. */
  maxPool2d(x: Data, n: number, g: Conv2dGeometry): MaxPoolResult;
  /** Scatter output gradients to the recorded maxima; returns a gradient of `inputSize` elements. */
  maxPool2dBackward(grad: Data, argmax: Int32Array, inputSize: number): Data;
  /** Average pooling over `n` images; padded cells count in the divisor (`kH·kW`). */
  avgPool2d(x: Data, n: number, g: Conv2dGeometry): Data;
  /** Gradient of {@link Backend.avgPool2d} with respect to its input. */
  avgPool2dBackward(grad: Data, n: number, g: Conv2dGeometry): Data;
  /**
   * `out[i] = a·x[i] + b·y[i]` (`a·x[i]` when `y` is null) for two buffers of one
   * length, each product and the sum in float64 and rounded once to `x`'s element type:
   * the arithmetic of the optimizers' update loops (`v ← m·v + g`, `w + u`,
   * `w − T·η·v`), the same bits on every backend.
   */
  axpby(a: number, x: Data, b: number, y: Data | null): Data;
  /**
   * Kernels whose results stay in the backend's memory, on backends that have one (the
   * gpu backend). Ops use them inside a device scope (`core/device-scope.ts`); without
   * this member every result is a host array.
   */
  readonly deviceKernels?: DeviceKernels;
  /**
   * Fused convolution kernels, on backends that have them (wasm). Without this member a
   * convolution is im2col and GEMM calls of the kernels above
   * (`core/backend/unfolded-conv.ts`), with the same result.
   */
  readonly fusedConv?: FusedConvKernels;
}
