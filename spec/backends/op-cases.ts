/**
 * The op suite as data, for holding a backend to the CPU backend: every op of
 * `spec/core/ops-gradients.spec.ts` (and the hand-checked cases of
 * `spec/core/ops-values.spec.ts`) as a case with float32 inputs, including
 * broadcasting, transposed and sliced (non-contiguous) inputs, and the reduction length
 * that bounds its float32 rounding error.
 *
 * A case is run by {@link runCase}: forward, then the VJPs of every input with a fixed
 * random cotangent, all on the backend that is current. The same case run on two
 * backends gives two {@link CaseResult}s to compare.
 */
import * as pg from '../../core/index.js';
import { gradients, Rng, Tensor } from '../../core/index.js';

/** How an input is laid out in memory: contiguous, a transposed view, or a slice of a larger buffer. */
export type Layout = 'contiguous' | 'transposed' | 'sliced';

/** One input of a case: its shape, its values and its layout. */
export interface InputSpec {
  /** The tensor's shape. */
  shape: number[];
  /** The values in row-major order of `shape`. */
  values: Float32Array;
  /** Memory layout of the leaf built from it. */
  layout: Layout;
}

/** An op applied to inputs, with the reduction length that bounds its rounding error. */
export interface OpCase {
  /** What the case checks, e.g. `matmul [2,3,4]·[4,5]`. */
  name: string;
  /** The inputs (all get gradients). */
  inputs: InputSpec[];
  /** The op under test. */
  f: (...xs: Tensor[]) => Tensor;
  /** The longest sum behind any output or gradient element (1 for elementwise ops). */
  length: number;
}

/** The forward output and the input gradients of a case, as plain arrays. */
export interface CaseResult {
  /** The op's output. */
  out: Float32Array;
  /** The gradient of ⟨seed, out⟩ with respect to each input. */
  grads: Float32Array[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Call `fn` with every multi-index of `shape`, row-major. */
function forEachIndex(shape: readonly number[], fn: (idx: number[]) => void): void {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0, n = sizeOf(shape); i < n; i++) {
    fn(idx);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

/** A float32 leaf holding `spec.values` in `spec.layout`. */
export function leaf(spec: InputSpec): Tensor {
  const { shape, values, layout } = spec;
  if (layout === 'contiguous') return new Tensor(values.slice(), shape).requireGrad();
  let view;
  if (layout === 'transposed') {
    const n = shape.length;
    const stored = [...shape.slice(0, -2), shape[n - 1], shape[n - 2]];
    const base = new Tensor(new Float32Array(values.length), stored);
    view = base.view.transpose(...Array.from({ length: n }, (_, i) => (i === n - 2 ? n - 1 : i === n - 1 ? n - 2 : i)));
  } else {
    const big = shape.map((d) => d + 1);
    view = new Tensor(new Float32Array(sizeOf(big)), big).view.hi(...big).lo(...shape.map(() => 1));
  }
  const t = new Tensor(view.data, view.shape, view.stride, view.offset);
  let k = 0;
  forEachIndex(shape, (idx) => t.view.set(...idx, values[k++]));
  return t.requireGrad();
}

/**
 * Run `c` on the current backend: forward, then the gradients of `⟨seed, out⟩` with
 * a seed drawn from `seedRng`'s stream (the same on every backend).
 */
export function runCase(c: OpCase): CaseResult {
  const xs = c.inputs.map(leaf);
  const out = c.f(...xs);
  const seedRng = new Rng(77);
  const seed = new Tensor(Float32Array.from({ length: out.size }, () => seedRng.normal()), out.shape);
  const g = gradients(out, seed);
  return {
    out: Float32Array.from(out.data),
    grads: xs.map((x) => Float32Array.from(g.get(x)?.data ?? new Float32Array(x.size))),
  };
}

/** Build the op cases from a seeded generator (the same seed gives the same values). */
export function opCases(seed = 2024): OpCase[] {
  const rng = new Rng(seed);
  const normal = (shape: number[], layout: Layout = 'contiguous'): InputSpec => ({ shape, layout, values: Float32Array.from({ length: sizeOf(shape) }, () => rng.normal()) });
  const uniform = (shape: number[], low: number, high: number, layout: Layout = 'contiguous'): InputSpec =>
    ({ shape, layout, values: Float32Array.from({ length: sizeOf(shape) }, () => low + (high - low) * rng.uniform()) });
  /** Magnitudes in [0.2, 1.5) with random signs, away from the kinks of |x| and relu. */
  const awayFromZero = (shape: number[], layout: Layout = 'contiguous'): InputSpec =>
    ({ shape, layout, values: Float32Array.from({ length: sizeOf(shape) }, () => (0.2 + 1.3 * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1)) });
  /** Distinct values (a shuffled ramp), so every maximum is unique. */
  const distinct = (shape: number[]): InputSpec => {
    const n = sizeOf(shape);
    const perm = rng.permutation(n);
    return { shape, layout: 'contiguous', values: Float32Array.from({ length: n }, (_, i) => perm[i] * 0.37 - n * 0.1) };
  };

  const cases: OpCase[] = [];
  const add = (name: string, inputs: InputSpec[], f: (...xs: Tensor[]) => Tensor, length = 1): void => { cases.push({ name, inputs, f, length }); };

  // Elementwise binary ops with broadcasting (the gradient sums over broadcast axes).
  const pairs: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[2, 1, 3], [4, 1]], [[2, 3], []]];
  for (const [sa, sb] of pairs) {
    const tag = `${JSON.stringify(sa)}⊕${JSON.stringify(sb)}`;
    const length = Math.max(1, sizeOf(sa) / Math.max(1, sizeOf(sb)), sizeOf(sb) / Math.max(1, sizeOf(sa)));
    add(`add ${tag}`, [normal(sa), normal(sb)], pg.add, length);
    add(`sub ${tag}`, [normal(sa), normal(sb)], pg.sub, length);
    add(`mul ${tag}`, [normal(sa), normal(sb)], pg.mul, length);
    add(`div ${tag}`, [normal(sa), uniform(sb, 0.5, 2)], pg.div, length);
  }
  add('mul transposed·sliced', [normal([3, 4], 'transposed'), normal([3, 4], 'sliced')], pg.mul);
  add('maximum', [distinct([3, 4]), distinct([4])], pg.maximum, 3);

  // Elementwise unary ops.
  const shape = [2, 3, 4];
  add('neg', [normal(shape, 'transposed')], pg.neg);
  add('exp', [normal(shape, 'sliced')], pg.exp);
  add('log', [uniform(shape, 0.5, 3)], pg.log);
  add('sqrt', [uniform(shape, 0.5, 3)], pg.sqrt);
  add('pow 2.5', [uniform(shape, 0.5, 2)], (x) => pg.pow(x, 2.5));
  add('pow 3', [normal(shape, 'transposed')], (x) => pg.pow(x, 3));
  add('square', [normal(shape)], pg.square);
  add('abs', [awayFromZero(shape)], pg.abs);
  add('relu', [awayFromZero(shape, 'transposed')], pg.relu);
  add('tanh', [normal(shape)], pg.tanh);
  add('sigmoid', [normal(shape, 'sliced')], pg.sigmoid);

  // Reductions over axes, with and without keepDims.
  for (const axes of [undefined, 0, [0, 2], -1]) {
    for (const keep of [false, true]) {
      const tag = `axes=${JSON.stringify(axes)} keepDims=${keep}`;
      add(`sum ${tag}`, [normal(shape, 'sliced')], (x) => pg.sum(x, axes, keep), 24);
      add(`mean ${tag}`, [normal(shape)], (x) => pg.mean(x, axes, keep), 24);
      add(`max ${tag}`, [distinct(shape)], (x) => pg.max(x, axes, keep), 24);
    }
  }
  // Long reductions take the two-pass path (partial sums stay on the device).
  add('sum of [3,700] over axis 1 (two passes)', [normal([3, 700])], (x) => pg.sum(x, 1), 700);
  add('mean of [2,30,40] over axes 0,2 (two passes)', [normal([2, 30, 40])], (x) => pg.mean(x, [0, 2]), 80);
  add('max of [600] (two passes)', [distinct([600])], (x) => pg.max(x), 600);

  // Movement ops (gather of views, and the backward's unbroadcast / scatter).
  add('reshape of a transposed view', [normal([2, 3, 4], 'transposed')], (x) => pg.reshape(x, [4, -1]));
  add('flatten', [normal([2, 3, 2, 2])], (x) => pg.flatten(x));
  add('permute', [normal([2, 3, 4])], (x) => pg.mul(pg.permute(x, [2, 0, 1]), 1));
  add('transpose of a slice', [normal([2, 3, 4], 'sliced')], (x) => pg.mul(pg.transpose(x), 1));
  add('slice', [normal([3, 2, 4])], (x) => pg.slice(x, [[1, 3], null, [0, -1]]));
  add('concat axis 1', [normal([2, 1, 3]), normal([2, 2, 3], 'transposed'), normal([2, 3, 3])], (a, b, c) => pg.concat([a, b, c], 1));
  add('pad', [normal([2, 2, 3], 'sliced')], (x) => pg.pad(x, [[0, 0], [1, 2], [2, 1]], 0.5));

  // Matrix products: 2-D, transposed and sliced operands, batched, broadcast batches.
  add('matmul [3,4]·[4,5]', [normal([3, 4]), normal([4, 5])], pg.matmul, 5);
  add('matmul transposed operands', [normal([3, 4], 'transposed'), normal([4, 5], 'transposed')], pg.matmul, 5);
  add('matmul sliced operands', [normal([3, 4], 'sliced'), normal([4, 2], 'sliced')], pg.matmul, 4);
  add('matmul [2,3,4]·[4,5] (B broadcast over the batch)', [normal([2, 3, 4]), normal([4, 5])], pg.matmul, 6);
  add('matmul [2,1,3,4]·[3,4,2]', [normal([2, 1, 3, 4]), normal([3, 4, 2])], pg.matmul, 6);
  add('matmul [16,300]·[300,24] (long k)', [normal([16, 300]), normal([300, 24])], pg.matmul, 300);

  // Convolutions: stride, padding, dilation, groups, bias.
  const convs: { x: number[]; w: number[]; opts: pg.Conv2dOptions; bias: boolean }[] = [
    { x: [1, 2, 5, 5], w: [3, 2, 3, 3], opts: {}, bias: true },
    { x: [2, 2, 6, 5], w: [2, 2, 3, 2], opts: { stride: 2, padding: 1 }, bias: true },
    { x: [1, 1, 7, 7], w: [2, 1, 3, 3], opts: { dilation: 2, padding: [2, 1] }, bias: false },
    { x: [1, 4, 4, 4], w: [6, 2, 3, 3], opts: { groups: 2, padding: 1, stride: [1, 2] }, bias: true },
    { x: [1, 8, 12, 12], w: [8, 8, 3, 3], opts: { padding: 1 }, bias: true },
  ];
  for (const c of convs) {
    const tag = `conv2d x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} ${JSON.stringify(c.opts)}${c.bias ? ' +bias' : ''}`;
    const inputs = [normal(c.x), normal(c.w)];
    if (c.bias) inputs.push(normal([c.w[0]]));
    const length = Math.max(c.w[1] * c.w[2] * c.w[3], c.x[0] * c.x[2] * c.x[3]);
    add(tag, inputs, (x, w, b) => pg.conv2d(x, w, b ?? null, c.opts), length);
  }

  // Pooling.
  add('maxPool2d 2×2', [distinct([2, 2, 4, 4])], (x) => pg.maxPool2d(x, { kernelSize: 2 }));
  add('maxPool2d 3×3 stride 2 pad 1', [distinct([1, 2, 5, 5])], (x) => pg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }));
  add('maxPool2d: padded cells never win', [uniform([1, 1, 2, 2], -4, -1)], (x) => pg.maxPool2d(x, { kernelSize: 2, stride: 1, padding: 1 }));
  add('avgPool2d 2×2', [normal([2, 2, 4, 4])], (x) => pg.avgPool2d(x, { kernelSize: 2 }), 4);
  add('avgPool2d 3×3 stride 2 pad 1', [normal([1, 2, 5, 5])], (x) => pg.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), 9);
  add('globalAvgPool2d', [normal([2, 3, 3, 2], 'sliced')], (x) => pg.globalAvgPool2d(x), 6);

  // Softmax, losses, dropout.
  add('softmax last axis', [normal([3, 5])], (x) => pg.softmax(x), 5);
  add('softmax axis 0', [normal([3, 5], 'transposed')], (x) => pg.softmax(x, 0), 3);
  add('logSoftmax', [normal([4, 6])], (x) => pg.logSoftmax(x), 6);
  add('crossEntropy mean', [normal([4, 6])], (x) => pg.crossEntropy(x, [0, 3, 2, 5]), 24);
  add('crossEntropy sum', [normal([2, 3], 'sliced')], (x) => pg.crossEntropy(x, [1, 1], 'sum'), 6);
  add('mse', [normal([3, 4]), normal([3, 4])], (a, b) => pg.mse(a, b), 12);
  add('dropout p=0.4', [normal([4, 5])], (x) => pg.dropout(x, 0.4, new Rng(9)));

  // Reuse and a composite chain.
  add('reuse: b = a + a; c = b·b', [normal([3, 2])], (a) => {
    const b = pg.add(a, a);
    return pg.mul(b, b);
  });
  add('logSoftmax(tanh(x·W1 + b1)·W2)', [normal([3, 4]), normal([4, 5], 'transposed'), normal([5]), normal([5, 2])],
    (x, w1, b1, w2) => pg.logSoftmax(pg.matmul(pg.tanh(pg.add(pg.matmul(x, w1), b1)), w2)), 10);
  return cases;
}
