/**
 * CIFAR-10 and CIFAR-100, read from their binary distributions.
 *
 * Both are fixed-size records of label bytes followed by one 32×32 colour image,
 * channel-first: 1024 red bytes, then 1024 green, then 1024 blue, each plane row-major.
 *
 * ```
 * CIFAR-10   <label> <3072 pixel bytes>              data_batch_1.bin .. data_batch_5.bin, test_batch.bin
 * CIFAR-100  <coarse> <fine> <3072 pixel bytes>      train.bin, test.bin
 * ```
 *
 * That is already the `[C, H, W]` layout of a {@link Dataset}, so a sample is copied
 * straight across with pixels divided by 255.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Dataset } from './dataset.js';

/** The number of pixel bytes in one CIFAR image: 3 channels × 32 × 32. */
export const CIFAR_IMAGE_BYTES = 3 * 32 * 32;

/** Options of {@link loadCifar100}. */
export interface Cifar100Options {
  /** Which label to use: the 100 `fine` classes (default) or the 20 `coarse` superclasses. */
  labels?: 'fine' | 'coarse';
}

/** What differs between the two CIFAR binary formats. */
interface CifarFormat {
  title: string;
  /** The archive the files come in, and the folder it unpacks to. */
  archive: string;
  folder: string;
  files: { train: string[]; test: string[] };
  /** What the `files` are, for error messages. */
  expected: string;
  labelBytes: number;
}

const cifar10: CifarFormat = {
  title: 'CIFAR-10',
  archive: 'cifar-10-binary.tar.gz',
  folder: 'cifar-10-batches-bin',
  files: { train: [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`), test: ['test_batch.bin'] },
  expected: 'data_batch_1.bin … data_batch_5.bin and test_batch.bin',
  labelBytes: 1,
};

const cifar100: CifarFormat = {
  title: 'CIFAR-100',
  archive: 'cifar-100-binary.tar.gz',
  folder: 'cifar-100-binary',
  files: { train: ['train.bin'], test: ['test.bin'] },
  expected: 'train.bin and test.bin',
  labelBytes: 2,
};

/**
 * Loads the CIFAR-10 training (50000) or test (10000) split from `dir`, the folder
 * `cifar-10-batches-bin` that the binary version of CIFAR-10 (cifar-10-binary.tar.gz)
 * unpacks to, or the folder holding it. Inputs are in [0, 1], `sampleShape` `[3, 32, 32]`.
 *
 * @example
 * const train = loadCifar10('data/cifar-10-batches-bin', 'train');
 * train.numClasses; // 10
 */
export function loadCifar10(dir: string, split: 'train' | 'test'): Dataset {
  return loadCifar(cifar10, dir, split, 0, 10, `cifar10-${split}`);
}

/**
 * Loads the CIFAR-100 training (50000) or test (10000) split from `dir`, the folder
 * `cifar-100-binary` that the binary version of CIFAR-100 (cifar-100-binary.tar.gz)
 * unpacks to, or the folder holding it. Labels are the 100 fine classes unless
 * `opts.labels` is `'coarse'` (20 superclasses).
 *
 * @example
 * const test = loadCifar100('data/cifar-100-binary', 'test', { labels: 'coarse' });
 * test.numClasses; // 20
 */
export function loadCifar100(dir: string, split: 'train' | 'test', opts: Cifar100Options = {}): Dataset {
  const labels = opts.labels ?? 'fine';
  if (labels !== 'fine' && labels !== 'coarse') {
    throw new Error(`loadCifar100: labels must be 'fine' or 'coarse', got '${labels}'`);
  }
  const fine = labels === 'fine';
  return loadCifar(cifar100, dir, split, fine ? 1 : 0, fine ? 100 : 20, `cifar100-${split}-${labels}`);
}

/** Reads every file of `split`, taking the label from byte `labelIndex` of each record. */
function loadCifar(
  format: CifarFormat,
  dir: string,
  split: 'train' | 'test',
  labelIndex: number,
  numClasses: number,
  name: string,
): Dataset {
  const fileNames = format.files[split];
  if (!fileNames) throw new Error(`${format.title}: split must be 'train' or 'test', got '${split}'`);
  const folder = findFolder(format, dir, fileNames);
  const recordBytes = format.labelBytes + CIFAR_IMAGE_BYTES;
  const buffers = fileNames.map((file) => {
    const bytes = readFileSync(join(folder, file));
    if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
      throw new Error(
        `${file}: size ${bytes.length} bytes is not a positive multiple of the ${recordBytes}-byte ` +
          `${format.title} record (${format.labelBytes} label byte${format.labelBytes > 1 ? 's' : ''} + ` +
          `${CIFAR_IMAGE_BYTES} pixel bytes)`,
      );
    }
    return { file, bytes };
  });
  const length = buffers.reduce((n, b) => n + b.bytes.length / recordBytes, 0);
  const inputs = new Float32Array(length * CIFAR_IMAGE_BYTES);
  const labels = new Int32Array(length);
  let sample = 0;
  for (const { file, bytes } of buffers) {
    for (let r = 0; r * recordBytes < bytes.length; r++, sample++) {
      const record = r * recordBytes;
      const label = bytes[record + labelIndex];
      if (label >= numClasses) {
        throw new Error(
          `${file}: record ${r} has label ${label}, outside 0..${numClasses - 1} (is this a ${format.title} file?)`,
        );
      }
      labels[sample] = label;
      const pixels = record + format.labelBytes;
      const out = sample * CIFAR_IMAGE_BYTES;
      for (let p = 0; p < CIFAR_IMAGE_BYTES; p++) inputs[out + p] = bytes[pixels + p] / 255;
    }
  }
  return { name, inputs, sampleShape: [3, 32, 32], length, labels, numClasses };
}

/**
 * The folder holding `fileNames`: `dir` itself, or the folder the archive unpacks to
 * inside `dir`. Otherwise a one-line error that says what is expected and where it
 * comes from.
 */
function findFolder(format: CifarFormat, dir: string, fileNames: string[]): string {
  const hasAll = (folder: string): boolean => fileNames.every((f) => existsSync(join(folder, f)));
  if (hasAll(dir)) return dir;
  const unpacked = join(dir, format.folder);
  if (hasAll(unpacked)) return unpacked;
  const source = `the binary version of ${format.title} (${format.archive}), unpacked`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`${format.title}: no folder ${dir}; expected a folder holding ${format.expected}: ${source}`);
  }
  const missing = fileNames.filter((f) => !existsSync(join(dir, f)));
  throw new Error(
    `${format.title}: ${missing.join(', ')} not found in ${dir} (nor in ${basename(unpacked)}/ inside it); ` +
      `expected ${format.expected}: ${source}`,
  );
}
