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
}
