/**
 * The `pipegrad` command: `train`, `compare`, `schedule`, `inspect`, `eval`, `analyze`, `study`.
 *
 * Errors a user can fix (an unknown command, model, flag or value; a missing or damaged
 * file; settings the training library rejects; a folder that already holds a run) print
 * one line and exit with code 2. A diverging run, and a file the operating system
 * cannot write (EACCES, ENOSPC, …, named by the user's path), print one line and exit
 * with code 1. Nothing prints a stack trace unless `PIPEGRAD_DEBUG` is set.
 *
 * @module
 */
import { UsageError } from './args.js';
import { analyzeCommand, analyzeHelp } from './commands/analyze.js';
import { compareCommand, compareHelp } from './commands/compare.js';
import { evalCommand, evalHelp } from './commands/eval.js';
import { inspectCommand, inspectHelp } from './commands/inspect.js';
import { scheduleCommand, scheduleHelp } from './commands/schedule.js';
import { studyCommand, studyHelp } from './commands/study.js';
import { trainCommand, trainHelp } from './commands/train.js';
import { ConfigError, DivergedError } from '../training/index.js';
import type { Sink } from './report.js';
import { oneLine } from '../nn/one-line.js';

const COMMANDS: Record<string, { help: () => string; run: (argv: readonly string[], out: Sink) => unknown; summary: string }> = {
  train: { help: trainHelp, run: trainCommand, summary: 'train a model with a pipeline method (default: small CNN on MNIST, PB + SC + LWP)' },
  compare: { help: compareHelp, run: compareCommand, summary: 'train with several methods on the same data and seed; Markdown table + SVG' },
  schedule: { help: scheduleHelp, run: scheduleCommand, summary: 'print a schedule as a tick × stage grid (and SVG)' },
  inspect: { help: inspectHelp, run: inspectCommand, summary: 'per-stage accounting: parameters, delay, activations, weight versions' },
  eval: { help: evalHelp, run: evalCommand, summary: 'evaluate a saved checkpoint on its test set' },
  analyze: { help: analyzeHelp, run: analyzeCommand, summary: 'the quadratic analysis: largest stable η·λ per delay and method, rate heatmaps, engine loss curves' },
  study: { help: studyHelp, run: studyCommand, summary: 'run a study file: a grid of runs with several seeds; report of mean ± sd and SVG' },
};

/** The top-level help. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: pipegrad <command> [options]',
    '',
    'Fine-grained Pipelined Backpropagation with Spike Compensation and Linear Weight Prediction.',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `pipegrad <command> --help` for its options. With no command, `pipegrad` runs `train`.',
  ].join('\n');
}

/**
 * Run the command line `argv` (without `node` and the script); returns the exit code.
 * Output goes to `out`; errors to `err`.
 */
export async function main(argv: readonly string[], out: Sink, err: Sink): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    out.write(mainHelp() + '\n');
    return 0;
  }
  const name = first === undefined || first.startsWith('--') ? 'train' : first;
  const args = first === undefined || first.startsWith('--') ? argv : rest;
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command '${name}'; valid commands: ${Object.keys(COMMANDS).join(', ')}`);
    if (args.includes('--help') || args.includes('-h')) {
      out.write(command.help() + '\n');
      return 0;
    }
    await command.run(args, out);
    return 0;
  } catch (e) {
    if (process.env.PIPEGRAD_DEBUG) err.write(((e as Error).stack ?? String(e)) + '\n');
    const message = oneLine((e as Error).message ?? String(e));
    if (e instanceof DivergedError) {
      err.write(`pipegrad: ${message}\n`);
      return 1;
    }
    if (e instanceof ConfigError) {
      err.write(`pipegrad: ${name}: ${message}\n`);
      return 2;
    }
    // Bad input is 2; anything else (a file the system cannot write, say) is 1.
    err.write(`pipegrad: ${message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
