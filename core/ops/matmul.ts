/**
 * Matrix product, 2-D and batched, on the backend's GEMM kernel.
 *
 * `matmul(a, b)` multiplies the last two axes, `[..., m, k] · [..., k, n] = [..., m, n]`,
 * broadcasting the leading (batch) axes. Its VJPs are products too:
 * `dA = G·Bᵀ` and `dB = Aᵀ·G` (each summed over the batch axes it was broadcast along).
 * Transposes never copy: an operand that is a transposed view of contiguous data is
 * handed to the kernel with its transpose flag set instead.
 *
 * @module
 */
import type { DeviceKernels, Operand } from '../backend/backend.js';
import { defineOp } from '../registry.js';
import { fmtShape, sizeOf, Tensor } from '../tensor.js';
import { broadcastShapes, sameShape } from './shape-utils.js';
import { expandTo, unbroadcast } from './unbroadcast.js';
import { kernels, operand, wrap } from './kernels.js';

/** A matrix operand ready for the kernel: contiguous data, and whether it is stored transposed. */
interface MatrixOperand {
  data: Operand;
  storedTransposed: boolean;
}

/** View `t`'s last two axes as a matrix the kernel can read without copying, if possible. */
function matrix(t: Tensor, k: DeviceKernels): MatrixOperand {
  if (t.isContiguous) return { data: operand(t, k), storedTransposed: false };
  const n = t.ndim;
  const shape = t.shape;
  const strides = t.strides;
  const swap = (a: readonly number[]) => a.map((_, i) => a[i === n - 2 ? n - 1 : i === n - 1 ? n - 2 : i]);
  const swapped = new Tensor(t.storage, swap(shape), swap(strides), t.offset);
  if (swapped.isContiguous) return { data: operand(swapped, k), storedTransposed: true };
  return { data: operand(t, k), storedTransposed: false };
}

/**
 * `op(a) · op(b)` over the last two axes with broadcast batch axes, where `op`
 * transposes when the flag is set. The shared engine of the forward and both VJPs.
 */
function product(a: Tensor, transA: boolean, b: Tensor, transB: boolean): Tensor {
  const as = a.shape;
  const bs = b.shape;
  const m = transA ? as[as.length - 1] : as[as.length - 2];
  const k = transA ? as[as.length - 2] : as[as.length - 1];
  const kb = transB ? bs[bs.length - 1] : bs[bs.length - 2];
  const n = transB ? bs[bs.length - 2] : bs[bs.length - 1];
  if (k !== kb) throw new Error(`matmul: shapes ${fmtShape(as)} and ${fmtShape(bs)} do not align (${k} vs ${kb})`);
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const batchShape = broadcastShapes(aBatch, bBatch, 'matmul');
  const batch = sizeOf(batchShape);
  const fit = (t: Tensor, tBatch: number[]): Tensor =>
    sizeOf(tBatch) === 1 || sameShape(tBatch, batchShape) ? t : expandTo(t, [...batchShape, ...t.shape.slice(-2)]);
  const aFit = fit(a, aBatch);
  const bFit = fit(b, bBatch);
  const kern = kernels();
  const A = matrix(aFit, kern);
  const B = matrix(bFit, kern);
  const out = kern.gemm(A.data, B.data, {
    batch,
    m,
    n,
    k,
    transA: transA !== A.storedTransposed,
    transB: transB !== B.storedTransposed,
    strideA: sizeOf(aFit.shape.slice(0, -2)) === 1 ? 0 : m * k,
    strideB: sizeOf(bFit.shape.slice(0, -2)) === 1 ? 0 : k * n,
  });
  return wrap(out, [...batchShape, m, n]);
}

const matmulOp = defineOp({
  name: 'matmul',
  forward: ([a, b]) => product(a, false, b, false),
  vjp: [
    ({ g, inputs }) => unbroadcast(product(g, false, inputs[1], true), inputs[0].shape),
    ({ g, inputs }) => unbroadcast(product(inputs[0], true, g, false), inputs[1].shape),
  ],
});

/**
 * Matrix product of the last two axes, broadcasting batch axes.
 *
 * @throws `matmul: shapes [2,3] and [4,5] do not align (3 vs 4)` and the like.
 * @example
 * matmul(x, w);            // [N, in] · [in, out] = [N, out]
 * matmul(q, transpose(k)); // batched [B, T, d] · [B, d, T]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new Error(`matmul: both operands need at least 2 axes, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtypes ${a.dtype} and ${b.dtype} differ`);
  const k = a.shape[a.ndim - 1];
  const kb = b.shape[b.ndim - 2];
  if (k !== kb) throw new Error(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not align (${k} vs ${kb})`);
  broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  return matmulOp([a, b], undefined);
}
