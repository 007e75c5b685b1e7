/**
 * `pipegrad study FILE`: run a study (a grid of training runs, several seeds per cell,
 * described by a JSON file; see `training/study/spec.ts`), keeping each finished run's
 * result in the study folder so that an interrupted study resumes where it stopped, and
 * write its report (`report.md`) and picture (`study.svg`) there.
 *
 * Before training it prints the plan and the expected running time, measured by a short
 * run of the first cell on this machine.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadDataset } from '../../datasets/node.js';
import { estimateStudySeconds, parseStudy, planStudy, probeThroughput, runStudy, STUDY_PLOT, STUDY_REPORT, storedResults, type PlannedRun } from '../../training/index.js';
import { folderStore } from '../../training/node.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import { pct, type Sink } from '../report.js';

function flags(): FlagSpec[] {
  return [
    { name: 'out', kind: 'string', help: 'study folder: results, report.md, study.svg (default runs/study-<file name>)' },
    { name: 'data-dir', kind: 'string', help: 'folder of data files (CIFAR binaries) for every run; overrides the study file' },
    { name: 'dry-run', kind: 'boolean', default: false, help: 'print the plan and how many runs are done; train nothing' },
    { name: 'report-only', kind: 'boolean', default: false, help: 'write the report from the results so far; train nothing' },
    { name: 'no-estimate', kind: 'boolean', default: false, help: 'skip the short timing run before the study' },
  ];
}

/** Help of `pipegrad study`. */
export function studyHelp(): string {
  return helpText(
    'pipegrad study FILE [options]',
    'Run every cell of a study file with each of its seeds (resuming from the results in the study folder); write a Markdown report and an SVG of mean ± sd over seeds.',
    flags(),
  );
}

function minutes(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : seconds < 5400 ? `${(seconds / 60).toFixed(0)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

/** Run `pipegrad study`. */
export async function studyCommand(argv: readonly string[], out: Sink): Promise<void> {
  const parsed = parseFlags('study', argv, flags());
  const [file, ...extra] = parsed.positional;
  if (file === undefined) throw new UsageError('study: name a study file, e.g. pipegrad study studies/depth.json');
  if (extra.length > 0) throw new UsageError(`study: one study file at a time, got also '${extra.join(' ')}'`);
  if (!existsSync(file)) throw new UsageError(`study: no such file: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`study: ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed.flags['data-dir'] !== undefined && typeof json === 'object' && json !== null) {
    const o = json as { base?: Record<string, unknown> };
    o.base = { ...(o.base ?? {}), dataDir: parsed.flags['data-dir'] };
  }
  const spec = parseStudy(json, file);
  const dir = (parsed.flags.out as string | undefined) ?? join('runs', `study-${basename(file).replace(/\.json$/, '')}`);
  const store = folderStore(dir);
  const plan = planStudy(spec, file);
  const done = await storedResults(plan, store);
  const todo = plan.filter((r) => !done.has(r.id));
  const cells = plan.length / spec.seeds.length;
  out.write(`study ${spec.title}: ${cells} cells × ${spec.seeds.length} seeds = ${plan.length} runs; ${done.size} done, ${todo.length} to run; folder ${dir}\n`);
  if (parsed.flags['dry-run']) {
    for (const run of plan) out.write(`  ${done.has(run.id) ? 'done' : 'todo'}  ${run.id}\n`);
    return;
  }
  const reportOnly = parsed.flags['report-only'] as boolean;
  if (!reportOnly && todo.length > 0 && !parsed.flags['no-estimate']) {
    const rate = await probeThroughput(todo[0], loadDataset);
    if (rate !== null) {
      const sizes = new Map<string, { train: number; test: number }>();
      const sizeOf = (run: PlannedRun) => {
        const c = run.config;
        const key = JSON.stringify([c.dataset, c.dataDir, c.limitTrain, c.limitTest]);
        let s = sizes.get(key);
        if (!s) {
          const common = { dir: c.dataDir, seed: 0 };
          s = { train: loadDataset(c.dataset, { ...common, split: 'train', limit: c.limitTrain }).length, test: loadDataset(c.dataset, { ...common, split: 'test', limit: c.limitTest }).length };
          sizes.set(key, s);
        }
        return s;
      };
      out.write(`expected running time: about ${minutes(estimateStudySeconds(todo, rate, sizeOf))} (measured ${rate.toFixed(0)} samples/s on ${todo[0].id})\n`);
    }
  }
  const started = Date.now();
  const outcome = await runStudy(spec, {
    load: loadDataset,
    store,
    reportOnly,
    events: {
      runStart: (run, k, n) => out.write(`[${k}/${n}] ${run.id} ... `),
      runDone: (r) => {
        const elapsed = (Date.now() - started) / 1000;
        out.write(`${r.diverged ? 'diverged' : `test acc ${pct(r.finalTestAccuracy)}`} (${r.seconds.toFixed(1)} s, ${minutes(elapsed)} so far)\n`);
      },
    },
  });
  out.write(`\n${outcome.report}\nreport: ${join(dir, STUDY_REPORT)}\nplot: ${join(dir, STUDY_PLOT)}\n`);
}
