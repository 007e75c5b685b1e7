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

/** The TypeScript type of one field's value: `boolean`, `string`, or `number`. */
export type FieldValue<F extends ConfigField> = F['kind'] extends 'boolean' ? boolean : F['kind'] extends 'string' ? string : number;

/**
 * The configuration a table of fields describes: a field with a default is always
 * present, a field without one is optional.
 */
export type ConfigOf<T extends Readonly<Record<string, ConfigField>>> = {
  [K in keyof T as T[K] extends { readonly default: string | number | boolean } ? K : never]: FieldValue<T[K]>;
} & {
  [K in keyof T as T[K] extends { readonly default: string | number | boolean } ? never : K]?: FieldValue<T[K]>;
};

/** The settings of a training run, in the order the command line lists them. */
export const TRAIN_FIELDS = {
  model: { kind: 'string', default: 'smallcnn', choices: () => modelNames(), help: 'network to train' },
  dataset: { kind: 'string', default: 'mnist', help: 'data set' },
  dataDir: { kind: 'string', help: 'folder with the CIFAR binary files (cifar10, cifar100)' },
  method: { kind: 'string', default: 'pb', choices: () => methodScheduleNames, help: 'sgd (sequential), pb (pipelined backpropagation), gpipe, 1f1b' },
  mitigation: { kind: 'string', default: 'sc+lwp', choices: () => mitigationNames, help: 'what compensates the delay of pb' },
  stages: { kind: 'integer', min: 1, help: 'number of pipeline stages (default: one per layer, fine-grained)' },
  epochs: { kind: 'integer', min: 1, default: 1, help: 'passes over the training set' },
  batchSize: { kind: 'integer', min: 1, default: 1, help: 'samples per (micro-)batch' },
  microBatches: { kind: 'integer', min: 1, default: 4, help: 'micro-batches per update for gpipe and 1f1b' },
  lr: { kind: 'number', min: 0, default: 0.001, help: 'learning rate (at --ref-batch-size when given)' },
  momentum: { kind: 'number', min: 0, default: 0.9, help: 'momentum (at --ref-batch-size when given)' },
  weightDecay: { kind: 'number', min: 0, default: 0, help: 'L2 weight decay' },
  schedule: { kind: 'string', default: 'constant', choices: () => LR_SCHEDULES, help: 'learning-rate schedule over the run' },
  warmup: { kind: 'integer', min: 0, default: 0, help: 'samples of linear learning-rate warm-up' },
  refBatchSize: { kind: 'integer', min: 1, help: 'reference batch size of --lr/--momentum; scale them to --batch-size by the scaling rules' },
  width: { kind: 'number', min: 0, help: 'width multiplier of the model' },
  norm: { kind: 'string', choices: () => NORM_KINDS, help: 'normalization layers (default: the model family default)' },
  augment: { kind: 'boolean', default: false, help: 'random crop and flip for image data' },
  seed: { kind: 'integer', default: 0, help: 'seed for initialization, data order and augmentation' },
  limitTrain: { kind: 'integer', min: 1, help: 'use only the first N training samples' },
  limitTest: { kind: 'integer', min: 1, help: 'use only the first N test samples' },
  backend: {
    kind: 'string',
    default: 'cpu',
    choices: () => [...listBackends(), 'gpu', ...GPU_MODES.map((m) => `gpu:${m}`)],
    help: 'compute backend: cpu, or gpu[:mode] through gpu.js (mode cpu, webasm, headlessgl, gpu)',
  },
  checkpointEvery: { kind: 'integer', min: 0, default: 1, help: 'save a checkpoint every N epochs and after the last (0: none)' },
} as const satisfies Readonly<Record<string, ConfigField>>;

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
