/**
 * One batch-1 3×3 convolution layer (32 → 32 channels, 32×32 input, padding 1, with
 * bias), pipegrad's `conv2d` against `tf.conv2d` on tfjs's `cpu` backend: the forward
 * alone, and the forward with the backward that gives all three gradients `dx`, `dW`,
 * `db` of the loss `sum(y)`.
 *
 * Both sides start from the same seeded tensors; tfjs gets them in its NHWC / HWIO
 * layouts (transposed once, outside the timing). pipegrad computes eagerly; tfjs is
 * forced to finish with `dataSync()` on every result, and each call runs in `tf.tidy`
 * so nothing leaks. Before timing, the gradients of the two libraries are compared, so
 * the figures are known to be for the same computation.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { backward, conv2d, randn, Rng, sum, Tensor, type Data } from '../core/index.js';
import { time, type Timing, type TimingPlan } from './timing.js';

/** The layer's sizes. */
export const convLayer = { batch: 1, channels: 32, outChannels: 32, size: 32, kernel: 3, padding: 1 } as const;

/** The figures of the convolution benchmark. */
export interface ConvResult {
  /** Forward only (with bias). */
  forward: { pipegrad: Timing; tfjs: Timing };
  /** Forward, then backward to `dx`, `dW` and `db`. */
  forwardBackward: { pipegrad: Timing; tfjs: Timing };
  /** Largest `|pipegrad − tfjs|` over the three gradients, relative to the largest gradient magnitude. */
  gradientDifference: number;
}

const plans = {
  pipegradForward: { warmup: 5, rounds: 30, minRoundMs: 0 },
  pipegradForwardBackward: { warmup: 3, rounds: 20, minRoundMs: 0 },
  tfjsForward: { warmup: 2, rounds: 10, minRoundMs: 0 },
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

/** Time the layer's forward and forward+backward in both libraries. */
export function benchConv(seed: number): ConvResult {
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
  const tx = tf.tidy(() => tf.tensor4d(x.data as Float32Array, [batch, channels, size, size]).transpose<tf.Tensor4D>([0, 2, 3, 1]));
  const tw = tf.tidy(() => tf.tensor4d(w.data as Float32Array, [outChannels, channels, kernel, kernel]).transpose<tf.Tensor4D>([2, 3, 1, 0]));
  const tb = tf.tensor1d(b.data as Float32Array);
  const tfjsLayer = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Tensor => tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, padding), bi);
  const tfjsGrad = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tfjsLayer(xi, wi, bi)));
  const tfjsGradients = (): void =>
    tf.tidy(() => {
      for (const g of tfjsGrad([tx, tw, tb])) g.dataSync();
    });

  const [dx, dw, db] = pipegradGradients();
  const gradientDifference = tf.tidy(() => {
    const [tdx, tdw, tdb] = tfjsGrad([tx, tw, tb]);
    return Math.max(
      relativeDifference(dx.data, tdx.transpose([0, 3, 1, 2]).dataSync()),
      relativeDifference(dw.data, tdw.transpose([3, 2, 0, 1]).dataSync()),
      relativeDifference(db.data, tdb.dataSync()),
    );
  });

  const result: ConvResult = {
    forward: {
      pipegrad: time(pipegradLayer, plans.pipegradForward),
      tfjs: time(() => tf.tidy(() => void tfjsLayer(tx, tw, tb).dataSync()), plans.tfjsForward),
    },
    forwardBackward: {
      pipegrad: time(pipegradGradients, plans.pipegradForwardBackward),
      tfjs: time(tfjsGradients, plans.tfjsForwardBackward),
    },
    gradientDifference,
  };
  tf.dispose([tx, tw, tb]);
  return result;
}
