/**
 * What describes a training run, written once: {@link TRAIN_FIELDS} is a table of the
 * run's settings (kind, default, allowed values, one line of help), and the
 * {@link TrainConfig} type is computed from it. The command line turns the same table
 * into its flags (`batchSize` becomes `--batch-size`), so a new setting is one new
 * line here.
 *
 * The defaults are the default job: a small CNN on real MNIST, fine-grained PB with
 * Spike Compensation and Linear Weight Prediction, batch size one, one epoch.
 *
 * @module
 */
import { GPU_MODES, listBackends } from '../core/index.js';
import { modelNames, NORM_KINDS } from '../nn/index.js';
import { methodScheduleNames, mitigationNames } from '../pipeline/index.js';
import { ConfigError } from './errors.js';

/** The kinds of value a setting holds: `integer` is a number that must be whole. */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean';

/** One setting of a configuration table. */
export interface ConfigField {
  /** The kind of value. */
  readonly kind: FieldKind;
  /** The value when none is given; a field without one is optional (undefined when not given). */
  readonly default?: string | number | boolean;
  /** The values a string setting may take, asked for when needed (registries can grow). */
  readonly choices?: () => readonly string[];
  /** The smallest value a number setting may take. */
  readonly min?: number;
  /** One line of help (the command line prints it beside the flag). */
  readonly help: string;
}

/** The TypeScript type of a kind's value: `boolean`, `string`, or `number`. */
export type FieldValue<K extends FieldKind> = K extends 'boolean' ? boolean : K extends 'string' ? string : number;

/** A setting with a default: always present in a configuration. */
export interface DefaultedField<K extends FieldKind> extends ConfigField {
  /** The kind of value. */
  readonly kind: K;
  /** The value when none is given. */
  readonly default: FieldValue<K>;
}

/** A setting without a default: optional in a configuration. */
export interface OptionalField<K extends FieldKind> extends ConfigField {
  /** The kind of value. */
  readonly kind: K;
  /** None: the setting is undefined when not given. */
  readonly default?: undefined;
}

/** What a field may add to its kind and help: allowed values, a minimum. */
export type FieldLimits = Pick<ConfigField, 'choices' | 'min'>;

/** A setting of kind `kind` with the default `value`. */
export function defaulted<K extends FieldKind>(kind: K, value: FieldValue<K>, help: string, limits: FieldLimits = {}): DefaultedField<K> {
  return { kind, default: value, help, ...limits };
}

/** A setting of kind `kind` without a default. */
export function optional<K extends FieldKind>(kind: K, help: string, limits: FieldLimits = {}): OptionalField<K> {
  return { kind, help, ...limits };
}

/**
 * The configuration a table of fields describes: a field with a default is always
 * present, a field without one is optional.
 */
export type ConfigOf<T extends Readonly<Record<string, ConfigField>>> = {
  [K in keyof T as T[K] extends DefaultedField<FieldKind> ? K : never]: FieldValue<T[K]['kind']>;
} & {
  [K in keyof T as T[K] extends DefaultedField<FieldKind> ? never : K]?: FieldValue<T[K]['kind']>;
};

/** The settings of a training run, in the order the command line lists them. */
export const TRAIN_FIELDS = {
  /** The network, a name of `modelNames()` (`nn`). */
  model: defaulted('string', 'smallcnn', 'network to train', { choices: () => modelNames() }),
  /** The data set, a name the run's `load` function knows. */
  dataset: defaulted('string', 'mnist', 'data set'),
  /** The folder of a data set read from files. */
  dataDir: optional('string', 'folder with the CIFAR binary files (cifar10, cifar100)'),
  /** The schedule: `sgd` (sequential), `pb`, `gpipe` or `1f1b`. */
  method: defaulted('string', 'pb', 'sgd (sequential), pb (pipelined backpropagation), gpipe, 1f1b', { choices: () => methodScheduleNames }),
  /** The mitigation of the delay, e.g. `sc+lwp`. */
  mitigation: defaulted('string', 'sc+lwp', 'what compensates the delay of pb', { choices: () => mitigationNames }),
  /** Pipeline stages (absent: one per layer). */
  stages: optional('integer', 'number of pipeline stages (default: one per layer, fine-grained)', { min: 1 }),
  /** Passes over the training split. */
  epochs: defaulted('integer', 1, 'passes over the training set', { min: 1 }),
  /** Samples per batch (per micro-batch under gpipe and 1f1b). */
  batchSize: defaulted('integer', 1, 'samples per (micro-)batch', { min: 1 }),
  /** Micro-batches per update under gpipe and 1f1b. */
  microBatches: defaulted('integer', 4, 'micro-batches per update for gpipe and 1f1b', { min: 1 }),
  /** Learning rate `η` (meant for `refBatchSize` when that is given). */
  lr: defaulted('number', 0.001, 'learning rate (at --ref-batch-size when given)', { min: 0 }),
  /** Momentum `m` (meant for `refBatchSize` when that is given). */
  momentum: defaulted('number', 0.9, 'momentum (at --ref-batch-size when given)', { min: 0 }),
  /** L2 weight decay `λ`. */
  weightDecay: defaulted('number', 0, 'L2 weight decay', { min: 0 }),
  /** Learning-rate schedule over the run: one of {@link LR_SCHEDULES}. */
  schedule: defaulted('string', 'constant', 'learning-rate schedule over the run', { choices: () => LR_SCHEDULES }),
  /** Samples of linear learning-rate warm-up. */
  warmup: defaulted('integer', 0, 'samples of linear learning-rate warm-up', { min: 0 }),
  /** The batch size `lr` and `momentum` are meant for; they are scaled to the run's batch by the scaling rules. */
  refBatchSize: optional('integer', 'reference batch size B0 of --lr/--momentum, scaled to --batch-size B as m = m0^(B/B0), lr = lr0·(B/B0)·(1−m)/(1−m0) (same momentum half-life and per-sample step)', { min: 1 }),
  /** Width multiplier of the model. */
  width: optional('number', 'width multiplier of the model', { min: 0 }),
  /** Hidden layers of an `mlp` (absent: the family's default, 2). */
  depth: optional('integer', 'hidden layers of an mlp (default 2)', { min: 0 }),
  /** Width of each hidden layer of an `mlp` before the width multiplier (absent: 256). */
  hidden: optional('integer', 'width of each hidden layer of an mlp (default 256)', { min: 1 }),
  /** Normalization layers, one of `NORM_KINDS` (absent: the family's default). */
  norm: optional('string', 'normalization layers (default: the model family default)', { choices: () => NORM_KINDS }),
  /** Random crop and flip of image data. */
  augment: defaulted('boolean', false, 'random crop and flip for image data'),
  /** Seed of the initialization, the data order and the augmentation. */
  seed: defaulted('integer', 0, 'seed for initialization, data order and augmentation'),
  /** Use only the first N training samples. */
  limitTrain: optional('integer', 'use only the first N training samples', { min: 1 }),
  /** Use only the first N test samples. */
  limitTest: optional('integer', 'use only the first N test samples', { min: 1 }),
  /** Compute backend: `cpu`, or `gpu[:mode]` through gpu.js. */
  backend: defaulted('string', 'cpu', 'compute backend: cpu, or gpu[:mode] through gpu.js (mode cpu, webasm, headlessgl, gpu)', {
    choices: () => [...listBackends(), 'gpu', ...GPU_MODES.map((m) => `gpu:${m}`)],
  }),
  /** Save a checkpoint every N epochs and after the last (0: none). */
  checkpointEvery: defaulted('integer', 1, 'save a checkpoint every N epochs and after the last (0: none)', { min: 0 }),
} satisfies Readonly<Record<string, ConfigField>>;

/** The learning-rate schedules a run can name. */
export const LR_SCHEDULES: readonly string[] = ['constant', 'cosine', 'step'];

/** Everything a run needs, computed from {@link TRAIN_FIELDS}. */
export type TrainConfig = ConfigOf<typeof TRAIN_FIELDS>;

/**
 * Check one value against its field: the kind, `min` and `choices`. Returns the value,
 * or throws a {@link ConfigError} that names the setting as `label` says.
 */
export function checkField(field: ConfigField, value: unknown, label: string): string | number | boolean {
  if (field.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new ConfigError(`${label} is true or false, got '${String(value)}'`);
    return value;
  }
  if (field.kind === 'string') {
    if (typeof value !== 'string') throw new ConfigError(`${label} needs a string, got '${String(value)}'`);
    const choices = field.choices?.();
    if (choices && !choices.includes(value)) throw new ConfigError(`${label} '${value}' is not valid; choose one of: ${choices.join(', ')}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || (field.kind === 'integer' && !Number.isInteger(value))) {
    throw new ConfigError(`${label} needs ${field.kind === 'integer' ? 'an integer' : 'a number'}, got '${String(value)}'`);
  }
  if (field.min !== undefined && value < field.min) throw new ConfigError(`${label} must be at least ${field.min}, got ${value}`);
  return value;
}

/**
 * A complete training configuration: the defaults of {@link TRAIN_FIELDS} under the
 * given settings, each checked against its field.
 *
 * @throws {@link ConfigError} for an unknown setting or a value of the wrong kind,
 *   below its minimum, or outside its choices.
 * @example
 * const config = trainConfig({ model: 'mlp', dataset: 'spirals', epochs: 3, lr: 0.01 });
 */
export function trainConfig(settings: Partial<TrainConfig> = {}): TrainConfig {
  const fields: Readonly<Record<string, ConfigField>> = TRAIN_FIELDS;
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const key of Object.keys(settings)) {
    if (!Object.hasOwn(fields, key)) throw new ConfigError(`trainConfig: unknown setting '${key}'; valid settings: ${Object.keys(fields).join(', ')}`);
  }
  for (const [key, field] of Object.entries(fields)) {
    const given = (settings as Record<string, unknown>)[key];
    if (given !== undefined) out[key] = checkField(field, given, `trainConfig: ${key}`);
    else if (field.default !== undefined) out[key] = field.default;
  }
  return out as TrainConfig;
}
