/**
 * Starting and resuming a run without losing anything: a store that already holds a
 * run is never written over by a new one; a resume reads the newest checkpoint (by
 * epoch number), refuses changed settings unless they are allowed (and then records
 * them), and cuts `metrics.jsonl` back to the checkpoint, so that the file always
 * equals an uninterrupted run's.
 *
 * @module
 */
import type { Tensor } from '../core/index.js';
import type { Model } from '../nn/index.js';
import { methodFor } from '../pipeline/index.js';
import { decodeOrRefuse, restoreTrainingCheckpoint, type ResumeState } from './checkpoint.js';
import { configChanges, RESUMABLE_CHANGES, type ConfigChange, type TrainConfig } from './config.js';
import { ConfigError } from './errors.js';
import { resolveHyperParameters } from './hyperparameters.js';
import { savedCheckpointConfig } from './saved-run.js';
import { checkpointEpoch, lastCheckpoint, runFilesIn, type RunStore } from './store.js';

/** The name of the training-metrics file: one JSON object per line, progress and epoch events. */
export const METRICS_FILE = 'metrics.jsonl';

/**
 * Refuse to start a run in a store that already holds one (unless it is the store the
 * run resumes from), before anything is written.
 *
 * @throws {@link ConfigError} naming the store and the run files it holds.
 */
export async function refuseExistingRun(store: RunStore, resumeFrom?: RunStore): Promise<void> {
  if (resumeFrom && (resumeFrom === store || resumeFrom.location === store.location)) return;
  const files = await runFilesIn(store);
  if (files.length === 0) return;
  const shown = files.length > 3 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more` : files.join(', ');
  throw new ConfigError(`${store.location} already holds a run (${shown}); nothing was written: resume it, or choose another folder for a new run`);
}

/** The newest checkpoint of a store to resume from. @throws {@link ConfigError} when there is none. */
async function newestCheckpoint(from: RunStore): Promise<string> {
  const name = await lastCheckpoint(from);
  if (!name) throw new ConfigError(`${from.location} holds no checkpoint-epoch-*.safetensors to resume from`);
  return name;
}

/**
 * The configuration a run in `from` was trained with: its newest checkpoint's, checked
 * field by field. A resume starts from it and changes only what is asked for.
 *
 * @throws {@link ConfigError} when there is no checkpoint, or it is damaged.
 */
export async function savedRunConfig(from: RunStore): Promise<TrainConfig> {
  const name = await newestCheckpoint(from);
  return savedCheckpointConfig(decodeOrRefuse(await from.read(name), from.locate(name)).metadata.config, from.locate(name), false).train;
}

/** What a resume continues from. */
export interface Resumption {
  /** The checkpoint's resume state, with the changes of this resume recorded. */
  resume: ResumeState;
  /** Every stage's optimizer state, by `stage<s>.<name>`. */
  optimizerState: Map<string, Tensor>;
  /** The configuration the checkpoint was trained with. */
  before: TrainConfig;
  /** The settings this resume changes (empty unless allowed). */
  changes: ConfigChange[];
}

/**
 * Restore `model` from the newest checkpoint of `from` for a run configured as `c`.
 *
 * @throws {@link ConfigError} when there is no checkpoint; when it is damaged, not
 *   finite, or for another epoch than its name says; when `c` changes a setting other
 *   than the {@link RESUMABLE_CHANGES} and `allowChanges` is not set; and when the
 *   checkpoint already completed every epoch `c` asks for.
 */
export async function resumeRun(from: RunStore, model: Model, c: TrainConfig, allowChanges: boolean): Promise<Resumption> {
  const name = await newestCheckpoint(from);
  const source = from.locate(name);
  const { train: before, resume, optimizerState } = restoreTrainingCheckpoint(await from.read(name), model, source);
  if (resume.epoch !== checkpointEpoch(name)) throw new ConfigError(`${source}: config.resume.epoch is ${resume.epoch}, but the file's name says epoch ${checkpointEpoch(name)}`);
  const changes = configChanges(before, c);
  if (changes.length > 0 && !allowChanges) {
    const list = changes.map((d) => `${d.setting} ${String(d.from)} → ${String(d.to)}`).join(', ');
    throw new ConfigError(
      `${source}: resuming would change ${list}; only ${RESUMABLE_CHANGES.join(', ')} may change on a resume (epochs only under a constant learning rate); ` +
        'leave the settings as they were, or allow the changes (--allow-changes), which are then recorded',
    );
  }
  if (resume.epoch >= c.epochs) throw new ConfigError(`${source} completed epoch ${resume.epoch} and the run asks for ${c.epochs}: nothing to train; ask for more epochs`);
  const recorded: ResumeState = changes.length > 0 ? { ...resume, changes: [...(resume.changes ?? []), { epoch: resume.epoch + 1, changes }] } : resume;
  return { resume: recorded, optimizerState, before, changes };
}

/**
 * `metrics.jsonl` as it was when the checkpoint of epoch `resume.epoch` was written: the
 * longest run of whole lines of `from`'s file whose epoch is at most that one (a line
 * torn by a crash, and every line of the epochs after the checkpoint, go). When that
 * does not reach the checkpoint's epoch line (the file is gone or shorter), the epoch
 * lines are rebuilt from the checkpoint's metrics, without the progress lines.
 */
export async function metricsAtCheckpoint(from: RunStore, resume: ResumeState): Promise<string> {
  const text = (await from.list()).includes(METRICS_FILE) ? new TextDecoder().decode(await from.read(METRICS_FILE)) : '';
  const kept: string[] = [];
  let epochLines = 0;
  for (const line of text.split('\n')) {
    const record = parseRecord(line);
    if (!record || record.epoch > resume.epoch) break;
    kept.push(line);
    if (record.event === 'epoch') epochLines++;
  }
  if (epochLines === resume.epoch) return kept.map((l) => l + '\n').join('');
  return resume.metrics.map((m) => JSON.stringify({ event: 'epoch', ...m }) + '\n').join('');
}

/**
 * Write what a resume into `store` starts from: `metrics.jsonl` cut back to the
 * checkpoint ({@link metricsAtCheckpoint}); and when settings changed, a `changes`
 * line after it and the configuration before as `config-until-epoch-NNNN.json`.
 */
export async function recordResume(store: RunStore, from: RunStore, resumption: Resumption): Promise<void> {
  const { resume, changes, before } = resumption;
  const metrics = await metricsAtCheckpoint(from, resume);
  if (changes.length === 0) {
    await store.write(METRICS_FILE, metrics);
    return;
  }
  await store.write(METRICS_FILE, metrics + JSON.stringify({ event: 'changes', epoch: resume.epoch + 1, changes }) + '\n');
  const resolved = resolveHyperParameters(before, methodFor(before.method, before.mitigation));
  await store.write(`config-until-epoch-${String(resume.epoch).padStart(4, '0')}.json`, JSON.stringify({ ...before, resolved }, null, 2) + '\n');
}

function parseRecord(line: string): { event: unknown; epoch: number } | null {
  try {
    const record = JSON.parse(line) as unknown;
    if (typeof record !== 'object' || record === null) return null;
    const { event, epoch } = record as { event?: unknown; epoch?: unknown };
    return typeof epoch === 'number' ? { event, epoch } : null;
  } catch {
    return null;
  }
}
