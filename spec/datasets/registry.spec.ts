import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'tape';
import { loadFrom, syntheticDatasets } from '../../datasets/index.js';
import { datasetNames, loadDataset } from '../../datasets/node.js';
import { cifarRecord, tempDir, throwsLine } from './fixtures.js';

test('loadDataset: knows the six data sets by name', (t) => {
  t.deepEqual([...datasetNames], ['spirals', 'blobs', 'teacher', 'mnist', 'cifar10', 'cifar100'], 'the registered names');
  throwsLine(
    t,
    () => loadDataset('imagenet'),
    /^unknown data set 'imagenet'; valid names: spirals, blobs, teacher, mnist, cifar10, cifar100$/,
    'an unknown name lists the valid ones',
  );
  throwsLine(t, () => loadDataset('toString'), /^unknown data set 'toString'/, 'inherited object keys are not names');
  t.end();
});

test('loadDataset: synthetic test splits come from the same task, after the training samples', (t) => {
  const opts = { n: 100, testN: 40, classes: 4, seed: 3 };
  const train = loadDataset('blobs', opts);
  const testSet = loadDataset('blobs', { ...opts, split: 'test' });
  const both = loadDataset('blobs', { ...opts, n: 140 });
  t.deepEqual([train.name, train.length, testSet.name, testSet.length], ['blobs-train', 100, 'blobs-test', 40], 'names and sizes');
  t.deepEqual(Array.from(testSet.inputs), Array.from(both.inputs.subarray(200)), 'the test split is samples 100..139 of one draw');
  t.deepEqual(Array.from(train.inputs), Array.from(both.inputs.subarray(0, 200)), 'the training split is samples 0..99');
  t.end();
});

test('loadDataset: passes options through, and limit keeps the first samples', (t) => {
  const reg = loadDataset('teacher', { n: 20, inDim: 3, outDim: 2, hidden: 4, limit: 5 });
  t.deepEqual([reg.length, reg.sampleShape, reg.targetShape], [5, [3], [2]], 'teacher with inDim 3, outDim 2, limited to 5');
  t.equal(loadDataset('mnist', { split: 'test', limit: 100 }).labels![0], 7, 'mnist test split from the shipped files');
  t.end();
});

test('loadDataset: CIFAR needs a folder and reads it', (t) => {
  throwsLine(t, () => loadDataset('cifar10'), /^loadDataset\('cifar10'\): opts\.dir is required: .*cifar-10-binary\.tar\.gz/, 'no dir');
  const dir = tempDir(t);
  writeFileSync(join(dir, 'test.bin'), cifarRecord([2, 33], () => 0));
  const ds = loadDataset('cifar100', { dir, split: 'test', labels: 'coarse' });
  t.deepEqual([ds.name, ds.labels![0], ds.numClasses], ['cifar100-test-coarse', 2, 20], 'coarse CIFAR-100 test split');
  throwsLine(t, () => loadDataset('spirals', { split: 'val' as 'test' }), /^loadDataset\('spirals'\): split must be 'train' or 'test', got 'val'$/, 'bad split');
  t.end();
});

test('loadFrom: the browser-safe registry holds the synthetic sets, and a file set is not in it', (t) => {
  t.deepEqual(Object.keys(syntheticDatasets), ['spirals', 'blobs', 'teacher'], 'the synthetic names');
  const a = loadFrom(syntheticDatasets, 'blobs', { n: 30, limit: 10 });
  const b = loadDataset('blobs', { n: 30, limit: 10 });
  t.deepEqual(Array.from(a.inputs), Array.from(b.inputs), 'the same samples as loadDataset');
  throwsLine(t, () => loadFrom(syntheticDatasets, 'mnist'), /^unknown data set 'mnist'; valid names: spirals, blobs, teacher$/, 'mnist needs the Node registry');
  t.end();
});
