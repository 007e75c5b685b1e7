/**
 * `pipegrad eval CHECKPOINT`: evaluate a saved model on the test split of the data
 * it was trained on.
 *
 * @module
 */
import { evaluateCheckpointFile } from '../../training/node.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import { pct, type Sink } from '../report.js';

const FLAGS = [
  { name: 'limit-test', kind: 'integer', min: 1, help: 'use only the first N test samples' },
  { name: 'data-dir', kind: 'string', help: 'folder with the CIFAR binary files (overrides the saved one)' },
  { name: 'json', kind: 'boolean', default: false, help: 'print the result as JSON' },
] as const satisfies readonly FlagSpec[];

/** Help of `pipegrad eval`. */
export function evalHelp(): string {
  return helpText('pipegrad eval CHECKPOINT [options]', 'Evaluate a checkpoint written by `pipegrad train` on the test split of its data set.', FLAGS);
}

/** What `eval` measured. */
export interface EvalResult {
  /** The checkpoint file. */
  checkpoint: string;
  /** Test accuracy; null for regression. */
  testAccuracy: number | null;
  /** Mean test loss. */
  testLoss: number;
  /** Test samples evaluated. */
  samples: number;
}

/** Run `pipegrad eval`. */
export async function evalCommand(argv: readonly string[], out: Sink): Promise<EvalResult> {
  const { flags, positional } = parseFlags('eval', argv, FLAGS);
  if (positional.length !== 1) throw new UsageError('eval: give exactly one checkpoint file, e.g. pipegrad eval runs/<run>/checkpoint-epoch-0001.safetensors');
  const file = positional[0];
  const { evaluation: r } = evaluateCheckpointFile(file, { dataDir: flags['data-dir'], limitTest: flags['limit-test'] });
  const result: EvalResult = { checkpoint: file, testAccuracy: r.accuracy, testLoss: r.loss, samples: r.samples };
  if (flags.json) out.write(JSON.stringify({ event: 'eval', ...result }) + '\n');
  else out.write(`${file}: test accuracy ${pct(r.accuracy)}, test loss ${r.loss.toFixed(4)} on ${r.samples} samples\n`);
  return result;
}
