/**
 * A backend with simulated device memory, for testing device scopes without a GPU: its
 * host kernels are the CPU backend's, and its device kernels run the same CPU kernels
 * but hand back results wrapped as device arrays, counted while they live. Since the
 * arithmetic is the CPU backend's, every result must equal the CPU backend's bit for
 * bit; only where the values live differs.
 */
import { unfoldedConv, type ConvKernels } from '../../core/backend/unfolded-conv.js';
import { cpuBackend, hostKernels, type Backend, type Data, type DeviceArray, type DeviceKernels, type Operand } from '../../core/index.js';

/** A {@link Backend} whose device arrays are host arrays in disguise, with counters. */
export interface SimulatedDevice extends Backend {
  /** Device arrays alive now. */
  live(): number;
  /** Device arrays made so far. */
  made(): number;
  /** Downloads so far. */
  downloads(): number;
  /** Device kernel calls that received at least one device-array argument. */
  chained(): number;
}

/** A new simulated-device backend named `name`. */
export function simulatedDevice(name = 'simulated'): SimulatedDevice {
  let live = 0;
  let made = 0;
  let downloads = 0;
  let chained = 0;
  const host = hostKernels(cpuBackend);

  class SimArray implements DeviceArray {
    released = false;
    constructor(readonly values: Float32Array, readonly owner: Backend) {
      live++;
      made++;
    }
    get length(): number {
      return this.values.length;
    }
    download(): Float32Array {
      if (this.released) throw new Error('simulated device array: download after release');
      this.release();
      downloads++;
      return this.values;
    }
    release(): void {
      if (this.released) throw new Error('simulated device array: released twice');
      this.released = true;
      live--;
    }
  }

  const owns = (x: Operand): x is SimArray => x instanceof SimArray && x.owner === backend && !x.released;
  let sawDevice = false;
  const arg = (x: Operand): Data => {
    if (x instanceof Float32Array || x instanceof Float64Array) return x;
    if (!owns(x)) throw new Error(`${name}: a device array it cannot read`);
    sawDevice = true;
    return x.values;
  };
  const out = (x: Data): Operand => {
    if (sawDevice) chained++;
    sawDevice = false;
    return x instanceof Float64Array ? x : new SimArray(x, backend);
  };

  const unfolding = {
    owns,
    unary: (op, x, p) => out(host.unary(op, arg(x), p) as Data),
    binary: (op, a, as, b, bs, os) => out(host.binary(op, arg(a), as, arg(b), bs, os) as Data),
    reduce: (op, x, s, axes) => out(host.reduce(op, arg(x), s, axes) as Data),
    gemm: (a, b, args) => out(host.gemm(arg(a), arg(b), args) as Data),
    gather: (x, s, st, o) => out(host.gather(arg(x), s, st, o) as Data),
    pad: (x, s, os, st, v) => out(host.pad(arg(x), s, os, st, v) as Data),
    im2col: (x, n, g) => out(host.im2col(arg(x), n, g) as Data),
    col2im: (c, n, g) => out(host.col2im(arg(c), n, g) as Data),
    maxPool2d(x, n, g) {
      const r = host.maxPool2d(arg(x), n, g);
      return { out: out(r.out as Data), argmax: r.argmax };
    },
    maxPool2dBackward: (g, am, size) => out(host.maxPool2dBackward(arg(g), am, size) as Data),
    avgPool2d: (x, n, g) => out(host.avgPool2d(arg(x), n, g) as Data),
    avgPool2dBackward: (g, n, geo) => out(host.avgPool2dBackward(arg(g), n, geo) as Data),
  } satisfies Omit<DeviceKernels, keyof ConvKernels>;
  // Convolutions as im2col + GEMM on the simulated device, as the gpu backend does them.
  const device: DeviceKernels = { ...unfolding, ...unfoldedConv(unfolding) };

  const backend: SimulatedDevice = {
    ...cpuBackend,
    name,
    deviceKernels: device,
    live: () => live,
    made: () => made,
    downloads: () => downloads,
    chained: () => chained,
  };
  return backend;
}
