/**
 * Normalizations against hand-computed values: GroupNorm, LayerNorm, BatchNorm (in
 * training and evaluation, with its running statistics rebound), and a float64
 * gradient check of the composed ops.
 */
import test from 'tape';
import { fromArray, mean, mul, type NestedArray, randn, Rng, type Tensor, zeros } from '../../core/index.js';
import { BatchNorm2d, GroupNorm, LayerNorm } from '../../nn/index.js';
import { checkGradients, leaf, values } from '../core/gradcheck.js';

const EPS = 1e-5;

function close(t: test.Test, got: Tensor, want: NestedArray, msg: string, tol = 1e-5): void {
  const a = [got.toArray()].flat(Infinity as 1) as number[];
  const b = [want].flat(Infinity as 1) as number[];
  const ok = a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol * (1 + Math.abs(b[i])));
  t.ok(ok, ok ? msg : `${msg} — received ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
}

test('GroupNorm: each group of each sample standardized, then per-channel γ, β', (t) => {
  // Channels 0,1 form group 0: values 1,3,5,7 (mean 4, variance 5).
  // Channels 2,3 form group 1: values 2,2,4,8 (mean 4, variance 6).
  const x = fromArray([[[[1, 3]], [[5, 7]], [[2, 2]], [[4, 8]]]]);
  const gn = new GroupNorm(2, 4);
  const s5 = Math.sqrt(5 + EPS);
  const s6 = Math.sqrt(6 + EPS);
  close(t, gn.forward(x), [[[[-3 / s5, -1 / s5]], [[1 / s5, 3 / s5]], [[-2 / s6, -2 / s6]], [[0, 4 / s6]]]], 'γ = 1, β = 0: standardized groups');
  gn.setParameter('weight', fromArray([1, 2, 1, 1]));
  gn.setParameter('bias', fromArray([0, 0, 1, 0]));
  close(t, gn.forward(x), [[[[-3 / s5, -1 / s5]], [[2 / s5, 6 / s5]], [[1 - 2 / s6, 1 - 2 / s6]], [[0, 4 / s6]]]], 'γ and β act per channel');
  t.deepEqual(gn.namedParameters().map(([n, p]) => [n, p.shape]), [['weight', [4]], ['bias', [4]]], 'γ, β are [C]');
  t.throws(() => new GroupNorm(3, 4), /groups \(3\) must divide channels \(4\)/, 'groups must divide channels');
  t.throws(() => gn.forward(zeros([1, 3, 2, 2])), /GroupNorm\(2, 4\).*\[1,3,2,2\]/, 'a wrong channel count names the layer');
  close(t, new GroupNorm(1, 2).forward(fromArray([[1, 3], [2, 6]])), [[-1 / Math.sqrt(1 + EPS), 1 / Math.sqrt(1 + EPS)], [-2 / Math.sqrt(4 + EPS), 2 / Math.sqrt(4 + EPS)]], 'features [N, C] work too');
  t.end();
});

test('LayerNorm: statistics over the trailing axes, per-element γ, β', (t) => {
  const ln = new LayerNorm(2);
  ln.setParameter('weight', fromArray([2, 3]));
  ln.setParameter('bias', fromArray([0, 1]));
  // Row [1,3]: mean 2, variance 1. Row [2,6]: mean 4, variance 4.
  const r1 = 1 / Math.sqrt(1 + EPS);
  const r2 = 2 / Math.sqrt(4 + EPS);
  close(t, ln.forward(fromArray([[1, 3], [2, 6]])), [[-2 * r1, 1 + 3 * r1], [-2 * r2, 1 + 3 * r2]], 'hand-computed rows');

  const chw = new LayerNorm([3, 2, 2]);
  t.deepEqual(chw.namedParameters().map(([, p]) => p.shape), [[3, 2, 2], [3, 2, 2]], 'over NCHW, γ and β are [C, H, W]');
  const y = chw.forward(randn([2, 3, 2, 2], new Rng(1), 3, 5));
  const m = mean(y, [1, 2, 3]).data;
  const v = mean(mul(y, y), [1, 2, 3]).data;
  t.ok(Math.abs(m[0]) < 1e-5 && Math.abs(m[1]) < 1e-5, 'each sample has mean 0');
  t.ok(Math.abs(v[0] - 1) < 1e-3 && Math.abs(v[1] - 1) < 1e-3, 'and variance 1');
  t.throws(() => chw.forward(zeros([1, 3, 2, 3])), /must end in \[3,2,2\]/, 'a wrong trailing shape is an error');
  t.end();
});

test('BatchNorm2d: batch statistics in training, running statistics (rebound) in evaluation', (t) => {
  // One channel; values 1,3 (sample 0) and 5,7 (sample 1): mean 4, biased variance 5, unbiased 20/3.
  const x = fromArray([[[[1, 3]]], [[[5, 7]]]]);
  const bn = new BatchNorm2d(1);
  const oldMean = bn.runningMean;
  const oldVar = bn.runningVar;
  const s = Math.sqrt(5 + EPS);
  close(t, bn.forward(x), [[[[-3 / s, -1 / s]]], [[[1 / s, 3 / s]]]], 'training normalizes with the batch statistics');
  close(t, bn.runningMean, [0.4], 'running mean = 0.9·0 + 0.1·4');
  close(t, bn.runningVar, [0.9 + (0.1 * 20) / 3], 'running var = 0.9·1 + 0.1·(unbiased 20/3)');
  t.notEqual(bn.runningMean, oldMean, 'the running mean was rebound to a new tensor');
  t.deepEqual([oldMean.item(), oldVar.item()], [0, 1], 'the old buffers are untouched');
  t.equal(bn.namedBuffers()[0][1], bn.runningMean, 'namedBuffers sees the new tensor');

  bn.eval();
  const rv = Math.sqrt(0.9 + (0.1 * 20) / 3 + EPS);
  close(t, bn.forward(x), [[[[(1 - 0.4) / rv, (3 - 0.4) / rv]]], [[[(5 - 0.4) / rv, (7 - 0.4) / rv]]]], 'evaluation uses the running statistics');
  close(t, bn.runningMean, [0.4], 'and does not update them');

  bn.train();
  t.throws(() => bn.forward(zeros([1, 1, 1, 1])), /more than one value per channel.*GroupNorm/, 'training on one value per channel is an error that points to GroupNorm');
  t.end();
});

test('GroupNorm and LayerNorm: gradients of the composed ops match central differences (float64)', (t) => {
  const rng = new Rng(7);
  const gn = new GroupNorm(2, 4);
  checkGradients(
    t,
    'GroupNorm',
    (x, w, b) => {
      gn.setParameter('weight', w);
      gn.setParameter('bias', b);
      return gn.forward(x);
    },
    [leaf(values(rng, 2 * 4 * 3), [2, 4, 3, 1]), leaf(values(rng, 4), [4]), leaf(values(rng, 4), [4])],
    { atol: 1e-5 },
  );
  const ln = new LayerNorm([3]);
  checkGradients(
    t,
    'LayerNorm',
    (x, w) => {
      ln.setParameter('weight', w);
      return ln.forward(x);
    },
    [leaf(values(rng, 6), [2, 3]), leaf(values(rng, 3), [3])],
    { atol: 1e-5 },
  );
  t.end();
});
