/**
 * IDX files on disk: read, gunzip when the file begins with the gzip signature `1f 8b`,
 * and parse with {@link parseIdx}. Node only (it reads files); the format itself is in
 * `idx.ts`, which runs anywhere.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isGzip, parseIdx, type IdxArray } from './idx.js';

/**
 * Reads the IDX file at `path` (gunzipping it if it is gzip-compressed), so
 * `train-images-idx3-ubyte.gz` reads the same as the unpacked file. Errors are one line
 * that starts with the file's name and says what is wrong.
 *
 * @example
 * const images = readIdx('data/train-images-idx3-ubyte');
 * images.dims; // [60000, 28, 28]
 */
export function readIdx(path: string): IdxArray {
  const name = basename(path);
  let bytes: Uint8Array;
  try {
    bytes = asBytes(readFileSync(path));
  } catch (err) {
    throw new Error(`${name}: cannot read ${path}: ${(err as Error).message}`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = asBytes(gunzipSync(bytes));
    } catch (err) {
      throw new Error(`${name}: starts like a gzip file but does not gunzip: ${(err as Error).message}`);
    }
  }
  return parseIdx(bytes, name);
}

/** A plain `Uint8Array` view of a Node `Buffer` (same memory). */
function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
