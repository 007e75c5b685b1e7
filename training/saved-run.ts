/**
 * Reading what a checkpoint says about its run, checked the way the safetensors header
 * is checked: the training configuration and the resume state in `__metadata__.config`
 * are validated field by field, and a damaged one is one line that names the file, the
 * field and what was expected:
 *
 * ```
 * runs/a/checkpoint-epoch-0002.safetensors: config.resume.metrics[1].testLoss must be a number, got "x"
 * ```
 *
 * The weights must be finite too: a checkpoint whose tensors hold NaN or ±Infinity
 * cannot be evaluated or resumed (an evaluation of NaN weights would report a chance
 * accuracy as if it meant something).
 *
 * @module
 */
import type { NamedArray } from '../nn/index.js';
import { oneLine } from '../nn/one-line.js';
import type { CheckpointConfig, OptimizerClock, ResumeState } from './checkpoint.js';
import { trainConfig, type ConfigChange, type TrainConfig } from './config.js';
import type { CurvePoint } from './curves.js';
import { ConfigError } from './errors.js';
import type { EpochMetrics } from './events.js';

/** Throw the one-line {@link ConfigError} `<source>: <problem>`. */
function fail(source: string, problem: string): never {
  throw new ConfigError(oneLine(`${source}: ${problem}`));
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function object(source: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, `${field} must be a JSON object, got ${shown(value)}`);
  return value as Record<string, unknown>;
}

function array(source: string, field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) fail(source, `${field} must be a JSON array, got ${shown(value)}`);
  return value;
}

function count(source: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(source, `${field} must be a whole number ≥ 0, got ${shown(value)}`);
  return value;
}

function finite(source: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(source, `${field} must be a number, got ${shown(value)}`);
  return value;
}

function fraction(source: string, field: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(source, `${field} must be a number from 0 to 1 or null, got ${shown(value)}`);
  return value;
}

/**
 * The training configuration `config.train` of a checkpoint's metadata, checked as
 * {@link trainConfig} checks settings, each error naming the file and the field.
 * Settings a newer version added and an older file lacks take their defaults.
 */
export function savedTrainConfig(value: unknown, source: string): TrainConfig {
  const train = object(source, 'config.train', value);
  try {
    return trainConfig(train as Partial<TrainConfig>, { source, name: (key) => `config.train.${key}` });
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigError(oneLine(e.message)) : e;
  }
}

/** The resume state `config.resume` of a checkpoint's metadata, every field checked. */
export function savedResumeState(value: unknown, source: string): ResumeState {
  const resume = object(source, 'config.resume', value);
  const epoch = count(source, 'config.resume.epoch', resume.epoch);
  if (epoch < 1) fail(source, `config.resume.epoch must be at least 1, got ${epoch}`);
  const clocks = array(source, 'config.resume.clocks', resume.clocks).map((c, i): OptimizerClock => {
    const clock = object(source, `config.resume.clocks[${i}]`, c);
    return { step: count(source, `config.resume.clocks[${i}].step`, clock.step), samples: count(source, `config.resume.clocks[${i}].samples`, clock.samples) };
  });
  if (clocks.length === 0) fail(source, 'config.resume.clocks is empty; one clock per stage was expected');
  const metrics = array(source, 'config.resume.metrics', resume.metrics).map((m, i): EpochMetrics => {
    const at = `config.resume.metrics[${i}]`;
    const e = object(source, at, m);
    if (e.epoch !== i + 1) fail(source, `${at}.epoch must be ${i + 1}, got ${shown(e.epoch)}`);
    return {
      epoch: i + 1,
      samplesSeen: count(source, `${at}.samplesSeen`, e.samplesSeen),
      trainLoss: finite(source, `${at}.trainLoss`, e.trainLoss),
      trainAccuracy: fraction(source, `${at}.trainAccuracy`, e.trainAccuracy),
      testLoss: finite(source, `${at}.testLoss`, e.testLoss),
      testAccuracy: fraction(source, `${at}.testAccuracy`, e.testAccuracy),
      samplesPerSecond: finite(source, `${at}.samplesPerSecond`, e.samplesPerSecond),
      seconds: finite(source, `${at}.seconds`, e.seconds),
    };
  });
  if (metrics.length !== epoch) fail(source, `config.resume.metrics has ${metrics.length} entries; one per completed epoch (${epoch}) was expected`);
  const trainCurve = array(source, 'config.resume.trainCurve', resume.trainCurve).map((p, i): CurvePoint => {
    const at = `config.resume.trainCurve[${i}]`;
    const point = object(source, at, p);
    return { samples: count(source, `${at}.samples`, point.samples), loss: finite(source, `${at}.loss`, point.loss), accuracy: fraction(source, `${at}.accuracy`, point.accuracy) };
  });
  const changes = resume.changes === undefined ? [] : array(source, 'config.resume.changes', resume.changes).map((c, i) => savedChange(c, `config.resume.changes[${i}]`, source));
  return { epoch, clocks, metrics, trainCurve, ...(changes.length > 0 ? { changes } : {}) };
}

function savedChange(value: unknown, at: string, source: string): NonNullable<ResumeState['changes']>[number] {
  const c = object(source, at, value);
  const epoch = count(source, `${at}.epoch`, c.epoch);
  const changes = array(source, `${at}.changes`, c.changes).map((d, j): ConfigChange => {
    const change = object(source, `${at}.changes[${j}]`, d);
    if (typeof change.setting !== 'string') fail(source, `${at}.changes[${j}].setting must be a string, got ${shown(change.setting)}`);
    const value = (v: unknown, name: string): string | number | boolean | null => {
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return fail(source, `${at}.changes[${j}].${name} must be a string, number, boolean or null, got ${shown(v)}`);
    };
    return { setting: change.setting, from: value(change.from, 'from'), to: value(change.to, 'to') };
  });
  return { epoch, changes };
}

/** What a training checkpoint says about its run. */
export interface SavedCheckpoint {
  /** The configuration it was trained with. */
  train: TrainConfig;
  /** What resuming needs (read only when asked for). */
  resume?: ResumeState;
}

/**
 * The metadata `config` of a training checkpoint, parsed and checked: `train` always,
 * `resume` when `needResume` (evaluation does not need it).
 *
 * @throws {@link ConfigError} naming the file and the field.
 */
export function savedCheckpointConfig(metadataConfig: string | undefined, source: string, needResume: boolean): SavedCheckpoint {
  if (metadataConfig === undefined) fail(source, "holds no training configuration (__metadata__.config is missing; was it written by pipegrad's training loop?)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadataConfig);
  } catch (err) {
    fail(source, `__metadata__.config is not JSON (${(err as Error).message})`);
  }
  const saved = object(source, 'config', parsed) as Partial<Record<keyof CheckpointConfig, unknown>>;
  if (saved.train === undefined) fail(source, "holds no training configuration (config.train is missing; was it written by pipegrad's training loop?)");
  const train = savedTrainConfig(saved.train, source);
  if (!needResume) return { train };
  if (saved.resume === undefined) fail(source, "was not written by pipegrad's training loop (config.resume is missing, so it cannot be resumed)");
  return { train, resume: savedResumeState(saved.resume, source) };
}

/**
 * Refuse tensors that hold NaN or ±Infinity, naming the first such tensor, where, and
 * how many values are not finite.
 *
 * @throws {@link ConfigError} `<source>: tensor 'model.fc1.weight' holds NaN at index 0 (12 of 12 values are not finite); …`
 */
export function checkFiniteTensors(tensors: ReadonlyMap<string, NamedArray>, source: string): void {
  for (const [name, { data }] of tensors) {
    let bad = 0;
    let first = -1;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        if (first < 0) first = i;
        bad++;
      }
    }
    if (bad > 0) {
      fail(source, `tensor '${name}' holds ${data[first]} at index ${first} (${bad} of ${data.length} values are not finite); a diverged run's weights cannot be evaluated or resumed, use an earlier checkpoint`);
    }
  }
}
