/**
 * Loss functions: `crossEntropy` over integer labels and `mse`.
 *
 * `crossEntropy` is one op with a fused VJP: for logits `z` and label `y`,
 * `L = −log softmax(z)_y`, and `dL/dz = softmax(z) − onehot(y)` (divided by the
 * batch size for the mean). It never forms the one-hot matrix in the forward.
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

const crossEntropyOp = defineOp<CrossEntropyAttrs>({
  name: 'crossEntropy',
  forward: ([logits], { labels, reduction }) => {
    const logp = logSoftmax(logits).data;
    const [n, c] = logits.shape;
    let total = 0;
    for (let i = 0; i < n; i++) total -= logp[i * c + labels[i]];
    const out = allocate(logits.dtype, 1);
    out[0] = reduction === 'mean' ? total / n : total;
    return { out: new Tensor(out, []), saved: logp };
  },
  vjp: [
    ({ g, inputs, attrs: { labels, reduction }, saved }) => {
      const logp = saved as Float32Array;
      const [n, c] = inputs[0].shape;
      const scale = g.item() / (reduction === 'mean' ? n : 1);
      const dz = allocate(inputs[0].dtype, n * c);
      for (let i = 0; i < n * c; i++) dz[i] = Math.exp(logp[i]) * scale;
      for (let i = 0; i < n; i++) dz[i * c + labels[i]] -= scale;
      return new Tensor(dz, [n, c]);
    },
    null,
  ],
});

/**
 * Cross-entropy between logits `[N, C]` and integer class labels (length `N`).
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

/** Mean (or summed) squared error between two tensors of the same shape. */
export function mse(prediction: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const a = prediction.shape;
  const b = target.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`mse: prediction ${fmtShape(a)} and target ${fmtShape(b)} must have the same shape`);
  }
  const diff = sub(prediction, target);
  const sq = mul(diff, diff);
  return reduction === 'mean' ? mean(sq) : sum(sq);
}

