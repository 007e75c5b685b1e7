import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'tape';
import { loadCifar10, loadCifar100 } from '../../datasets/cifar.js';
import { cifarRecord, concat, tempDir, throwsLine } from './fixtures.js';

/** A pixel pattern that tells channel, row and column apart: values 0..255 in each plane. */
const pattern = (c: number, y: number, x: number): number => (c * 80 + y * 2 + x) % 256;

/** Value at (c, y, x) of sample `i` in a [N, 3, 32, 32] array. */
const at = (inputs: Float32Array, i: number, c: number, y: number, x: number): number =>
  inputs[i * 3072 + c * 1024 + y * 32 + x];

function writeCifar10(dir: string): void {
  for (let k = 1; k <= 5; k++) {
    const records = [0, 1].map((r) => cifarRecord([(2 * k + r) % 10], (c, y, x) => (pattern(c, y, x) + k) % 256));
    writeFileSync(join(dir, `data_batch_${k}.bin`), concat(records));
  }
  writeFileSync(join(dir, 'test_batch.bin'), concat([cifarRecord([9], pattern)]));
}

test('loadCifar10: records become labels and [3, 32, 32] images with R, G, B planes in order', (t) => {
  const dir = tempDir(t);
  writeCifar10(dir);
  const train = loadCifar10(dir, 'train');
  t.equal(train.length, 10, 'two records from each of the five batches');
  t.deepEqual(train.sampleShape, [3, 32, 32], 'sampleShape [3, 32, 32]');
  t.equal(train.numClasses, 10, '10 classes');
  t.deepEqual(Array.from(train.labels!), [2, 3, 4, 5, 6, 7, 8, 9, 0, 1], 'labels follow the batches in file order');
  t.equal(at(train.inputs, 0, 0, 0, 0), Math.fround(1 / 255), 'batch 1, red (0, 0)');
  t.equal(at(train.inputs, 0, 1, 3, 5), Math.fround((80 + 6 + 5 + 1) / 255), 'batch 1, green (3, 5) is byte 1024 + 3·32 + 5');
  t.equal(at(train.inputs, 9, 2, 31, 30), Math.fround(((160 + 62 + 30 + 5) % 256) / 255), 'batch 5, blue (31, 30)');
  const testSet = loadCifar10(dir, 'test');
  t.deepEqual([testSet.length, testSet.labels![0]], [1, 9], 'test_batch.bin holds the test split');
  t.equal(at(testSet.inputs, 0, 2, 1, 2), Math.fround((160 + 2 + 2) / 255), 'test blue (1, 2)');
  t.end();
});

test('loadCifar10: the parent of cifar-10-batches-bin works too', (t) => {
  const parent = tempDir(t);
  mkdirSync(join(parent, 'cifar-10-batches-bin'));
  writeCifar10(join(parent, 'cifar-10-batches-bin'));
  t.equal(loadCifar10(parent, 'test').length, 1, 'found the unpacked folder inside');
  t.end();
});

test('loadCifar100: fine or coarse labels from the two label bytes', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.bin'), concat([cifarRecord([3, 71], pattern), cifarRecord([19, 99], () => 255)]));
  writeFileSync(join(dir, 'test.bin'), concat([cifarRecord([0, 5], pattern)]));
  const fine = loadCifar100(dir, 'train');
  const coarse = loadCifar100(dir, 'train', { labels: 'coarse' });
  t.deepEqual([Array.from(fine.labels!), fine.numClasses], [[71, 99], 100], 'fine labels (second byte) by default, 100 classes');
  t.deepEqual([Array.from(coarse.labels!), coarse.numClasses], [[3, 19], 20], 'coarse labels (first byte), 20 classes');
  t.equal(at(fine.inputs, 0, 1, 0, 1), Math.fround(81 / 255), 'pixels start after both label bytes: green (0, 1)');
  t.equal(at(fine.inputs, 1, 2, 31, 31), 1, 'second record, last blue pixel');
  t.equal(loadCifar100(dir, 'test').labels![0], 5, 'test.bin holds the test split');
  t.end();
});

test('CIFAR readers: missing folders and files say what is expected and where it comes from', (t) => {
  const dir = tempDir(t);
  throwsLine(
    t,
    () => loadCifar10(join(dir, 'nowhere'), 'train'),
    /^CIFAR-10: no folder .*nowhere; expected a folder holding data_batch_1\.bin … data_batch_5\.bin and test_batch\.bin: the binary version of CIFAR-10 \(cifar-10-binary\.tar\.gz\), unpacked$/,
    'missing CIFAR-10 folder',
  );
  writeFileSync(join(dir, 'data_batch_1.bin'), cifarRecord([0], pattern));
  throwsLine(
    t,
    () => loadCifar10(dir, 'train'),
    /^CIFAR-10: data_batch_2\.bin, data_batch_3\.bin, data_batch_4\.bin, data_batch_5\.bin not found in .*cifar-10-binary\.tar\.gz/,
    'missing CIFAR-10 batches are listed',
  );
  throwsLine(
    t,
    () => loadCifar100(dir, 'test'),
    /^CIFAR-100: test\.bin not found in .*expected train\.bin and test\.bin: the binary version of CIFAR-100 \(cifar-100-binary\.tar\.gz\), unpacked$/,
    'missing CIFAR-100 file',
  );
  t.end();
});

test('CIFAR readers: a file that is not whole records, or has impossible labels, is rejected', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'test_batch.bin'), concat([cifarRecord([1], pattern), new Uint8Array(100)]));
  throwsLine(
    t,
    () => loadCifar10(dir, 'test'),
    /^test_batch\.bin: size 3173 bytes is not a positive multiple of the 3073-byte CIFAR-10 record \(1 label byte \+ 3072 pixel bytes\)$/,
    'partial record',
  );
  writeFileSync(join(dir, 'test.bin'), cifarRecord([1], pattern));
  throwsLine(t, () => loadCifar100(dir, 'test'), /^test\.bin: size 3073 bytes is not a positive multiple of the 3074-byte CIFAR-100 record/, 'CIFAR-10 record in a CIFAR-100 file');
  writeFileSync(join(dir, 'test_batch.bin'), concat([cifarRecord([1], pattern), cifarRecord([10], pattern)]));
  throwsLine(t, () => loadCifar10(dir, 'test'), /^test_batch\.bin: record 1 has label 10, outside 0\.\.9/, 'label out of range');
  t.end();
});
