/**
 * `pipegrad train`: train one model with one method and report the test accuracy.
 *
 * @module
 */
import { loadDataset } from '../../datasets/node.js';
import { resolve } from 'node:path';
import { RESUMABLE_CHANGES, runFilesIn, runTraining, savedRunConfig, type TrainResult } from '../../training/index.js';
import { folderStore, nodeWorkerThreads } from '../../training/node.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import { pct, reporter, reportMode, type Sink } from '../report.js';
import { cliNaming, defaultRunDir, flagName, trainConfigFrom, trainFlags } from '../train-flags.js';

function flags(): FlagSpec[] {
  return [
    ...trainFlags(),
    { name: 'resume', kind: 'string', help: 'continue the run in this folder from its newest checkpoint, with its settings (flags given change them)' },
    { name: 'allow-changes', kind: 'boolean', default: false, help: `let --resume change settings other than ${RESUMABLE_CHANGES.map((key) => '--' + flagName(key)).join(', ')} (recorded in the run)` },
  ];
}

/** Help of `pipegrad train`. */
export function trainHelp(): string {
  return helpText(
    'pipegrad train [options]',
    'Train a model with a pipeline method and evaluate it on the test split after every epoch.\n' +
      'With no options: a small CNN on MNIST, fine-grained PB + SC + LWP, batch size 1, one epoch.',
    flags(),
  );
}

/** Run `pipegrad train` with `argv` (the arguments after the command). */
export async function trainCommand(argv: readonly string[], out: Sink): Promise<TrainResult> {
  const parsed = parseFlags('train', argv, flags());
  if (parsed.positional.length > 0) throw new UsageError(`train: unexpected argument '${parsed.positional[0]}'; every setting is a flag (--name value), see pipegrad train --help`);
  const resume = parsed.flags.resume as string | undefined;
  if (parsed.flags['allow-changes'] && resume === undefined) throw new UsageError('train: --allow-changes is for --resume; a new run has nothing to change');
  const resumeStore = resume !== undefined ? folderStore(resume) : undefined;
  // A resume starts from the settings the run was trained with; the flags given change them.
  const config = trainConfigFrom(parsed, 'train', resumeStore ? await savedRunConfig(resumeStore) : undefined);
  const outDir = (parsed.flags.out as string | undefined) ?? resume ?? defaultRunDir(config.model, `${config.method}+${config.mitigation}`);
  const intoResumed = resume !== undefined && resolve(outDir) === resolve(resume);
  const store = intoResumed ? resumeStore! : folderStore(outDir);
  if (!intoResumed) {
    const existing = await runFilesIn(store);
    if (existing.length > 0) {
      throw new UsageError(`train: ${outDir} already holds a run (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}); to continue it: pipegrad train --resume ${outDir}; for a new run choose another folder with --out`);
    }
  }
  const mode = reportMode(parsed.flags.json as boolean, out);
  if (mode !== 'json') out.write(`pipegrad train: ${config.model} on ${config.dataset}, ${config.method}${config.mitigation === 'none' ? '' : '+' + config.mitigation}, batch size ${config.batchSize}, ${config.epochs} epoch(s) → ${outDir}\n`);
  const result = await runTraining(config, {
    load: loadDataset,
    store,
    ...(resumeStore ? { resumeFrom: resumeStore, allowChanges: parsed.flags['allow-changes'] as boolean } : {}),
    events: reporter(mode, out),
    workerThreads: nodeWorkerThreads(),
    naming: cliNaming('train'),
  });
  if (mode === 'json') {
    out.write(
      JSON.stringify({
        event: 'done',
        testAccuracy: result.finalTestAccuracy,
        bestTestAccuracy: result.bestTestAccuracy,
        testLoss: result.finalTestLoss,
        trainLoss: result.finalTrainLoss,
        samplesPerSecond: result.samplesPerSecond,
        seconds: result.seconds,
        stages: result.stages,
        outDir,
        config: { ...result.config, resolved: result.resolved },
      }) + '\n',
    );
  } else {
    out.write(
      `done: test accuracy ${pct(result.finalTestAccuracy)}, test loss ${result.finalTestLoss.toFixed(4)}; ` +
        `${result.stages} stages, ${result.samplesPerSecond.toFixed(0)} samples/s, ${result.seconds.toFixed(1)} s in all\n`,
    );
  }
  return result;
}
