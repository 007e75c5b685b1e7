/**
 * How ops reach the backend's kernels and hand them their inputs.
 *
 * {@link kernels} is the current backend's device kernel set while a device scope runs
 * and the backend has device memory, and its host kernels (in the same form) otherwise.
 * {@link operand} gives a kernel a tensor's elements: its device array when that kernel
 * set can read it (gathered on the device first when the view is not contiguous), and
 * its host buffer otherwise — which downloads a device array the kernels cannot read.
 *
 * @module
 */
import { getBackend } from '../backend/index.js';
import type { DeviceKernels, Operand } from '../backend/backend.js';
import { hostKernels } from '../backend/host-kernels.js';
import { activeScope } from '../storage.js';
import { Tensor } from '../tensor.js';

/** The kernels ops should call now: device kernels inside a device scope (where the backend has them), else host kernels. */
export function kernels(): DeviceKernels {
  const backend = getBackend();
  return backend.deviceKernels !== undefined && activeScope() !== null ? backend.deviceKernels : hostKernels(backend);
}

/** `t`'s elements as a contiguous operand for `k`: on the device when `k` can read them there, else on the host. */
export function operand(t: Tensor, k: DeviceKernels): Operand {
  const device = t.storage.deviceFor(k);
  if (device === null) return t.data;
  if (t.isContiguous) return device;
  // The contiguous copy is wrapped so that the running device scope owns it.
  return operand(wrap(k.gather(device, t.shape, t.strides, t.offset), t.shape), k);
}

/** A tensor of `shape` over a kernel's result. */
export function wrap(result: Operand, shape: readonly number[]): Tensor {
  return new Tensor(result, shape);
}

/** `t`'s elements in row-major order as a tensor of `shape` (same size): a view sharing the storage when `t` is contiguous, else a contiguous copy. */
export function reshaped(t: Tensor, shape: readonly number[]): Tensor {
  if (t.isContiguous) return new Tensor(t.storage, shape);
  return wrap(operand(t, kernels()), shape);
}
