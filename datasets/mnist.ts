/**
 * MNIST handwritten digits from the contents of its two IDX files per split (images
 * and labels). This file runs anywhere: give it the parsed files however they were
 * fetched. Reading them from a folder is `loadMnist` in the Node-only `mnist-file.ts`.
 *
 * @module
 */
import type { Dataset } from './dataset.js';
import type { IdxArray } from './idx.js';

/** The magic number of an MNIST image file: ubyte data, 3 dimensions (0x00000803). */
export const MNIST_IMAGES_MAGIC = 2051;
/** The magic number of an MNIST label file: ubyte data, 1 dimension (0x00000801). */
export const MNIST_LABELS_MAGIC = 2049;

/** The stem of a split's file names: `train-…` and `t10k-…`. */
export const MNIST_FILE_STEMS: Readonly<Record<'train' | 'test', string>> = { train: 'train', test: 't10k' };

/**
 * The MNIST `split` from its parsed image and label files: inputs scaled to [0, 1],
 * `sampleShape` `[1, rows, cols]`, labels 0-9.
 *
 * @throws when a file's magic number is not MNIST's, when the counts of images and
 *   labels differ, or when a label is outside 0..9 (each message names the file).
 * @example
 * const test = mnistFromIdx(parseIdx(imageBytes, 't10k-images-idx3-ubyte'), parseIdx(labelBytes, 't10k-labels-idx1-ubyte'), 'test');
 */
export function mnistFromIdx(images: IdxArray, labels: IdxArray, split: 'train' | 'test'): Dataset {
  const stem = MNIST_FILE_STEMS[split];
  if (!stem) throw new Error(`mnistFromIdx: split must be 'train' or 'test', got '${split}'`);
  checkMagic(images, `${stem}-images-idx3-ubyte`, MNIST_IMAGES_MAGIC, 'image');
  checkMagic(labels, `${stem}-labels-idx1-ubyte`, MNIST_LABELS_MAGIC, 'label');
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

function checkMagic(idx: IdxArray, name: string, magic: number, kind: string): void {
  if (idx.magic !== magic) throw new Error(`${name}: not an MNIST ${kind} file: magic number ${idx.magic}, expected ${magic}`);
}
