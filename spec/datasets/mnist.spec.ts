import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'tape';
import { classCounts } from '../../datasets/dataset.js';
import { parseIdx } from '../../datasets/idx.js';
import { loadMnist } from '../../datasets/mnist-file.js';
import { mnistFromIdx } from '../../datasets/mnist.js';
import { gzip, idxUbyte, tempDir, throwsLine } from './fixtures.js';

function range(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

test('loadMnist: the shipped training split has 60000 digits with the known labels', (t) => {
  const train = loadMnist('train');
  t.equal(train.length, 60000, '60000 training samples');
  t.deepEqual(train.sampleShape, [1, 28, 28], 'samples are [1, 28, 28]');
  t.equal(train.inputs.length, 60000 * 784, 'one 28×28 image per sample');
  t.equal(train.numClasses, 10, '10 classes');
  t.deepEqual(Array.from(train.labels!.subarray(0, 5)), [5, 0, 4, 1, 9], 'first labels are 5 0 4 1 9');
  t.deepEqual(
    Array.from(classCounts(train)),
    [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    'class histogram of the training labels',
  );
  t.deepEqual(range(train.inputs), [0, 1], 'pixels span exactly [0, 1]');
  t.end();
});

test('loadMnist: the shipped test split has 10000 digits starting 7 2 1 0 4', (t) => {
  const testSet = loadMnist('test');
  t.equal(testSet.length, 10000, '10000 test samples');
  t.deepEqual(Array.from(testSet.labels!.subarray(0, 5)), [7, 2, 1, 0, 4], 'first labels are 7 2 1 0 4');
  t.deepEqual(range(testSet.inputs), [0, 1], 'pixels span exactly [0, 1]');
  t.end();
});

/** Writes a 3-image, 2×2-pixel MNIST-format split into `dir`. */
function writeTinyMnist(dir: string, stem: string, compress = false): void {
  const images = idxUbyte([3, 2, 2], [0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8]);
  const labels = idxUbyte([3], [3, 1, 4]);
  const write = (name: string, bytes: Uint8Array): void =>
    writeFileSync(join(dir, compress ? `${name}.gz` : name), compress ? gzip(bytes) : bytes);
  write(`${stem}-images-idx3-ubyte`, images);
  write(`${stem}-labels-idx1-ubyte`, labels);
}

test('loadMnist: a folder of MNIST-format files is read with pixels divided by 255', (t) => {
  const dir = tempDir(t);
  writeTinyMnist(dir, 't10k');
  const ds = loadMnist('test', { dir });
  t.deepEqual(ds.sampleShape, [1, 2, 2], 'sampleShape comes from the header rows and columns');
  t.deepEqual(Array.from(ds.labels!), [3, 1, 4], 'labels read in order');
  t.deepEqual(Array.from(ds.inputs.subarray(0, 4)), [0, 0.2, 0.4, 1].map(Math.fround), 'pixel p becomes p / 255');
  t.end();
});

test('loadMnist: .gz files are found and read like plain ones', (t) => {
  const plainDir = tempDir(t);
  const gzDir = tempDir(t);
  writeTinyMnist(plainDir, 'train');
  writeTinyMnist(gzDir, 'train', true);
  const plain = loadMnist('train', { dir: plainDir });
  const gz = loadMnist('train', { dir: gzDir });
  t.deepEqual(Array.from(gz.inputs), Array.from(plain.inputs), 'same pixels');
  t.deepEqual(Array.from(gz.labels!), Array.from(plain.labels!), 'same labels');
  t.end();
});

test('loadMnist: bad folders and files fail with one clear line', (t) => {
  const dir = tempDir(t);
  throwsLine(t, () => loadMnist('train', { dir: join(dir, 'nowhere') }), /^loadMnist: no folder .*nowhere/, 'missing folder');
  throwsLine(
    t,
    () => loadMnist('train', { dir }),
    /^loadMnist: neither train-images-idx3-ubyte nor train-images-idx3-ubyte\.gz is in /,
    'missing files',
  );

  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxUbyte([3, 2, 2], new Uint8Array(12)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxUbyte([2], [1, 2]));
  throwsLine(
    t,
    () => loadMnist('train', { dir }),
    /^loadMnist\(train\): train-images-idx3-ubyte has 3 images but train-labels-idx1-ubyte has 2 labels$/,
    'image count and label count disagree',
  );

  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxUbyte([3], [1, 12, 2]));
  throwsLine(t, () => loadMnist('train', { dir }), /^train-labels-idx1-ubyte: label 12 at index 1 is outside 0\.\.9$/, 'label out of range');

  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxUbyte([3], [1, 2, 3]));
  throwsLine(
    t,
    () => loadMnist('train', { dir }),
    /^train-images-idx3-ubyte: not an MNIST image file: magic number 2049, expected 2051$/,
    'a label file in place of the image file',
  );
  t.end();
});

test('mnistFromIdx: MNIST from bytes in memory, with no file (the browser path)', (t) => {
  const images = parseIdx(idxUbyte([2, 2, 2], [0, 255, 51, 102, 255, 0, 0, 0]), 't10k-images-idx3-ubyte');
  const labels = parseIdx(idxUbyte([2], [7, 2]), 't10k-labels-idx1-ubyte');
  const ds = mnistFromIdx(images, labels, 'test');
  t.deepEqual([ds.name, ds.length, ds.sampleShape, Array.from(ds.labels!)], ['mnist-test', 2, [1, 2, 2], [7, 2]], 'name, size, shape, labels');
  t.deepEqual(Array.from(ds.inputs), Array.from(Float32Array.of(0, 1, 0.2, 0.4, 1, 0, 0, 0)), 'pixels / 255, in float32');
  throwsLine(t, () => mnistFromIdx(labels, labels, 'test'), /^t10k-images-idx3-ubyte: not an MNIST image file: magic number 2049, expected 2051$/, 'swapped files');
  t.end();
});
