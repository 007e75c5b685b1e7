/**
 * `pipegrad compare`: several methods on the same model, data and seed, side by side.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../datasets/node.js';
import { writeFileAtomic } from '../../nn/node.js';
import { formatBytes, resolveMethod } from '../../pipeline/index.js';
import { ConfigError, DivergedError, renderCurves, runFilesIn, runTraining, trainConfig, type Divergence, type TrainConfig, type TrainResult } from '../../training/index.js';
import { folderStore, nodeWorkerThreads } from '../../training/node.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import { pct, reporter, reportMode, type Sink } from '../report.js';
import { cliNaming, defaultRunDir, flagName, trainFlags, trainSettingsFrom } from '../train-flags.js';

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

/** One row of the comparison: a finished run's result, or where it diverged. */
export type CompareRow =
  | {
      /** The method's name. */
      method: string;
      /** The run's result. */
      result: TrainResult;
    }
  | {
      /** The method's name. */
      method: string;
      /** Where its loss stopped being a number; the run stopped there. */
      diverged: Divergence;
    };

/** The Markdown table of a comparison. */
export function compareTable(rows: readonly CompareRow[]): string {
  const head = '| method | final test acc | best test acc | final train loss | samples/s | peak activations | weight versions |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((row) => {
    const method = row.method;
    if (!('result' in row)) {
      const d = row.diverged;
      return `| ${method} | diverged at step ${d.step} (epoch ${d.epoch}, sample ${d.sample}): loss ${d.loss} | – | – | – | – | – |`;
    }
    const r = row.result;
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
  if (parsed.positional.length > 0) throw new UsageError(`compare: unexpected argument '${parsed.positional[0]}'; every setting is a flag (--name value), see pipegrad compare --help`);
  const specs = methods.map((m) => {
    try {
      return resolveMethod(m);
    } catch (e) {
      throw new UsageError(`compare: ${(e as Error).message}`);
    }
  });
  const settings = trainSettingsFrom(parsed);
  const microBatches = settings.microBatches;
  if (microBatches !== undefined && !specs.some((spec) => spec.schedule.flushes)) {
    throw new UsageError(`compare: --micro-batches is for gpipe and 1f1b; none of --methods ${methods.join(',')} uses it, so leave it out`);
  }
  // Every method's configuration is checked before the first one trains.
  const runs = specs.map((spec) => {
    const schedule = spec.schedule.name === 'sequential' ? 'sgd' : spec.schedule.name;
    const method = { method: schedule, mitigation: spec.mitigation.name, microBatches: spec.schedule.flushes ? microBatches : undefined };
    let config: TrainConfig;
    try {
      config = trainConfig({ ...settings, ...method }, { source: `compare: ${spec.name}`, name: (key) => '--' + flagName(key) });
    } catch (e) {
      throw e instanceof ConfigError ? new UsageError(e.message) : e;
    }
    return { spec, config, folder: spec.name.replace(/\+/g, '_') };
  });
  const outDir = (parsed.flags.out as string | undefined) ?? defaultRunDir(runs[0].config.model, 'compare');
  await refuseExistingComparison(outDir, runs.map((r) => r.folder));
  mkdirSync(outDir, { recursive: true });
  const mode = reportMode(parsed.flags.json as boolean, out);
  const rows: CompareRow[] = [];
  for (const { spec, config, folder } of runs) {
    try {
      const result = await runTraining(config, {
        load: loadDataset,
        store: folderStore(join(outDir, folder)),
        events: reporter(mode, out, spec.name),
        workerThreads: nodeWorkerThreads(),
        naming: cliNaming('compare'),
      });
      rows.push({ method: spec.name, result });
      if (mode === 'json') {
        out.write(JSON.stringify({ event: 'result', method: spec.name, testAccuracy: result.finalTestAccuracy, bestTestAccuracy: result.bestTestAccuracy, trainLoss: result.finalTrainLoss, samplesPerSecond: result.samplesPerSecond, memory: result.memory }) + '\n');
      }
    } catch (e) {
      // A method that diverges is a finding of the comparison, not its end.
      if (!(e instanceof DivergedError)) throw e;
      rows.push({ method: spec.name, diverged: e.where });
      if (mode === 'json') out.write(JSON.stringify({ event: 'result', method: spec.name, diverged: e.where }) + '\n');
      else out.write(`[${spec.name}] ${e.message}\n`);
    }
  }
  const svg = renderCurves(rows.flatMap((row) => ('result' in row ? [row.result.curve] : [])));
  writeFileAtomic(join(outDir, 'compare.svg'), svg);
  const table = compareTable(rows);
  writeFileAtomic(join(outDir, 'compare.md'), table);
  if (mode === 'json') out.write(JSON.stringify({ event: 'done', outDir, methods: rows.map((r) => r.method) }) + '\n');
  else out.write(`\n${table}\ncurves: ${join(outDir, 'compare.svg')}\n`);
  return rows;
}

/**
 * Refuse a comparison folder that already holds one: its table or picture, or a run in
 * one of the methods' folders. Nothing is written over.
 */
async function refuseExistingComparison(outDir: string, folders: readonly string[]): Promise<void> {
  const found: string[] = existsSync(outDir) ? readdirSync(outDir).filter((f) => f === 'compare.md' || f === 'compare.svg') : [];
  for (const folder of folders) if ((await runFilesIn(folderStore(join(outDir, folder)))).length > 0) found.push(folder + '/');
  if (found.length > 0) throw new UsageError(`compare: ${outDir} already holds a comparison (${found.join(', ')}); choose another folder with --out`);
}
