/**
 * Training throughput of the default job: the `smallcnn` model on real MNIST, trained
 * by fine-grained Pipelined Backpropagation with Spike Compensation and Linear Weight
 * Prediction (`pb+sc+lwp`, one stage per layer) at batch size 1, with the CLI's default
 * hyper-parameters (lr 0.001, momentum 0.9, seed 0).
 *
 * The data are fed as `training/run.ts` feeds them: batches are drawn (shuffled and
 * normalized) before the clock starts, and each one becomes an `[1, 1, 28, 28]` tensor
 * when the pipeline asks for it. A short run on a throwaway model warms the JIT first;
 * the timed run is a fresh model, so its loss is the same on every machine.
 *
 * @module
 */
import { Tensor } from '../core/index.js';
import { channelStats, DataLoader, type Batch } from '../datasets/index.js';
import { loadMnist } from '../datasets/node.js';
import { createModel } from '../nn/index.js';
import { Pipeline, resolveMethod, sgdForMethod, type Example, type SampleResult } from '../pipeline/index.js';

/** What the training run measured. */
export interface TrainingResult {
  /** The model's registry name. */
  model: string;
  /** The training method. */
  method: string;
  /** Pipeline stages (one per layer). */
  stages: number;
  /** Samples trained on in the timed run. */
  samples: number;
  /** Wall-clock seconds of the timed run (schedule interpretation, forwards, backwards, updates, drain). */
  seconds: number;
  /** `samples / seconds`. */
  samplesPerSecond: number;
  /** Mean training loss over the run: the same on every machine, a check that the same work was done. */
  meanLoss: number;
  /** Fraction of the run's samples whose prediction (made before training on them) was right. */
  accuracy: number;
}

const method = 'pb+sc+lwp';
const model = 'smallcnn';
const warmupSamples = 200;

/** Build a fresh pipeline over a fresh `smallcnn`, seeded with `seed`. */
function makePipeline(seed: number, keepOnDevice: boolean): Pipeline {
  const spec = resolveMethod(method);
  return new Pipeline({
    units: createModel(model, { seed }).pipelineUnits(),
    method: spec,
    optimizer: sgdForMethod(spec, { lr: 0.001, momentum: 0.9 }),
    partition: 'fine',
    microBatchSize: 1,
    keepOnDevice,
  });
}

/** The index of the largest of a sample's logits. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Train `samples` MNIST samples at batch size 1 and time it. `keepOnDevice` (default
 * true) is the pipeline option of that name: on a backend with device memory, false
 * reads every kernel's result back (the numbers are the same).
 */
export function benchTraining(samples: number, seed: number, keepOnDevice = true): TrainingResult {
  const train = loadMnist('train');
  const loader = new DataLoader(train, { batchSize: 1, seed, normalize: channelStats(train), limit: samples });
  const batches: Batch[] = [...loader.batches(0)];
  const example = (j: number): Example => ({ input: new Tensor(batches[j].inputs, batches[j].shape), target: batches[j].labels! });

  makePipeline(seed, keepOnDevice).run(Math.min(warmupSamples, batches.length), example);

  const pipe = makePipeline(seed, keepOnDevice);
  let lossSum = 0;
  let correct = 0;
  const onSample = (r: SampleResult): void => {
    lossSum += r.loss;
    if (argmax(r.outputs[0].data) === (r.target as Int32Array)[0]) correct++;
  };
  const start = performance.now();
  pipe.run(batches.length, example, onSample);
  const seconds = (performance.now() - start) / 1000;
  return {
    model,
    method,
    stages: pipe.stages.length,
    samples: batches.length,
    seconds,
    samplesPerSecond: batches.length / seconds,
    meanLoss: lossSum / batches.length,
    accuracy: correct / batches.length,
  };
}
