/**
 * Every op's VJP against a float64 central difference, on random shapes with
 * broadcasting and on non-contiguous (transposed and sliced) inputs.
 */
import test from 'tape';
import * as pg from '../../core/index.js';
import { Rng, type Tensor } from '../../core/index.js';
import { checkGradients, leaf, values } from './gradcheck.js';

const rng = new Rng(2024);
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const randomLeaf = (shape: number[], layout: 'contiguous' | 'transposed' | 'sliced' = 'contiguous', low?: number, high?: number): Tensor =>
  leaf(values(rng, size(shape), low, high), shape, layout);
/** Values whose magnitudes are at least 0.2, to keep away from kinks (|x|, relu). */
const awayFromZero = (shape: number[], layout: 'contiguous' | 'transposed' | 'sliced' = 'contiguous'): Tensor => {
  const v = values(rng, size(shape), 0.2, 1.5).map((x) => (rng.uniform() < 0.5 ? -x : x));
  return leaf(v, shape, layout);
};
/** Distinct values (a shuffled ramp), so maxima are unique. */
const distinct = (shape: number[]): Tensor => {
  const n = size(shape);
  const v = new Float64Array(n);
  const perm = rng.permutation(n);
  for (let i = 0; i < n; i++) v[i] = perm[i] * 0.37 - n * 0.1;
  return leaf(v, shape);
};

test('elementwise binary ops: gradients with broadcasting and non-contiguous inputs', (t) => {
  const cases: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[3, 4], [4]],
    [[2, 1, 3], [4, 1]],
    [[2, 3], []],
  ];
  for (const [sa, sb] of cases) {
    const tag = `${JSON.stringify(sa)}⊕${JSON.stringify(sb)}`;
    checkGradients(t, `add ${tag}`, pg.add, [randomLeaf(sa), randomLeaf(sb)]);
    checkGradients(t, `sub ${tag}`, pg.sub, [randomLeaf(sa), randomLeaf(sb)]);
    checkGradients(t, `mul ${tag}`, pg.mul, [randomLeaf(sa), randomLeaf(sb)]);
    checkGradients(t, `div ${tag}`, pg.div, [randomLeaf(sa), randomLeaf(sb, 'contiguous', 0.5, 2)]);
  }
  checkGradients(t, 'mul transposed·sliced', pg.mul, [randomLeaf([3, 4], 'transposed'), randomLeaf([3, 4], 'sliced')]);
  checkGradients(t, 'maximum', pg.maximum, [distinct([3, 4]), distinct([4])]);
  t.end();
});

test('elementwise unary ops: gradients', (t) => {
  const shape = [2, 3, 4];
  checkGradients(t, 'neg', pg.neg, [randomLeaf(shape, 'transposed')]);
  checkGradients(t, 'exp', pg.exp, [randomLeaf(shape, 'sliced')]);
  checkGradients(t, 'log', pg.log, [randomLeaf(shape, 'contiguous', 0.5, 3)]);
  checkGradients(t, 'sqrt', pg.sqrt, [randomLeaf(shape, 'contiguous', 0.5, 3)]);
  checkGradients(t, 'pow 2.5', (x) => pg.pow(x, 2.5), [randomLeaf(shape, 'contiguous', 0.5, 2)]);
  checkGradients(t, 'pow 3', (x) => pg.pow(x, 3), [randomLeaf(shape, 'transposed')]);
  checkGradients(t, 'abs', pg.abs, [awayFromZero(shape)]);
  checkGradients(t, 'relu', pg.relu, [awayFromZero(shape, 'transposed')]);
  checkGradients(t, 'tanh', pg.tanh, [randomLeaf(shape)]);
  checkGradients(t, 'sigmoid', pg.sigmoid, [randomLeaf(shape, 'sliced')]);
  t.end();
});

test('reductions: gradients over axes with and without keepDims', (t) => {
  const shape = [2, 3, 4];
  for (const axes of [undefined, 0, [0, 2], -1]) {
    for (const keep of [false, true]) {
      const tag = `axes=${JSON.stringify(axes)} keepDims=${keep}`;
      checkGradients(t, `sum ${tag}`, (x) => pg.sum(x, axes, keep), [randomLeaf(shape, 'sliced')]);
      checkGradients(t, `mean ${tag}`, (x) => pg.mean(x, axes, keep), [randomLeaf(shape)]);
      checkGradients(t, `max ${tag}`, (x) => pg.max(x, axes, keep), [distinct(shape)]);
    }
  }
  t.end();
});

test('movement ops: gradients', (t) => {
  checkGradients(t, 'reshape', (x) => pg.reshape(x, [4, -1]), [randomLeaf([2, 3, 4], 'transposed')]);
  checkGradients(t, 'flatten', (x) => pg.flatten(x), [randomLeaf([2, 3, 2, 2])]);
  checkGradients(t, 'permute', (x) => pg.permute(x, [2, 0, 1]), [randomLeaf([2, 3, 4])]);
  checkGradients(t, 'transpose', (x) => pg.transpose(x), [randomLeaf([2, 3, 4], 'sliced')]);
  checkGradients(t, 'slice', (x) => pg.slice(x, [[1, 3], null, [0, -1]]), [randomLeaf([3, 2, 4])]);
  checkGradients(t, 'concat axis 1', (a, b, c) => pg.concat([a, b, c], 1), [randomLeaf([2, 1, 3]), randomLeaf([2, 2, 3], 'transposed'), randomLeaf([2, 3, 3])]);
  checkGradients(t, 'pad', (x) => pg.pad(x, [[0, 0], [1, 2], [2, 1]], 0.5), [randomLeaf([2, 2, 3], 'sliced')]);
  t.end();
});

test('matmul: gradients, 2-D and batched with broadcasting, transposed operands', (t) => {
  checkGradients(t, 'matmul [3,4]·[4,5]', pg.matmul, [randomLeaf([3, 4]), randomLeaf([4, 5])]);
  checkGradients(t, 'matmul transposed operands', pg.matmul, [randomLeaf([3, 4], 'transposed'), randomLeaf([4, 5], 'transposed')]);
  checkGradients(t, 'matmul sliced operands', pg.matmul, [randomLeaf([3, 4], 'sliced'), randomLeaf([4, 2], 'sliced')]);
  checkGradients(t, 'matmul [2,3,4]·[4,5]', pg.matmul, [randomLeaf([2, 3, 4]), randomLeaf([4, 5])]);
  checkGradients(t, 'matmul [2,1,3,4]·[3,4,2]', pg.matmul, [randomLeaf([2, 1, 3, 4]), randomLeaf([3, 4, 2])]);
  t.end();
});

test('conv2d: gradients with stride, padding, dilation, groups and bias', (t) => {
  const cases: { x: number[]; w: number[]; opts: pg.Conv2dOptions; bias: boolean }[] = [
    { x: [1, 2, 5, 5], w: [3, 2, 3, 3], opts: {}, bias: true },
    { x: [2, 2, 6, 5], w: [2, 2, 3, 2], opts: { stride: 2, padding: 1 }, bias: true },
    { x: [1, 1, 7, 7], w: [2, 1, 3, 3], opts: { dilation: 2, padding: [2, 1] }, bias: false },
    { x: [1, 4, 4, 4], w: [6, 2, 3, 3], opts: { groups: 2, padding: 1, stride: [1, 2] }, bias: true },
  ];
  for (const c of cases) {
    const tag = `conv2d x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} ${JSON.stringify(c.opts)}${c.bias ? ' +bias' : ''}`;
    const inputs = [randomLeaf(c.x), randomLeaf(c.w)];
    if (c.bias) inputs.push(randomLeaf([c.w[0]]));
    checkGradients(t, tag, (x, w, b) => pg.conv2d(x, w, b ?? null, c.opts), inputs);
  }
  t.end();
});

test('pooling: gradients', (t) => {
  checkGradients(t, 'maxPool2d 2×2', (x) => pg.maxPool2d(x, { kernelSize: 2 }), [distinct([2, 2, 4, 4])]);
  checkGradients(t, 'maxPool2d 3×3 stride 2 pad 1', (x) => pg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [distinct([1, 2, 5, 5])]);
  checkGradients(t, 'avgPool2d 2×2', (x) => pg.avgPool2d(x, { kernelSize: 2 }), [randomLeaf([2, 2, 4, 4])]);
  checkGradients(t, 'avgPool2d 3×3 stride 2 pad 1', (x) => pg.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [randomLeaf([1, 2, 5, 5])]);
  checkGradients(t, 'globalAvgPool2d', (x) => pg.globalAvgPool2d(x), [randomLeaf([2, 3, 3, 2], 'sliced')]);
  t.end();
});

test('softmax, logSoftmax, losses and dropout: gradients', (t) => {
  checkGradients(t, 'softmax last axis', (x) => pg.softmax(x), [randomLeaf([3, 5])]);
  checkGradients(t, 'softmax axis 0', (x) => pg.softmax(x, 0), [randomLeaf([3, 5], 'transposed')]);
  checkGradients(t, 'logSoftmax', (x) => pg.logSoftmax(x), [randomLeaf([4, 6])]);
  checkGradients(t, 'crossEntropy mean', (x) => pg.crossEntropy(x, [0, 3, 2, 5]), [randomLeaf([4, 6])]);
  checkGradients(t, 'crossEntropy sum', (x) => pg.crossEntropy(x, [1, 1], 'sum'), [randomLeaf([2, 3], 'sliced')]);
  checkGradients(t, 'mse', (a, b) => pg.mse(a, b), [randomLeaf([3, 4]), randomLeaf([3, 4])]);
  checkGradients(t, 'dropout p=0.4', (x) => pg.dropout(x, 0.4, new Rng(9)), [randomLeaf([4, 5])]);
  t.end();
});

test('reuse: b = a + a; c = b * b accumulates both paths', (t) => {
  checkGradients(t, 'b = a + a; c = b·b', (a) => {
    const b = pg.add(a, a);
    return pg.mul(b, b);
  }, [randomLeaf([3, 2])]);
  const a = pg.fromArray([1, 2, 3], undefined, 'float64').requireGrad();
  const b = pg.add(a, a);
  pg.backward(pg.sum(pg.mul(b, b)));
  // c = Σ (2a)² → dc/da = 8a
  t.deepEqual(Array.from(a.grad!.data), [8, 16, 24], 'd Σ(2a)² / da = 8a');
  t.end();
});

test('a composite of many ops: gradients through an MLP-like chain', (t) => {
  checkGradients(t, 'logSoftmax(tanh(x·W1 + b1)·W2)', (x, w1, b1, w2) => pg.logSoftmax(pg.matmul(pg.tanh(pg.add(pg.matmul(x, w1), b1)), w2)), [
    randomLeaf([3, 4]), randomLeaf([4, 5], 'transposed'), randomLeaf([5]), randomLeaf([5, 2]),
  ]);
  t.end();
});
