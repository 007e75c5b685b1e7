/**
 * The Node-only part of nn: checkpoint files on disk (safetensors) and the atomic file
 * writer every file of the project goes through. Kept out of `nn/index.ts` so that the
 * rest of nn runs in a browser too; the byte-level encoding (`encodeCheckpoint`,
 * `encodeSafetensors`) is in `nn/index.ts`.
 *
 * @example
 * import { saveCheckpoint, loadCheckpoint } from 'pipegrad/nn/node';
 * await saveCheckpoint('run/model.safetensors', model, { step: 100 });
 *
 * @module nn/node
 */
export * from './atomic-file.js';
export * from './checkpoint.js';
export * from './checkpoint-file.js';
