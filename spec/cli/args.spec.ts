/**
 * Flags: `node:util` parseArgs under the flag table, values typed from the table, and
 * the training flags made from the library's TRAIN_FIELDS.
 */
import test from 'tape';
import { TRAIN_FIELDS, trainConfig } from '../../training/index.js';
import { parseFlags, UsageError, type FlagSpec } from '../../cli/args.js';
import { flagName, trainConfigFrom, trainFlags } from '../../cli/train-flags.js';

const FLAGS = [
  { name: 'epochs', kind: 'integer', min: 1, default: 1, help: 'passes' },
  { name: 'lr', kind: 'number', help: 'learning rate' },
  { name: 'method', kind: 'string', default: 'pb', choices: ['sgd', 'pb'], help: 'schedule' },
  { name: 'augment', kind: 'boolean', default: false, help: 'crop and flip' },
] as const satisfies readonly FlagSpec[];

function usage(argv: string[]): string {
  try {
    parseFlags('demo', argv, FLAGS);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  return '(no error)';
}

test('parseFlags: --name value, --name=value, boolean flags, positionals, defaults, the last of a repeated flag', (t) => {
  const p = parseFlags('demo', ['file.bin', '--epochs', '3', '--lr=0.5', '--augment', '--method', 'sgd', '--epochs=4'], FLAGS);
  const epochs: number = p.flags.epochs; // typed from the table: a number, present (it has a default)
  const lr: number | undefined = p.flags.lr; // no default: may be undefined
  t.deepEqual([epochs, lr, p.flags.method, p.flags.augment, p.positional], [4, 0.5, 'sgd', true, ['file.bin']], 'values and positionals');
  t.deepEqual(parseFlags('demo', ['--augment=false'], FLAGS).flags, { epochs: 1, lr: undefined, method: 'pb', augment: false }, 'defaults, and --flag=false');
  t.equal(parseFlags('demo', ['--lr', '-0.25'], FLAGS).flags.lr, -0.25, 'a negative number is a value');
  t.deepEqual([...parseFlags('demo', ['--lr', '1e-3', '--augment'], FLAGS).given].sort(), ['augment', 'lr'], 'given lists the flags given, not those from defaults');
  t.end();
});

test('parseFlags: each mistake is one UsageError line that says what is valid', (t) => {
  const cases: [string[], string][] = [
    [['--learning-rate', '1'], 'demo: unknown flag --learning-rate; valid flags: --epochs --lr --method --augment'],
    [['-e', '1'], 'demo: unknown flag -e; valid flags: --epochs --lr --method --augment'],
    [['--epochs'], 'demo: --epochs needs a value (passes)'],
    [['--epochs', '--lr', '1'], 'demo: --epochs needs a value (passes)'],
    [['--epochs', '0'], 'demo: --epochs must be at least 1, got 0'],
    [['--epochs', '2.5'], "demo: --epochs needs an integer (decimal, like 10), got '2.5'"],
    [['--lr', 'fast'], "demo: --lr needs a number (decimal, like 0.01), got 'fast'"],
    [['--method', 'pipedream'], "demo: --method 'pipedream' is not valid; choose one of: sgd, pb"],
    [['--augment=yes'], "demo: --augment is true or false, got 'yes'"],
  ];
  for (const [argv, message] of cases) t.equal(usage(argv), message, argv.join(' '));
  t.end();
});

test('the training flags are the fields of TRAIN_FIELDS, and parse back to the library configuration', (t) => {
  const names = trainFlags().map((f) => f.name);
  t.deepEqual(names, [...Object.keys(TRAIN_FIELDS).map(flagName), 'out', 'json', 'config'], 'one flag per field, in order, then the command line flags');
  t.equal(flagName('checkpointEvery'), 'checkpoint-every', 'camelCase becomes kebab-case');
  t.deepEqual(trainConfigFrom(parseFlags('train', [], trainFlags())), trainConfig(), 'no flags: the library defaults');
  const c = trainConfigFrom(parseFlags('train', ['--batch-size', '8', '--ref-batch-size', '128', '--augment'], trainFlags()));
  t.deepEqual([c.batchSize, c.refBatchSize, c.augment, c.model], [8, 128, true, 'smallcnn'], 'flags land on their fields');
  t.end();
});
