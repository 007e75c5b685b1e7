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
import { randn, Rng, Tensor } from '../core/index.js';
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
  /** Samples per second of process CPU time (user + system): the figure other jobs on the machine disturb least. */
  samplesPerCpuSecond: number;
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
  const cpuStart = process.cpuUsage();
  pipe.run(batches.length, example, onSample);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return {
    model,
    method,
    stages: pipe.stages.length,
    samples: batches.length,
    seconds,
    samplesPerSecond: batches.length / seconds,
    samplesPerCpuSecond: batches.length / ((cpu.user + cpu.system) / 1e6),
    meanLoss: lossSum / batches.length,
    accuracy: correct / batches.length,
  };
}

/** What the resnet20 throughput run measured. */
export interface ResnetResult {
  /** Samples in the timed run. */
  samples: number;
  /** Pipeline stages (fine-grained: one per layer). */
  stages: number;
  /** `samples / seconds`. */
  samplesPerSecond: number;
  /** Samples per second of process CPU time. */
  samplesPerCpuSecond: number;
  /** Mean training loss: the same on every backend up to float32 rounding, a check that the same work was done. */
  meanLoss: number;
}

/**
 * Training throughput of `resnet20` (CIFAR-10 sized inputs `[3, 32, 32]`, 10 classes)
 * with fine-grained `pb+sc+lwp` at batch size 1, on the current backend. The inputs are
 * seeded `randn` images with cycling labels, so the run needs no dataset on disk; the
 * work per sample is that of real CIFAR-10 training (lr 0.001, momentum 0.9: at lr 0.01
 * these random labels make both backends diverge alike near sample 56). A few samples on a throwaway model
 * warm the JIT first.
 */
export function benchResnet(samples: number, seed: number): ResnetResult {
  const rng = new Rng(seed);
  const inputShape = [3, 32, 32] as const;
  const examples: Example[] = Array.from({ length: samples }, (_, i) => ({ input: randn([1, ...inputShape], rng), target: Int32Array.from([i % 10]) }));
  const spec = resolveMethod(method);
  const make = (): Pipeline => new Pipeline({
    units: createModel('resnet20', { seed, inputShape, numClasses: 10 }).pipelineUnits(),
    method: spec,
    optimizer: sgdForMethod(spec, { lr: 0.001, momentum: 0.9 }),
    partition: 'fine',
    microBatchSize: 1,
  });
  make().run(Math.min(5, samples), (j) => examples[j]);
  const pipe = make();
  let lossSum = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  pipe.run(samples, (j) => examples[j], (r) => { lossSum += r.loss; });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { samples, stages: pipe.stages.length, samplesPerSecond: samples / seconds, samplesPerCpuSecond: samples / ((cpu.user + cpu.system) / 1e6), meanLoss: lossSum / samples };
}
