/**
 * `pipegrad train`: train one model with one method and report the test accuracy.
 *
 * @module
 */
import { loadDataset } from '../../datasets/node.js';
import { runTraining, type TrainResult } from '../../training/index.js';
import { folderStore } from '../../training/node.js';
import { helpText, parseFlags, type FlagSpec } from '../args.js';
import { pct, reporter, reportMode, type Sink } from '../report.js';
import { defaultRunDir, trainConfigFrom, trainFlags } from '../train-flags.js';

function flags(): FlagSpec[] {
  return [...trainFlags(), { name: 'resume', kind: 'string', help: 'continue the run in this folder from its last checkpoint' }];
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
  const config = trainConfigFrom(parsed);
  const resume = parsed.flags.resume as string | undefined;
  const outDir = (parsed.flags.out as string | undefined) ?? resume ?? defaultRunDir(config.model, `${config.method}+${config.mitigation}`);
  const mode = reportMode(parsed.flags.json as boolean, out);
  if (mode !== 'json') out.write(`pipegrad train: ${config.model} on ${config.dataset}, ${config.method}${config.mitigation === 'none' ? '' : '+' + config.mitigation}, batch size ${config.batchSize}, ${config.epochs} epoch(s) → ${outDir}\n`);
  const result = await runTraining(config, {
    load: loadDataset,
    store: folderStore(outDir),
    ...(resume !== undefined ? { resumeFrom: folderStore(resume) } : {}),
    events: reporter(mode, out),
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
