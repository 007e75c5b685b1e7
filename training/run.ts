/**
 * A training run from a configuration: data, model, pipeline, evaluation after every
 * epoch, progress events, the files of the run, checkpoints and resumption, the stages
 * on worker threads when `workers` is above 1, and the stop when the loss stops being a
 * number. `pipegrad train`, `pipegrad compare` and
 * `npm start` are thin wrappers around {@link runTraining}.
 *
 * Epochs are the unit of checkpointing: the pipeline drains at the end of every epoch,
 * so a checkpoint holds every stage's weights and optimizer state with no sample in
 * flight, and a resumed run continues exactly as an uninterrupted one (the data order
 * of epoch `e` depends only on the seed and `e`).
 *
 * @module
 */
import { GpuUnavailableError, useBackend } from '../core/index.js';
import type { Model } from '../nn/index.js';
import { methodFor, NonFiniteLossError, Pipeline, type Example, type MethodSpec, type ParallelPipeline, type SampleResult, type StageMemory } from '../pipeline/index.js';
import { loadStageOptimizers, encodeTrainingCheckpoint, type ResumeState } from './checkpoint.js';
import { trainConfig, type ConfigNaming, type TrainConfig } from './config.js';
import { addCurvePoint, renderCurves, type Curve, type CurvePoint } from './curves.js';
import { batchToExample, prepareData, type DatasetSource, type PreparedData } from './data.js';
import { ConfigError, DivergedError } from './errors.js';
import { argmaxRows, evaluate } from './evaluate.js';
import type { EpochMetrics, TrainEvents } from './events.js';
import { resolveHyperParameters, type ResolvedHyperParameters } from './hyperparameters.js';
import { trainPipeline, trainRecipe, type TrainRecipeOptions } from './recipe.js';
import { METRICS_FILE, recordResume, refuseExistingRun, resumeRun, type Resumption } from './resume.js';
import { checkpointName, lastCheckpoint, type RunStore } from './store.js';
import { startWorkers, type WorkerThreads } from './workers.js';

/** Options of {@link runTraining}. */
export interface RunOptions {
  /** Loads the configuration's data set by name (in Node: `loadDataset` of `pipegrad/datasets/node`). */
  load: DatasetSource;
  /** Where the run writes `config.json`, `metrics.jsonl`, `curves.svg` and its checkpoints (absent: nowhere). */
  store?: RunStore;
  /** Continue from the newest checkpoint (by epoch) in this store (it may be `store` itself). */
  resumeFrom?: RunStore;
  /**
   * Let a resume change settings other than `epochs`, `dataDir`, `backend`,
   * `checkpointEvery` and `workers` (`RESUMABLE_CHANGES`; default false: such a resume is refused). The changes are kept
   * in the checkpoints and logged in `metrics.jsonl`, and the configuration the run had
   * before is kept as `config-until-epoch-NNNN.json`.
   */
  allowChanges?: boolean;
  /** Progress callbacks. */
  events?: TrainEvents;
  /**
   * Threads for a configuration with `workers` above 1 (in Node: `nodeWorkerThreads()`
   * of `pipegrad/training/node`). Without them a run has one thread: `workers: 'auto'`
   * means 1, and a number above 1 is refused.
   */
  workerThreads?: WorkerThreads;
  /** How errors about settings name them (default: as the library does, `workers`; the command line passes its flags' names, `--workers`). */
  naming?: ConfigNaming;
}

/** The outcome of a run. */
export interface TrainResult {
  /** The configuration, with every default filled in. */
  config: TrainConfig;
  /** The hyper-parameters after the scaling rules. */
  resolved: ResolvedHyperParameters;
  /** The metrics of every epoch (those before a resume included). */
  epochs: EpochMetrics[];
  /** Test accuracy after the last epoch; null for regression. */
  finalTestAccuracy: number | null;
  /** Best test accuracy over the epochs; null for regression. */
  bestTestAccuracy: number | null;
  /** Test loss after the last epoch. */
  finalTestLoss: number;
  /** Training loss of the last epoch. */
  finalTrainLoss: number;
  /** Training throughput of this run's epochs (evaluation excluded). */
  samplesPerSecond: number;
  /** Each stage's memory: activations in flight and weight versions held. */
  memory: StageMemory[];
  /** Pipeline stages. */
  stages: number;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  /** The run's training and test curves. */
  curve: Curve;
  /** The pipeline at the end of the run (its live weights are the trained ones). */
  pipeline: Pipeline;
}

export { METRICS_FILE };

/**
 * Train as the configuration says; evaluate on the test split after every epoch.
 *
 * Every setting is checked before any work: the configuration, the model and pipeline
 * it makes, a `store` that already holds another run (refused: runs are never written
 * over), and the checkpoint a resume starts from. Temporary files that interrupted
 * writes left in the stores are removed first. On a resume, `metrics.jsonl` is cut back
 * to the checkpoint's epoch, so that it equals an uninterrupted run's.
 *
 * @throws {@link DivergedError} when the loss becomes NaN or infinite (the last good
 *   checkpoint is kept), and {@link ConfigError} for settings that cannot make a run
 *   (including a `resumeFrom` store with no checkpoint, a damaged one, one of another
 *   shape, or changed settings without `allowChanges`).
 * @example
 * const store = memoryStore();
 * const load = (name, opts) => loadFrom(syntheticDatasets, name, opts);
 * const result = await runTraining(trainConfig({ model: 'mlp', dataset: 'spirals', epochs: 2 }), { load, store });
 */
export async function runTraining(config: TrainConfig, options: RunOptions): Promise<TrainResult> {
  const c = trainConfig(config);
  try {
    await useBackend(c.backend);
  } catch (e) {
    if (e instanceof GpuUnavailableError) throw new ConfigError(`backend ${c.backend}: ${e.message}`);
    throw e;
  }
  const store = options.store;
  if (store) await refuseExistingRun(store, options.resumeFrom);
  await store?.removeTemporaries?.();
  if (options.resumeFrom && options.resumeFrom !== store) await options.resumeFrom.removeTemporaries?.();
  const spec = methodFor(c.method, c.mitigation);
  // The pipeline comes from a recipe, so that with several workers each one builds the same.
  const { data, recipe, model, pipelineConfig, resolved } = asConfigErrors(() => {
    const data = prepareData(c, options.load);
    const recipe: TrainRecipeOptions = { config: c, shape: { inputShape: data.inputShape, outputs: data.outputs, classification: data.classification }, trainSamples: data.train.length };
    const { model, ...pipelineConfig } = trainPipeline(recipe);
    return { data, recipe, model, pipelineConfig, resolved: resolveHyperParameters(c, spec) };
  });
  // The model holds the checkpoint's weights before the pipeline takes them over.
  const resumption: Resumption | null = options.resumeFrom ? await resumeRun(options.resumeFrom, model, c, options.allowChanges ?? false) : null;
  const pipe = asConfigErrors(() => new Pipeline(pipelineConfig));
  if (resumption) loadStageOptimizers(pipe, resumption.optimizerState, resumption.resume.clocks);
  // After the checkpoint is loaded: the workers receive the pipeline's state before every run.
  const parallel = await startWorkers(c, pipe, trainRecipe(recipe), data.inputShape, options.workerThreads, options.naming ?? { source: 'runTraining', name: (key) => key });
  try {
    return await trainEpochs(c, options, { spec, data, model, resolved, pipe, parallel, resumption });
  } finally {
    parallel?.close();
  }
}

/** What {@link trainEpochs} works with. */
interface Run {
  spec: MethodSpec;
  data: PreparedData;
  model: Model;
  resolved: ResolvedHyperParameters;
  pipe: Pipeline;
  parallel: ParallelPipeline | null;
  resumption: Resumption | null;
}

/** The epochs of a run, from the first one not done yet, then its result. */
async function trainEpochs(c: TrainConfig, options: RunOptions, run: Run): Promise<TrainResult> {
  const { spec, data, model, resolved, pipe, parallel, resumption } = run;
  const store = options.store;
  const resume = resumption?.resume ?? null;
  const batchesPerEpoch = data.trainLoader.batchesPerEpoch;

  if (store) {
    if (resumption) await recordResume(store, options.resumeFrom!, resumption);
    await store.write('config.json', JSON.stringify({ ...c, resolved }, null, 2) + '\n');
  }
  const metrics: EpochMetrics[] = resume ? [...resume.metrics] : [];
  const curve: Curve = { label: spec.name, train: resume ? [...resume.trainCurve] : [], test: [] };
  for (const m of metrics) addCurvePoint(curve.test, { samples: m.samplesSeen, loss: m.testLoss, accuracy: m.testAccuracy }, 'latest');
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
    const pending: CurvePoint[] = [];
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
        addCurvePoint(curve.train, point, 'mean');
        pending.push(point);
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
      const batch = (j: number): Example => batchToExample(data.trainLoader.batch(epoch, j), data);
      if (parallel) await parallel.run(batchesPerEpoch, batch, onSample);
      else pipe.run(batchesPerEpoch, batch, onSample);
    } catch (e) {
      if (e instanceof NonFiniteLossError) {
        const last = store ? await lastCheckpoint(store) : null;
        const step = epoch * batchesPerEpoch + e.sample;
        throw new DivergedError(
          `training diverged at step ${step} (epoch ${epoch + 1}, sample ${e.sample}): the loss is ${e.value}; ` +
            (last ? `the last good checkpoint is ${store!.locate(last)}` : 'no checkpoint was written yet') + '; lower the learning rate and try again',
          { step, epoch: epoch + 1, sample: e.sample, loss: e.value },
        );
      }
      throw e;
    } finally {
      // The progress measurements taken so far go to the metrics file even when the epoch fails.
      for (const point of pending) await store?.appendLine(METRICS_FILE, JSON.stringify({ event: 'progress', epoch: epoch + 1, ...point }));
    }
    const seconds = (Date.now() - epochStart) / 1000;
    trainedSamples += seen;
    trainedSeconds += seconds;
    const test = evaluate(pipe, data.testLoader, data);
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
    addCurvePoint(curve.test, { samples: m.samplesSeen, loss: m.testLoss, accuracy: m.testAccuracy }, 'latest');
    options.events?.epoch?.(m);
    if (store) {
      await store.appendLine(METRICS_FILE, JSON.stringify({ event: 'epoch', ...m }));
      await store.write('curves.svg', renderCurves([curve]));
      const last = epoch + 1 === c.epochs;
      if (c.checkpointEvery > 0 && ((epoch + 1) % c.checkpointEvery === 0 || last)) {
        const resumeState: ResumeState = {
          epoch: epoch + 1,
          clocks: pipe.stages.map((s) => ({ step: s.optimizer.steps, samples: s.optimizer.samples })),
          metrics,
          trainCurve: curve.train,
          ...(resume?.changes ? { changes: resume.changes } : {}),
        };
        await store.write(checkpointName(epoch + 1), encodeTrainingCheckpoint(model, pipe, c, resumeState, (epoch + 1) * batchesPerEpoch));
      }
    }
  }
  const final = metrics[metrics.length - 1];
  const accuracies = metrics.map((m) => m.testAccuracy).filter((a): a is number => a !== null);
  return {
    config: c,
    resolved,
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
    pipeline: pipe,
  };
}

/**
 * Run `setup`; an error it throws is a {@link ConfigError} (building the data, the model
 * and the pipeline from checked settings fails only for settings that cannot go
 * together, such as more stages than layers).
 */
function asConfigErrors<T>(setup: () => T): T {
  try {
    return setup();
  } catch (e) {
    if (e instanceof ConfigError || !(e instanceof Error)) throw e;
    throw new ConfigError(e.message.split('\n')[0]);
  }
}
