/**
 * `pipegrad eval CHECKPOINT`: evaluate a saved model on the test split of the data
 * it was trained on.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { loadCheckpoint, loadSafetensorsFile } from '../../nn/node.js';
import { Pipeline, sgdForMethod } from '../../pipeline/index.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import { pct, type Sink } from '../report.js';
import { buildModel, evaluate, prepareData, type TrainConfig } from '../trainer.js';

const FLAGS: FlagSpec[] = [
  { name: 'limit-test', kind: 'integer', min: 1, help: 'use only the first N test samples' },
  { name: 'data-dir', kind: 'string', help: 'folder with the CIFAR binary files (overrides the saved one)' },
  { name: 'json', kind: 'boolean', default: false, help: 'print the result as JSON' },
];

/** Help of `pipegrad eval`. */
export function evalHelp(): string {
  return helpText('pipegrad eval CHECKPOINT [options]', 'Evaluate a checkpoint written by `pipegrad train` on the test split of its data set.', FLAGS);
}

/** What `eval` measured. */
export interface EvalResult {
  checkpoint: string;
  testAccuracy: number | null;
  testLoss: number;
  samples: number;
}

/** Run `pipegrad eval`. */
export async function evalCommand(argv: readonly string[], out: Sink): Promise<EvalResult> {
  const { flags, positional } = parseFlags('eval', argv, FLAGS);
  if (positional.length !== 1) throw new UsageError('eval: give exactly one checkpoint file, e.g. pipegrad eval runs/<run>/checkpoint-epoch-0001.safetensors');
  const file = positional[0];
  if (!existsSync(file)) throw new UsageError(`eval: checkpoint not found: ${file}`);
  // The training configuration travels in the checkpoint's metadata.
  const meta = (await loadSafetensorsFile(file)).metadata.config;
  const saved = meta ? (JSON.parse(meta) as { train?: TrainConfig }).train : undefined;
  if (!saved) throw new UsageError(`eval: ${file} holds no training configuration (was it written by pipegrad train?)`);
  const config: TrainConfig = {
    ...saved,
    dataDir: (flags['data-dir'] as string | undefined) ?? saved.dataDir,
    limitTest: (flags['limit-test'] as number | undefined) ?? saved.limitTest,
  };
  const data = prepareData(config);
  const model = buildModel(config, data.inputShape, data.outputs);
  await loadCheckpoint(file, model);
  const pipe = new Pipeline({ units: model.pipelineUnits(), method: 'sgd', optimizer: sgdForMethod('sgd', { lr: 0 }) });
  const r = evaluate(pipe, data.testLoader, data.inputShape, data.outputs, data.classification);
  const test = data.test;
  const result: EvalResult = { checkpoint: file, testAccuracy: r.accuracy, testLoss: r.loss, samples: test.length };
  if (flags.json) out.write(JSON.stringify({ event: 'eval', ...result }) + '\n');
  else out.write(`${file}: test accuracy ${pct(r.accuracy)}, test loss ${r.loss.toFixed(4)} on ${test.length} samples\n`);
  return result;
}
