/**
 * The messages of a parallel run, between the main thread and its workers and between
 * workers. Every field is plain data ({@link toWire} turns tensors into it).
 *
 * ```
 * main → worker   init     its index, every worker's stages, the recipe, the backend,
 *                          a port to every other worker
 * worker → main   ready    the pipeline it built (checked against the main thread's)
 * main → worker   run      the number of samples, the state of the worker's stages
 * main → worker 1 example  sample j's input and target, a few samples ahead of stage 1
 * worker 1 → main consumed stage 1 took example j (the main thread sends another)
 * worker → worker stage    an activation bundle, a gradient or a target (StageMessage)
 * last → main     sample   sample j's loss and outputs
 * worker → main   done     the state of its stages, their memory, versions and timings
 * worker → main   error    what failed, as the same one-line error
 * ```
 *
 * @module
 */
import { NonFiniteLossError, type VersionRecord } from '../engine.js';
import type { StageMemory } from '../memory.js';
import type { PipelineRecipe } from './recipe.js';

/** main → worker: build the pipeline and connect to the other workers. */
export interface InitMessage {
  /** The message's kind. */
  readonly type: 'init';
  /** This worker's index (0-based). */
  readonly worker: number;
  /** Every worker's first and last stage (1-based, inclusive). */
  readonly ranges: readonly (readonly [number, number])[];
  /** How to build the pipeline. */
  readonly recipe: PipelineRecipe;
  /** The backend to compute on (the main thread's). */
  readonly backend: string;
  /** A port to each other worker. */
  readonly peers: readonly { readonly worker: number; readonly port: MessagePort }[];
}

/** main → worker: run `samples` samples, starting from these states of its stages. */
export interface RunMessage {
  /** The message's kind. */
  readonly type: 'run';
  /** Samples (or micro-batches) in the run. */
  readonly samples: number;
  /** The wire form of `PipelineStage.save()` of each of the worker's stages, in order. */
  readonly states: readonly unknown[];
}

/** main → the worker of stage 1: one example (wire form of an `Example`). */
export interface ExampleMessage {
  /** The message's kind. */
  readonly type: 'example';
  /** The sample (or micro-batch) index. */
  readonly sample: number;
  /** The example, `{ input, target }` in wire form. */
  readonly example: unknown;
}

/** worker → worker: a `StageMessage` for one of the receiver's stages (wire form). */
export interface PeerMessage {
  /** The message's kind. */
  readonly type: 'stage';
  /** The stage message in wire form. */
  readonly message: unknown;
}

/** worker → main: the pipeline built, described by `describeStructure` (`recipe.ts`). */
export interface ReadyMessage {
  /** The message's kind. */
  readonly type: 'ready';
  /** The structure of the pipeline the worker built. */
  readonly description: string;
}

/** worker of stage 1 → main: stage 1 took example `sample`. */
export interface ConsumedMessage {
  /** The message's kind. */
  readonly type: 'consumed';
  /** The sample whose example stage 1 took. */
  readonly sample: number;
}

/** worker of the last stage → main: a sample's loss and outputs (wire form). */
export interface SampleMessage {
  /** The message's kind. */
  readonly type: 'sample';
  /** The sample (or micro-batch) index. */
  readonly sample: number;
  /** Its loss. */
  readonly loss: number;
  /** The last stage's outputs in wire form. */
  readonly outputs: unknown;
}

/** What one worker did in a run. */
export interface WorkerTimings {
  /** Seconds from the start of the run to its end in this worker. */
  readonly seconds: number;
  /** Of those, seconds spent waiting for a message (an input not yet there). */
  readonly waitSeconds: number;
  /** Messages sent to other workers. */
  readonly messagesSent: number;
  /** CPU seconds the worker's thread used in the run, when its host can tell (`WorkerClock`). */
  readonly cpuSeconds?: number;
}

/** worker → main: the run is over. */
export interface DoneMessage {
  /** The message's kind. */
  readonly type: 'done';
  /** The wire form of each of its stages' `save()`. */
  readonly states: readonly unknown[];
  /** Each of its stages' memory peaks. */
  readonly memory: readonly StageMemory[];
  /** The versions its stages recorded in this run (when the pipeline records them). */
  readonly versions: readonly VersionRecord[];
  /** Its timings. */
  readonly timings: WorkerTimings;
}

/** An error on the wire. */
export interface WireError {
  /** The error's class name. */
  readonly name: string;
  /** Its one-line message. */
  readonly message: string;
  /** For a `NonFiniteLossError`: the sample. */
  readonly sample?: number;
  /** For a `NonFiniteLossError`: the loss. */
  readonly value?: number;
}

/** worker → main: something failed. */
export interface ErrorMessage {
  /** The message's kind. */
  readonly type: 'error';
  /** What failed. */
  readonly error: WireError;
}

/** Anything a worker receives. */
export type ToWorker = InitMessage | RunMessage | ExampleMessage | PeerMessage;

/** Anything the main thread receives. */
export type ToMain = ReadyMessage | ConsumedMessage | SampleMessage | DoneMessage | ErrorMessage;

/** `error` as plain data (its class name, message, and a diverged sample's details). */
export function errorToWire(error: unknown): WireError {
  if (error instanceof NonFiniteLossError) return { name: 'NonFiniteLossError', message: error.message, sample: error.sample, value: error.value };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error again on the main thread: a `NonFiniteLossError` as one, any other as an `Error` with the same message. */
export function errorFromWire(wire: WireError): Error {
  if (wire.name === 'NonFiniteLossError' && wire.sample !== undefined && wire.value !== undefined) return new NonFiniteLossError(wire.sample, wire.value);
  const error = new Error(wire.message);
  if (wire.name !== 'Error') error.name = wire.name;
  return error;
}
