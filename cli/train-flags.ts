/**
 * The flags that describe a training run, shared by `train` and `compare`, and their
 * mapping onto a {@link TrainConfig}.
 *
 * The defaults are the default job: a small CNN on real MNIST, fine-grained PB with
 * Spike Compensation and Linear Weight Prediction, batch size one, one epoch.
 *
 * @module
 */
import { GPU_MODES, listBackends } from '../core/index.js';
import { datasetNames } from '../datasets/index.js';
import { modelNames } from '../nn/index.js';
import { methodScheduleNames, mitigationNames } from '../pipeline/index.js';
import { UsageError, type FlagSpec, type Parsed } from './args.js';
import type { TrainConfig } from './trainer.js';

/** Flags of a training run. */
export function trainFlags(): FlagSpec[] {
  return [
    { name: 'model', kind: 'string', default: 'smallcnn', choices: modelNames(), help: 'network to train' },
    { name: 'dataset', kind: 'string', default: 'mnist', choices: datasetNames, help: 'data set' },
    { name: 'data-dir', kind: 'string', help: 'folder with the CIFAR binary files (cifar10, cifar100)' },
    { name: 'method', kind: 'string', default: 'pb', choices: methodScheduleNames, help: 'sgd (sequential), pb (pipelined backpropagation), gpipe, 1f1b' },
    { name: 'mitigation', kind: 'string', default: 'sc+lwp', choices: mitigationNames, help: 'what compensates the delay of pb' },
    { name: 'stages', kind: 'integer', min: 1, help: 'number of pipeline stages (default: one per layer, fine-grained)' },
    { name: 'epochs', kind: 'integer', min: 1, default: 1, help: 'passes over the training set' },
    { name: 'batch-size', kind: 'integer', min: 1, default: 1, help: 'samples per (micro-)batch' },
    { name: 'micro-batches', kind: 'integer', min: 1, default: 4, help: 'micro-batches per update for gpipe and 1f1b' },
    { name: 'lr', kind: 'number', min: 0, default: 0.001, help: 'learning rate (at --ref-batch-size when given)' },
    { name: 'momentum', kind: 'number', min: 0, default: 0.9, help: 'momentum (at --ref-batch-size when given)' },
    { name: 'weight-decay', kind: 'number', min: 0, default: 0, help: 'L2 weight decay' },
    { name: 'schedule', kind: 'string', default: 'constant', choices: ['constant', 'cosine', 'step'], help: 'learning-rate schedule over the run' },
    { name: 'warmup', kind: 'integer', min: 0, default: 0, help: 'samples of linear learning-rate warm-up' },
    { name: 'ref-batch-size', kind: 'integer', min: 1, help: 'reference batch size B0 of --lr/--momentum, scaled to --batch-size B as m = m0^(B/B0), lr = lr0·(B/B0)·(1−m)/(1−m0) (same momentum half-life and per-sample step)' },
    { name: 'width', kind: 'number', min: 0, help: 'width multiplier of the model' },
    { name: 'norm', kind: 'string', choices: ['group', 'batch', 'layer', 'none'], help: 'normalization layers (default: the model family default)' },
    { name: 'augment', kind: 'boolean', default: false, help: 'random crop and flip for image data' },
    { name: 'seed', kind: 'integer', default: 0, help: 'seed for initialization, data order and augmentation' },
    { name: 'limit-train', kind: 'integer', min: 1, help: 'use only the first N training samples' },
    { name: 'limit-test', kind: 'integer', min: 1, help: 'use only the first N test samples' },
    { name: 'backend', kind: 'string', default: 'cpu', choices: [...listBackends(), 'gpu', ...GPU_MODES.map((m) => `gpu:${m}`)], help: 'compute backend: cpu, or gpu[:mode] through gpu.js (mode cpu, webasm, headlessgl, gpu)' },
    { name: 'workers', kind: 'string', default: '1', help: 'worker threads that run the pipeline stages at once: a number, or auto (one per core); the results are bit for bit the same for any number (cpu backend; gpu runs single-worker)' },
    { name: 'checkpoint-every', kind: 'integer', min: 0, default: 1, help: 'save a checkpoint every N epochs and after the last (0: none)' },
    { name: 'out', kind: 'string', help: 'run folder (default runs/<timestamp>-<model>-<method>)' },
    { name: 'json', kind: 'boolean', default: false, help: 'print one JSON object per line' },
    { name: 'config', kind: 'string', help: 'JSON file of flag values; flags given here override it' },
  ];
}

/** Map parsed flags onto a training configuration. */
export function trainConfigFrom(p: Parsed): TrainConfig {
  const f = p.flags;
  const opt = <T>(name: string): T | undefined => (f[name] === undefined ? undefined : (f[name] as T));
  return {
    model: f.model as string,
    dataset: f.dataset as string,
    dataDir: opt<string>('data-dir'),
    method: f.method as string,
    mitigation: f.mitigation as string,
    stages: opt<number>('stages'),
    epochs: f.epochs as number,
    batchSize: f['batch-size'] as number,
    microBatches: f['micro-batches'] as number,
    lr: f.lr as number,
    momentum: f.momentum as number,
    weightDecay: f['weight-decay'] as number,
    schedule: f.schedule as string,
    warmup: f.warmup as number,
    refBatchSize: opt<number>('ref-batch-size'),
    width: opt<number>('width'),
    norm: opt<string>('norm'),
    augment: f.augment as boolean,
    seed: f.seed as number,
    limitTrain: opt<number>('limit-train'),
    limitTest: opt<number>('limit-test'),
    backend: f.backend as string,
    checkpointEvery: f['checkpoint-every'] as number,
    workers: workerCount(String(f.workers)),
  };
}

/** `--workers`: a positive integer or `auto`. */
function workerCount(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--workers needs a positive integer or auto, got '${value}'`);
  return n;
}

/** `runs/<timestamp>-<model>-<method>`. */
export function defaultRunDir(model: string, method: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return `runs/${stamp}-${model}-${method.replace(/\+/g, '_')}`;
}
