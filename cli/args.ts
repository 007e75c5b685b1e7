/**
 * Command-line flags: a table of flags (name, kind, default, help) read by Node's own
 * `parseArgs` (`node:util`), with one-line errors.
 *
 * `parseArgs` splits `--name value`, `--name=value` and boolean `--name` into tokens;
 * this file checks each token against the table, converts numbers (decimal JSON
 * numbers only: `0x10`, `1_000` and `Infinity` are refused), merges a
 * `--config file.json` underneath (flags win), and rejects unknown flags, bad values and
 * missing values with a {@link UsageError} that lists the valid choices. The type of the
 * parsed values is computed from the table ({@link FlagValues}).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** A user mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The value kinds a flag can have: `count` is an integer or the word `auto`. */
export type FlagKind = 'string' | 'number' | 'integer' | 'count' | 'boolean';

/** One flag's declaration. */
export interface FlagSpec {
  /** Name without dashes, e.g. `batch-size`. */
  readonly name: string;
  /** Value kind. */
  readonly kind: FlagKind;
  /** Default value (absent: the flag is optional and undefined when not given). */
  readonly default?: string | number | boolean;
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[];
  /** One line of help. */
  readonly help: string;
  /** Smallest allowed value of a number flag. */
  readonly min?: number;
  /** A number flag must be greater than this. */
  readonly above?: number;
  /** A number flag must be less than this. */
  readonly below?: number;
}

/** The TypeScript type of a flag kind's value. */
export type FlagValue<K extends FlagKind> = K extends 'boolean' ? boolean : K extends 'string' ? string : K extends 'count' ? number | 'auto' : number;

/** Parsed values by flag name, typed from a table of flags: a flag without a default may be undefined. */
export type FlagValues<S extends readonly FlagSpec[]> = {
  [F in S[number] as F['name']]: F extends { readonly default: string | number | boolean } ? FlagValue<F['kind']> : FlagValue<F['kind']> | undefined;
};

/** Parsed flag values by name, plus positional arguments. */
export interface Parsed<S extends readonly FlagSpec[] = readonly FlagSpec[]> {
  /** Values by flag name (dashes kept, e.g. `batch-size`). */
  flags: FlagValues<S>;
  /** Arguments that are not flags. */
  positional: string[];
  /** The flags given on the command line or in the `--config` file (not filled in from a default). */
  given: ReadonlySet<string>;
}

/**
 * Parse `argv` against `specs` with `node:util` `parseArgs`. A `config` flag, when
 * declared and given, names a JSON file whose keys are flag names; flags on the command
 * line override it.
 *
 * @throws {@link UsageError} for unknown flags, missing or malformed values, values
 *   outside `choices`, and a config file that cannot be read or holds unknown keys.
 */
export function parseFlags<const S extends readonly FlagSpec[]>(command: string, argv: readonly string[], specs: S): Parsed<S> {
  const byName = new Map<string, FlagSpec>(specs.map((s) => [s.name, s]));
  const options = Object.fromEntries(specs.map((s) => [s.name, { type: s.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const given: Record<string, string | number | boolean> = {};
  const positional: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positional.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = byName.get(token.name);
    if (!spec || !token.rawName.startsWith('--')) {
      throw new UsageError(`${command}: unknown flag ${token.rawName}; valid flags: ${specs.map((s) => '--' + s.name).join(' ')}`);
    }
    if (spec.kind === 'boolean') {
      given[spec.name] = token.value === undefined ? true : parseBoolean(command, spec, token.value);
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new UsageError(`${command}: --${spec.name} needs a value (${spec.help})`);
    }
    given[spec.name] = convert(command, spec, token.value);
  }
  const fromConfig = typeof given.config === 'string' && byName.has('config') ? readConfig(command, given.config, byName) : {};
  const flags: Record<string, string | number | boolean | undefined> = {};
  for (const spec of specs) flags[spec.name] = given[spec.name] ?? fromConfig[spec.name] ?? spec.default;
  return { flags: flags as FlagValues<S>, positional, given: new Set([...Object.keys(fromConfig), ...Object.keys(given)]) };
}

function parseBoolean(command: string, spec: FlagSpec, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UsageError(`${command}: --${spec.name} is true or false, got '${raw}'`);
}

/** A decimal number as JSON writes it: `-1`, `0.5`, `1e-3`; not `0x10`, `.5`, `1_000`, `Infinity`. */
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * A flag's value from its text (command line) or its JSON value (config file): the kind
 * must match exactly (a number is a decimal number, a boolean `true` or `false`), then
 * the choices and bounds are checked.
 */
function convert(command: string, spec: FlagSpec, raw: string | number | boolean, fromJson = false): string | number | boolean {
  const shown = typeof raw === 'string' ? `'${raw}'` : String(raw);
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (fromJson) throw new UsageError(`${command}: --${spec.name} is true or false, got ${shown}`);
    return parseBoolean(command, spec, String(raw));
  }
  if (spec.kind === 'string') {
    if (typeof raw !== 'string') throw new UsageError(`${command}: --${spec.name} needs a string, got ${shown}`);
    if (raw === '') throw new UsageError(`${command}: --${spec.name} is empty; ${spec.help}`);
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`${command}: --${spec.name} '${raw}' is not valid; choose one of: ${spec.choices.join(', ')}`);
    }
    return raw;
  }
  if (spec.kind === 'count' && raw === 'auto') return raw;
  const whole = spec.kind === 'integer' || spec.kind === 'count';
  const wanted = spec.kind === 'count' ? 'a positive integer or auto' : whole ? 'an integer' : 'a number';
  if (typeof raw === 'boolean' || (fromJson && typeof raw !== 'number')) throw new UsageError(`${command}: --${spec.name} needs ${wanted}, got ${shown}`);
  const value = typeof raw === 'number' ? raw : DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    const hint = spec.kind === 'count' ? '' : ` (decimal, like ${whole ? '10' : '0.01'})`;
    throw new UsageError(`${command}: --${spec.name} needs ${wanted}${hint}, got ${shown}`);
  }
  if (whole && !Number.isSafeInteger(value)) throw new UsageError(`${command}: --${spec.name} must be at most 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, got ${raw}`);
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`${command}: --${spec.name} must be at least ${spec.min}, got ${value}`);
  if (spec.above !== undefined && !(value > spec.above)) throw new UsageError(`${command}: --${spec.name} must be greater than ${spec.above}, got ${value}`);
  if (spec.below !== undefined && !(value < spec.below)) throw new UsageError(`${command}: --${spec.name} must be less than ${spec.below}, got ${value}`);
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
      throw new UsageError(`${command}: --config ${path}: '${key}' must be a string, number or boolean, got ${JSON.stringify(value)}`);
    }
    out[key] = convert(`${command}: --config ${path}`, spec, value, true);
  }
  return out;
}

/** The help text of a command: usage line, description, and one line per flag. */
export function helpText(usage: string, description: string, specs: readonly FlagSpec[]): string {
  const placeholder = (s: FlagSpec): string => (s.kind === 'boolean' ? '' : ' <' + (s.choices ? 'x' : s.kind === 'string' ? 's' : s.kind === 'count' ? 'n|auto' : 'n') + '>');
  const width = Math.max(...specs.map((s) => s.name.length + (placeholder(s) ? placeholder(s).length + 2 : 0)));
  const lines = specs.map((s) => {
    const left = `--${s.name}${placeholder(s)}`;
    const extra = [s.choices ? `one of: ${s.choices.join(', ')}` : '', s.default !== undefined ? `default: ${s.default}` : ''].filter(Boolean).join('; ');
    return `  ${left.padEnd(width + 4)}  ${s.help}${extra ? ` (${extra})` : ''}`;
  });
  return [`usage: ${usage}`, '', description, '', 'options:', ...lines, `  ${'--help'.padEnd(width + 4)}  show this help`].join('\n');
}
