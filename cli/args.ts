/**
 * Command-line flags: a small declarative parser with one-line errors.
 *
 * Each command declares its flags (name, kind, default, help); `parseFlags` turns
 * `--name value`, `--name=value` and boolean `--name` into a typed record, merges a
 * `--config file.json` underneath (flags win), and rejects unknown flags, bad values
 * and missing values with a {@link UsageError} that lists the valid choices.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** A user mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The value kinds a flag can have. */
export type FlagKind = 'string' | 'number' | 'integer' | 'boolean';

/** One flag's declaration. */
export interface FlagSpec {
  /** Name without dashes, e.g. `batch-size`. */
  name: string;
  /** Value kind. */
  kind: FlagKind;
  /** Default value (absent: the flag is optional and undefined when not given). */
  default?: string | number | boolean;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** One line of help. */
  help: string;
  /** Smallest allowed value of a number flag. */
  min?: number;
}

/** Parsed flag values by name, plus positional arguments. */
export interface Parsed {
  /** Values by flag name (dashes kept, e.g. `batch-size`). */
  flags: Record<string, string | number | boolean | undefined>;
  /** Arguments that are not flags. */
  positional: string[];
}

/**
 * Parse `argv` against `specs`. A `config` flag, when declared and given, names a JSON
 * file whose keys are flag names; flags on the command line override it.
 *
 * @throws {@link UsageError} for unknown flags, missing or malformed values, values
 *   outside `choices`, and a config file that cannot be read or holds unknown keys.
 */
export function parseFlags(command: string, argv: readonly string[], specs: readonly FlagSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const given: Record<string, string | number | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      throw new UsageError(`${command}: unknown flag --${name}; valid flags: ${specs.map((s) => '--' + s.name).join(' ')}`);
    }
    let raw: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.kind === 'boolean') {
      given[name] = raw === undefined ? true : parseBoolean(command, spec, raw);
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined || raw.startsWith('--')) throw new UsageError(`${command}: --${name} needs a value (${spec.help})`);
    }
    given[name] = convert(command, spec, raw);
  }
  const fromConfig = typeof given.config === 'string' && byName.has('config') ? readConfig(command, given.config, byName) : {};
  const flags: Parsed['flags'] = {};
  for (const spec of specs) flags[spec.name] = given[spec.name] ?? fromConfig[spec.name] ?? spec.default;
  return { flags, positional };
}

function parseBoolean(command: string, spec: FlagSpec, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UsageError(`${command}: --${spec.name} is true or false, got '${raw}'`);
}

function convert(command: string, spec: FlagSpec, raw: string | number | boolean): string | number | boolean {
  if (spec.kind === 'boolean') return typeof raw === 'boolean' ? raw : parseBoolean(command, spec, String(raw));
  if (spec.kind === 'string') {
    const value = String(raw);
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`${command}: --${spec.name} '${value}' is not valid; choose one of: ${spec.choices.join(', ')}`);
    }
    return value;
  }
  const value = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || (spec.kind === 'integer' && !Number.isInteger(value))) {
    throw new UsageError(`${command}: --${spec.name} needs ${spec.kind === 'integer' ? 'an integer' : 'a number'}, got '${raw}'`);
  }
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`${command}: --${spec.name} must be at least ${spec.min}, got ${value}`);
  return value;
}

function readConfig(command: string, path: string, byName: Map<string, FlagSpec>): Record<string, string | number | boolean> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${command}: cannot read --config ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${command}: --config ${path} must hold a JSON object of flag names and values`);
  }
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const spec = byName.get(key);
    if (!spec || key === 'config') {
      throw new UsageError(`${command}: --config ${path}: unknown key '${key}'; valid keys: ${[...byName.keys()].filter((k) => k !== 'config').join(', ')}`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new UsageError(`${command}: --config ${path}: '${key}' must be a string, number or boolean`);
    }
    out[key] = convert(command, spec, value);
  }
  return out;
}

/** The help text of a command: usage line, description, and one line per flag. */
export function helpText(usage: string, description: string, specs: readonly FlagSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length + (s.kind === 'boolean' ? 0 : 6)));
  const lines = specs.map((s) => {
    const left = `--${s.name}${s.kind === 'boolean' ? '' : ' <' + (s.choices ? 'x' : s.kind === 'string' ? 's' : 'n') + '>'}`;
    const extra = [s.choices ? `one of: ${s.choices.join(', ')}` : '', s.default !== undefined ? `default: ${s.default}` : ''].filter(Boolean).join('; ');
    return `  ${left.padEnd(width + 4)}  ${s.help}${extra ? ` (${extra})` : ''}`;
  });
  return [`usage: ${usage}`, '', description, '', 'options:', ...lines, `  ${'--help'.padEnd(width + 4)}  show this help`].join('\n');
}
