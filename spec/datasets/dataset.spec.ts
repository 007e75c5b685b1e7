import test from 'tape';
import { classCounts, sampleSize, slice, subset, type Dataset } from '../../datasets/dataset.js';
import { throwsLine } from './fixtures.js';

const ds: Dataset = {
  name: 'tiny',
  inputs: Float32Array.from({ length: 5 * 2 }, (_, k) => k),
  sampleShape: [2],
  length: 5,
  labels: Int32Array.from([0, 1, 1, 2, 1]),
  numClasses: 3,
};

test('slice: samples start..end-1 as views into the same arrays', (t) => {
  const part = slice(ds, 1, 3);
  t.equal(part.length, 2, 'two samples');
  t.deepEqual(Array.from(part.inputs), [2, 3, 4, 5], 'inputs of samples 1 and 2');
  t.deepEqual(Array.from(part.labels!), [1, 1], 'labels of samples 1 and 2');
  t.equal(part.inputs.buffer, ds.inputs.buffer, 'no copy: the slice shares the buffer');
  t.equal(slice(ds, 3).length, 2, 'end defaults to the length');
  t.end();
});

test('subset: the first limit samples, or all of them', (t) => {
  t.equal(subset(ds, 2).length, 2, 'limit 2 keeps 2');
  t.equal(subset(ds, 99).length, 5, 'a limit past the end keeps all');
  t.equal(subset(ds), ds, 'no limit returns the data set itself');
  throwsLine(t, () => subset(ds, 0), /^subset\(tiny\): limit must be a positive integer, got 0$/, 'limit 0');
  t.end();
});

test('slice: regression targets are sliced by targetShape', (t) => {
  const reg: Dataset = { name: 'reg', inputs: new Float32Array(3), sampleShape: [1], length: 3, targets: Float32Array.from([0, 1, 2, 3, 4, 5]), targetShape: [2] };
  t.deepEqual(Array.from(slice(reg, 1, 2).targets!), [2, 3], 'sample 1 has targets [2, 3]');
  t.end();
});

test('classCounts and sampleSize', (t) => {
  t.deepEqual(Array.from(classCounts(ds)), [1, 3, 1], 'one 0, three 1s, one 2');
  t.equal(sampleSize({ ...ds, sampleShape: [3, 32, 32] }), 3072, '3×32×32 = 3072');
  throwsLine(t, () => classCounts({ ...ds, labels: undefined }), /^classCounts\(tiny\): the data set has no labels/, 'no labels');
  t.end();
});
