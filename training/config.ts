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
import { defaultBackendName, GPU_MODES, listBackends } from '../core/index.js';
import { modelNames, NORM_KINDS } from '../nn/index.js';
import { isFlushSchedule, methodScheduleNames, mitigationNames } from '../pipeline/index.js';
import { ConfigError } from './errors.js';

/**
 * The kinds of value a setting holds: `integer` is a number that must be whole, `count`
 * a whole number or the word `auto` (the setting then picks the number itself).
 */
export type FieldKind = 'string' | 'number' | 'integer' | 'count' | 'boolean';

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
  /** A number setting must be greater than this (an open lower bound, e.g. a width above 0). */
  readonly above?: number;
  /** A number setting must be less than this (an open upper bound, e.g. a momentum below 1). */
  readonly below?: number;
  /** One line of help (the command line prints it beside the flag). */
  readonly help: string;
}

/** The TypeScript type of a kind's value: `boolean`, `string`, `number`, or `number | 'auto'` for a count. */
export type FieldValue<K extends FieldKind> = K extends 'boolean' ? boolean : K extends 'string' ? string : K extends 'count' ? number | 'auto' : number;

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

/** What a field may add to its kind and help: allowed values, bounds. */
export type FieldLimits = Pick<ConfigField, 'choices' | 'min' | 'above' | 'below'>;

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
  /** The mitigation of the delay, e.g. `sc+lwp` (absent: {@link defaultMitigation} of the method). */
  mitigation: optional('string', 'what compensates the delay of pb (default: sc+lwp for pb, none for the others, which have no delay)', { choices: () => mitigationNames }),
  /** Pipeline stages (absent: one per layer). */
  stages: optional('integer', 'number of pipeline stages (default: one per layer, fine-grained)', { min: 1 }),
  /** Passes over the training split. */
  epochs: defaulted('integer', 1, 'passes over the training set', { min: 1 }),
  /** Samples per batch (per micro-batch under gpipe and 1f1b). */
  batchSize: defaulted('integer', 1, 'samples per (micro-)batch', { min: 1 }),
  /** Micro-batches per update under gpipe and 1f1b (absent: {@link DEFAULT_MICRO_BATCHES}); refused by the other methods. */
  microBatches: optional('integer', `micro-batches per update, gpipe and 1f1b only (default: 4)`, { min: 1 }),
  /** Learning rate `η` (meant for `refBatchSize` when that is given). */
  lr: defaulted('number', 0.001, 'learning rate (at --ref-batch-size when given)', { min: 0 }),
  /** Momentum `m` (meant for `refBatchSize` when that is given). */
  momentum: defaulted('number', 0.9, 'momentum (at --ref-batch-size when given)', { min: 0, below: 1 }),
  /** L2 weight decay `λ`. */
  weightDecay: defaulted('number', 0, 'L2 weight decay', { min: 0 }),
  /** Learning-rate schedule over the run: one of {@link LR_SCHEDULES}. */
  schedule: defaulted('string', 'constant', 'learning-rate schedule over the run', { choices: () => LR_SCHEDULES }),
  /** Samples of linear learning-rate warm-up. */
  warmup: defaulted('integer', 0, 'samples of linear learning-rate warm-up', { min: 0 }),
  /** The batch size `lr` and `momentum` are meant for; they are scaled to the run's batch by the scaling rules. */
  refBatchSize: optional('integer', 'reference batch size B0 of --lr/--momentum, scaled to --batch-size B as m = m0^(B/B0), lr = lr0·(B/B0)·(1−m)/(1−m0) (same momentum half-life and per-sample step)', { min: 1 }),
  /** Width multiplier of the model. */
  width: optional('number', 'width multiplier of the model', { above: 0 }),
  /** Hidden layers of an `mlp` (absent: the family's default, 2). */
  depth: optional('integer', 'hidden layers of an mlp (default 2)', { min: 0 }),
  /** Width of each hidden layer of an `mlp` before the width multiplier (absent: 256). */
  hidden: optional('integer', 'width of each hidden layer of an mlp (default 256)', { min: 1 }),
  /** Normalization layers, one of `NORM_KINDS` (absent: the family's default). */
  norm: optional('string', 'normalization layers (default: the model family default)', { choices: () => NORM_KINDS }),
  /** Random crop and flip of image data. */
  augment: defaulted('boolean', false, 'random crop and flip for image data'),
  /** Seed of the initialization, the data order and the augmentation. */
  seed: defaulted('integer', 0, 'seed for initialization, data order and augmentation (0 to 2^32 − 1: the generator takes 32 bits)', { min: 0, below: 2 ** 32 }),
  /** Use only the first N training samples. */
  limitTrain: optional('integer', 'use only the first N training samples', { min: 1 }),
  /** Use only the first N test samples. */
  limitTest: optional('integer', 'use only the first N test samples', { min: 1 }),
  /** Compute backend: `wasm` (the default where WebAssembly SIMD runs), `ts`, or `gpu[:mode]` through gpu.js. */
  backend: defaulted('string', defaultBackendName(), 'compute backend: wasm (WebAssembly SIMD, the default where it runs), ts (plain TypeScript, also called cpu), or gpu[:mode] through gpu.js (mode cpu, webasm, headlessgl, gpu)', {
    choices: () => [...new Set([...listBackends(), 'wasm', 'gpu', ...GPU_MODES.map((m) => `gpu:${m}`)])],
  }),
  /**
   * Worker threads that run the pipeline's stages at once (`auto`: one per core, at most
   * one per stage); the results are bit for bit the same for any number. More than one
   * needs a worker host (`workerThreads` of {@link RunOptions}) and a host backend.
   */
  workers: defaulted('count', 1, 'worker threads that run the pipeline stages at once: a number, or auto (one per core, at most one per stage); the results are bit for bit the same for any number (wasm and ts backends; gpu runs single-worker)', { min: 1 }),
  /** Save a checkpoint every N epochs and after the last (0: none). */
  checkpointEvery: defaulted('integer', 1, 'save a checkpoint every N epochs and after the last (0: none)', { min: 0 }),
} satisfies Readonly<Record<string, ConfigField>>;

/** The learning-rate schedules a run can name. */
export const LR_SCHEDULES: readonly string[] = ['constant', 'cosine', 'step'];

/**
 * Everything a run needs, computed from {@link TRAIN_FIELDS}; `mitigation` is always
 * filled in by {@link trainConfig} (its default follows the method).
 */
export type TrainConfig = ConfigOf<typeof TRAIN_FIELDS> & {
  /** The mitigation of the delay, always present: the one given, or {@link defaultMitigation} of the method. */
  mitigation: string;
};

/**
 * Check one value against its field: the kind (a number must be finite, an integer a
 * safe integer, |n| ≤ 2^53 − 1, so that it survives JSON exactly), the bounds and
 * `choices`. Returns the value, or throws a {@link ConfigError} that names the setting
 * as `label` says.
 */
export function checkField(field: ConfigField, value: unknown, label: string): string | number | boolean {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  if (field.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new ConfigError(`${label} is true or false, got ${shown}`);
    return value;
  }
  if (field.kind === 'string') {
    if (typeof value !== 'string') throw new ConfigError(`${label} needs a string, got ${shown}`);
    if (value === '') throw new ConfigError(`${label} is empty; give a value or leave the setting out`);
    const choices = field.choices?.();
    if (choices && !choices.includes(value)) throw new ConfigError(`${label} '${value}' is not valid; choose one of: ${choices.join(', ')}`);
    return value;
  }
  if (field.kind === 'count' && value === 'auto') return value;
  const whole = field.kind === 'integer' || field.kind === 'count';
  if (typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    const wanted = field.kind === 'count' ? 'a positive integer or auto' : whole ? 'an integer' : 'a number';
    throw new ConfigError(`${label} needs ${wanted}, got ${typeof value === 'number' ? `'${value}'` : shown}`);
  }
  if (whole && !Number.isSafeInteger(value)) throw new ConfigError(`${label} must be at most 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, got ${value}`);
  if (field.min !== undefined && value < field.min) throw new ConfigError(`${label} must be at least ${field.min}, got ${value}`);
  if (field.above !== undefined && !(value > field.above)) throw new ConfigError(`${label} must be greater than ${field.above}, got ${value}`);
  if (field.below !== undefined && !(value < field.below)) throw new ConfigError(`${label} must be less than ${field.below}, got ${value}`);
  return value;
}

/** Micro-batches per update of gpipe and 1f1b when `microBatches` is not given. */
export const DEFAULT_MICRO_BATCHES = 4;

/**
 * The mitigation a method gets when none is named: `sc+lwp` (the paper's method) for
 * `pb`, `none` for the methods without a delay (`sgd`, `gpipe`, `1f1b`), where every
 * mitigation is an exact no-op.
 */
export function defaultMitigation(method: string): string {
  return scheduleHasDelay(method) ? 'sc+lwp' : 'none';
}

/** Whether a method's schedule delays any stage (`pb`); `sgd`, `gpipe` and `1f1b` do not. */
function scheduleHasDelay(method: string): boolean {
  return method === 'pb';
}

/**
 * A complete training configuration: the defaults of {@link TRAIN_FIELDS} under the
 * given settings, each checked against its field. Two defaults follow the method:
 * `mitigation` ({@link defaultMitigation}) and `microBatches` (only on gpipe and 1f1b).
 * Settings that the method would ignore are refused rather than silently dropped: a
 * mitigation other than `none` on a method without a delay, and `microBatches` on one
 * that does not flush.
 *
 * @throws {@link ConfigError} for an unknown setting or a value of the wrong kind,
 *   outside its bounds or its choices, or one the method ignores.
 * @example
 * const config = trainConfig({ model: 'mlp', dataset: 'spirals', epochs: 3, lr: 0.01 });
 * trainConfig({ method: 'sgd' }).mitigation; // 'none'
 */
export function trainConfig(settings: Partial<TrainConfig> = {}, naming: ConfigNaming = LIBRARY_NAMING): TrainConfig {
  const fields: Readonly<Record<string, ConfigField>> = TRAIN_FIELDS;
  const { source, name } = naming;
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const key of Object.keys(settings)) {
    if (!Object.hasOwn(fields, key)) throw new ConfigError(`${source}: unknown setting '${key}'; valid settings: ${Object.keys(fields).join(', ')}`);
  }
  for (const [key, field] of Object.entries(fields)) {
    const given = (settings as Record<string, unknown>)[key];
    if (given !== undefined) out[key] = checkField(field, given, `${source}: ${name(key)}`);
    else if (field.default !== undefined) out[key] = field.default;
  }
  const method = out.method as string;
  const flushes = isFlushSchedule(method === 'sgd' ? 'sequential' : method);
  if (out.mitigation === undefined) out.mitigation = defaultMitigation(method);
  else if (out.mitigation !== 'none' && !scheduleHasDelay(method)) {
    throw new ConfigError(
      `${source}: ${name('mitigation')} '${out.mitigation}' does nothing under ${name('method')} '${method}', which has no delay (every D_s is 0); leave ${name('mitigation')} out, or use ${name('method')} 'pb'`,
    );
  }
  if (flushes) out.microBatches ??= DEFAULT_MICRO_BATCHES;
  else if (out.microBatches !== undefined) {
    throw new ConfigError(`${source}: ${name('microBatches')} is for gpipe and 1f1b, which update once per round of micro-batches; ${name('method')} '${method}' does not use it, so leave it out`);
  }
  return out as TrainConfig;
}

/** How {@link trainConfig} names things in its errors: what is being read, and each setting. */
export interface ConfigNaming {
  /** What the settings come from, first in every message (e.g. `trainConfig`, `train`, a file's path). */
  source: string;
  /** A setting's name as the reader knows it (e.g. `lr`, or `--lr` on the command line). */
  name(key: string): string;
}

/** The library's naming: `trainConfig: lr must be at least 0, got -1`. */
const LIBRARY_NAMING: ConfigNaming = { source: 'trainConfig', name: (key) => key };

/**
 * The settings a resumed run may change without changing what it trains: how long
 * (`epochs`, as long as the learning-rate schedule does not depend on the run's length),
 * where the data are, the backend, how often it saves, and the number of worker threads
 * (the results are bit for bit the same for any number).
 */
export const RESUMABLE_CHANGES: readonly (keyof TrainConfig)[] = ['epochs', 'dataDir', 'backend', 'checkpointEvery', 'workers'];

/** One setting that differs between two configurations. */
export interface ConfigChange {
  /** The setting. */
  setting: string;
  /** Its value before (null: not set). */
  from: string | number | boolean | null;
  /** Its value after (null: not set). */
  to: string | number | boolean | null;
}

/**
 * The settings of `after` that differ from `before`, other than the
 * {@link RESUMABLE_CHANGES}; `epochs` counts as a change when the learning-rate
 * schedule is not `constant` (cosine and step are laid out over the whole run).
 *
 * @example
 * configChanges(trainConfig({ lr: 0.1 }), trainConfig({ lr: 0.2, epochs: 3 })); // [{ setting: 'lr', from: 0.1, to: 0.2 }]
 */
export function configChanges(before: TrainConfig, after: TrainConfig): ConfigChange[] {
  const free = new Set<string>(RESUMABLE_CHANGES);
  if (after.schedule !== 'constant' || before.schedule !== 'constant') free.delete('epochs');
  const changes: ConfigChange[] = [];
  for (const key of Object.keys(TRAIN_FIELDS)) {
    if (free.has(key)) continue;
    const from = (before as Record<string, string | number | boolean | undefined>)[key] ?? null;
    const to = (after as Record<string, string | number | boolean | undefined>)[key] ?? null;
    if (from !== to) changes.push({ setting: key, from, to });
  }
  return changes;
}
