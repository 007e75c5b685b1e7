import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'tape';
import { parseIdx } from '../../datasets/idx.js';
import { readIdx } from '../../datasets/idx-file.js';
import { gzip, idxBytes, idxUbyte, tempDir, throwsLine } from './fixtures.js';

test('readIdx: a ubyte file gives its magic, dims and data row-major', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'tiny-idx3-ubyte');
  writeFileSync(path, idxUbyte([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
  const idx = readIdx(path);
  t.equal(idx.magic, 0x0803, 'magic is bytes 0-3 read big-endian (2051)');
  t.equal(idx.dtype, 'uint8', 'type code 0x08 is uint8');
  t.deepEqual(idx.dims, [2, 2, 3], 'dims come from the big-endian header');
  t.deepEqual(Array.from(idx.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255], 'data follows the header unchanged');
  t.end();
});

test('readIdx: big-endian multi-byte types are converted to native order', (t) => {
  const dir = tempDir(t);
  const data = new Uint8Array(12);
  const view = new DataView(data.buffer);
  view.setInt32(0, -5);
  view.setInt32(4, 70000);
  view.setInt32(8, 1);
  writeFileSync(join(dir, 'ints'), idxBytes(0x0c, [3], data));
  const floats = new Uint8Array(8);
  new DataView(floats.buffer).setFloat32(0, 1.5);
  new DataView(floats.buffer).setFloat32(4, -0.25);
  writeFileSync(join(dir, 'floats'), idxBytes(0x0d, [2], floats));
  t.deepEqual(Array.from(readIdx(join(dir, 'ints')).data), [-5, 70000, 1], 'int32 values read back');
  t.deepEqual(Array.from(readIdx(join(dir, 'floats')).data), [1.5, -0.25], 'float32 values read back');
  t.end();
});

test('readIdx: a gzip-compressed file reads the same as the plain one', (t) => {
  const dir = tempDir(t);
  const bytes = idxUbyte([3, 2], [9, 8, 7, 6, 5, 4]);
  writeFileSync(join(dir, 'plain'), bytes);
  writeFileSync(join(dir, 'plain.gz'), gzip(bytes));
  const plain = readIdx(join(dir, 'plain'));
  const gz = readIdx(join(dir, 'plain.gz'));
  t.deepEqual([gz.magic, gz.dims, Array.from(gz.data)], [plain.magic, plain.dims, Array.from(plain.data)], 'same magic, dims and data');
  t.end();
});

test('readIdx: bad files fail with one line naming the file and the problem', (t) => {
  const dir = tempDir(t);
  const write = (name: string, bytes: Uint8Array): string => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const wrongMagic = write('wrong-magic', Uint8Array.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 7]));
  throwsLine(t, () => readIdx(wrongMagic), /^wrong-magic: not an IDX file: magic bytes are 12 34 08 01/, 'wrong magic');

  const badType = write('bad-type', Uint8Array.from([0, 0, 0x07, 0x01, 0, 0, 0, 1, 7]));
  throwsLine(t, () => readIdx(badType), /^bad-type: unknown IDX data type code 0x07/, 'unknown type code');

  const shortHeader = write('short-header', Uint8Array.from([0, 0, 0x08, 0x03, 0, 0, 0, 2]));
  throwsLine(t, () => readIdx(shortHeader), /^short-header: truncated: header declares 3 dimensions/, 'header cut short');

  const images = idxUbyte([60000, 28, 28], new Uint8Array(1000));
  const truncated = write('train-images-idx3-ubyte', images);
  throwsLine(
    t,
    () => readIdx(truncated),
    /^train-images-idx3-ubyte: truncated: header says 60000×28×28 = 47040000 bytes of data, file has 1000/,
    'data shorter than the header says',
  );

  const tooLong = write('too-long', idxUbyte([2, 2], [1, 2, 3, 4, 5]));
  throwsLine(t, () => readIdx(tooLong), /^too-long: too long: header says 2×2 = 4 bytes of data, file has 5/, 'count and size disagree');

  const notGzip = write('broken.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
  throwsLine(t, () => readIdx(notGzip), /^broken\.gz: starts like a gzip file but does not gunzip/, 'corrupt gzip');

  throwsLine(t, () => readIdx(join(dir, 'absent')), /^absent: cannot read /, 'missing file');
  t.end();
});

test('parseIdx: parses bytes in memory and asks for gzip-compressed bytes to be gunzipped first', (t) => {
  const bytes = idxUbyte([3], [4, 5, 6]);
  t.deepEqual(Array.from(parseIdx(bytes, 'mem').data), [4, 5, 6], 'plain bytes parse');
  throwsLine(t, () => parseIdx(gzip(bytes), 'mem.gz'), /^mem\.gz: is gzip-compressed; gunzip the bytes first/, 'gzip bytes are named as such');
  t.end();
});
