/**
 * The flags that describe a training run, shared by `train` and `compare`: one flag per
 * field of the library's {@link TRAIN_FIELDS} table (`batchSize` becomes
 * `--batch-size`), plus the flags of the command line itself (`--out`, `--json`,
 * `--config`). Parsed flags become a {@link TrainConfig} by the same table, so a new
 * setting of a run is one line in `training/config.ts` and nothing here.
 *
 * @module
 */
import { datasetNames } from '../datasets/node.js';
import { ConfigError, trainConfig, TRAIN_FIELDS, type ConfigField, type ConfigNaming, type TrainConfig } from '../training/index.js';
import { UsageError, type FlagSpec, type Parsed } from './args.js';

/** The flag name of a configuration field: `batchSize` → `batch-size`. */
export function flagName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The data sets the command line can load: every one `loadDataset` knows, files included. */
const CLI_CHOICES: Readonly<Record<string, () => readonly string[]>> = { dataset: () => datasetNames };

/** Flags of a training run: the fields of {@link TRAIN_FIELDS}, then `--out`, `--json`, `--config`. */
export function trainFlags(): FlagSpec[] {
  const fields: Readonly<Record<string, ConfigField>> = TRAIN_FIELDS;
  const fromTable = Object.entries(fields).map(([key, f]): FlagSpec => {
    const choices = (CLI_CHOICES[key] ?? f.choices)?.();
    return {
      name: flagName(key),
      kind: f.kind,
      help: f.help,
      ...(f.default !== undefined ? { default: f.default } : {}),
      ...(choices ? { choices } : {}),
      ...(f.min !== undefined ? { min: f.min } : {}),
      ...(f.above !== undefined ? { above: f.above } : {}),
      ...(f.below !== undefined ? { below: f.below } : {}),
    };
  });
  return [
    ...fromTable,
    { name: 'out', kind: 'string', help: 'run folder (default runs/<timestamp>-<model>-<method>)' },
    { name: 'json', kind: 'boolean', default: false, help: 'print one JSON object per line' },
    { name: 'config', kind: 'string', help: 'JSON file of flag values; flags given here override it' },
  ];
}

/** The settings the flags of `p` give, by field of {@link TRAIN_FIELDS}; with `onlyGiven`, only the flags given (not their defaults). */
export function trainSettingsFrom(p: Parsed, onlyGiven = false): Partial<TrainConfig> {
  const keys = Object.keys(TRAIN_FIELDS).filter((key) => !onlyGiven || p.given.has(flagName(key)));
  return Object.fromEntries(keys.map((key) => [key, p.flags[flagName(key)]])) as Partial<TrainConfig>;
}

/**
 * The training configuration of parsed flags (each field of {@link TRAIN_FIELDS} from
 * its flag), over `base` when given (then only the flags given change it). Errors name
 * the flags: `train: --momentum must be less than 1, got 1.5`.
 */
export function trainConfigFrom(p: Parsed, command = 'train', base?: Partial<TrainConfig>): TrainConfig {
  const settings = base ? { ...base, ...trainSettingsFrom(p, true) } : trainSettingsFrom(p);
  try {
    return trainConfig(settings, cliNaming(command));
  } catch (e) {
    throw e instanceof ConfigError ? new UsageError(e.message) : e;
  }
}

/** Names settings as flags in errors: `microBatches` is `--micro-batches`. */
export function cliNaming(command: string): ConfigNaming {
  return { source: command, name: (key) => '--' + flagName(key) };
}

/** `runs/<timestamp>-<model>-<method>`. */
export function defaultRunDir(model: string, method: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return `runs/${stamp}-${model}-${method.replace(/\+/g, '_')}`;
}
