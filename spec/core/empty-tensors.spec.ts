/**
 * Empty tensors: reductions, softmax and the losses give empty results (or the empty
 * sum), and a reduction without an identity over a zero-length axis is an error only
 * when its result would have elements (`core/ops/reduce.ts`, `core/ops/loss.ts`).
 */
import test from 'tape';
import * as pg from '../../core/index.js';
import { zeros } from '../../core/index.js';
import { simulatedDevice } from './simulated-device.js';

test('max and mean of an empty batch over a non-empty axis are empty', (t) => {
  const x = zeros([0, 10]);
  t.deepEqual(pg.max(x, 1).shape, [0], 'max of [0,10] over axis 1 is [0]');
  t.deepEqual(pg.max(x, 1, true).shape, [0, 1], 'with keepDims, [0,1]');
  t.deepEqual(pg.mean(x, 1).shape, [0], 'mean of [0,10] over axis 1 is [0]');
  t.deepEqual(pg.max(zeros([0, 0]), 1).shape, [0], 'max of [0,0] over its zero-length axis 1 is [0]: nothing to reduce into');
  t.end();
});

test('sum over a zero-length axis is its identity, 0', (t) => {
  const s = pg.sum(zeros([0, 3]), 0);
  t.deepEqual([s.shape, Array.from(s.data)], [[3], [0, 0, 0]], 'sum of [0,3] over axis 0 is [0,0,0]');
  t.end();
});

test('max and mean over a zero-length axis with outputs that exist are errors that say why', (t) => {
  t.throws(() => pg.max(zeros([0, 10]), 0), /max: axis 0 of shape \[0,10\] has length 0, so each of the 10 outputs would be the max of no elements/, 'max of [0,10] over axis 0');
  t.throws(() => pg.max(zeros([10, 0]), 1), /max: axis 1 of shape \[10,0\] has length 0/, 'max of [10,0] over axis 1');
  t.throws(() => pg.max(zeros([0])), /max: axis 0 of shape \[0\] has length 0, so each of the 1 outputs/, 'max of [0] over all axes (a scalar result)');
  t.throws(() => pg.mean(zeros([0, 4]), 0), /mean: axis 0 of shape \[0,4\] has length 0/, 'mean of [0,4] over axis 0');
  t.end();
});

test('softmax and logSoftmax of empty tensors are empty tensors of the same shape', (t) => {
  for (const shape of [[0, 10], [10, 0], [0, 0]]) {
    t.deepEqual(pg.softmax(zeros(shape)).shape, shape, `softmax of ${JSON.stringify(shape)}`);
    t.deepEqual(pg.logSoftmax(zeros(shape)).shape, shape, `logSoftmax of ${JSON.stringify(shape)}`);
  }
  const x = zeros([0, 10]).requireGrad();
  pg.backward(pg.sum(pg.softmax(x)));
  t.deepEqual(x.grad!.shape, [0, 10], 'the gradient through softmax of a [0,10] batch is [0,10]');
  t.end();
});

test('the losses of an empty batch are 0, with an empty gradient', (t) => {
  const logits = zeros([0, 5]).requireGrad();
  for (const reduction of ['mean', 'sum'] as const) {
    const loss = pg.crossEntropy(logits, [], reduction);
    t.equal(loss.item(), 0, `crossEntropy of [0,5] with '${reduction}' is 0`);
  }
  pg.backward(pg.crossEntropy(logits, []));
  t.deepEqual(logits.grad!.shape, [0, 5], 'its gradient is [0,5]');
  const prediction = zeros([0, 3]).requireGrad();
  t.equal(pg.mse(prediction, zeros([0, 3])).item(), 0, "mse of [0,3] with 'mean' is 0");
  t.equal(pg.mse(prediction, zeros([0, 3]), 'sum').item(), 0, "mse of [0,3] with 'sum' is 0");
  t.end();
});

/** Linear → ReLU → softmax cross-entropy on an empty batch: the loss, dW and db. */
function emptyBatchStep(): { loss: number; dW: number[]; db: number[] } {
  const rng = new pg.Rng(4);
  const w = pg.randn([4, 3], rng).requireGrad();
  const b = pg.randn([4], rng).requireGrad();
  const loss = pg.deviceScope(() => {
    const logits = pg.add(pg.matmul(zeros([0, 3]), pg.transpose(w)), b);
    const l = pg.crossEntropy(pg.relu(logits), []);
    pg.backward(l);
    return l;
  });
  return { loss: loss.item(), dW: Array.from(w.grad!.data), db: Array.from(b.grad!.data) };
}

test('an empty batch through linear, relu and crossEntropy gives loss 0 and zero weight gradients', (t) => {
  const expected = { loss: 0, dW: new Array(12).fill(0), db: [0, 0, 0, 0] };
  t.deepEqual(emptyBatchStep(), expected, 'on the CPU backend: loss 0, dW = 0, db = 0');
  const previous = pg.setBackend(simulatedDevice());
  try {
    t.deepEqual(emptyBatchStep(), expected, 'the same inside a device scope on a backend with device memory');
  } finally {
    pg.setBackend(previous);
  }
  t.end();
});
