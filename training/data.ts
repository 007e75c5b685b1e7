/**
 * A run's data and model from its configuration: both splits loaded by name and
 * normalized with the training split's per-channel statistics, their loaders, the model
 * sized to them, and the step that turns a loader's batch into a pipeline example.
 *
 * Loading by name is given in, not imported: in Node, `loadDataset` of
 * `pipegrad/datasets/node` knows every data set; in a browser,
 * `(name, opts) => loadFrom(syntheticDatasets, name, opts)` knows the synthetic ones.
 *
 * @module
 */
import { Tensor } from '../core/index.js';
import { channelStats, DataLoader, type Batch, type Dataset, type LoadOptions } from '../datasets/index.js';
import { createModel, type Model, type NormKind } from '../nn/index.js';
import type { Example } from '../pipeline/index.js';
import type { TrainConfig } from './config.js';

/** Loads a data set's split by name (`loadDataset` of `pipegrad/datasets/node` is one). */
export type DatasetSource = (name: string, opts: LoadOptions) => Dataset;

/** The shape of a run's examples: what a batch becomes, and how its outputs are scored. */
export interface ExampleShape {
  /** The model's input `[C, H, W]` (a flat sample is `[features, 1, 1]`). */
  inputShape: [number, number, number];
  /** Classes (classification) or target values (regression) per sample. */
  outputs: number;
  /** True when the data have labels (cross-entropy, accuracy); false for targets (squared error). */
  classification: boolean;
}

/** A run's data: both splits, their loaders, and the model's input and output sizes. */
export interface PreparedData extends ExampleShape {
  /** The training split. */
  train: Dataset;
  /** The test split. */
  test: Dataset;
  /** Shuffled (per epoch, from the seed), normalized, augmented when asked, `batchSize` per batch. */
  trainLoader: DataLoader;
  /** In order, normalized with the training statistics, 100 per batch. */
  testLoader: DataLoader;
}

/**
 * Load the data a configuration names (`dataset`, `dataDir`, `limitTrain`,
 * `limitTest`, `seed`), normalized with the training split's per-channel statistics.
 *
 * @example
 * const data = prepareData(trainConfig({ dataset: 'spirals' }), (name, opts) => loadFrom(syntheticDatasets, name, opts));
 */
export function prepareData(c: TrainConfig, load: DatasetSource): PreparedData {
  const common = { dir: c.dataDir, seed: c.seed };
  const train = load(c.dataset, { ...common, split: 'train', limit: c.limitTrain });
  const test = load(c.dataset, { ...common, split: 'test', limit: c.limitTest });
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

/** A loader's batch as a pipeline example: inputs `[n, ...inputShape]`, and labels or targets `[n, outputs]`. */
export function batchToExample(b: Batch, shape: ExampleShape): Example {
  const n = b.indices.length;
  const input = new Tensor(b.inputs, [n, ...shape.inputShape]);
  const target = b.labels ?? new Tensor(b.targets!, [n, shape.outputs]);
  return { input, target };
}

/** Build the model a configuration names (`model`, `seed`, `width`, `norm`, and an mlp's `depth` and `hidden`), sized to the data. */
export function buildModel(c: TrainConfig, shape: ExampleShape): Model {
  return createModel(c.model, {
    inputShape: shape.inputShape,
    numClasses: shape.outputs,
    seed: c.seed,
    ...(c.width !== undefined ? { width: c.width } : {}),
    ...(c.norm !== undefined ? { norm: c.norm as NormKind } : {}),
    ...(c.depth !== undefined ? { depth: c.depth } : {}),
    ...(c.hidden !== undefined ? { hidden: c.hidden } : {}),
  });
}
