/**
 * Layers and initializers: Kaiming statistics, the PyTorch-default bounds, seeded
 * determinism, dropout, pooling shapes, and zero-initialized residual branches.
 */
import test from 'tape';
import { fromArray, ones, randn, Rng, type Tensor } from '../../core/index.js';
import {
  AvgPool2d,
  Conv2d,
  createModel,
  Dropout,
  fanIn,
  Flatten,
  GlobalAvgPool,
  kaimingNormal,
  kaimingUniform,
  Linear,
  MaxPool2d,
  ZeroPadShortcut,
} from '../../nn/index.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  const d = t.data;
  let s = 0;
  let s2 = 0;
  let maxAbs = 0;
  for (const v of d) {
    s += v;
    s2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s / d.length;
  return { mean, std: Math.sqrt(s2 / d.length - mean * mean), maxAbs };
}

test('init: Kaiming normal has std √2/√fan_in; Kaiming uniform the same std within ±√(6/fan_in)', (t) => {
  const shape = [128, 64, 3, 3];
  t.equal(fanIn(shape), 576, 'fan_in of a conv weight is in·kH·kW');
  const want = Math.SQRT2 / Math.sqrt(576);
  const n = stats(kaimingNormal(shape, new Rng(1)));
  t.ok(Math.abs(n.std / want - 1) < 0.02, `normal: std ${n.std.toFixed(5)} ≈ ${want.toFixed(5)}`);
  t.ok(Math.abs(n.mean) < 0.01 * want * 10, `normal: mean ${n.mean.toExponential(2)} ≈ 0`);
  const u = stats(kaimingUniform(shape, new Rng(2)));
  t.ok(Math.abs(u.std / want - 1) < 0.02, `uniform: std ${u.std.toFixed(5)} ≈ ${want.toFixed(5)}`);
  t.ok(u.maxAbs <= Math.sqrt(6 / 576), 'uniform: every value within the bound');
  t.end();
});

test('init: Linear and Conv2d default to PyTorch’s U(±1/√fan_in) for weight and bias, from the seed alone', (t) => {
  const fc = new Linear(100, 50, { rng: new Rng(3) });
  const bound = 1 / Math.sqrt(100);
  const w = stats(fc.weight);
  t.ok(w.maxAbs <= bound && w.maxAbs > 0.95 * bound, `weights fill [−${bound}, ${bound}]`);
  t.ok(Math.abs(w.std - bound / Math.sqrt(3)) < 0.02 * bound, 'with the uniform std b/√3');
  t.ok(stats(fc.bias!).maxAbs <= bound, 'the bias too');
  const conv = new Conv2d(4, 8, 3, { rng: new Rng(3) });
  t.ok(stats(conv.weight).maxAbs <= 1 / 6 && stats(conv.bias!).maxAbs <= 1 / 6, 'conv: bound 1/√(4·3·3)');
  const again = new Linear(100, 50, { rng: new Rng(3) });
  t.deepEqual(Array.from(again.weight.data), Array.from(fc.weight.data), 'the same seed gives the same weights');
  t.end();
});

test('init: zeroInitResidual zeroes the last norm scale of every residual block', (t) => {
  const model = createModel('resnet20', { width: 0.25, zeroInitResidual: true });
  const scales = model.namedParameters().filter(([n]) => /^layer\d\.\d\.norm2\.weight$/.test(n));
  t.equal(scales.length, 9, 'resnet20 has nine blocks');
  t.ok(scales.every(([, p]) => p.data.every((v) => v === 0)), 'each block’s norm2 scale is zero');
  const firstNorms = model.namedParameters().filter(([n]) => /norm1\.weight$/.test(n));
  t.ok(firstNorms.every(([, p]) => p.data.every((v) => v === 1)), 'the other scales stay 1');
  const plain = createModel('resnet20', { width: 0.25, norm: 'none', zeroInitResidual: true });
  const convs = plain.namedParameters().filter(([n]) => /conv2\.weight$/.test(n));
  t.ok(convs.every(([, p]) => p.data.every((v) => v === 0)), 'without a norm, the last conv of each branch is zeroed');
  t.end();
});

test('Dropout: drops with probability p and rescales in training, identity in evaluation', (t) => {
  const drop = new Dropout(0.25, new Rng(4));
  const y = drop.forward(ones([10000])).data;
  const zeros = y.filter((v) => v === 0).length;
  t.ok(Math.abs(zeros / 10000 - 0.25) < 0.02, `about a quarter dropped (${zeros})`);
  t.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6), 'the rest scaled by 1/(1−p)');
  drop.eval();
  const x = ones([5]);
  t.equal(drop.forward(x), x, 'evaluation returns the input');
  t.end();
});

test('pooling, flatten and the option-A shortcut: shapes and values', (t) => {
  const x = randn([1, 2, 6, 6], new Rng(5));
  t.deepEqual(new MaxPool2d(2).forward(x).shape, [1, 2, 3, 3], 'MaxPool2d(2)');
  t.deepEqual(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(x).shape, [1, 2, 3, 3], 'MaxPool2d(3, stride 2, pad 1)');
  t.deepEqual(new AvgPool2d(3).forward(x).shape, [1, 2, 2, 2], 'AvgPool2d(3)');
  t.deepEqual(new GlobalAvgPool().forward(x).shape, [1, 2], 'GlobalAvgPool → [N, C]');
  t.deepEqual(new Flatten().forward(x).shape, [1, 72], 'Flatten');
  const img = fromArray([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  const y = new ZeroPadShortcut(1, 3, 2).forward(img);
  t.deepEqual(y.toArray(), [[[[0, 0], [0, 0]], [[1, 3], [7, 9]], [[0, 0], [0, 0]]]], 'option A: x[:, :, ::2, ::2] with zero channels before and after');
  t.end();
});
