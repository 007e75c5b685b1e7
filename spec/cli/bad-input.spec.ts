/**
 * Bad command lines and config files, as a table: each gives its exit code (2: the
 * input is wrong) and one line that says what is wrong, before any work is done. And
 * the default mitigation follows the method.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { trainConfig } from '../../training/index.js';
import { runCli, TINY } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'pipegrad-bad-'));

/** A config file holding `text`, named after the case. */
function configFile(name: string, text: string): string {
  const path = join(tmp, `${name}.json`);
  writeFileSync(path, text);
  return path;
}

test('bad command lines: exit code 2, one line that names the flag and what was expected, nothing written', async (t) => {
  const out = join(tmp, 'never-written');
  const cases: [string[], RegExp][] = [
    [['train', 'stray'], /^pipegrad: train: unexpected argument 'stray'; every setting is a flag/],
    [['train', '--method', 'sgd', '--mitigation', 'sc+lwp'], /^pipegrad: train: --mitigation 'sc\+lwp' does nothing under --method 'sgd', which has no delay \(every D_s is 0\); leave --mitigation out, or use --method 'pb'$/],
    [['train', '--method', 'gpipe', '--mitigation', 'sc'], /does nothing under --method 'gpipe'/],
    [['train', '--method', '1f1b', '--mitigation', 'lwp'], /does nothing under --method '1f1b'/],
    [['train', '--method', 'pb', '--micro-batches', '2'], /^pipegrad: train: --micro-batches is for gpipe and 1f1b, which update once per round of micro-batches; --method 'pb' does not use it/],
    [['train', '--method', 'sgd', '--micro-batches', '2'], /--micro-batches is for gpipe and 1f1b/],
    [['train', '--out', ''], /^pipegrad: train: --out is empty; run folder/],
    [['train', '--resume', ''], /^pipegrad: train: --resume is empty/],
    [['train', '--lr', '0x10'], /^pipegrad: train: --lr needs a number \(decimal, like 0\.01\), got '0x10'$/],
    [['train', '--lr', '1_000'], /--lr needs a number .*got '1_000'/],
    [['train', '--lr', 'Infinity'], /--lr needs a number .*got 'Infinity'/],
    [['train', '--lr', '.5'], /--lr needs a number .*got '\.5'/],
    [['train', '--lr', '-1'], /--lr must be at least 0, got -1/],
    [['train', '--epochs', '1e400'], /--epochs needs an integer .*got '1e400'/],
    [['train', '--epochs', '0b11'], /--epochs needs an integer .*got '0b11'/],
    [['train', '--seed', '9007199254740993'], /^pipegrad: train: --seed must be at most 2\^53 − 1 = 9007199254740991, got 9007199254740993$/],
    [['train', '--seed', '4294967296'], /--seed must be less than 4294967296, got 4294967296/],
    [['train', '--seed', '-1'], /--seed must be at least 0, got -1/],
    [['train', '--width', '0'], /--width must be greater than 0, got 0/],
    [['train', '--momentum', '1.5'], /--momentum must be less than 1, got 1\.5/],
    [['train', '--momentum', '1'], /--momentum must be less than 1, got 1$/],
    [['train', '--augment=1'], /--augment is true or false, got '1'/],
    [['train', '--allow-changes'], /--allow-changes is for --resume/],
    [['train', ...TINY, '--stages', '1000', '--out', out], /^pipegrad: train: .*1000/],
    [['schedule', '--stages', '100000', '--samples', '100000'], /^pipegrad: schedule: 100000 stages × more than 10 ticks is more than the 1,000,000 cells schedule draws; use fewer --stages or --samples$/],
    [['schedule', '--method', 'pb', '--micro-batches', '2'], /schedule: --micro-batches is for gpipe and 1f1b; --method pb does not use it/],
    [['inspect', '--model', 'mlp', '--stages', '1000'], /^pipegrad: inspect: /],
    [['inspect', '--width', '0'], /--width must be greater than 0/],
    [['compare', '--methods', 'sgd,gpipe+sc', '--out', out], /^pipegrad: compare: gpipe\+sc: --mitigation 'sc' does nothing under --method 'gpipe'/],
    [['compare', '--methods', 'sgd,pb', '--micro-batches', '2', '--out', out], /^pipegrad: compare: --micro-batches is for gpipe and 1f1b; none of --methods sgd,pb uses it/],
    [['compare', 'stray'], /compare: unexpected argument 'stray'/],
    [['eval', 'a.safetensors', 'b.safetensors'], /give exactly one checkpoint file/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await runCli(...argv);
    const shown = argv.map((a) => (a === '' ? "''" : a)).join(' ');
    t.equal(r.code, 2, `${shown}: exit code 2`);
    t.match(r.err.trim(), pattern, `${shown}: ${r.err.trim()}`);
    t.equal(r.err.trim().split('\n').length, 1, `${shown}: one line`);
  }
  t.notOk(existsSync(out), 'no case wrote a run folder');
  t.end();
});

test('bad config files: JSON values must have the kind of their flag (no true for a number, no "3" for an integer)', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['lr-true', '{"lr": true}', /^pipegrad: train: --config .*lr-true\.json: --lr needs a number, got true$/],
    ['epochs-string', '{"epochs": "3"}', /--config .*: --epochs needs an integer, got '3'$/],
    ['augment-string', '{"augment": "true"}', /--config .*: --augment is true or false, got 'true'$/],
    ['model-number', '{"model": 3}', /--config .*: --model needs a string, got 3$/],
    ['lr-null', '{"lr": null}', /--config .*: 'lr' must be a string, number or boolean, got null$/],
    ['seed-big', '{"seed": 1e300}', /--seed must be at most 2\^53 − 1/],
    ['momentum-one', '{"momentum": 1}', /--momentum must be less than 1, got 1$/],
    ['empty-out', '{"out": ""}', /--out is empty/],
    ['not-json', '{"lr": 0.1,', /^pipegrad: train: cannot read --config .*not-json\.json: /],
    ['an-array', '[1, 2]', /must hold a JSON object of flag names and values/],
    ['unknown', '{"modle": "mlp"}', /unknown key 'modle'; valid keys: model/],
  ];
  for (const [name, text, pattern] of cases) {
    const r = await runCli('train', '--config', configFile(name, text));
    t.equal(r.code, 2, `${text}: exit code 2`);
    t.match(r.err.trim(), pattern, `${text}: ${r.err.trim()}`);
    t.equal(r.err.trim().split('\n').length, 1, `${text}: one line`);
  }
  t.end();
});

test('the default mitigation follows the method: sc+lwp for pb, none for sgd, gpipe and 1f1b', async (t) => {
  const table: [string, string][] = [
    ['pb', 'sc+lwp'],
    ['sgd', 'none'],
    ['gpipe', 'none'],
    ['1f1b', 'none'],
  ];
  for (const [method, mitigation] of table) t.equal(trainConfig({ method }).mitigation, mitigation, `${method}: ${mitigation}`);
  t.equal(trainConfig({ method: 'pb' }).microBatches, undefined, 'pb has no micro-batches');
  t.equal(trainConfig({ method: 'gpipe' }).microBatches, 4, 'gpipe defaults to 4 micro-batches');
  const r = await runCli('train', ...TINY, '--method', 'sgd', '--out', join(tmp, 'sgd'));
  t.equal(r.code, 0, `train --method sgd exits 0 ${r.err.trim()}`);
  const done = r.json.find((j) => j.event === 'done') as { config: { mitigation: string; resolved: { method: string } } };
  t.equal(done.config.mitigation, 'none', 'train --method sgd runs without a mitigation');
  t.equal(done.config.resolved.method, 'sgd', 'and records itself as sgd, not sgd+sc+lwp');
  t.end();
});
