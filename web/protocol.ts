/**
 * The messages between the page (`main.ts`) and the training worker (`worker.ts`), and
 * the shared control block through which the page steers a run that is in progress.
 *
 * A run is one synchronous `pipe.run(…)` call in the worker, so the worker does not read
 * its message queue until the run ends. While it runs, the page steers it through a
 * `SharedArrayBuffer` instead: the worker looks at the control words once per sample
 * (when stage 1 asks for the next sample) and sleeps there with `Atomics.wait` to pause
 * or to slow down.
 *
 * @module
 */

/** The methods the page offers (a subset of the library's `methodNames`). */
export const PAGE_METHODS = ['sgd', 'pb', 'pb+sc', 'pb+lwp', 'pb+sc+lwp', 'stash'] as const;

/** The models the page offers: the library's `smallcnn`, and a deeper, narrow `mlp` with more stages. */
export const PAGE_MODELS = {
  smallcnn: { family: 'smallcnn', options: {}, label: 'smallcnn (3 stages: conv, conv, fc)' },
  mlp: { family: 'mlp', options: { depth: 4, hidden: 64 }, label: 'mlp 784→64→64→64→64→10 (5 stages)' },
} as const;

/** A key of {@link PAGE_MODELS}. */
export type PageModel = keyof typeof PAGE_MODELS;

/** Which kernels run: the CPU backend, or gpu.js's WebGL kernels. */
export type PageBackend = 'cpu' | 'webgl';

/** Indices into the shared control words (an `Int32Array` over a `SharedArrayBuffer`). */
export const CONTROL = {
  /** {@link RUN_STATE}: run, pause or stop. */
  state: 0,
  /** Milliseconds the worker waits per sample (0: full speed). */
  delayMs: 1,
  /** Bumped by the page each time it writes a new drawing into the shared pixels. */
  drawing: 2,
  /** Never written: the worker sleeps on it with a timeout. */
  sleep: 3,
} as const;

/** The values of `CONTROL.state`. */
export const RUN_STATE = { running: 0, paused: 1, stopping: 2 } as const;

/** Number of control words. */
export const CONTROL_WORDS = 4;

/** MNIST image side and size. */
export const SIDE = 28;
/** Pixels per MNIST image. */
export const PIXELS = SIDE * SIDE;

/** Settings of one training run. */
export interface RunSettings {
  /** The method name, one of {@link PAGE_METHODS}. */
  method: string;
  /** The model, a key of {@link PAGE_MODELS}. */
  model: PageModel;
  /** Learning rate η. */
  lr: number;
  /** Momentum m. */
  momentum: number;
  /** Samples to train on (one pass over the loaded subset, shuffled). */
  samples: number;
  /** Seed of the initialization and the shuffle. */
  seed: number;
}

/** Page → worker. */
export type ToWorker =
  | { type: 'init'; control: SharedArrayBuffer; pixels: SharedArrayBuffer; trainCount: number; testCount: number }
  | { type: 'backend'; backend: PageBackend }
  | { type: 'start'; settings: RunSettings }
  | { type: 'predict' };

/** One row of the live schedule view: a stage, its delay and its current weight version. */
export interface StageState {
  /** The stage, 1..S. */
  stage: number;
  /** Names of the model units in it. */
  units: string;
  /** The stage's delay D_s, read from the schedule's accounting. */
  delay: number;
  /** Updates the stage has applied so far (its weight version), read as stage 1 starts the tick's sample. */
  version: number;
}

/** Worker → page. */
export type FromWorker =
  | { type: 'loaded'; train: number; test: number; bytes: number; ms: number }
  | { type: 'error'; where: 'data' | 'backend' | 'run' | 'predict'; message: string }
  | {
      type: 'backend';
      backend: PageBackend;
      /** The library backend's name, e.g. `cpu` or `gpu:gpu(webgl2)`. */
      name: string;
      /** The gpu.js kernel class that runs (`webgl2`, `webgl`), or `none` on the CPU backend. */
      kernelMode: string;
      /** What executes the kernels: the WebGL renderer string, or JavaScript. */
      device: string;
    }
  | { type: 'started'; settings: RunSettings; stages: StageState[]; scheduleSvg: string }
  | {
      type: 'progress';
      /** Samples whose loss the last stage has computed. */
      done: number;
      /** The losses and hits of the samples since the last message, in order. */
      losses: number[];
      hits: boolean[];
      /** The tick now running and a window of the instruction stream around it. */
      tick: number;
      window: { first: number; ticks: string[][] };
      stages: StageState[];
    }
  | { type: 'eval'; done: number; accuracy: number; count: number }
  | { type: 'finished'; done: number; stopped: boolean }
  | { type: 'prediction'; probabilities: number[] };
