/**
 * What a pipegrad checkpoint holds, and how it maps onto a safetensors file.
 *
 * ```
 * model.<path>     every entry of module.stateDict() (parameters and buffers)
 * optim.<name>     every entry of the optimizer state given (velocities, ...)
 * __metadata__     { config: "<JSON>", format: "pipegrad", seed: "0", step: "120",
 *                    pipegrad_digest: "pipegrad-sha256:<64 hex digits>" }
 * ```
 *
 * Every checkpoint carries the SHA-256 of its content (header and data section, see
 * `safetensors.ts`), and loading verifies it: a file damaged after it was written —
 * one flipped bit of a weight, an edited step — is refused with a one-line error naming
 * the file, instead of loading changed weights. Files without the digest (from other
 * tools) load unverified.
 *
 * Values are stored as float32, bit for bit (a float64 tensor is rounded to float32).
 * Loading validates names and shapes through {@link Module.loadStateDict}, so a
 * mismatch names every missing, unexpected and mis-shaped entry at once. This file is
 * pure (no Node modules); `checkpoint.ts` adds the files.
 *
 * @module
 */
import { Tensor } from '../core/index.js';
import type { LoadStateDictResult, Module } from './module.js';
import { oneLine } from './one-line.js';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors, type NamedArray } from './safetensors.js';

/** The prefix of model entries. */
export const MODEL_PREFIX = 'model.';
/** The prefix of optimizer entries. */
export const OPTIM_PREFIX = 'optim.';
/** The value of `__metadata__.format` in pipegrad checkpoints. */
export const CHECKPOINT_FORMAT = 'pipegrad';

/** What a checkpoint holds besides the module's state. */
export interface CheckpointExtras {
  /** Optimizer state by name (stored under `optim.<name>`). */
  optimizerState?: ReadonlyMap<string, Tensor>;
  /** The training step (stored as a decimal string). */
  step?: number;
  /** The run's seed (stored as a decimal string). */
  seed?: number;
  /** The run's configuration, any JSON value (stored as JSON text). */
  config?: unknown;
}

/** Options of {@link restoreCheckpoint}. */
export interface RestoreOptions {
  /**
   * Require the checkpoint's model entries and the module's state to match exactly
   * (default true); entries outside `model.` and `optim.` are then errors too.
   */
  strict?: boolean;
}

/** What a loaded checkpoint gives back besides the restored module. */
export interface RestoredCheckpoint {
  /** The optimizer state, by name (the `optim.` prefix removed). */
  optimizerState: Map<string, Tensor>;
  /** The step, when saved. */
  step?: number;
  /** The seed, when saved. */
  seed?: number;
  /** The configuration (parsed JSON), when saved. */
  config?: unknown;
  /** The raw `__metadata__` strings. */
  metadata: Record<string, string>;
  /** Model entries the checkpoint lacked (empty after a strict load). */
  missing: string[];
  /** Entries the module had no place for (empty after a strict load). */
  unexpected: string[];
}

/** A checkpoint as the safetensors encoder takes it. */
export interface CheckpointArrays {
  /** `model.<path>` and `optim.<name>` entries. */
  tensors: Map<string, NamedArray>;
  /** `format`, and `step`, `seed`, `config` when given. */
  metadata: Record<string, string>;
}

/** The safetensors arrays and metadata of a checkpoint of `module`. */
export function checkpointArrays(module: Module, extras: CheckpointExtras = {}): CheckpointArrays {
  const tensors = new Map<string, NamedArray>();
  for (const [name, t] of module.stateDict()) tensors.set(MODEL_PREFIX + name, asNamedArray(t));
  for (const [name, t] of extras.optimizerState ?? []) tensors.set(OPTIM_PREFIX + name, asNamedArray(t));
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT };
  if (extras.step !== undefined) metadata.step = integerText('step', extras.step);
  if (extras.seed !== undefined) metadata.seed = integerText('seed', extras.seed);
  if (extras.config !== undefined) metadata.config = JSON.stringify(extras.config);
  return { tensors, metadata };
}

/**
 * Encode a checkpoint of `module` (and the extras) as safetensors bytes.
 *
 * @example
 * const bytes = encodeCheckpoint(model, { step: 10, optimizerState: velocities });
 */
export function encodeCheckpoint(module: Module, extras: CheckpointExtras = {}): Uint8Array {
  const { tensors, metadata } = checkpointArrays(module, extras);
  return encodeSafetensors(tensors, metadata);
}

/**
 * Restore `module` from decoded checkpoint contents (the module's tensors are
 * rebound to copies) and return the rest.
 *
 * @param source what to call the checkpoint in errors (e.g. its path)
 * @throws naming `source` and every mismatch (see {@link Module.loadStateDict}), or a
 *   malformed step, seed or config.
 */
export function restoreCheckpoint(contents: DecodedSafetensors, module: Module, options: RestoreOptions = {}, source = 'checkpoint'): RestoredCheckpoint {
  const strict = options.strict ?? true;
  const state = new Map<string, Tensor>();
  const optimizerState = new Map<string, Tensor>();
  const foreign: string[] = [];
  for (const [name, array] of contents.tensors) {
    const tensor = new Tensor(array.data, array.shape);
    if (name.startsWith(MODEL_PREFIX)) state.set(name.slice(MODEL_PREFIX.length), tensor);
    else if (name.startsWith(OPTIM_PREFIX)) optimizerState.set(name.slice(OPTIM_PREFIX.length), tensor);
    else foreign.push(name);
  }
  if (strict && foreign.length > 0) {
    throw new Error(oneLine(`${source}: ${foreign.length} entries are neither '${MODEL_PREFIX}…' nor '${OPTIM_PREFIX}…': ${foreign.join(', ')}`));
  }
  let result: LoadStateDictResult;
  try {
    result = module.loadStateDict(state, { strict });
  } catch (err) {
    throw new Error(oneLine(`${source}: ${(err as Error).message}`));
  }
  const { metadata } = contents;
  const restored: RestoredCheckpoint = { optimizerState, metadata, missing: result.missing, unexpected: [...result.unexpected, ...foreign] };
  if (metadata.step !== undefined) restored.step = parseInteger(source, 'step', metadata.step);
  if (metadata.seed !== undefined) restored.seed = parseInteger(source, 'seed', metadata.seed);
  if (metadata.config !== undefined) {
    try {
      restored.config = JSON.parse(metadata.config);
    } catch (err) {
      throw new Error(oneLine(`${source}: __metadata__.config is not JSON (${(err as Error).message})`));
    }
  }
  return restored;
}

/**
 * Decode checkpoint bytes and restore `module` from them (see {@link restoreCheckpoint}).
 *
 * @throws the one-line errors of {@link decodeSafetensors} (a damaged file among them)
 *   and of {@link restoreCheckpoint}, each naming `source`.
 */
export function decodeCheckpoint(bytes: Uint8Array, module: Module, options: RestoreOptions = {}, source = 'checkpoint'): RestoredCheckpoint {
  return restoreCheckpoint(decodeSafetensors(bytes, source), module, options, source);
}

/** A tensor's values as a float32 array the encoder can read (no copy for contiguous float32). */
function asNamedArray(t: Tensor): NamedArray {
  const data = t.data;
  return { shape: [...t.shape], data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

function integerText(what: string, value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`checkpoint: ${what} must be an integer, got ${value}`);
  return String(value);
}

function parseInteger(source: string, what: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value)) throw new Error(oneLine(`${source}: __metadata__.${what} is '${text}', not an integer`));
  return value;
}
