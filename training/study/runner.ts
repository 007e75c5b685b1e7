/**
 * Running a study: every planned run that has no result yet in the study's store is
 * trained with {@link runTraining} (the path of `pipegrad train` and `compare`), its
 * result written to the store as soon as it finishes, and the report and the picture
 * rewritten after each run, so a study can be stopped at any time and started again to
 * continue, and its report shows what has finished so far.
 *
 * @module
 */
import type { DatasetSource } from '../data.js';
import { ConfigError, DivergedError } from '../errors.js';
import { runTraining } from '../run.js';
import type { RunStore } from '../store.js';
import { renderStudyPlot } from './plot.js';
import { studyReport } from './report.js';
import { divergedResult, finishedResult, resultName, type StudyRunResult } from './result.js';
import { planStudy, type PlannedRun, type StudySpec } from './spec.js';
import { summarizeStudy, type PanelSummary } from './summary.js';

/** The report's file name in the study folder. */
export const STUDY_REPORT = 'report.md';
/** The picture's file name in the study folder. */
export const STUDY_PLOT = 'study.svg';

/** Progress callbacks of {@link runStudy}. */
export interface StudyEvents {
  /** Before the first run: how many runs there are and how many already have results. */
  planned?(total: number, done: number): void;
  /** A run starts; `index` counts from 1 over the runs still to do, of `remaining`. */
  runStart?(run: PlannedRun, index: number, remaining: number): void;
  /** A run finished (or diverged) and its result is stored. */
  runDone?(result: StudyRunResult): void;
}

/** Options of {@link runStudy}. */
export interface StudyOptions {
  /** Loads a data set by name (in Node: `loadDataset` of `pipegrad/datasets/node`). */
  load: DatasetSource;
  /** The study's folder: one result file per finished run, the report and the picture. */
  store: RunStore;
  /** Progress callbacks. */
  events?: StudyEvents;
  /** Train no run: only read the stored results and write the report (default false). */
  reportOnly?: boolean;
}

/** What {@link runStudy} returns. */
export interface StudyOutcome {
  /** Every planned run. */
  plan: PlannedRun[];
  /** The results by run id (all of them unless `reportOnly` left some out). */
  results: Map<string, StudyRunResult>;
  /** The report's panels. */
  panels: PanelSummary[];
  /** The report, as written to {@link STUDY_REPORT}. */
  report: string;
}

/**
 * Settings that do not change a run's result: the number of worker threads (runs on any
 * number of workers are bit-identical, `spec/training/workers.spec.ts`). A stored result
 * stays valid when only these differ.
 */
const RESULT_NEUTRAL: readonly string[] = ['workers'];

/** Sort a configuration's keys and drop the result-neutral ones, so that two configurations compare by what decides their result. */
function canonical(config: unknown): string {
  const fields = Object.entries(config as Record<string, unknown>).filter(([key]) => !RESULT_NEUTRAL.includes(key));
  return JSON.stringify(Object.fromEntries(fields.sort(([a], [b]) => a.localeCompare(b))));
}

/**
 * The results already in `store` for the runs of `plan`.
 *
 * @throws {@link ConfigError} when a stored result was made with other settings than the
 *   plan's run of the same id (the study file changed): use another folder, or delete
 *   that result.
 */
export async function storedResults(plan: readonly PlannedRun[], store: RunStore): Promise<Map<string, StudyRunResult>> {
  const names = new Set(await store.list());
  const results = new Map<string, StudyRunResult>();
  for (const run of plan) {
    const name = resultName(run.id);
    if (!names.has(name)) continue;
    const text = new TextDecoder().decode(await store.read(name));
    let result: StudyRunResult;
    try {
      result = JSON.parse(text) as StudyRunResult;
    } catch {
      throw new ConfigError(`${store.locate(name)} is not valid JSON; delete it and the study trains that run again`);
    }
    if (canonical(result.config) !== canonical(run.config)) {
      throw new ConfigError(`${store.locate(name)} was made with other settings than the study file now gives run ${run.id}; delete it, or write this study to another folder`);
    }
    results.set(run.id, result);
  }
  return results;
}

/** Write the report and the picture of the results so far; returns the panels and the report. */
async function writeReport(spec: StudySpec, plan: readonly PlannedRun[], results: ReadonlyMap<string, StudyRunResult>, store: RunStore): Promise<{ panels: PanelSummary[]; report: string }> {
  const panels = summarizeStudy(spec, plan, results);
  const seconds = [...results.values()].reduce((a, r) => a + r.seconds, 0);
  const report = studyReport(spec, panels, { done: results.size, planned: plan.length, seconds }, STUDY_PLOT);
  await store.write(STUDY_REPORT, report + '\n');
  await store.write(STUDY_PLOT, renderStudyPlot(panels, { title: spec.title, xName: spec.x, logX: spec.logX }));
  return { panels, report };
}

/**
 * Run every run of `spec` that has no result in `options.store` yet, one after the
 * other; a run that diverges is stored as diverged and the study goes on.
 *
 * @example
 * const outcome = await runStudy(parseStudy(json), { load: loadDataset, store: folderStore('runs/study-depth') });
 */
export async function runStudy(spec: StudySpec, options: StudyOptions): Promise<StudyOutcome> {
  const plan = planStudy(spec);
  const store = options.store;
  const results = await storedResults(plan, store);
  const todo = plan.filter((r) => !results.has(r.id));
  options.events?.planned?.(plan.length, results.size);
  if (!options.reportOnly) {
    for (const [k, run] of todo.entries()) {
      options.events?.runStart?.(run, k + 1, todo.length);
      const started = Date.now();
      let result: StudyRunResult;
      try {
        result = finishedResult(run, await runTraining(run.config, { load: options.load }));
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        result = divergedResult(run, e.message, (Date.now() - started) / 1000);
      }
      await store.write(resultName(run.id), JSON.stringify(result) + '\n');
      results.set(run.id, result);
      options.events?.runDone?.(result);
      await writeReport(spec, plan, results, store);
    }
  }
  const { panels, report } = await writeReport(spec, plan, results, store);
  return { plan, results, panels, report };
}

/**
 * The expected seconds of the runs `runs`, from a measured training throughput
 * `samplesPerSecond` and each run's training-set size: per run,
 * `epochs · (train + test/3) / samplesPerSecond` (an evaluation costs about a third of a
 * training step: a forward pass, no backward).
 */
export function estimateStudySeconds(runs: readonly PlannedRun[], samplesPerSecond: number, sizes: (run: PlannedRun) => { train: number; test: number }): number {
  return runs.reduce((total, run) => {
    const { train, test } = sizes(run);
    return total + (run.config.epochs * (train + test / 3)) / samplesPerSecond;
  }, 0);
}

/**
 * Measure the training throughput of a run's configuration on `samples` training samples
 * (one short run, no files): the samples per second {@link estimateStudySeconds} needs,
 * or null when that short run diverged.
 */
export async function probeThroughput(run: PlannedRun, load: DatasetSource, samples = 64): Promise<number | null> {
  const config = { ...run.config, epochs: 1, limitTrain: samples, limitTest: Math.min(samples, run.config.limitTest ?? samples), checkpointEvery: 0 };
  try {
    return (await runTraining(config, { load })).samplesPerSecond;
  } catch (e) {
    if (e instanceof DivergedError) return null;
    throw e;
  }
}
