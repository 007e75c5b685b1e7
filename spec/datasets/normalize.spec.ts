import test from 'tape';
import type { Dataset } from '../../datasets/dataset.js';
import { channelStats, checkChannelStats, normalizeInPlace } from '../../datasets/normalize.js';
import { throwsLine } from './fixtures.js';

// Two samples of shape [2, 1, 2]: channel 0 holds 1, 3, 5, 7; channel 1 holds 10, 10, 20, 20.
const ds: Dataset = {
  name: 'two-channel',
  inputs: Float32Array.from([1, 3, 10, 10, 5, 7, 20, 20]),
  sampleShape: [2, 1, 2],
  length: 2,
};

test('channelStats: mean and population std of each channel over samples and positions', (t) => {
  const { mean, std } = channelStats(ds);
  t.deepEqual(Array.from(mean), [4, 15], 'means 4 and 15');
  t.deepEqual(Array.from(std), [Math.fround(Math.sqrt(5)), 5], 'stds √5 and 5');
  t.end();
});

test('normalizeInPlace: (x − mean[c]) / std[c], channel by channel', (t) => {
  const x = Float32Array.from(ds.inputs);
  normalizeInPlace(x, ds.sampleShape, { mean: [4, 15], std: [2, 5] });
  t.deepEqual(Array.from(x), [-1.5, -0.5, -1, -1, 0.5, 1.5, 1, 1], 'each value shifted and scaled by its channel');
  const flat = Float32Array.from([1, 10, 3, 30]);
  normalizeInPlace(flat, [2], { mean: [2, 20], std: [1, 10] });
  t.deepEqual(Array.from(flat), [-1, -1, 1, 1], 'a flat [D] sample normalizes each feature');
  t.end();
});

test('checkChannelStats: one finite mean and one positive std per channel', (t) => {
  throwsLine(t, () => checkChannelStats({ mean: [0], std: [1] }, [3, 32, 32]), /^normalize: need one mean and one std per channel \(3 for sampleShape \[3, 32, 32\]\), got 1 means and 1 stds$/, 'too few entries');
  throwsLine(t, () => checkChannelStats({ mean: [0], std: [0] }, [1, 2, 2]), /^normalize: channel 0 has mean 0 and std 0; need a finite mean and std > 0$/, 'zero std');
  t.end();
});
