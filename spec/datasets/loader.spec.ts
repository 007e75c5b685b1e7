import test from 'tape';
import { Rng } from '../../core/random.js';
import { applyCropFlip } from '../../datasets/augment.js';
import type { Dataset } from '../../datasets/dataset.js';
import { DataLoader, type Batch } from '../../datasets/loader.js';
import { channelStats } from '../../datasets/normalize.js';
import { teacher } from '../../datasets/synthetic.js';
import { throwsLine } from './fixtures.js';

/** `n` random [3, 8, 8] images in [0, 1) with labels i mod 3. */
function images(n: number): Dataset {
  const rng = new Rng(99);
  return {
    name: 'images',
    inputs: Float32Array.from({ length: n * 192 }, () => rng.uniform()),
    sampleShape: [3, 8, 8],
    length: n,
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    numClasses: 3,
  };
}

const all = (loader: DataLoader, epoch: number): Batch[] => [...loader.batches(epoch)];
const order = (loader: DataLoader, epoch: number): number[] => all(loader, epoch).flatMap((b) => Array.from(b.indices));
const sample = (ds: Dataset, i: number): Float32Array => ds.inputs.subarray(i * 192, (i + 1) * 192);

test('DataLoader: full batches of batchSize, then a last partial batch', (t) => {
  const ds = images(10);
  const loader = new DataLoader(ds, { batchSize: 4, seed: 1 });
  const batches = all(loader, 0);
  t.equal(loader.batchesPerEpoch, 3, '⌈10 / 4⌉ = 3 batches');
  t.deepEqual(batches.map((b) => b.shape), [[4, 3, 8, 8], [4, 3, 8, 8], [2, 3, 8, 8]], 'shapes [4, …], [4, …], [2, …]');
  t.deepEqual(batches.map((b) => b.inputs.length), [4 * 192, 4 * 192, 2 * 192], 'inputs sized by the shape');
  const b = batches[1];
  const k = b.indices[2];
  t.deepEqual(Array.from(b.inputs.subarray(2 * 192, 3 * 192)), Array.from(sample(ds, k)), 'a batch row is the sample its index names');
  t.equal(b.labels![2], ds.labels![k], 'and carries its label');
  t.equal(new DataLoader(ds, { batchSize: 1 }).batchesPerEpoch, 10, 'batch size 1: one batch per sample');
  t.equal(new DataLoader(ds, { batchSize: 32 }).batch(0, 0).shape[0], 10, 'a batch size past the length gives one partial batch');
  t.end();
});

test('DataLoader: every index exactly once per epoch', (t) => {
  const loader = new DataLoader(images(23), { batchSize: 5, seed: 4 });
  for (let epoch = 0; epoch < 4; epoch++) {
    const seen = order(loader, epoch).sort((a, b) => a - b);
    t.deepEqual(seen, Array.from({ length: 23 }, (_, i) => i), `epoch ${epoch} visits 0..22 once each`);
  }
  t.end();
});

test('DataLoader: the order is a function of the seed and the epoch', (t) => {
  const ds = images(40);
  const a = new DataLoader(ds, { batchSize: 8, seed: 7 });
  const b = new DataLoader(ds, { batchSize: 8, seed: 7 });
  const c = new DataLoader(ds, { batchSize: 8, seed: 8 });
  t.deepEqual(order(a, 2), order(b, 2), 'same seed, same epoch: same order');
  t.notDeepEqual(order(a, 0), order(a, 1), 'different epochs: different orders');
  t.notDeepEqual(order(a, 0), order(c, 0), 'different seeds: different orders');
  t.deepEqual(Array.from(a.batch(1, 3).indices), order(a, 1).slice(24, 32), 'a batch asked for out of turn matches the epoch order');
  const fixed = new DataLoader(ds, { batchSize: 8, shuffle: false });
  t.deepEqual(order(fixed, 5), Array.from({ length: 40 }, (_, i) => i), 'shuffle: false visits 0..n-1 in order');
  t.end();
});

test('DataLoader: limit serves only the first N samples', (t) => {
  const loader = new DataLoader(images(30), { batchSize: 4, seed: 2, limit: 9 });
  t.equal(loader.length, 9, '9 samples');
  t.deepEqual(order(loader, 0).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'indices 0..8 only');
  t.end();
});

test('DataLoader: augmentation is a crop of the zero-padded image plus an optional flip, and shape-preserving', (t) => {
  const ds = images(12);
  const loader = new DataLoader(ds, { batchSize: 5, seed: 3, augment: true });
  const out = new Float32Array(192);
  let matched = 0;
  let changed = 0;
  for (const batch of loader.batches(0)) {
    t.deepEqual(batch.shape.slice(1), [3, 8, 8], 'batch samples keep the shape [3, 8, 8]');
    batch.indices.forEach((index, j) => {
      const got = Array.from(batch.inputs.subarray(j * 192, (j + 1) * 192));
      const src = sample(ds, index);
      let found = false;
      for (let dy = -4; dy <= 4 && !found; dy++) {
        for (let dx = -4; dx <= 4 && !found; dx++) {
          for (const flip of [false, true]) {
            applyCropFlip(src, out, ds.sampleShape, { dy, dx, flip });
            if (Array.from(out).every((v, k) => v === got[k])) found = true;
          }
        }
      }
      if (found) matched++;
      if (got.some((v, k) => v !== src[k])) changed++;
    });
  }
  t.equal(matched, 12, 'every augmented sample is some shift in -4..4 of its source, flipped or not');
  t.ok(changed >= 9, `most samples are actually changed (${changed} of 12)`);
  t.end();
});

test('DataLoader: augmentation is deterministic per seed, epoch and sample, whatever the batch size', (t) => {
  const ds = images(12);
  const bySample = (loader: DataLoader, epoch: number): Map<number, number[]> => {
    const map = new Map<number, number[]>();
    for (const b of loader.batches(epoch)) {
      b.indices.forEach((index, j) => map.set(index, Array.from(b.inputs.subarray(j * 192, (j + 1) * 192))));
    }
    return map;
  };
  const a = bySample(new DataLoader(ds, { batchSize: 5, seed: 3, augment: true }), 0);
  const b = bySample(new DataLoader(ds, { batchSize: 1, seed: 3, augment: true }), 0);
  const nextEpoch = bySample(new DataLoader(ds, { batchSize: 5, seed: 3, augment: true }), 1);
  t.deepEqual([...a.entries()].sort(), [...b.entries()].sort(), 'batch size 5 and batch size 1 augment each sample the same way');
  const differing = [...a.keys()].filter((i) => a.get(i)!.some((v, k) => v !== nextEpoch.get(i)![k])).length;
  t.ok(differing >= 6, `the next epoch draws new augmentations (${differing} of 12 samples differ)`);
  t.end();
});

test('DataLoader: normalization gives zero mean and unit std per channel, leaving the data set alone', (t) => {
  const ds = images(50);
  const before = Float32Array.from(ds.inputs);
  const stats = channelStats(ds);
  const loader = new DataLoader(ds, { batchSize: 7, seed: 5, normalize: stats });
  const sum = [0, 0, 0];
  const squares = [0, 0, 0];
  let exact = true;
  for (const batch of loader.batches(0)) {
    batch.indices.forEach((index, j) => {
      for (let k = 0; k < 192; k++) {
        const c = Math.floor(k / 64);
        const v = batch.inputs[j * 192 + k];
        if (v !== Math.fround((sample(ds, index)[k] - stats.mean[c]) / stats.std[c])) exact = false;
        sum[c] += v;
        squares[c] += v * v;
      }
    });
  }
  t.ok(exact, 'every value is (x − mean[c]) / std[c]');
  const count = 50 * 64;
  t.ok(sum.every((s) => Math.abs(s / count) < 1e-5), `channel means ≈ 0 (received ${sum.map((s) => (s / count).toExponential(1))})`);
  t.ok(squares.every((q) => Math.abs(q / count - 1) < 1e-4), `channel variances ≈ 1 (received ${squares.map((q) => (q / count).toFixed(5))})`);
  new DataLoader(ds, { batchSize: 4, seed: 1, normalize: stats, augment: true }).batch(0, 0);
  t.deepEqual(Array.from(ds.inputs), Array.from(before), 'the data set inputs are unchanged after normalizing and augmenting');
  t.end();
});

test('DataLoader: regression batches carry the targets of their samples', (t) => {
  const ds = teacher({ n: 9, inDim: 3, outDim: 2, seed: 1 });
  const batch = new DataLoader(ds, { batchSize: 4, seed: 6 }).batch(0, 0);
  const k = batch.indices[3];
  t.deepEqual(Array.from(batch.targets!.subarray(6, 8)), Array.from(ds.targets!.subarray(2 * k, 2 * k + 2)), 'row 3 holds the targets of its sample');
  t.equal(batch.labels, undefined, 'no labels in a regression batch');
  t.end();
});

test('DataLoader: bad options fail with one line', (t) => {
  const ds = images(4);
  throwsLine(t, () => new DataLoader(ds, { batchSize: 0 }), /^DataLoader\(images\): batchSize must be an integer >= 1, got 0$/, 'batch size 0');
  throwsLine(
    t,
    () => new DataLoader(teacher({ n: 4 }), { batchSize: 2, augment: true }),
    /^DataLoader\(teacher\): augmentation needs \[C, H, W\] samples, got sampleShape \[8\]$/,
    'augmenting flat samples',
  );
  throwsLine(t, () => new DataLoader(ds, { batchSize: 2, normalize: { mean: [0], std: [1] } }), /^normalize: need one mean and one std per channel/, 'stats for the wrong number of channels');
  throwsLine(t, () => new DataLoader(ds, { batchSize: 2 }).batch(0, 2), /^DataLoader\(images\): batch 2 does not exist; an epoch has 2 batches$/, 'batch past the end');
  throwsLine(t, () => new DataLoader(ds, { batchSize: 2 }).order(-1), /^DataLoader: epoch must be an integer >= 0, got -1$/, 'negative epoch');
  t.end();
});
