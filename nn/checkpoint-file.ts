/**
 * Checkpoint files on disk: safetensors files written atomically and read back with
 * errors that name the path.
 *
 * This is the one Node-only file of `nn` (it imports `node:fs`); the format itself is
 * in `safetensors.ts`, which runs anywhere. A checkpoint is never seen half-written:
 * the bytes go to a temporary file in the same directory, are flushed to disk, and the
 * temporary file is renamed over the target (a rename within one file system is atomic).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors, type NamedArray } from './safetensors.js';

/**
 * Write `bytes` to `path` so that readers see either the old content or the new, never
 * a mix: write to `path + '.tmp-<pid>-<random>'` in the same directory, fsync it,
 * rename it into place, then fsync the directory (not on Windows, which cannot open
 * one). On any error the temporary file is removed and the error is rethrown.
 *
 * @param path the file to create or replace.
 * @param bytes its new content.
 * @example
 * await writeFileAtomic('run/model.safetensors', bytes);
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  if (process.platform !== 'win32') await syncDirectory(dirname(path));
}

/** Flush a directory's entries, so that a rename into it survives a crash. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Save named float32 arrays (and optional string metadata) as a safetensors file,
 * atomically (see {@link writeFileAtomic}).
 *
 * @param path the file to create or replace, conventionally `*.safetensors`.
 * @param tensors the arrays by name.
 * @param metadata string key/value pairs stored under `__metadata__`.
 * @example
 * await saveSafetensorsFile('model.safetensors', { 'fc.weight': { shape: [2], data: new Float32Array([1, 2]) } });
 */
export async function saveSafetensorsFile(
  path: string,
  tensors: Record<string, NamedArray> | Map<string, NamedArray>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Load a safetensors file. A missing file throws "checkpoint not found: <path>"; a file
 * that is not valid safetensors throws the error of {@link decodeSafetensors}, prefixed
 * with the path.
 *
 * @param path the file to read.
 * @returns the arrays by name (sorted) and the metadata.
 * @example
 * const { tensors, metadata } = await loadSafetensorsFile('model.safetensors');
 */
export async function loadSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`checkpoint not found: ${path}`);
    throw err;
  }
  return decodeSafetensors(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), path);
}
