/**
 * One batch-1 3×3 convolution layer (32 → 32 channels, 32×32 input, padding 1, with
 * bias), pipegrad's `conv2d` on its `wasm` and `ts` backends against `tf.conv2d` on
 * tfjs's `cpu` and `wasm` backends: the forward alone, and the forward with the backward
 * that gives all three gradients `dx`, `dW`, `db` of the loss `sum(y)`. tfjs-wasm 4.22
 * has no `Conv2DBackpropFilter` kernel, so it has no forward+backward figure.
 *
 * All sides start from the same seeded tensors; tfjs gets them in its NHWC / HWIO
 * layouts (transposed once, outside the timing). pipegrad computes eagerly; tfjs is
 * forced to finish with `dataSync()` on every result, and each call runs in `tf.tidy`
 * so nothing leaks. Before timing, pipegrad's gradients on each backend are compared
 * with tfjs-cpu's, so the figures are known to be for the same computation.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { backward, conv2d, randn, Rng, sum, Tensor, type Data } from '../core/index.js';
import { onBackend, onTfjs, type PipegradBackend, type TfjsBackend } from './sides.js';
import { time, type Timing, type TimingPlan } from './timing.js';

/** The layer's sizes. */
export const convLayer = { batch: 1, channels: 32, outChannels: 32, size: 32, kernel: 3, padding: 1 } as const;

/** One side's timings: per pipegrad backend and per tfjs backend (null where tfjs lacks a kernel). */
export interface ConvSides {
  /** pipegrad, per backend. */
  pipegrad: Record<PipegradBackend, Timing>;
  /** tfjs, per backend; null where the backend cannot run it. */
  tfjs: Record<TfjsBackend, Timing | null>;
}

/** The figures of the convolution benchmark. */
export interface ConvResult {
  /** Forward only (with bias). */
  forward: ConvSides;
  /** Forward, then backward to `dx`, `dW` and `db`. */
  forwardBackward: ConvSides;
  /** Per pipegrad backend: largest `|pipegrad − tfjs-cpu|` over the three gradients, relative to the largest gradient magnitude. */
  gradientDifference: Record<PipegradBackend, number>;
  /** Why a tfjs backend has no forward+backward figure. */
  tfjsMissing: Partial<Record<TfjsBackend, string>>;
}

const plans = {
  pipegradForward: { warmup: 5, rounds: 30, minRoundMs: 0 },
  pipegradForwardBackward: { warmup: 3, rounds: 20, minRoundMs: 0 },
  tfjsForward: { warmup: 2, rounds: 10, minRoundMs: 0 },
  tfjsWasmForward: { warmup: 5, rounds: 30, minRoundMs: 0 },
  // tfjs-cpu takes seconds per backward here, so only a few.
  tfjsForwardBackward: { warmup: 1, rounds: 5, minRoundMs: 0 },
} satisfies Record<string, TimingPlan>;

/** The largest `|a − b|` relative to the largest `|a|`. */
function relativeDifference(a: Data, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

/** Time the layer's forward and forward+backward in both libraries, on each of their backends. */
export async function benchConv(seed: number): Promise<ConvResult> {
  const { batch, channels, outChannels, size, kernel, padding } = convLayer;
  const rng = new Rng(seed);
  const x = randn([batch, channels, size, size], rng).requireGrad();
  const w = randn([outChannels, channels, kernel, kernel], rng, Math.sqrt(2 / (channels * kernel * kernel))).requireGrad();
  const b = randn([outChannels], rng, 0.1).requireGrad();
  const pipegradLayer = (): Tensor => conv2d(x, w, b, { padding });
  const pipegradGradients = (): Tensor[] => {
    x.grad = w.grad = b.grad = null;
    backward(sum(pipegradLayer()));
    return [x.grad!, w.grad!, b.grad!];
  };

  // NCHW → NHWC for the input, [O, C, kH, kW] → [kH, kW, C, O] for the filters.
  const tfjsInputs = (): tf.Tensor[] => [
    tf.tidy(() => tf.tensor4d(x.data as Float32Array, [batch, channels, size, size]).transpose<tf.Tensor4D>([0, 2, 3, 1])),
    tf.tidy(() => tf.tensor4d(w.data as Float32Array, [outChannels, channels, kernel, kernel]).transpose<tf.Tensor4D>([2, 3, 1, 0])),
    tf.tensor1d(b.data as Float32Array),
  ];
  const tfjsLayer = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Tensor => tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, padding), bi);
  const tfjsGrad = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tfjsLayer(xi, wi, bi)));

  const reference = await onTfjs('cpu', () => {
    const inputs = tfjsInputs();
    const grads = tf.tidy(() => {
      const [tdx, tdw, tdb] = tfjsGrad(inputs);
      return [tdx.transpose([0, 3, 1, 2]).dataSync(), tdw.transpose([3, 2, 0, 1]).dataSync(), tdb.dataSync()];
    });
    tf.dispose(inputs);
    return grads;
  });
  const difference = (backend: PipegradBackend): number =>
    onBackend(backend, () => {
      const [dx, dw, db] = pipegradGradients();
      return Math.max(relativeDifference(dx.data, reference[0]), relativeDifference(dw.data, reference[1]), relativeDifference(db.data, reference[2]));
    });
  const gradientDifference = { wasm: difference('wasm'), ts: difference('ts') };

  const tfjsMissing: Partial<Record<TfjsBackend, string>> = {};
  const tfjsSide = (backend: TfjsBackend) =>
    onTfjs(backend, () => {
      const inputs = tfjsInputs();
      const [tx, tw, tb] = inputs;
      const forward = time(() => tf.tidy(() => void tfjsLayer(tx, tw, tb).dataSync()), backend === 'wasm' ? plans.tfjsWasmForward : plans.tfjsForward);
      let forwardBackward: Timing | null = null;
      const missing = ['Conv2DBackpropInput', 'Conv2DBackpropFilter'].filter((kernelName) => !tf.getKernel(kernelName, backend));
      if (missing.length > 0) {
        tfjsMissing[backend] = `no ${missing.join(', ')} kernel registered for tfjs's ${backend} backend`;
      } else {
        forwardBackward = time(() => tf.tidy(() => {
          for (const g of tfjsGrad([tx, tw, tb])) g.dataSync();
        }), plans.tfjsForwardBackward);
      }
      tf.dispose(inputs);
      return { forward, forwardBackward };
    });
  const tfjsCpu = await tfjsSide('cpu');
  const tfjsWasm = await tfjsSide('wasm');
  const pipegradSide = (backend: PipegradBackend) =>
    onBackend(backend, () => ({ forward: time(pipegradLayer, plans.pipegradForward), forwardBackward: time(pipegradGradients, plans.pipegradForwardBackward) }));
  const wasm = pipegradSide('wasm');
  const ts = pipegradSide('ts');
  return {
    forward: { pipegrad: { wasm: wasm.forward, ts: ts.forward }, tfjs: { cpu: tfjsCpu.forward, wasm: tfjsWasm.forward } },
    forwardBackward: { pipegrad: { wasm: wasm.forwardBackward, ts: ts.forwardBackward }, tfjs: { cpu: tfjsCpu.forwardBackward, wasm: tfjsWasm.forwardBackward } },
    gradientDifference,
    tfjsMissing,
  };
}
