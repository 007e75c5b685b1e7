/**
 * Forward values of the ops against hand-computed cases, and the error messages for
 * bad input.
 */
import test from 'tape';
import * as pg from '../../core/index.js';
import { fromArray, Rng } from '../../core/index.js';

const close = (a: pg.NestedArray, b: pg.NestedArray, tol = 1e-6): boolean => {
  const fa = [a].flat(Infinity as 1) as number[];
  const fb = [b].flat(Infinity as 1) as number[];
  return fa.length === fb.length && fa.every((x, i) => Math.abs(x - fb[i]) <= tol * (1 + Math.abs(fb[i])));
};
const check = (t: test.Test, got: pg.Tensor, want: pg.NestedArray, msg: string): void => {
  const ok = close(got.toArray(), want);
  t.ok(ok, ok ? msg : `${msg} — received ${JSON.stringify(got.toArray())}, expected ${JSON.stringify(want)}`);
};

test('creation: zeros, ones, full, arange, fromArray, randn are what they say', (t) => {
  t.deepEqual(pg.zeros([2, 2]).toArray(), [[0, 0], [0, 0]], 'zeros');
  t.deepEqual(pg.ones([3]).toArray(), [1, 1, 1], 'ones');
  t.deepEqual(pg.full([1, 2], 7).toArray(), [[7, 7]], 'full');
  t.deepEqual(pg.arange(4).toArray(), [0, 1, 2, 3], 'arange(4)');
  t.deepEqual(pg.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75], 'arange(1, 2, 0.25)');
  t.deepEqual(fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]).toArray(), [[1, 2, 3], [4, 5, 6]], 'fromArray with shape');
  t.equal(pg.scalar(3).item(), 3, 'scalar item');
  const a = pg.randn([1000], new Rng(5));
  const b = pg.randn([1000], new Rng(5));
  t.deepEqual(Array.from(a.data), Array.from(b.data), 'randn is determined by the seed');
  const m = pg.mean(a).item();
  t.ok(Math.abs(m) < 0.1, `randn mean ≈ 0 (got ${m})`);
  const r = pg.rand([1000], new Rng(1), 2, 3).data;
  t.ok(Math.min(...r) >= 2 && Math.max(...r) < 3, 'rand in [2, 3)');
  t.throws(() => fromArray([[1, 2], [3]]), /ragged/, 'ragged nesting is an error');
  t.end();
});

test('elementwise and broadcasting values', (t) => {
  const a = fromArray([[1, 2, 3], [4, 5, 6]]);
  check(t, pg.add(a, fromArray([10, 20, 30])), [[11, 22, 33], [14, 25, 36]], 'add broadcasts a row');
  check(t, pg.sub(a, fromArray([[1], [2]])), [[0, 1, 2], [2, 3, 4]], 'sub broadcasts a column');
  check(t, pg.mul(a, 2), [[2, 4, 6], [8, 10, 12]], 'mul by a number');
  check(t, pg.div(1, fromArray([2, 4])), [0.5, 0.25], 'div of a number by a tensor');
  check(t, pg.pow(fromArray([2, 3]), 3), [8, 27], 'pow');
  check(t, pg.relu(fromArray([-1, 0, 2])), [0, 0, 2], 'relu');
  check(t, pg.abs(fromArray([-1.5, 2])), [1.5, 2], 'abs');
  check(t, pg.sigmoid(fromArray([0])), [0.5], 'sigmoid(0)');
  check(t, pg.tanh(fromArray([0, 100])), [0, 1], 'tanh');
  check(t, pg.exp(fromArray([0, 1])), [1, Math.E], 'exp');
  check(t, pg.log(fromArray([1, Math.E])), [0, 1], 'log');
  check(t, pg.sqrt(fromArray([4, 9])), [2, 3], 'sqrt');
  check(t, pg.maximum(fromArray([1, 5]), 3), [3, 5], 'maximum');
  t.end();
});

test('reductions and movement values', (t) => {
  const x = fromArray([[1, 5, 3], [4, 2, 6]]);
  check(t, pg.sum(x), 21, 'sum all');
  check(t, pg.sum(x, 0), [5, 7, 9], 'sum axis 0');
  t.deepEqual(pg.sum(x, 1, true).shape, [2, 1], 'keepDims keeps the axis');
  check(t, pg.mean(x, 1), [3, 4], 'mean axis 1');
  check(t, pg.max(x, 1), [5, 6], 'max axis 1');
  check(t, pg.max(x, -2), [4, 5, 6], 'max axis -2');
  check(t, pg.transpose(x), [[1, 4], [5, 2], [3, 6]], 'transpose');
  t.equal(pg.transpose(x).view.data, x.view.data, 'transpose is a view over the same buffer');
  check(t, pg.slice(x, [null, [1, 3]]), [[5, 3], [2, 6]], 'slice columns 1..2');
  check(t, pg.concat([x, fromArray([[7, 8, 9]])], 0), [[1, 5, 3], [4, 2, 6], [7, 8, 9]], 'concat rows');
  check(t, pg.pad(fromArray([[1]]), [[1, 0], [0, 1]]), [[0, 0], [1, 0]], 'pad');
  check(t, pg.reshape(pg.transpose(x), [6]), [1, 4, 5, 2, 3, 6], 'reshape of a transposed view copies in view order');
  check(t, pg.permute(pg.reshape(pg.arange(6), [1, 2, 3]), [2, 0, 1]), [[[0, 3]], [[1, 4]], [[2, 5]]], 'permute');
  t.end();
});

test('matmul values', (t) => {
  const a = fromArray([[1, 2], [3, 4], [5, 6]]);
  const b = fromArray([[1, 0, 2], [0, 1, 3]]);
  check(t, pg.matmul(a, b), [[1, 2, 8], [3, 4, 18], [5, 6, 28]], '[3,2]·[2,3]');
  check(t, pg.matmul(pg.transpose(b), pg.transpose(a)), [[1, 3, 5], [2, 4, 6], [8, 18, 28]], 'transposed views');
  const batch = pg.reshape(pg.arange(8), [2, 2, 2]);
  check(t, pg.matmul(batch, fromArray([[1, 0], [0, 2]])), [[[0, 2], [2, 6]], [[4, 10], [6, 14]]], 'batched times a broadcast matrix');
  t.end();
});

test('conv2d values: stride, padding, dilation and groups', (t) => {
  const x = pg.reshape(pg.arange(16), [1, 1, 4, 4]);
  const ones = pg.ones([1, 1, 2, 2]);
  check(t, pg.conv2d(x, ones), [[[[10, 14, 18], [26, 30, 34], [42, 46, 50]]]], '2×2 box filter, stride 1');
  check(t, pg.conv2d(x, ones, null, { stride: 2 }), [[[[10, 18], [42, 50]]]], 'stride 2');
  check(t, pg.conv2d(x, ones, fromArray([100]), { padding: 1, stride: 3 }), [[[[100, 105], [120, 150]]]], 'padding 1, stride 3, bias');
  check(t, pg.conv2d(x, ones, null, { dilation: 2 }), [[[[20, 24], [36, 40]]]], 'dilation 2: taps at (0,0),(0,2),(2,0),(2,2)');
  // Two groups: channel 0 → output 0 (×1), channel 1 → output 1 (×−1).
  const x2 = pg.concat([x, x], 1);
  const w2 = fromArray([[[[1]]], [[[-1]]]]);
  const y = pg.conv2d(x2, w2, null, { groups: 2 });
  check(t, pg.sum(y, [2, 3]), [[120, -120]], 'groups=2 keeps channels apart');
  t.end();
});

test('pooling values', (t) => {
  const x = fromArray([[[[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]]]]);
  check(t, pg.maxPool2d(x, { kernelSize: 2 }), [[[[4, 8], [12, 16]]]], 'maxPool2d 2×2');
  check(t, pg.avgPool2d(x, { kernelSize: 2 }), [[[[2.5, 6.5], [10.5, 14.5]]]], 'avgPool2d 2×2');
  check(t, pg.maxPool2d(fromArray([[[[-1, -2], [-3, -4]]]]), { kernelSize: 2, stride: 1, padding: 1 }), [[[[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]]]], 'padded cells never win a max');
  check(t, pg.avgPool2d(fromArray([[[[4]]]]), { kernelSize: 2, stride: 1, padding: 1 }), [[[[1, 1], [1, 1]]]], 'avg divisor counts padding');
  check(t, pg.globalAvgPool2d(x), [[8.5]], 'global average');
  t.end();
});

test('softmax, logSoftmax and losses values', (t) => {
  check(t, pg.softmax(fromArray([[0, Math.log(3)]])), [[0.25, 0.75]], 'softmax');
  check(t, pg.logSoftmax(fromArray([[1000, 1000]])), [[-Math.LN2, -Math.LN2]], 'logSoftmax is stable for large logits');
  check(t, pg.crossEntropy(fromArray([[0, 0], [0, Math.log(3)]]), [0, 1]), (Math.LN2 + Math.log(4 / 3)) / 2, 'crossEntropy mean');
  check(t, pg.crossEntropy(fromArray([[0, 0]]), [1], 'sum'), Math.LN2, 'crossEntropy sum');
  check(t, pg.mse(fromArray([1, 2]), fromArray([0, 4])), 2.5, 'mse');
  const d = pg.dropout(pg.ones([1000]), 0.25, new Rng(3)).data;
  const kept = d.filter((v) => v !== 0);
  t.ok(kept.every((v) => Math.abs(v - 4 / 3) < 1e-6), 'dropout scales kept values by 1/(1−p)');
  t.ok(Math.abs(kept.length / 1000 - 0.75) < 0.05, `dropout keeps about 1−p (kept ${kept.length}/1000)`);
  t.equal(pg.dropout(pg.ones([3]), 0.5, new Rng(3), false).toArray().toString(), '1,1,1', 'dropout is the identity in evaluation');
  t.end();
});

test('errors name the op and the shapes', (t) => {
  t.throws(() => pg.matmul(pg.zeros([2, 3]), pg.zeros([4, 5])), /^Error: matmul: shapes \[2,3\] and \[4,5\] do not align/, 'matmul misalignment');
  t.throws(() => pg.add(pg.zeros([2, 3]), pg.zeros([4])), /add: shapes \[2,3\] and \[4\] do not broadcast/, 'add broadcast failure');
  t.throws(() => pg.sum(pg.zeros([2, 3]), 2), /sum: axis 2 is out of range for a tensor with 2 axes/, 'bad axis');
  t.throws(() => pg.sum(pg.zeros([2, 3]), [0, -2]), /sum: axis -2 is given twice/, 'repeated axis');
  t.throws(() => pg.reshape(pg.zeros([2, 3]), [4, 2]), /reshape: cannot reshape \[2,3\] \(6 values\) to \[4,2\]/, 'reshape size');
  t.throws(() => pg.conv2d(pg.zeros([1, 3, 5, 5]), pg.zeros([2, 2, 3, 3])), /conv2d: input \[1,3,5,5\] has 3 channels but weight \[2,2,3,3\] expects 2/, 'conv channels');
  t.throws(() => pg.conv2d(pg.zeros([1, 1, 2, 2]), pg.zeros([1, 1, 3, 3])), /conv2d: a 3×3 window/, 'conv window too large');
  t.throws(() => pg.crossEntropy(pg.zeros([2, 3]), [0, 3]), /crossEntropy: label 3 at position 1 is not a class index in 0..2/, 'label out of range');
  t.throws(() => pg.slice(pg.zeros([2, 3]), [[0, 4]]), /slice: range \[0, 4\) is outside axis 0 of size 2/, 'slice out of range');
  const x = pg.zeros([2, 3]).requireGrad();
  t.throws(() => pg.backward(pg.mul(x, 2)), /backward: output has shape \[2,3\], not a scalar; give a seed gradient/, 'backward on a non-scalar without a seed');
  t.throws(() => pg.backward(pg.sum(pg.mul(x, 2)), pg.zeros([3])), /seed gradient has shape \[3\] but output 0 has shape \[\]/, 'seed of the wrong shape');
  t.throws(() => pg.backward(pg.sum(pg.zeros([2]))), /does not require a gradient/, 'backward through nothing that needs a gradient');
  t.end();
});

test('backward through an op without a gradient names the op', (t) => {
  const noGradOp = pg.defineOp({ name: 'spec.roundDown', forward: ([x]) => new pg.Tensor(x.data.map(Math.floor), x.shape), vjp: [null] });
  const x = fromArray([1.5, 2.5]).requireGrad();
  t.throws(() => pg.backward(pg.sum(noGradOp([x], undefined))), /op 'spec\.roundDown' has no gradient with respect to input 0/, 'missing VJP is named');
  t.end();
});
