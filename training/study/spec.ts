/**
 * A study: a grid of training runs, written as a JSON file, every cell trained with
 * several seeds. The file names the settings all runs share (`base`), the axes of the
 * grid (`grid`), the seeds, and which axis the report puts on the x axis and which one
 * it draws as separate series:
 *
 * ```json
 * {
 *   "title": "Depth",
 *   "base": { "model": "mlp", "hidden": 64, "limitTrain": 4000, "limitTest": 1000 },
 *   "grid": {
 *     "regime": [{ "label": "m = 0.9", "lr": 0.003, "momentum": 0.9 }],
 *     "depth": [1, 2, 4, 8],
 *     "method": ["sgd", "pb", "pb+sc+lwp"]
 *   },
 *   "seeds": [0, 1, 2],
 *   "x": "depth",
 *   "series": "method",
 *   "baseline": "sgd"
 * }
 * ```
 *
 * An axis whose values are plain numbers, strings or booleans sets the setting of its
 * name (`depth` above). An axis whose values are objects sets several settings at once
 * and shows each value by its `label` (`regime` above). The axis `method` takes method
 * names (`pb+sc+lwp`, `stash`, `sgd`) and sets `method` and `mitigation` from them, as
 * `pipegrad compare` does. Every run is `trainConfig({ ...base, ...cell, seed })`, so
 * every setting is checked by the training library's own table.
 *
 * @module
 */
import { resolveMethod } from '../../pipeline/index.js';
import { trainConfig, type TrainConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/** A labelled group of settings: one value of an axis that sets several settings at once. */
export interface SettingGroup {
  /** How the report and the run ids show this value. */
  label: string;
  /** The settings (names of {@link TrainConfig}) and their values. */
  [setting: string]: string | number | boolean;
}

/** One value of an axis: a setting's value, or a labelled group of settings. */
export type AxisValue = string | number | boolean | SettingGroup;

/** A study as its file describes it. */
export interface StudySpec {
  /** The study's title (the report's heading). */
  title: string;
  /** What the study tests, in a sentence or two (the report's first paragraph). */
  description?: string;
  /** The settings every run shares (a partial {@link TrainConfig}; `method` may be here instead of an axis). */
  base: Partial<TrainConfig>;
  /** The axes of the grid, in order: each name to its values. */
  grid: Record<string, AxisValue[]>;
  /** The seeds each cell is trained with (at least one; three or more for error bars). */
  seeds: number[];
  /** The axis on the plots' x axis. */
  x: string;
  /** The axis drawn as separate lines (default `method`). */
  series: string;
  /** A value of the series axis that the report subtracts from the others, seed by seed (e.g. `sgd`). */
  baseline?: string;
  /** The accuracy a run that diverged is given in means and plots (default 0.1, chance on ten classes). */
  chanceAccuracy: number;
  /** Draw the x axis with logarithmic spacing of its numeric values (default false: evenly spaced). */
  logX: boolean;
}

/** One run of a study: one cell of the grid and one seed. */
export interface PlannedRun {
  /** A file-name-safe identifier made of the cell's labels and the seed, e.g. `depth=4,method=pb_sc,seed=1`. */
  id: string;
  /** The cell: each axis to its value's label. */
  cell: Record<string, string>;
  /** The seed. */
  seed: number;
  /** The run's complete configuration. */
  config: TrainConfig;
}

const SPEC_KEYS = ['title', 'description', 'base', 'grid', 'seeds', 'x', 'series', 'baseline', 'chanceAccuracy', 'logX'];

function fail(source: string, message: string): never {
  throw new ConfigError(`study ${source}: ${message}`);
}

/** The label of an axis value: the value itself, or an object's `label`. */
export function axisLabel(value: AxisValue): string {
  return typeof value === 'object' ? value.label : String(value);
}

/**
 * Check a parsed study file and fill in its defaults.
 *
 * @param source names the file in error messages.
 * @throws {@link ConfigError} naming what is wrong: an unknown key, an empty axis, an
 *   axis value of the wrong kind, `x` or `series` not an axis, no seeds, a duplicate
 *   label, a `baseline` that is not a series value, or a run's setting the training
 *   table rejects.
 */
export function parseStudy(json: unknown, source = 'file'): StudySpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(source, 'must be a JSON object with title, base, grid, seeds and x');
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!SPEC_KEYS.includes(key)) fail(source, `unknown key '${key}'; valid keys: ${SPEC_KEYS.join(', ')}`);
  if (typeof o.title !== 'string' || o.title === '') fail(source, "needs a 'title' (a string)");
  if (o.description !== undefined && typeof o.description !== 'string') fail(source, "'description' must be a string");
  const base = o.base ?? {};
  if (typeof base !== 'object' || base === null || Array.isArray(base)) fail(source, "'base' must be an object of training settings");
  const grid = o.grid;
  if (typeof grid !== 'object' || grid === null || Array.isArray(grid) || Object.keys(grid).length === 0) fail(source, "'grid' must be an object of axes, each a non-empty array of values");
  for (const [axis, values] of Object.entries(grid as Record<string, unknown>)) {
    if (!Array.isArray(values) || values.length === 0) fail(source, `axis '${axis}' must be a non-empty array`);
    const labels = new Set<string>();
    for (const v of values) {
      const scalar = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
      const group = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>).label === 'string';
      if (!scalar && !group) fail(source, `axis '${axis}': each value must be a number, string, boolean, or an object with a 'label', got ${JSON.stringify(v)}`);
      const label = axisLabel(v as AxisValue);
      if (labels.has(label)) fail(source, `axis '${axis}' has the label '${label}' twice`);
      labels.add(label);
    }
  }
  const axes = Object.keys(grid);
  const seeds = o.seeds;
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0) || new Set(seeds).size !== seeds.length) {
    fail(source, "'seeds' must be a non-empty array of distinct non-negative integers");
  }
  const x = o.x;
  if (typeof x !== 'string' || !axes.includes(x)) fail(source, `'x' must name an axis of the grid (${axes.join(', ')})`);
  const series = o.series ?? 'method';
  if (typeof series !== 'string' || !axes.includes(series) || series === x) fail(source, `'series' must name an axis of the grid other than x (${axes.join(', ')}); default 'method'`);
  if (o.baseline !== undefined && !(grid as Record<string, AxisValue[]>)[series].map(axisLabel).includes(String(o.baseline))) {
    fail(source, `'baseline' '${String(o.baseline)}' is not a value of the series axis '${series}'`);
  }
  const chance = o.chanceAccuracy ?? 0.1;
  if (typeof chance !== 'number' || !(chance >= 0 && chance <= 1)) fail(source, "'chanceAccuracy' must be a number in [0, 1]");
  if (o.logX !== undefined && typeof o.logX !== 'boolean') fail(source, "'logX' must be true or false");
  const spec: StudySpec = {
    title: o.title,
    ...(o.description !== undefined ? { description: o.description as string } : {}),
    base: base as Partial<TrainConfig>,
    grid: grid as Record<string, AxisValue[]>,
    seeds: seeds as number[],
    x,
    series,
    ...(o.baseline !== undefined ? { baseline: String(o.baseline) } : {}),
    chanceAccuracy: chance,
    logX: (o.logX as boolean | undefined) ?? false,
  };
  planStudy(spec, source);
  return spec;
}

/** The settings one axis value sets. */
function settingsOf(axis: string, value: AxisValue, source: string): Record<string, string | number | boolean> {
  if (typeof value === 'object') {
    const { label: _label, ...rest } = value;
    return rest;
  }
  if (axis === 'method') {
    if (typeof value !== 'string') fail(source, `axis 'method' takes method names, got ${JSON.stringify(value)}`);
    let spec;
    try {
      spec = resolveMethod(value);
    } catch (e) {
      fail(source, (e as Error).message);
    }
    return { method: spec.schedule.name === 'sequential' ? 'sgd' : spec.schedule.name, mitigation: spec.mitigation.name };
  }
  return { [axis]: value };
}

/** A label as part of a file name: `+` becomes `_`, anything but letters, digits, `.` and `-` becomes `-`. */
function slug(s: string): string {
  return s.replace(/\+/g, '_').replace(/[^A-Za-z0-9._-]+/g, '-');
}

/**
 * Every run of a study: the cells of the grid in order (the last axis varies fastest),
 * each with every seed.
 *
 * @throws {@link ConfigError} when a run's settings are not valid training settings.
 */
export function planStudy(spec: StudySpec, source = 'file'): PlannedRun[] {
  const axes = Object.entries(spec.grid);
  const runs: PlannedRun[] = [];
  const visit = (i: number, cell: Record<string, string>, settings: Record<string, unknown>): void => {
    if (i === axes.length) {
      for (const seed of spec.seeds) {
        let config: TrainConfig;
        try {
          config = trainConfig({ ...spec.base, ...settings, seed } as Partial<TrainConfig>);
        } catch (e) {
          fail(source, `cell ${JSON.stringify(cell)}: ${(e as Error).message}`);
        }
        const id = [...Object.entries(cell).map(([a, l]) => `${slug(a)}=${slug(l)}`), `seed=${seed}`].join(',');
        runs.push({ id, cell: { ...cell }, seed, config });
      }
      return;
    }
    const [axis, values] = axes[i];
    for (const value of values) visit(i + 1, { ...cell, [axis]: axisLabel(value) }, { ...settings, ...settingsOf(axis, value, source) });
  };
  visit(0, {}, {});
  return runs;
}
