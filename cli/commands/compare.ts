/**
 * `pipegrad compare`: several methods on the same model, data and seed, side by side.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../datasets/node.js';
import { writeFileAtomic } from '../../nn/node.js';
import { formatBytes, resolveMethod } from '../../pipeline/index.js';
import { renderCurves, runTraining, type TrainResult } from '../../training/index.js';
import { folderStore } from '../../training/node.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import { pct, reporter, reportMode, type Sink } from '../report.js';
import { defaultRunDir, trainConfigFrom, trainFlags } from '../train-flags.js';

/** The methods compared when `--methods` is not given. */
export const DEFAULT_COMPARE = 'sgd,pb,pb+sc,pb+lwp,pb+sc+lwp';

function flags(): FlagSpec[] {
  return [
    { name: 'methods', kind: 'string', default: DEFAULT_COMPARE, help: 'comma-separated methods, e.g. sgd,pb+sc+lwp,stash,gpipe' },
    ...trainFlags().filter((f) => f.name !== 'method' && f.name !== 'mitigation'),
  ];
}

/** Help of `pipegrad compare`. */
export function compareHelp(): string {
  return helpText('pipegrad compare [options]', 'Train the same model on the same data and seed with several methods; print a Markdown table and write compare.svg.', flags());
}

/** One row of the comparison. */
export interface CompareRow {
  method: string;
  result: TrainResult;
}

/** The Markdown table of a comparison. */
export function compareTable(rows: readonly CompareRow[]): string {
  const head = '| method | final test acc | best test acc | final train loss | samples/s | peak activations | weight versions |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(({ method, result: r }) => {
    const act = r.memory.reduce((a, m) => a + m.peakActivationBytes, 0);
    const ver = r.memory.reduce((a, m) => a + m.peakWeightVersionBytes, 0);
    return `| ${method} | ${pct(r.finalTestAccuracy)} | ${pct(r.bestTestAccuracy)} | ${r.finalTrainLoss.toFixed(4)} | ${r.samplesPerSecond.toFixed(0)} | ${formatBytes(act)} | ${formatBytes(ver)} |`;
  });
  return [head, sep, ...lines].join('\n') + '\n';
}

/** Run `pipegrad compare`. */
export async function compareCommand(argv: readonly string[], out: Sink): Promise<CompareRow[]> {
  const parsed = parseFlags('compare', argv, flags());
  const methods = String(parsed.flags.methods).split(',').map((m) => m.trim()).filter(Boolean);
  if (methods.length === 0) throw new UsageError('compare: --methods is empty');
  const specs = methods.map((m) => {
    try {
      return resolveMethod(m);
    } catch (e) {
      throw new UsageError(`compare: ${(e as Error).message}`);
    }
  });
  const base = trainConfigFrom(parsed);
  const outDir = (parsed.flags.out as string | undefined) ?? defaultRunDir(base.model, 'compare');
  mkdirSync(outDir, { recursive: true });
  const mode = reportMode(parsed.flags.json as boolean, out);
  const rows: CompareRow[] = [];
  for (const spec of specs) {
    const schedule = spec.schedule.name === 'sequential' ? 'sgd' : spec.schedule.name;
    const config = { ...base, method: schedule, mitigation: spec.mitigation.name };
    const result = await runTraining(config, { load: loadDataset, store: folderStore(join(outDir, spec.name.replace(/\+/g, '_'))), events: reporter(mode, out, spec.name) });
    rows.push({ method: spec.name, result });
    if (mode === 'json') {
      out.write(JSON.stringify({ event: 'result', method: spec.name, testAccuracy: result.finalTestAccuracy, bestTestAccuracy: result.bestTestAccuracy, trainLoss: result.finalTrainLoss, samplesPerSecond: result.samplesPerSecond, memory: result.memory }) + '\n');
    }
  }
  const svg = renderCurves(rows.map(({ result }) => result.curve));
  writeFileAtomic(join(outDir, 'compare.svg'), svg);
  const table = compareTable(rows);
  writeFileAtomic(join(outDir, 'compare.md'), table);
  if (mode === 'json') out.write(JSON.stringify({ event: 'done', outDir, methods: rows.map((r) => r.method) }) + '\n');
  else out.write(`\n${table}\ncurves: ${join(outDir, 'compare.svg')}\n`);
  return rows;
}
