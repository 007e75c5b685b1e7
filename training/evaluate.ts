/**
 * Evaluation: the mean loss and the accuracy of a pipeline's current weights over a
 * loader. The loss is the training loss, from core: `crossEntropy` over labels, or the
 * squared error per target value (`mse` summed, divided by the outputs per sample).
 *
 * @module
 */
import { crossEntropy, mse, noGrad, Tensor, type Data } from '../core/index.js';
import type { DataLoader } from '../datasets/index.js';
import type { Pipeline } from '../pipeline/index.js';
import { batchToExample, type ExampleShape } from './data.js';

/** What an evaluation measured. */
export interface Evaluation {
  /** Mean loss per sample. */
  loss: number;
  /** Fraction of samples whose largest output is the label; null for regression. */
  accuracy: number | null;
  /** Samples evaluated. */
  samples: number;
}

/** Index of the largest value in each row of an `[n, k]` buffer (the first one on a tie). */
export function argmaxRows(data: Data, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let i = 1; i < k; i++) if (data[r * k + i] > data[r * k + best]) best = i;
    out[r] = best;
  }
  return out;
}

/**
 * Evaluate the pipeline's current weights on every batch of `loader` (epoch 0 of its
 * order): loss `Σ_samples L / N` with `L = −log softmax(y)_label` or
 * `L = Σ_i (y_i − t_i)² / outputs`, and the accuracy for classification.
 *
 * @example
 * const { loss, accuracy } = evaluate(pipe, data.testLoader, data);
 */
export function evaluate(pipe: Pipeline, loader: DataLoader, shape: ExampleShape): Evaluation {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  noGrad(() => {
    for (const b of loader.batches(0)) {
      const ex = batchToExample(b, shape);
      const y = pipe.predict(ex.input);
      const n = b.indices.length;
      if (shape.classification) {
        const labels = b.labels!;
        lossSum += crossEntropy(y, labels, 'sum').item();
        const pred = argmaxRows(y.data, n, shape.outputs);
        for (let r = 0; r < n; r++) if (pred[r] === labels[r]) correct++;
      } else {
        lossSum += mse(y, ex.target as Tensor, 'sum').item() / shape.outputs;
      }
      count += n;
    }
  });
  return { loss: lossSum / count, accuracy: shape.classification ? correct / count : null, samples: count };
}
