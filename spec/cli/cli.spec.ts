/**
 * The `pipegrad` command end to end on small synthetic data, with `--json` output
 * parsed: train, compare, schedule, inspect, eval, resume equality, the divergence
 * stop, and every kind of bad input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { cifarRecord, concat } from '../datasets/fixtures.js';
import { checkpointDifferences, runCli } from './run-cli.js';

const run = runCli;

const tmp = mkdtempSync(join(tmpdir(), 'pipegrad-cli-'));
const small = ['--model', 'mlp', '--dataset', 'blobs', '--limit-train', '300', '--limit-test', '200', '--lr', '0.01', '--json'];

test('train: a small run writes its files and reports a done event', async (t) => {
  const out = join(tmp, 'train');
  const r = await run('train', ...small, '--epochs', '2', '--out', out);
  t.equal(r.code, 0, `exit code 0 (stderr: ${r.err.trim()})`);
  const done = r.json[r.json.length - 1];
  t.equal(done.event, 'done', 'the last JSON line is the done event');
  t.ok((done.testAccuracy as number) > 0.9, `blobs are learned (test accuracy ${done.testAccuracy})`);
  t.equal((done.config as { method: string }).method, 'pb', 'the resolved configuration is reported');
  t.equal(r.json.filter((j) => j.event === 'epoch').length, 2, 'one epoch event per epoch');
  for (const f of ['config.json', 'metrics.jsonl', 'curves.svg', 'checkpoint-epoch-0001.safetensors', 'checkpoint-epoch-0002.safetensors']) {
    t.ok(existsSync(join(out, f)), `${f} written`);
  }
  const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
  t.equal(metrics.filter((m) => m.event === 'epoch').length, 2, 'metrics.jsonl has an epoch line per epoch');
  t.ok(metrics.filter((m) => m.event === 'progress').length >= 20, 'and the running training measurements between them');
  t.ok(readFileSync(join(out, 'curves.svg'), 'utf8').startsWith('<svg'), 'curves.svg is an SVG');
  const ev = await run('eval', join(out, 'checkpoint-epoch-0002.safetensors'), '--json');
  t.equal(ev.code, 0, 'eval exits 0');
  t.equal(ev.json[0].testAccuracy, done.testAccuracy, 'eval of the last checkpoint reproduces the final test accuracy');
  t.end();
});

test('train --resume continues to exactly the result of an uninterrupted run', async (t) => {
  const whole = join(tmp, 'whole');
  const parts = join(tmp, 'parts');
  const common = [...small, '--method', 'pb', '--mitigation', 'sc+lwp', '--momentum', '0.9'];
  await run('train', ...common, '--epochs', '3', '--out', whole);
  await run('train', ...common, '--epochs', '1', '--out', parts);
  const resumed = await run('train', ...common, '--epochs', '3', '--resume', parts);
  t.equal(resumed.code, 0, `resumed run exits 0 ${resumed.err.trim()}`);
  const differences = await checkpointDifferences(join(whole, 'checkpoint-epoch-0003.safetensors'), join(parts, 'checkpoint-epoch-0003.safetensors'));
  t.equal(differences, 0, 'every weight and optimizer tensor is bit-identical after epoch 3');
  t.end();
});

test('train --workers: 2 workers, resumed on 3, end bit-identical to the single-thread run; a diverging run fails with the same line', async (t) => {
  const whole = join(tmp, 'whole');
  const parts = join(tmp, 'parts-workers');
  const common = [...small, '--method', 'pb', '--mitigation', 'sc+lwp', '--momentum', '0.9'];
  const first = await run('train', ...common, '--epochs', '1', '--out', parts, '--workers', '2');
  t.equal(first.code, 0, `2 workers: exit code 0 ${first.err.trim()}`);
  const resumed = await run('train', ...common, '--epochs', '3', '--resume', parts, '--workers', '3');
  t.equal(resumed.code, 0, `resumed on 3 workers: exit code 0 ${resumed.err.trim()}`);
  const differences = await checkpointDifferences(join(whole, 'checkpoint-epoch-0003.safetensors'), join(parts, 'checkpoint-epoch-0003.safetensors'));
  t.equal(differences, 0, 'every weight and optimizer tensor after epoch 3 equals the single-thread run (made by the resume test above)');
  const diverged = join(tmp, 'diverge-workers');
  await run('train', ...small, '--epochs', '1', '--out', diverged);
  const one = await run('train', ...small, '--epochs', '2', '--lr', '1e30', '--allow-changes', '--resume', diverged);
  const two = await run('train', ...small, '--epochs', '2', '--lr', '1e30', '--allow-changes', '--resume', diverged, '--workers', '2');
  t.equal(one.code, 1, `the single-thread run diverges and exits 1 (${one.err.trim()})`);
  t.equal(two.code, 1, 'a diverging run on 2 workers exits 1');
  t.equal(two.err, one.err, `with the single-thread run's one line (${two.err.trim()})`);
  t.notOk(existsSync(join(diverged, 'checkpoint-epoch-0002.safetensors')), 'and writes no checkpoint of the diverged epoch');
  t.end();
});

test('a diverging run stops with the step, keeps the last good checkpoint, and exits 1', async (t) => {
  const out = join(tmp, 'diverge');
  await run('train', ...small, '--epochs', '1', '--out', out);
  const r = await run('train', ...small, '--epochs', '2', '--lr', '1e30', '--resume', out, '--allow-changes');
  t.equal(r.code, 1, 'exit code 1');
  t.match(r.err, /^pipegrad: training diverged at step \d+ \(epoch 2, sample \d+\): the loss is (NaN|Infinity|-Infinity); the last good checkpoint is .*checkpoint-epoch-0001\.safetensors/, 'the message names the step and the checkpoint');
  t.equal(r.err.trim().split('\n').length, 1, 'one line');
  t.notOk(existsSync(join(out, 'checkpoint-epoch-0002.safetensors')), 'no checkpoint of the diverged epoch');
  const ev = await run('eval', join(out, 'checkpoint-epoch-0001.safetensors'), '--json');
  t.ok((ev.json[0].testAccuracy as number) > 0.5, 'the last good checkpoint still evaluates');
  t.end();
});

test('compare: one result per method, a Markdown table and an SVG', async (t) => {
  const out = join(tmp, 'compare');
  const r = await run('compare', ...small, '--methods', 'sgd,pb+sc+lwp,stash', '--out', out);
  t.equal(r.code, 0, `exit code 0 ${r.err.trim()}`);
  t.deepEqual(r.json.filter((j) => j.event === 'result').map((j) => j.method), ['sgd', 'pb+sc+lwp', 'stash'], 'a result per method, in order');
  const table = readFileSync(join(out, 'compare.md'), 'utf8');
  t.match(table, /^\| method \| final test acc \| best test acc \| final train loss \| samples\/s \| peak activations \| weight versions \|/, 'table header');
  t.equal(table.trim().split('\n').length, 5, 'header, separator and three rows');
  t.ok(readFileSync(join(out, 'compare.svg'), 'utf8').includes('pb+sc+lwp'), 'the SVG labels every method');
  t.end();
});

test('compare --workers 2: every method\'s weights equal those of the single-thread comparison above, bit for bit', async (t) => {
  const out = join(tmp, 'compare-workers');
  const r = await run('compare', ...small, '--methods', 'sgd,stash', '--workers', '2', '--out', out);
  t.equal(r.code, 0, `exit code 0 ${r.err.trim()}`);
  for (const method of ['sgd', 'stash']) {
    const differences = await checkpointDifferences(join(tmp, 'compare', method, 'checkpoint-epoch-0001.safetensors'), join(out, method, 'checkpoint-epoch-0001.safetensors'));
    t.equal(differences, 0, `${method}: every weight and optimizer tensor on 2 workers equals the single-thread comparison's`);
  }
  t.end();
});

test('schedule and inspect', async (t) => {
  const s = await run('schedule', '--method', 'pb', '--stages', '4', '--samples', '8');
  t.equal(s.code, 0, 'schedule exits 0');
  t.match(s.out, /^ {3}3 {2}1F3 +2F2 +3F1 +4F0 4B0 4U0$/m, 'tick 3 of pb: the last stage does F, B and U of sample 0');
  const j = await run('schedule', '--method', 'gpipe', '--stages', '4', '--samples', '8', '--micro-batches', '4', '--json');
  t.equal(j.json[0].utilization, 4 / 7, 'gpipe utilization is M/(M+S−1)');
  const svg = join(tmp, 'pb.svg');
  await run('schedule', '--svg', svg);
  t.ok(readFileSync(svg, 'utf8').startsWith('<svg'), '--svg writes a picture');
  const i = await run('inspect', '--model', 'resnet20', '--json');
  const account = i.json[0] as { total: { parameters: number }; rows: { delay: number }[] };
  t.equal(account.total.parameters, 269722, 'the total parameter count is resnet20\'s');
  t.equal(account.rows.length, 20, 'twenty fine-grained stages');
  t.equal(account.rows[0].delay, 38, 'stage 1 has delay 2(S − 1) = 38');
  const text = await run('inspect', '--model', 'smallcnn');
  t.match(text.out, /^total +7,018 /m, 'the text table ends with a total row');
  const w = await run('schedule', '--method', 'pb', '--stages', '4', '--samples', '4', '--workers', '2');
  t.match(w.out, /^worker {2}1 +1 +2 +2$/m, 'schedule --workers 2: a line names the worker of each stage column');
  t.match(w.out, /^workers: worker 1 runs stages 1-2; worker 2 runs stages 3-4$/m, 'and a line lists each worker\'s stages');
  const split = (await run('inspect', '--model', 'resnet20', '--workers', '2', '--json')).json[0].workers as { ranges: number[][]; costs: number[]; total: number; predictedSpeedup: number; stageCosts: number[] };
  t.deepEqual([split.ranges[0][0], split.ranges[1][1], split.ranges[1][0] - split.ranges[0][1]], [1, 20, 1], 'inspect --workers 2: two contiguous ranges covering stages 1..20');
  t.equal(split.total, split.stageCosts.reduce((a, b) => a + b, 0), 'the total is the sum of the stages\' costs');
  t.equal(split.predictedSpeedup, split.total / Math.max(...split.costs), 'the predicted speed-up is the total over the slowest worker\'s cost');
  t.equal(split.stageCosts[0] > 2 * 16 * 32 * 32 * 27, true, 'stage 1 counts at least its 3→16 3×3 convolution, 2·16·32·32·27 FLOPs');
  const wt = await run('inspect', '--model', 'smallcnn', '--workers', '3');
  t.match(wt.out, /^predicted speed-up over 1 worker: \d\.\d\d× /m, 'the text names the predicted speed-up');
  t.end();
});

test('flags can come from --config; flags on the command line win', async (t) => {
  const config = join(tmp, 'config.json');
  writeFileSync(config, JSON.stringify({ model: 'mlp', dataset: 'blobs', 'limit-train': 100, 'limit-test': 50, epochs: 3, lr: 0.01 }));
  const r = await run('train', '--config', config, '--epochs', '1', '--json', '--out', join(tmp, 'cfg'));
  const done = r.json[r.json.length - 1] as { config: { epochs: number; model: string } };
  t.equal(done.config.model, 'mlp', 'model from the file');
  t.equal(done.config.epochs, 1, 'epochs from the command line');
  t.end();
});

test('bad input: one line, the valid choices, exit code 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate'; valid commands: train, compare, schedule, inspect, eval/],
    [['train', '--model', 'resnet7'], /--model 'resnet7' is not valid; choose one of: mlp, .*resnet20/],
    [['train', '--dataset', 'imagenet'], /--dataset 'imagenet' is not valid; choose one of: .*mnist/],
    [['train', '--method', 'pipedream'], /--method 'pipedream' is not valid; choose one of: sgd, pb, gpipe, 1f1b/],
    [['train', '--mitigation', 'magic'], /--mitigation 'magic' is not valid; choose one of: none, sc, lwp, sc\+lwp/],
    [['train', '--learning-rate', '1'], /unknown flag --learning-rate; valid flags: --model/],
    [['train', '--lr', 'fast'], /--lr needs a number \(decimal, like 0.01\), got 'fast'/],
    [['train', '--epochs'], /--epochs needs a value/],
    [['compare', '--methods', 'sgd,pb+magic'], /unknown mitigation 'magic'; valid mitigations/],
    [['schedule', '--stages', '0'], /--stages must be at least 1, got 0/],
    [['eval'], /give exactly one checkpoint file/],
    [['eval', join(tmp, 'missing.safetensors')], /checkpoint not found/],
    [['train', '--resume', join(tmp, 'nothing-here')], /holds no checkpoint-epoch-\*\.safetensors/],
    [['train', '--workers', 'two'], /--workers needs a positive integer or auto, got 'two'/],
    [['train', '--model', 'mlp', '--dataset', 'blobs', '--limit-train', '20', '--workers', '99'], /--workers 99: the pipeline has \d+ stages, and each worker runs at least one; use --workers \d+ or fewer/],
    [['inspect', '--model', 'mlp', '--workers', '99'], /inspect: --workers: workers must be at most the number of stages \(\d+\), got 99/],
    [['schedule', '--stages', '3', '--workers', '4'], /schedule: --workers: workers must be at most the number of stages \(3\), got 4/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await run(...argv);
    t.equal(r.code, 2, `${argv.join(' ')}: exit code 2`);
    t.match(r.err, pattern, `${argv.join(' ')}: ${r.err.trim()}`);
    t.equal(r.err.trim().split('\n').length, 1, `${argv.join(' ')}: one line, no stack trace`);
  }
  const config = join(tmp, 'bad-config.json');
  writeFileSync(config, '{"modle": "mlp"}');
  const c = await run('train', '--config', config);
  t.equal(c.code, 2, 'a config file with an unknown key: exit code 2');
  t.match(c.err, /unknown key 'modle'; valid keys: model/, 'names the key and the valid ones');
  const cifar = await run('train', '--dataset', 'cifar10', '--data-dir', join(tmp, 'no-cifar'));
  t.notEqual(cifar.code, 0, 'a missing CIFAR folder fails');
  t.match(cifar.err, /data_batch_1\.bin/, 'and says which files are expected');
  t.end();
});

test('the pipegrad binary runs and exits 2 on a bad flag', (t) => {
  const bin = new URL('../../bin/pipegrad.js', import.meta.url).pathname;
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  t.equal(help.status, 0, 'pipegrad --help exits 0');
  t.match(help.stdout, /usage: pipegrad <command>/, 'and prints the usage');
  const bad = spawnSync(process.execPath, [bin, 'train', '--bogus'], { encoding: 'utf8' });
  t.equal(bad.status, 2, 'pipegrad train --bogus exits 2');
  t.equal(bad.stderr.trim().split('\n').length, 1, 'with one line on stderr');
  t.end();
});

test('train on CIFAR-10 files in the standard binary format (generated), with augmentation', async (t) => {
  const dir = join(tmp, 'cifar-10-batches-bin');
  mkdirSync(dir);
  // Class c is an image whose channel c%3 is bright: learnable from a few samples.
  const records = (n: number, offset: number): Uint8Array =>
    concat(Array.from({ length: n }, (_, i) => {
      const label = (i + offset) % 10;
      return cifarRecord([label], (c) => (c === label % 3 ? 200 : 20) + label * 3);
    }));
  for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), records(20, b));
  writeFileSync(join(dir, 'test_batch.bin'), records(20, 0));
  const r = await run('train', '--model', 'resnet20', '--width', '0.25', '--dataset', 'cifar10', '--data-dir', dir, '--augment',
    '--limit-train', '40', '--limit-test', '20', '--lr', '0.01', '--json', '--out', join(tmp, 'cifar-run'));
  t.equal(r.code, 0, `exit code 0 ${r.err.trim()}`);
  const done = r.json[r.json.length - 1] as { event: string; stages: number; testAccuracy: number };
  t.equal(done.event, 'done', 'the run finishes');
  t.equal(done.stages, 20, 'resnet20 runs as 20 fine-grained stages');
  t.ok(done.testAccuracy >= 0 && done.testAccuracy <= 1, `a test accuracy is reported (${done.testAccuracy})`);
  t.end();
});
