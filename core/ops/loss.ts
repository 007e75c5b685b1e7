/**
 * Loss functions: `crossEntropy` over integer labels and `mse`.
 *
 * `crossEntropy` is one op with a fused VJP: for logits `z` and label `y`,
 * `L = −log softmax(z)_y`, and `dL/dz = softmax(z) − onehot(y)` (divided by the
 * batch size for the mean). It never forms the one-hot matrix in the forward.
 *
 * **An empty batch contributes nothing.** With no samples, both losses are 0 under
 * both reductions and the gradient is the empty tensor of the prediction's shape. For
 * `'sum'` that is the empty sum; for `'mean'` it is this module's convention, written
 * as dividing by `max(N, 1)`, where a plain mean would give 0/0 = NaN.
 *
 * @module
 */
import { defineOp } from '../registry.js';
import { allocate, fmtShape, Tensor } from '../tensor.js';
import { mul, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { logSoftmax } from './softmax.js';

/** How a per-sample loss is reduced over the batch. */
export type Reduction = 'mean' | 'sum';

interface CrossEntropyAttrs {
  labels: Int32Array;
  reduction: Reduction;
}

/** What the summed loss is divided by: `max(N, 1)` for the mean (an empty batch has loss 0), 1 for the sum. */
function batchDivisor(n: number, reduction: Reduction): number {
  return reduction === 'mean' ? Math.max(n, 1) : 1;
}

const crossEntropyOp = defineOp<CrossEntropyAttrs>({
  name: 'crossEntropy',
  forward: ([logits], { labels, reduction }) => {
    // Saved as the tensor, not its buffer: a recycling scope's close then makes a late read an error (core/device-scope.ts).
    const logProbs = logSoftmax(logits);
    const logp = logProbs.data;
    const [n, c] = logits.shape;
    let total = 0;
    for (let i = 0; i < n; i++) total -= logp[i * c + labels[i]];
    const out = allocate(logits.dtype, 1);
    out[0] = total / batchDivisor(n, reduction);
    return { out: new Tensor(out, []), saved: logProbs };
  },
  vjp: [
    ({ g, inputs, attrs: { labels, reduction }, saved }) => {
      const logp = (saved as Tensor).data;
      const [n, c] = inputs[0].shape;
      const scale = g.item() / batchDivisor(n, reduction);
      const dz = allocate(inputs[0].dtype, n * c);
      for (let i = 0; i < n * c; i++) dz[i] = Math.exp(logp[i]) * scale;
      for (let i = 0; i < n; i++) dz[i * c + labels[i]] -= scale;
      return new Tensor(dz, [n, c]);
    },
    null,
  ],
});

/**
 * Cross-entropy between logits `[N, C]` and integer class labels (length `N`):
 * `L = −Σ_i log softmax(z_i)_{y_i}`, divided by `max(N, 1)` for the mean. An empty
 * batch (`N = 0`) has loss 0.
 *
 * @throws when the logits are not 2-D, the label count differs from `N`, or a label is
 *   outside `0..C−1`.
 * @example
 * crossEntropy(model(x), Int32Array.from([3, 1])); // mean over the batch
 */
export function crossEntropy(logits: Tensor, labels: ArrayLike<number>, reduction: Reduction = 'mean'): Tensor {
  if (logits.ndim !== 2) throw new Error(`crossEntropy: logits must be [batch, classes], got shape ${fmtShape(logits.shape)}`);
  const [n, c] = logits.shape;
  if (labels.length !== n) throw new Error(`crossEntropy: ${labels.length} labels for a batch of ${n} logits ${fmtShape(logits.shape)}`);
  const ints = Int32Array.from(labels);
  for (let i = 0; i < n; i++) {
    if (ints[i] !== labels[i] || ints[i] < 0 || ints[i] >= c) {
      throw new Error(`crossEntropy: label ${labels[i]} at position ${i} is not a class index in 0..${c - 1}`);
    }
  }
  return crossEntropyOp([logits], { labels: ints, reduction });
}

/** Mean (or summed) squared error between two tensors of the same shape; 0 for empty ones. */
export function mse(prediction: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const a = prediction.shape;
  const b = target.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`mse: prediction ${fmtShape(a)} and target ${fmtShape(b)} must have the same shape`);
  }
  const diff = sub(prediction, target);
  const sq = mul(diff, diff);
  // An empty batch contributes nothing: its mean is taken as the empty sum, 0.
  return reduction === 'mean' && sq.size > 0 ? mean(sq) : sum(sq);
}

