import test from 'tape';
import { classCounts, slice } from '../../datasets/dataset.js';
import { blobs, spirals, teacher } from '../../datasets/synthetic.js';
import { throwsLine } from './fixtures.js';

const generators = {
  spirals: (seed: number, n = 200) => spirals({ n, noise: 0.05, seed }),
  blobs: (seed: number, n = 200) => blobs({ n, classes: 4, dim: 3, spread: 0.3, seed }),
  teacher: (seed: number, n = 200) => teacher({ n, inDim: 5, outDim: 2, hidden: [7, 6], noise: 0.01, seed }),
};

for (const [name, generate] of Object.entries(generators)) {
  test(`${name}: the same seed gives identical data, another seed different data`, (t) => {
    const a = generate(11);
    const b = generate(11);
    const c = generate(12);
    t.deepEqual(Array.from(a.inputs), Array.from(b.inputs), 'inputs equal for seed 11 twice');
    t.deepEqual(Array.from(a.labels ?? a.targets!), Array.from(b.labels ?? b.targets!), 'labels or targets equal for seed 11 twice');
    t.notDeepEqual(Array.from(a.inputs), Array.from(c.inputs), 'inputs differ between seeds 11 and 12');
    t.ok(a.inputs.every(Number.isFinite), 'every input is finite');
    t.end();
  });

  test(`${name}: a longer draw begins with the shorter one (so a test split is a slice)`, (t) => {
    const short = generate(5, 200);
    const head = slice(generate(5, 300), 0, 200);
    t.deepEqual(Array.from(head.inputs), Array.from(short.inputs), 'the first 200 inputs of 300 equal a draw of 200');
    t.deepEqual(Array.from(head.labels ?? head.targets!), Array.from(short.labels ?? short.targets!), 'and so do their labels or targets');
    t.end();
  });
}

test('spirals: two balanced classes of 2-D points inside the unit disc plus noise', (t) => {
  const ds = spirals({ n: 1000, noise: 0, seed: 3 });
  t.deepEqual([ds.sampleShape, ds.numClasses], [[2], 2], 'sampleShape [2], 2 classes');
  t.deepEqual(Array.from(classCounts(ds)), [500, 500], '500 samples per class');
  let maxRadius = 0;
  for (let i = 0; i < ds.length; i++) maxRadius = Math.max(maxRadius, Math.hypot(ds.inputs[2 * i], ds.inputs[2 * i + 1]));
  t.ok(maxRadius <= 1 + 1e-6, `without noise every point has radius <= 1 (max ${maxRadius})`);
  t.end();
});

test('spirals: the two arms are point reflections of each other', (t) => {
  // Arm 1 is arm 0 turned by π; with no noise, a class-1 point negated lies on arm 0,
  // i.e. its angle matches 2π·turns·r (mod 2π) at its radius r.
  const turns = 1.5;
  const ds = spirals({ n: 50, noise: 0, turns, seed: 9 });
  let worst = 0;
  for (let i = 0; i < ds.length; i++) {
    const sign = ds.labels![i] === 0 ? 1 : -1;
    const x = sign * ds.inputs[2 * i];
    const y = sign * ds.inputs[2 * i + 1];
    const r = Math.hypot(x, y);
    const expected = 2 * Math.PI * turns * r;
    const off = Math.abs(Math.atan2(Math.sin(Math.atan2(y, x) - expected), Math.cos(Math.atan2(y, x) - expected)));
    worst = Math.max(worst, off);
  }
  t.ok(worst < 1e-4, `every point lies on its arm (largest angle error ${worst})`);
  t.end();
});

test('blobs: each class clusters around its own centre with the given spread', (t) => {
  const dim = 3;
  const ds = blobs({ n: 3000, classes: 3, dim, spread: 0.1, seed: 4 });
  t.deepEqual([ds.sampleShape, ds.numClasses], [[dim], 3], 'sampleShape [dim], numClasses = classes');
  t.deepEqual(Array.from(classCounts(ds)), [1000, 1000, 1000], 'classes cycle, so they are balanced');
  const mean = new Float64Array(3 * dim);
  for (let i = 0; i < ds.length; i++) {
    for (let d = 0; d < dim; d++) mean[ds.labels![i] * dim + d] += ds.inputs[i * dim + d] / 1000;
  }
  let sq = 0;
  for (let i = 0; i < ds.length; i++) {
    for (let d = 0; d < dim; d++) sq += (ds.inputs[i * dim + d] - mean[ds.labels![i] * dim + d]) ** 2;
  }
  const spread = Math.sqrt(sq / (ds.length * dim));
  t.ok(Math.abs(spread - 0.1) < 0.005, `within-class standard deviation ≈ 0.1 (received ${spread.toFixed(4)})`);
  t.ok(Array.from(mean).every((m) => Math.abs(m) <= 1.01), 'class means lie in [-1, 1]^dim');
  t.end();
});

test('teacher: targets are a fixed function of the inputs, plus the requested noise', (t) => {
  const clean = teacher({ n: 500, inDim: 4, outDim: 2, hidden: 8, noise: 0, seed: 2 });
  const noisy = teacher({ n: 500, inDim: 4, outDim: 2, hidden: 8, noise: 0.1, seed: 2 });
  t.deepEqual([clean.sampleShape, clean.targetShape, clean.labels], [[4], [2], undefined], 'regression set: [4] → [2], no labels');
  t.deepEqual(Array.from(noisy.inputs), Array.from(clean.inputs), 'noise does not change the inputs');
  let sq = 0;
  for (let k = 0; k < clean.targets!.length; k++) sq += (noisy.targets![k] - clean.targets![k]) ** 2;
  const noise = Math.sqrt(sq / clean.targets!.length);
  t.ok(Math.abs(noise - 0.1) < 0.01, `targets differ by noise of std ≈ 0.1 (received ${noise.toFixed(4)})`);
  let variance = 0;
  for (const y of clean.targets!) variance += y * y / clean.targets!.length;
  t.ok(variance > 0.05, `clean targets are not degenerate (mean square ${variance.toFixed(3)})`);
  t.end();
});

test('synthetic generators reject impossible options with one line', (t) => {
  throwsLine(t, () => spirals({ n: 0 }), /^spirals: n must be a positive integer, got 0$/, 'n = 0');
  throwsLine(t, () => blobs({ classes: 2.5 }), /^blobs: classes must be a positive integer, got 2\.5$/, 'fractional classes');
  throwsLine(t, () => teacher({ noise: -1 }), /^teacher: noise must be a finite number >= 0, got -1$/, 'negative noise');
  t.end();
});
