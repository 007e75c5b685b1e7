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
import { trainConfig, TRAIN_FIELDS, type ConfigField, type TrainConfig } from '../training/index.js';
import type { FlagSpec, Parsed } from './args.js';

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
    };
  });
  return [
    ...fromTable,
    { name: 'out', kind: 'string', help: 'run folder (default runs/<timestamp>-<model>-<method>)' },
    { name: 'json', kind: 'boolean', default: false, help: 'print one JSON object per line' },
    { name: 'config', kind: 'string', help: 'JSON file of flag values; flags given here override it' },
  ];
}

/** The training configuration of parsed flags: each field of {@link TRAIN_FIELDS} from its flag. */
export function trainConfigFrom(p: Parsed): TrainConfig {
  const settings = Object.fromEntries(Object.keys(TRAIN_FIELDS).map((key) => [key, p.flags[flagName(key)]]));
  return trainConfig(settings as Partial<TrainConfig>);
}

/** `runs/<timestamp>-<model>-<method>`. */
export function defaultRunDir(model: string, method: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return `runs/${stamp}-${model}-${method.replace(/\+/g, '_')}`;
}
