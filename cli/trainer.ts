/**
 * A training run from a configuration: data, model, pipeline, evaluation, metrics,
 * checkpoints and resumption. The `train` and `compare` commands and `npm start` are
 * thin wrappers around {@link runTraining}.
 *
 * Epochs are the unit of checkpointing: the pipeline drains at the end of every epoch,
 * so a checkpoint holds every stage's weights and optimizer state with no sample in
 * flight, and a resumed run continues exactly as an uninterrupted one (the data order
 * of epoch `e` depends only on the seed and `e`).
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync, appendFileSync, renameSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { GpuUnavailableError, Tensor, useBackend, type Data } from '../core/index.js';
import { channelStats, DataLoader, loadDataset, type Batch, type Dataset } from '../datasets/index.js';
import { createModel, type Model } from '../nn/index.js';
import { loadCheckpoint, saveCheckpoint } from '../nn/node.js';
import { constant, cosine, linearWarmup, multiStep, scaleHyperparameters, type Schedule as LrSchedule } from '../optim/index.js';
import { isFlushSchedule, methodFor, NonFiniteLossError, ParallelPipeline, Pipeline, stageCosts, type Example, type MethodSpec, type PipelineRecipe, type SampleResult, type StageMemory } from '../pipeline/index.js';
import { nodeWorkerHost } from '../pipeline/node.js';
import { renderCurves, type Curve, type CurvePoint } from './curves.js';
import { UsageError } from './args.js';

/** Everything a run needs; the CLI flags map one to one onto it. */
export interface TrainConfig {
  model: string;
  dataset: string;
  method: string;
  mitigation: string;
  stages?: number;
  epochs: number;
  batchSize: number;
  microBatches: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: string;
  warmup: number;
  refBatchSize?: number;
  seed: number;
  limitTrain?: number;
  limitTest?: number;
  backend: string;
  dataDir?: string;
  width?: number;
  norm?: string;
  augment: boolean;
  checkpointEvery: number;
  /** Worker threads that run the stages (default 1: the single-thread engine; `auto`: one per core, at most one per stage); the results are the same for any number. */
  workers?: number | 'auto';
}

/** What a run reports as it goes. */
export interface TrainEvents {
  /** Periodic progress within an epoch. */
  progress?(p: Progress): void;
  /** After each epoch's evaluation. */
  epoch?(e: EpochMetrics): void;
}

/** A progress report. */
export interface Progress {
  epoch: number;
  epochs: number;
  samples: number;
  samplesPerEpoch: number;
  samplesPerSecond: number;
  loss: number;
  accuracy: number | null;
  etaSeconds: number;
}

/** The metrics of one epoch. */
export interface EpochMetrics {
  epoch: number;
  samplesSeen: number;
  trainLoss: number;
  trainAccuracy: number | null;
  testLoss: number;
  testAccuracy: number | null;
  samplesPerSecond: number;
  seconds: number;
}

/** The outcome of a run. */
export interface TrainResult {
  config: TrainConfig;
  resolved: ResolvedHyperParameters;
  outDir: string | null;
  epochs: EpochMetrics[];
  finalTestAccuracy: number | null;
  bestTestAccuracy: number | null;
  finalTestLoss: number;
  finalTrainLoss: number;
  samplesPerSecond: number;
  memory: StageMemory[];
  stages: number;
  seconds: number;
  /** The run's training and test curves. */
  curve: Curve;
}

/** Hyper-parameters after the scaling rules. */
export interface ResolvedHyperParameters {
  lr: number;
  momentum: number;
  weightDecay: number;
  batchSize: number;
  method: string;
}

/** Thrown when training diverges; carries the step and the last good checkpoint. */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}

/** Options of {@link runTraining}. */
export interface RunOptions {
  /** Folder for config.json, metrics.jsonl, checkpoints and curves.svg (null: write nothing). */
  outDir: string | null;
  /** Continue from the last checkpoint in this folder. */
  resumeDir?: string;
  /** Progress callbacks. */
  events?: TrainEvents;
}

/** Resolve the hyper-parameters: apply the batch-size scaling rules when a reference batch size is given. */
export function resolveHyperParameters(c: TrainConfig, spec: MethodSpec): ResolvedHyperParameters {
  const effectiveBatch = c.batchSize * (isFlushSchedule(spec.schedule) ? c.microBatches : 1);
  let { lr, momentum, weightDecay } = c;
  if (c.refBatchSize !== undefined) {
    const scaled = scaleHyperparameters({ batchSize: c.refBatchSize, lr, momentum, weightDecay }, effectiveBatch);
    ({ lr, momentum, weightDecay } = scaled);
  }
  return { lr, momentum, weightDecay, batchSize: effectiveBatch, method: spec.name };
}

/** The learning-rate schedule a configuration names, over `totalSamples` samples. */
export function lrSchedule(c: TrainConfig, lr: number, totalSamples: number): LrSchedule {
  let base: LrSchedule;
  switch (c.schedule) {
    case 'constant':
      base = constant(lr);
      break;
    case 'cosine':
      base = cosine(lr, totalSamples);
      break;
    case 'step':
      base = multiStep(lr, [Math.round(totalSamples / 2), Math.round((totalSamples * 3) / 4)], 0.1);
      break;
    default:
      throw new UsageError(`train: unknown --schedule '${c.schedule}'; valid: constant, cosine, step`);
  }
  return c.warmup > 0 ? linearWarmup(c.warmup, base) : base;
}

/** A run's data: both splits, their loaders, and the model's input and output sizes. */
export interface PreparedData {
  train: Dataset;
  test: Dataset;
  trainLoader: DataLoader;
  testLoader: DataLoader;
  inputShape: [number, number, number];
  outputs: number;
  classification: boolean;
}

/** Load the data a configuration names, normalized with the training split's per-channel statistics. */
export function prepareData(c: TrainConfig): PreparedData {
  const common = { dir: c.dataDir, seed: c.seed };
  const train = loadDataset(c.dataset, { ...common, split: 'train', limit: c.limitTrain });
  const test = loadDataset(c.dataset, { ...common, split: 'test', limit: c.limitTest });
  const stats = channelStats(train);
  const image = train.sampleShape.length === 3;
  const trainLoader = new DataLoader(train, { batchSize: c.batchSize, seed: c.seed, normalize: stats, augment: image && c.augment });
  const testLoader = new DataLoader(test, { batchSize: 100, shuffle: false, normalize: stats });
  const s = train.sampleShape;
  const inputShape: [number, number, number] = s.length === 3 ? [s[0], s[1], s[2]] : [s.reduce((a, b) => a * b, 1), 1, 1];
  const classification = train.labels !== undefined;
  const outputs = classification ? train.numClasses! : (train.targetShape ?? [1]).reduce((a, b) => a * b, 1);
  return { train, test, trainLoader, testLoader, inputShape, outputs, classification };
}

function toExample(b: Batch, inputShape: readonly number[], outputs: number): Example {
  const n = b.indices.length;
  const input = new Tensor(b.inputs, [n, ...inputShape]);
  const target = b.labels ?? new Tensor(b.targets!, [n, outputs]);
  return { input, target };
}

/** Index of the largest value in each row of an `[n, k]` buffer. */
export function argmaxRows(data: Data, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let i = 1; i < k; i++) if (data[r * k + i] > data[r * k + best]) best = i;
    out[r] = best;
  }
  return out;
}

/** Build the model a configuration names. */
export function buildModel(c: TrainConfig, inputShape: [number, number, number], outputs: number): Model {
  return createModel(c.model, {
    inputShape,
    numClasses: outputs,
    seed: c.seed,
    ...(c.width !== undefined ? { width: c.width } : {}),
    ...(c.norm !== undefined ? { norm: c.norm as 'group' } : {}),
  });
}

/** Evaluate the pipeline's current weights on a loader: mean loss and accuracy. */
export function evaluate(pipe: Pipeline, loader: DataLoader, inputShape: readonly number[], outputs: number, classification: boolean): { loss: number; accuracy: number | null } {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (const b of loader.batches(0)) {
    const ex = toExample(b, inputShape, outputs);
    const y = pipe.predict(ex.input);
    const n = b.indices.length;
    const yd = y.data;
    if (classification) {
      const labels = b.labels!;
      const pred = argmaxRows(yd, n, outputs);
      for (let r = 0; r < n; r++) {
        if (pred[r] === labels[r]) correct++;
        let max = -Infinity;
        for (let i = 0; i < outputs; i++) max = Math.max(max, yd[r * outputs + i]);
        let z = 0;
        for (let i = 0; i < outputs; i++) z += Math.exp(yd[r * outputs + i] - max);
        lossSum += Math.log(z) + max - yd[r * outputs + labels[r]];
      }
    } else {
      const t = b.targets!;
      for (let i = 0; i < yd.length; i++) lossSum += ((yd[i] - t[i]) ** 2) / outputs;
    }
    count += n;
  }
  return { loss: lossSum / count, accuracy: classification ? correct / count : null };
}

/** Checkpoint file name of an epoch. */
export function checkpointName(epoch: number): string {
  return `checkpoint-epoch-${String(epoch).padStart(4, '0')}.safetensors`;
}

/** The newest checkpoint in a run folder, or null. */
export function lastCheckpoint(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => /^checkpoint-epoch-\d+\.safetensors$/.test(f)).sort();
  return files.length > 0 ? join(dir, files[files.length - 1]) : null;
}

interface ResumeState {
  epoch: number;
  clocks: { step: number; samples: number }[];
  metrics: EpochMetrics[];
  trainCurve: CurvePoint[];
}

/**
 * Train as the configuration says; evaluate on the test split after every epoch.
 *
 * @throws {@link DivergedError} when the loss becomes NaN or infinite (the last good
 *   checkpoint is kept), and {@link UsageError} for inconsistent settings.
 */
export async function runTraining(c: TrainConfig, options: RunOptions): Promise<TrainResult> {
  try {
    await useBackend(c.backend);
  } catch (e) {
    if (e instanceof GpuUnavailableError) throw new UsageError(`train: --backend ${c.backend}: ${e.message}`);
    throw e;
  }
  const spec = methodFor(c.method, c.mitigation);
  const data = prepareData(c);
  const resolved = resolveHyperParameters(c, spec);
  const batchesPerEpoch = data.trainLoader.batchesPerEpoch;
  // The pipeline comes from a recipe, so that with --workers every worker builds the same one.
  const recipeOptions = { config: c, inputShape: data.inputShape, outputs: data.outputs, trainSamples: data.train.length };
  const { default: trainPipeline, trainRecipe } = await import('./train-recipe.js');
  const { model, ...pipelineConfig } = trainPipeline(recipeOptions);

  let resume: ResumeState | null = null;
  let resumeOptimizer = new Map<string, Tensor>();
  if (options.resumeDir) {
    const file = lastCheckpoint(options.resumeDir);
    if (!file) throw new UsageError(`train: --resume ${options.resumeDir} holds no checkpoint-epoch-*.safetensors to resume from`);
    const restored = await loadCheckpoint(file, model);
    const saved = (restored.config ?? {}) as { resume?: ResumeState };
    if (!saved.resume) throw new UsageError(`train: ${file} was not written by pipegrad train (no resume state)`);
    resume = saved.resume;
    resumeOptimizer = restored.optimizerState;
  }

  const pipe = new Pipeline(pipelineConfig);
  if (resume) {
    const clocks = resume.clocks;
    if (clocks.length !== pipe.stages.length) throw new UsageError(`train: the checkpoint has ${clocks.length} stages, this configuration makes ${pipe.stages.length}`);
    pipe.stages.forEach((stage, i) => {
      const prefix = `stage${i + 1}.`;
      const own = new Map([...resumeOptimizer].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
      stage.optimizer.loadStateDict({ state: own, ...clocks[i] });
    });
  }

  const parallel = await startWorkers(c, pipe, trainRecipe(recipeOptions), data.inputShape);
  try {
    return await trainEpochs(c, options, { spec, data, model, resolved, pipe, parallel, resume, batchesPerEpoch });
  } finally {
    parallel?.close();
  }
}

/**
 * With `--workers N` (N > 1), the workers that run `pipe`'s stages, balanced by each
 * stage's cost (`stageCosts`); null for the single-thread engine.
 *
 * @throws {@link UsageError} on the gpu backend, or for more workers than stages.
 */
async function startWorkers(c: TrainConfig, pipe: Pipeline, recipe: PipelineRecipe, inputShape: readonly number[]): Promise<ParallelPipeline | null> {
  const workers = c.workers === 'auto' ? Math.min(availableParallelism(), pipe.stages.length) : (c.workers ?? 1);
  if (workers <= 1) return null;
  if (c.backend.startsWith('gpu')) throw new UsageError(`train: --workers ${workers}: the ${c.backend} backend runs single-worker; use --workers 1, or --backend cpu to run the stages on ${workers} workers`);
  if (workers > pipe.stages.length) throw new UsageError(`train: --workers ${workers}: the pipeline has ${pipe.stages.length} stages, and each worker runs at least one; use --workers ${pipe.stages.length} or fewer`);
  const input = new Tensor(new Float32Array(c.batchSize * inputShape.reduce((a, b) => a * b, 1)), [c.batchSize, ...inputShape]);
  return ParallelPipeline.start(pipe, { recipe, workers, host: nodeWorkerHost(), stageCosts: stageCosts(pipe, input) });
}

/** What {@link trainEpochs} works with. */
interface Run {
  spec: MethodSpec;
  data: PreparedData;
  model: Model;
  resolved: ResolvedHyperParameters;
  pipe: Pipeline;
  parallel: ParallelPipeline | null;
  resume: ResumeState | null;
  batchesPerEpoch: number;
}

/** The epochs of a run, from the first one not done yet. */
async function trainEpochs(c: TrainConfig, options: RunOptions, run: Run): Promise<TrainResult> {
  const { spec, data, model, resolved, pipe, parallel, resume, batchesPerEpoch } = run;
  const out = options.outDir;
  if (out) {
    mkdirSync(out, { recursive: true });
    writeAtomic(join(out, 'config.json'), JSON.stringify({ ...c, resolved }, null, 2) + '\n');
  }
  const metrics: EpochMetrics[] = resume ? [...resume.metrics] : [];
  const curve: Curve = {
    label: spec.name,
    train: resume ? [...resume.trainCurve] : [],
    test: metrics.map((m) => ({ samples: m.samplesSeen, loss: m.testLoss, accuracy: m.testAccuracy })),
  };
  const started = Date.now();
  let trainedSamples = 0;
  let trainedSeconds = 0;
  const firstEpoch = resume ? resume.epoch : 0;
  for (let epoch = firstEpoch; epoch < c.epochs; epoch++) {
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let windowLoss = 0;
    let windowCorrect = 0;
    let windowCount = 0;
    const epochStart = Date.now();
    const reportEvery = Math.max(1, Math.floor(batchesPerEpoch / 50));
    const onSample = (r: SampleResult): void => {
      const n = r.outputs[0].shape[0];
      lossSum += r.loss * n;
      windowLoss += r.loss * n;
      if (data.classification) {
        const pred = argmaxRows(r.outputs[0].data, n, data.outputs);
        const labels = r.target as Int32Array;
        for (let i = 0; i < n; i++) if (pred[i] === labels[i]) { correct++; windowCorrect++; }
      }
      seen += n;
      windowCount += n;
      if ((r.sample + 1) % reportEvery === 0 || r.sample + 1 === batchesPerEpoch) {
        const elapsed = (Date.now() - epochStart) / 1000;
        const rate = seen / Math.max(elapsed, 1e-3);
        const remaining = (c.epochs - epoch) * data.train.length - seen;
        const point: CurvePoint = { samples: epoch * data.train.length + seen, loss: windowLoss / windowCount, accuracy: data.classification ? windowCorrect / windowCount : null };
        curve.train.push(point);
        if (out) appendFileSync(join(out, 'metrics.jsonl'), JSON.stringify({ event: 'progress', epoch: epoch + 1, ...point }) + '\n');
        options.events?.progress?.({
          epoch: epoch + 1,
          epochs: c.epochs,
          samples: seen,
          samplesPerEpoch: data.train.length,
          samplesPerSecond: rate,
          loss: point.loss,
          accuracy: point.accuracy,
          etaSeconds: remaining / rate,
        });
        windowLoss = 0;
        windowCorrect = 0;
        windowCount = 0;
      }
    };
    try {
      // Batches are made when stage 1 asks for them, so an epoch is never held in memory.
      const batch = (j: number): Example => toExample(data.trainLoader.batch(epoch, j), data.inputShape, data.outputs);
      if (parallel) await parallel.run(batchesPerEpoch, batch, onSample);
      else pipe.run(batchesPerEpoch, batch, onSample);
    } catch (e) {
      if (e instanceof NonFiniteLossError) {
        const last = out ? lastCheckpoint(out) : null;
        const step = epoch * batchesPerEpoch + e.sample;
        throw new DivergedError(
          `training diverged at step ${step} (epoch ${epoch + 1}, sample ${e.sample}): the loss is ${e.value}; ` +
            (last ? `the last good checkpoint is ${last}` : 'no checkpoint was written yet') + '; lower --lr and try again',
        );
      }
      throw e;
    }
    const seconds = (Date.now() - epochStart) / 1000;
    trainedSamples += seen;
    trainedSeconds += seconds;
    const test = evaluate(pipe, data.testLoader, data.inputShape, data.outputs, data.classification);
    const m: EpochMetrics = {
      epoch: epoch + 1,
      samplesSeen: (epoch + 1) * data.train.length,
      trainLoss: lossSum / seen,
      trainAccuracy: data.classification ? correct / seen : null,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      samplesPerSecond: seen / Math.max(seconds, 1e-3),
      seconds,
    };
    metrics.push(m);
    curve.test.push({ samples: m.samplesSeen, loss: m.testLoss, accuracy: m.testAccuracy });
    options.events?.epoch?.(m);
    if (out) {
      appendFileSync(join(out, 'metrics.jsonl'), JSON.stringify({ event: 'epoch', ...m }) + '\n');
      writeAtomic(join(out, 'curves.svg'), renderCurves([curve]));
      const last = epoch + 1 === c.epochs;
      if (c.checkpointEvery > 0 && ((epoch + 1) % c.checkpointEvery === 0 || last)) {
        const optimizerState = new Map<string, Tensor>();
        pipe.stages.forEach((stage, i) => {
          for (const [k, v] of stage.optimizer.stateDict().state) optimizerState.set(`stage${i + 1}.${k}`, v);
        });
        const resumeState: ResumeState = {
          epoch: epoch + 1,
          clocks: pipe.stages.map((s) => ({ step: s.optimizer.steps, samples: s.optimizer.samples })),
          metrics,
          trainCurve: curve.train,
        };
        pipe.bindCurrent();
        await saveCheckpoint(join(out, checkpointName(epoch + 1)), model, { optimizerState, step: (epoch + 1) * batchesPerEpoch, seed: c.seed, config: { train: c, resume: resumeState } });
      }
    }
  }
  const final = metrics[metrics.length - 1];
  const accuracies = metrics.map((m) => m.testAccuracy).filter((a): a is number => a !== null);
  return {
    config: c,
    resolved,
    outDir: out,
    epochs: metrics,
    finalTestAccuracy: final?.testAccuracy ?? null,
    bestTestAccuracy: accuracies.length > 0 ? Math.max(...accuracies) : null,
    finalTestLoss: final?.testLoss ?? NaN,
    finalTrainLoss: final?.trainLoss ?? NaN,
    samplesPerSecond: trainedSamples / Math.max(trainedSeconds, 1e-3),
    memory: pipe.memory,
    stages: pipe.stages.length,
    seconds: (Date.now() - started) / 1000,
    curve,
  };
}

/** Write a text file through a temporary name and a rename, so a crash never leaves half a file. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
