/**
 * Helpers for the datasets specs: temporary folders, tiny files in the IDX and CIFAR
 * binary formats, and an assertion for one-line error messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Test } from 'tape';

/** A fresh temporary folder, removed when test `t` ends. */
export function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipegrad-datasets-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The bytes of an IDX file: header `00 00 dtype ndim`, big-endian dims, then `data` as given. */
export function idxBytes(dtype: number, dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = dtype;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** The bytes of an unsigned-byte IDX file holding `values` with dimensions `dims`. */
export function idxUbyte(dims: number[], values: ArrayLike<number>): Uint8Array {
  return idxBytes(0x08, dims, Uint8Array.from(values));
}

/**
 * A CIFAR binary record: the label bytes, then a 3×32×32 image whose pixel
 * `(c, y, x)` is `pixel(c, y, x)`.
 */
export function cifarRecord(labelBytes: number[], pixel: (c: number, y: number, x: number) => number): Uint8Array {
  const record = new Uint8Array(labelBytes.length + 3072);
  record.set(labelBytes);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) record[labelBytes.length + c * 1024 + y * 32 + x] = pixel(c, y, x);
    }
  }
  return record;
}

/** `bytes` gzip-compressed. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Asserts that `fn` throws an Error whose message is one line matching `pattern`,
 * and reports the message it got when it does not.
 */
export function throwsLine(t: Test, fn: () => unknown, pattern: RegExp, what: string): void {
  try {
    fn();
  } catch (err) {
    const message = (err as Error).message;
    t.ok(
      err instanceof Error && pattern.test(message) && !message.includes('\n'),
      `${what}: expected one line matching ${pattern}, received "${message}"`,
    );
    return;
  }
  t.fail(`${what}: expected an error matching ${pattern}, but nothing was thrown`);
}
