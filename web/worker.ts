/**
 * The training worker: loads a subset of MNIST, builds the model and the pipeline with
 * the library, trains at batch size one, and reports every sample, the schedule's tick
 * and each stage's weight version to the page.
 *
 * A run is one `pipe.run(samples, data, onSample)` call, so the pipeline fills once and
 * drains once, exactly as in the library's own training. `data(j)` — stage 1 asking for
 * sample `j`, once per tick in PB — is where the worker looks at the page's control
 * words (pause, stop, slow-down, a new drawing to classify), evaluates on the held-out
 * images when due, and posts what happened since the last tick. Nothing there is inside
 * a pass of a stage, so predictions and evaluations never mix with a sample's tape.
 *
 * @module
 */
import * as gpuJs from 'gpu.js';
import { getBackend, setBackend, softmax, Tensor, useGpuBackend, Rng, type GpuBackend } from '../core/index.js';
import { parseIdx } from '../datasets/idx.js';
import { channelStats, normalizeInPlace, type ChannelStats } from '../datasets/normalize.js';
import { createModel } from '../nn/index.js';
import { accountSchedule, formatInstruction, makeSchedule, Pipeline, renderSvg, resolveMethod, sgdForMethod, type Schedule, type Tick } from '../pipeline/index.js';
import { CONTROL, PAGE_MODELS, PIXELS, RUN_STATE, type FromWorker, type PageBackend, type RunSettings, type StageState, type ToWorker } from './protocol.js';

/** The part of the worker's global scope used here (the DOM typings describe a window). */
const scope = globalThis as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: { data: ToWorker }) => void) | null;
};

/** Samples between two evaluations on the held-out images. */
const EVAL_EVERY = 100;
/** Images per predict call during an evaluation. */
const EVAL_CHUNK = 250;
/** Ticks of the instruction stream shown before and after the current one. */
const WINDOW_BEFORE = 6;
const WINDOW_AFTER = 18;
/** At full speed, the least time between two progress reports (ms). */
const PROGRESS_MS = 30;
/** Longest a paused worker sleeps before looking at the control words again (ms). */
const PAUSE_POLL_MS = 50;

/** Thrown from `data(j)` when the page asks to stop; ends `pipe.run`. */
class StopRun extends Error {}

interface MnistSplit {
  inputs: Float32Array;
  labels: Int32Array;
  length: number;
}

let control: Int32Array | null = null;
let pixels: Float32Array | null = null;
let train: MnistSplit | null = null;
let test: MnistSplit | null = null;
let stats: ChannelStats | null = null;
let pipe: Pipeline | null = null;
let seenDrawing = 0;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

/** Fetch the first `count` records of an MNIST IDX file from the page's server and parse them with the library. */
async function fetchIdx(file: string, count: number, magic: number): Promise<{ data: Uint8Array; dims: number[]; bytes: number }> {
  const url = `/mnist/${file}?count=${count}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url} (${(e as Error).message}); serve the page with npm run web`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const idx = parseIdx(bytes, file);
  if (idx.magic !== magic || idx.dtype !== 'uint8') throw new Error(`${file}: magic ${idx.magic} (${idx.dtype}), expected ${magic} (uint8): not an MNIST file`);
  return { data: idx.data as Uint8Array, dims: idx.dims, bytes: bytes.length };
}

/** Load `count` images and labels of a split, scaled to [0, 1]. */
async function loadSplit(stem: 'train' | 't10k', count: number): Promise<MnistSplit & { bytes: number }> {
  const images = await fetchIdx(`${stem}-images-idx3-ubyte`, count, 2051);
  const labels = await fetchIdx(`${stem}-labels-idx1-ubyte`, count, 2049);
  const length = Math.min(images.dims[0], labels.dims[0]);
  const inputs = new Float32Array(length * PIXELS);
  for (let i = 0; i < inputs.length; i++) inputs[i] = images.data[i] / 255;
  return { inputs, labels: Int32Array.from(labels.data.subarray(0, length)), length, bytes: images.bytes + labels.bytes };
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  control = new Int32Array(message.control);
  pixels = new Float32Array(message.pixels);
  const t0 = performance.now();
  try {
    const trainSplit = await loadSplit('train', message.trainCount);
    const testSplit = await loadSplit('t10k', message.testCount);
    stats = channelStats({ name: 'mnist-train-subset', inputs: trainSplit.inputs, sampleShape: [1, 28, 28], length: trainSplit.length });
    normalizeInPlace(trainSplit.inputs, [1, 28, 28], stats);
    normalizeInPlace(testSplit.inputs, [1, 28, 28], stats);
    train = trainSplit;
    test = testSplit;
    post({ type: 'loaded', train: trainSplit.length, test: testSplit.length, bytes: trainSplit.bytes + testSplit.bytes, ms: Math.round(performance.now() - t0) });
  } catch (e) {
    post({ type: 'error', where: 'data', message: (e as Error).message });
  }
}

async function chooseBackend(backend: PageBackend): Promise<void> {
  try {
    if (backend === 'cpu') {
      setBackend('cpu');
      post({ type: 'backend', backend, name: getBackend().name, kernelMode: 'none', device: 'JavaScript, in this worker' });
      return;
    }
    if (typeof gpuJs.GPU !== 'function') throw new Error('this build has no gpu.js (an optional dependency): run npm install, then npm run web again; the CPU backend still trains');
    const gpu: GpuBackend = await useGpuBackend({ mode: 'gpu', gpuJs });
    if (gpu.kernelMode !== 'webgl2' && gpu.kernelMode !== 'webgl') {
      setBackend('cpu');
      throw new Error(`no WebGL in this browser's workers: gpu.js chose '${gpu.kernelMode}'; training stays on the CPU backend`);
    }
    post({ type: 'backend', backend, name: gpu.name, kernelMode: gpu.kernelMode, device: gpu.device });
  } catch (e) {
    post({ type: 'error', where: 'backend', message: (e as Error).message });
  }
}

/** The index of the largest value. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** One image of a split as a `[1, 1, 28, 28]` tensor. */
function image(split: MnistSplit, j: number): Tensor {
  return new Tensor(split.inputs.slice(j * PIXELS, (j + 1) * PIXELS), [1, 1, 28, 28]);
}

/** Accuracy of the pipeline's current weights on the held-out images. */
function evaluate(model: Pipeline, split: MnistSplit): number {
  let hits = 0;
  for (let start = 0; start < split.length; start += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, split.length - start);
    const logits = model.predict(new Tensor(split.inputs.slice(start * PIXELS, (start + n) * PIXELS), [n, 1, 28, 28])).data;
    for (let i = 0; i < n; i++) if (argmax(logits.subarray(i * 10, i * 10 + 10)) === split.labels[start + i]) hits++;
  }
  return hits / split.length;
}

/** Classify the drawing in the shared pixels with the current weights, if a model exists. */
function predictDrawing(): void {
  if (!pipe || !pixels || !stats) return;
  const x = Float32Array.from(pixels);
  normalizeInPlace(x, [1, 28, 28], stats);
  const probabilities = softmax(pipe.predict(new Tensor(x, [1, 1, 28, 28])), -1).data;
  post({ type: 'prediction', probabilities: Array.from(probabilities) });
}

/** Each stage's units, delay (from the schedule's own accounting) and current version. */
function stageStates(model: Pipeline, delays: readonly number[]): StageState[] {
  return model.stages.map((stage, i) => ({ stage: i + 1, units: stage.units.map((u) => u.name).join(', '), delay: delays[i], version: stage.version }));
}

/**
 * Walks the same instruction stream the pipeline runs, one tick ahead of the part shown,
 * and finds the tick in which stage 1 forwards a given sample.
 */
class TickCursor {
  private readonly iterator: Iterator<Tick>;
  private readonly seen: string[][] = [];
  private current = 0;

  constructor(schedule: Schedule) {
    this.iterator = schedule.ticks()[Symbol.iterator]();
  }

  /** Advance to the tick holding `1F<sample>`; returns its index. */
  seek(sample: number): number {
    for (let t = this.current; ; t++) {
      const tick = this.tick(t);
      if (tick === null) return this.current;
      if (tick.includes(`1F${sample}`)) return (this.current = t);
    }
  }

  /** The ticks around the current one, as instruction strings. */
  window(): { first: number; ticks: string[][] } {
    const first = Math.max(0, this.current - WINDOW_BEFORE);
    const ticks: string[][] = [];
    for (let t = first; t <= this.current + WINDOW_AFTER; t++) {
      const tick = this.tick(t);
      if (tick === null) break;
      ticks.push(tick);
    }
    return { first, ticks };
  }

  private tick(t: number): string[] | null {
    while (this.seen.length <= t) {
      const next = this.iterator.next();
      if (next.done) return null;
      this.seen.push(next.value.map(formatInstruction));
    }
    return this.seen[t];
  }
}

function run(settings: RunSettings): void {
  if (!train || !test || !control) {
    post({ type: 'error', where: 'run', message: 'the MNIST data is not loaded yet' });
    return;
  }
  const data = train;
  const heldOut = test;
  const words = control;
  const method = resolveMethod(settings.method);
  const choice = PAGE_MODELS[settings.model];
  const model = createModel(choice.family, { seed: settings.seed, ...choice.options });
  const current = new Pipeline({ units: model.pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: settings.lr, momentum: settings.momentum }) });
  pipe = current;
  const S = current.stages.length;
  const samples = Math.min(settings.samples, data.length);
  const order = new Rng(settings.seed).permutation(data.length);
  // The delays are the schedule's: account a short stream of the same schedule (long enough to reach the steady state).
  const delays = accountSchedule(makeSchedule(method.schedule, { stages: S, samples: 4 * S })).perStage.map((s) => s.delay);
  const cursor = new TickCursor(current.schedule(samples));
  post({
    type: 'started',
    settings,
    stages: stageStates(current, delays),
    scheduleSvg: renderSvg(makeSchedule(method.schedule, { stages: S, samples: Math.min(samples, 2 * S) })),
  });

  let done = 0;
  let losses: number[] = [];
  let hits: boolean[] = [];
  let nextEval = EVAL_EVERY;
  let lastFlush = -Infinity;
  const flush = (tick: number): void => {
    post({ type: 'progress', done, losses, hits, tick, window: cursor.window(), stages: stageStates(current, delays) });
    losses = [];
    hits = [];
    lastFlush = performance.now();
  };
  const checkpoint = (j: number): void => {
    const tick = cursor.seek(j);
    if (done >= nextEval) {
      post({ type: 'eval', done, accuracy: evaluate(current, heldOut), count: heldOut.length });
      nextEval += EVAL_EVERY;
    }
    const delay = Atomics.load(words, CONTROL.delayMs);
    // At full speed the page redraws at most every frame anyway: report every PROGRESS_MS.
    if (delay > 0 || performance.now() - lastFlush >= PROGRESS_MS) flush(tick);
    if (delay > 0) Atomics.wait(words, CONTROL.sleep, 0, delay);
    for (;;) {
      if (Atomics.load(words, CONTROL.drawing) !== seenDrawing) {
        seenDrawing = Atomics.load(words, CONTROL.drawing);
        predictDrawing();
      }
      const state = Atomics.load(words, CONTROL.state);
      if (state === RUN_STATE.stopping) throw new StopRun();
      if (state === RUN_STATE.running) return;
      Atomics.wait(words, CONTROL.state, RUN_STATE.paused, PAUSE_POLL_MS);
    }
  };

  let stopped = false;
  try {
    current.run(
      samples,
      (j) => {
        checkpoint(j);
        const k = order[j];
        return { input: image(data, k), target: Int32Array.of(data.labels[k]) };
      },
      (r) => {
        done++;
        losses.push(r.loss);
        hits.push(argmax(r.outputs[0].data) === (r.target as Int32Array)[0]);
      },
    );
  } catch (e) {
    stopped = true;
    if (!(e instanceof StopRun)) post({ type: 'error', where: 'run', message: (e as Error).message });
  }
  if (!stopped) {
    flush(cursor.seek(samples - 1));
    post({ type: 'eval', done, accuracy: evaluate(current, heldOut), count: heldOut.length });
  }
  post({ type: 'finished', done, stopped });
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      void init(message);
      break;
    case 'backend':
      void chooseBackend(message.backend);
      break;
    case 'start':
      try {
        run(message.settings);
      } catch (e) {
        post({ type: 'error', where: 'run', message: (e as Error).message });
        post({ type: 'finished', done: 0, stopped: true });
      }
      break;
    case 'predict':
      if (control) seenDrawing = Atomics.load(control, CONTROL.drawing);
      if (!pipe) {
        post({ type: 'error', where: 'predict', message: 'no model yet: press Start to train one, then draw again' });
        break;
      }
      try {
        predictDrawing();
      } catch (e) {
        post({ type: 'error', where: 'predict', message: (e as Error).message });
      }
      break;
  }
};

/** The backend the worker starts on, reported so the page shows what runs from the first moment. */
post({ type: 'backend', backend: 'cpu', name: getBackend().name, kernelMode: 'none', device: 'JavaScript, in this worker' });
