/**
 * Checkpoint files on disk: safetensors files written atomically and read back with
 * errors that name the path.
 *
 * Node only (it imports `node:fs`); the format itself is in `safetensors.ts`, which
 * runs anywhere. A checkpoint is never seen half-written: it is written by
 * {@link writeFileAtomic}.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors, type NamedArray } from './safetensors.js';

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
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
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
