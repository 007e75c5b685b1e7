/**
 * Checkpoint files: save a module (and optimizer state, step, seed, config) to a
 * safetensors file, and load it back. The layout is described in
 * `checkpoint-contents.ts`; the atomic write and the path-naming errors come from
 * `checkpoint-file.ts`. Node only (it writes files).
 *
 * @example
 * await saveCheckpoint('run/step-100.safetensors', model, { step: 100, seed: 0, config });
 * const { step, optimizerState } = await loadCheckpoint('run/step-100.safetensors', model);
 *
 * @module
 */
import { loadSafetensorsFile, saveSafetensorsFile } from './checkpoint-file.js';
import { checkpointArrays, restoreCheckpoint, type CheckpointExtras, type RestoredCheckpoint, type RestoreOptions } from './checkpoint-contents.js';
import type { Module } from './module.js';

/** Write a checkpoint of `module` and the extras to `path`, atomically, with the SHA-256 of its content in the metadata. */
export async function saveCheckpoint(path: string, module: Module, extras: CheckpointExtras = {}): Promise<void> {
  const { tensors, metadata } = checkpointArrays(module, extras);
  await saveSafetensorsFile(path, tensors, metadata);
}

/**
 * Load the checkpoint at `path` into `module` (by rebinding its tensors to copies) and
 * return the optimizer state, step, seed and config.
 *
 * @throws "checkpoint not found: <path>", a format error naming the path, "<path>:
 *   damaged: the data does not match its SHA-256 …" when the content no longer hashes
 *   to the digest saved with it, or a mismatch error naming the path and every
 *   missing, unexpected and mis-shaped entry. Every message is one line.
 */
export async function loadCheckpoint(path: string, module: Module, options: RestoreOptions = {}): Promise<RestoredCheckpoint> {
  return restoreCheckpoint(await loadSafetensorsFile(path), module, options, path);
}
