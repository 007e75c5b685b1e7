/**
 * A run's files are never lost or mixed: `--out` never writes over a run, a resume
 * leaves `metrics.jsonl` and `curves.svg` exactly as an uninterrupted run's, temporary
 * files of killed writers are removed at the next start, the newest checkpoint is
 * found by number, changed settings on a resume are refused unless allowed (and then
 * recorded), operating-system errors name the user's path with exit code 1, and a
 * diverging method in `compare` is a row of the table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { addCurvePoint, CURVE_POINTS, lastCheckpoint, renderCurves, type CurvePoint, type RunStore } from '../../training/index.js';
import { FileWriteError } from '../../nn/node.js';
import { runCli, TINY } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'pipegrad-files-'));

/** The id of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

/** The lines of a metrics file without the timing fields (which differ between any two runs). */
function metricsWithoutTiming(dir: string): unknown[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { samplesPerSecond: _s, seconds: _t, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}

test('--out naming an existing run is refused with how to resume it; nothing is written', async (t) => {
  const dir = join(tmp, 'existing');
  t.equal((await runCli('train', ...TINY, '--out', dir)).code, 0, 'the first run');
  const before = new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
  const r = await runCli('train', ...TINY, '--lr', '0.02', '--out', dir);
  t.equal(r.code, 2, 'a second run into the same folder: exit code 2');
  t.equal(
    r.err.trim(),
    `pipegrad: train: ${dir} already holds a run (checkpoint-epoch-0001.safetensors, config.json, curves.svg, …); to continue it: pipegrad train --resume ${dir}; for a new run choose another folder with --out`,
    'one line that says how to resume or choose another folder',
  );
  t.deepEqual(readdirSync(dir).sort(), [...before.keys()].sort(), 'no file added');
  for (const [f, bytes] of before) t.equal(readFileSync(join(dir, f), 'base64'), bytes.toString('base64'), `${f} unchanged`);
  t.end();
});

test('resume after a crash: metrics.jsonl and curves.svg equal the uninterrupted run, and the killed writer\'s temporary file is gone', async (t) => {
  const whole = join(tmp, 'whole');
  const parts = join(tmp, 'parts');
  t.equal((await runCli('train', ...TINY, '--epochs', '3', '--out', whole)).code, 0, 'the uninterrupted run');
  t.equal((await runCli('train', ...TINY, '--epochs', '2', '--out', parts)).code, 0, 'a run that will "crash" in epoch 2');
  // The crash: epoch 2's checkpoint never landed, a line was torn, and the temporary file stayed.
  rmSync(join(parts, 'checkpoint-epoch-0002.safetensors'));
  appendFileSync(join(parts, 'metrics.jsonl'), '{"event":"progress","epoch":3,"sam');
  const stale = `checkpoint-epoch-0002.safetensors.tmp-${deadPid()}-0123456789ab`;
  writeFileSync(join(parts, stale), 'half a checkpoint');
  const resumed = await runCli('train', '--resume', parts, '--epochs', '3', '--json');
  t.equal(resumed.code, 0, `the resume (with the saved settings) exits 0 ${resumed.err.trim()}`);
  t.notOk(existsSync(join(parts, stale)), 'the temporary file of the killed writer is removed');
  t.deepEqual(metricsWithoutTiming(parts), metricsWithoutTiming(whole), 'metrics.jsonl equals the uninterrupted run\'s, line for line (timing fields aside)');
  const wholeMetrics = readFileSync(join(whole, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);
  t.equal(readFileSync(join(parts, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).length, wholeMetrics.length, 'no duplicated and no missing line');
  t.equal(readFileSync(join(parts, 'curves.svg'), 'utf8'), readFileSync(join(whole, 'curves.svg'), 'utf8'), 'curves.svg is byte-identical');
  t.end();
});

test('a new run in a folder with only a killed writer\'s temporary file removes it; a live writer\'s file is kept', async (t) => {
  const dir = join(tmp, 'leftovers');
  mkdirSync(dir);
  const stale = `config.json.tmp-${deadPid()}-abcdefabcdef`;
  const live = `config.json.tmp-${process.ppid}-fedcbafedcba`;
  writeFileSync(join(dir, stale), '{');
  writeFileSync(join(dir, live), '{');
  const r = await runCli('train', ...TINY, '--out', dir);
  t.equal(r.code, 0, `a folder with only temporary files is not a run: the run starts ${r.err.trim()}`);
  t.notOk(existsSync(join(dir, stale)), 'the dead writer\'s temporary file is removed');
  t.ok(existsSync(join(dir, live)), 'a live process\'s temporary file is left alone');
  t.end();
});

test('--resume picks the newest checkpoint by epoch number, not by name', async (t) => {
  const names = ['checkpoint-epoch-9999.safetensors', 'checkpoint-epoch-10001.safetensors', 'checkpoint-epoch-0002.safetensors', 'checkpoint-epoch-10001.safetensors.tmp-1-aaaaaaaaaaaa'];
  const store = { list: () => names } as unknown as RunStore;
  t.equal(await lastCheckpoint(store), 'checkpoint-epoch-10001.safetensors', 'epoch 10001 wins over 9999');
  t.end();
});

test('a resume that changes settings is refused unless allowed; then the old config is kept and the change logged', async (t) => {
  const dir = join(tmp, 'changes');
  t.equal((await runCli('train', ...TINY, '--out', dir)).code, 0, 'the first epoch');
  const config = readFileSync(join(dir, 'config.json'), 'utf8');
  const refused = await runCli('train', '--resume', dir, '--epochs', '2', '--lr', '0.02', '--momentum', '0.5');
  t.equal(refused.code, 2, 'changed settings: exit code 2');
  t.match(refused.err.trim(), /^pipegrad: train: .*checkpoint-epoch-0001\.safetensors: resuming would change lr 0\.01 → 0\.02, momentum 0\.9 → 0\.5; only epochs, dataDir, backend, checkpointEvery, workers may change on a resume .*--allow-changes/, refused.err.trim());
  t.equal(readFileSync(join(dir, 'config.json'), 'utf8'), config, 'config.json unchanged');
  t.notOk(existsSync(join(dir, 'checkpoint-epoch-0002.safetensors')), 'nothing trained');
  const allowed = await runCli('train', '--resume', dir, '--epochs', '2', '--lr', '0.02', '--allow-changes', '--json');
  t.equal(allowed.code, 0, `with --allow-changes it continues ${allowed.err.trim()}`);
  t.equal(readFileSync(join(dir, 'config-until-epoch-0001.json'), 'utf8').replace(/\s/g, ''), config.replace(/\s/g, ''), 'the old configuration is kept');
  t.equal((JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { lr: number }).lr, 0.02, 'config.json holds the new one');
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string });
  t.deepEqual(lines.filter((l) => l.event === 'changes'), [{ event: 'changes', epoch: 2, changes: [{ setting: 'lr', from: 0.01, to: 0.02 }] }], 'the change is logged in metrics.jsonl, before epoch 2');
  const finished = await runCli('train', '--resume', dir);
  t.equal(finished.code, 2, 'resuming a finished run: exit code 2');
  t.match(finished.err, /completed epoch 2 and the run asks for 2: nothing to train; ask for more epochs/, finished.err.trim());
  t.end();
});

test('operating-system errors name the user\'s path, never a temporary file, and exit with code 1', async (t) => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'x');
  const dir = join(tmp, 'a-folder');
  mkdirSync(join(dir, 'inside'), { recursive: true });
  const cases: [string[], RegExp][] = [
    [['train', ...TINY, '--out', file], new RegExp(`^pipegrad: cannot read the folder ${file}: ENOTDIR \\(not a directory\\)$`)],
    [['train', ...TINY, '--out', join(file, 'run')], new RegExp(`^pipegrad: cannot write ${file}/run: ENOTDIR \\(not a directory\\)$`)],
    [['schedule', '--svg', dir], new RegExp(`^pipegrad: cannot write ${dir}: (EISDIR \\(illegal operation on a directory\\)|ENOTEMPTY \\(directory not empty\\))$`)],
  ];
  for (const [argv, pattern] of cases) {
    const r = await runCli(...argv);
    t.equal(r.code, 1, `${argv.slice(-2).join(' ')}: exit code 1`);
    t.match(r.err.trim(), pattern, r.err.trim());
    t.notOk(r.err.includes('.tmp-'), 'no temporary file named');
  }
  t.deepEqual(readdirSync(dir), ['inside'], 'the failed write left no temporary file');
  // A full disk cannot be made here; the message is built the same way from the system's error.
  const full = Object.assign(new Error("ENOSPC: no space left on device, write '/runs/a/config.json.tmp-42-0123456789ab'"), { code: 'ENOSPC' });
  const error = new FileWriteError('runs/a/config.json', full);
  t.equal(error.message, 'cannot write runs/a/config.json: ENOSPC (no space left on device)', 'ENOSPC names the file asked for, not the temporary one');
  t.equal(error.code, 'ENOSPC', 'and keeps the code');
  t.end();
});

test('compare: a diverging method is a row that says where, and the others still run', async (t) => {
  const dir = join(tmp, 'compare');
  const r = await runCli('compare', '--methods', 'pb,gpipe', '--model', 'mlp', '--dataset', 'blobs', '--limit-train', '200', '--limit-test', '50', '--lr', '0.1', '--json', '--out', dir);
  t.equal(r.code, 0, `compare finishes ${r.err.trim()}`);
  const results = r.json.filter((j) => j.event === 'result');
  t.deepEqual(results.map((j) => j.method), ['pb', 'gpipe'], 'a result for each method');
  const where = results[0].diverged as { step: number; epoch: number; sample: number; loss: number } | undefined;
  t.ok(where && where.epoch === 1 && where.step === where.sample, `pb diverged, and says where: ${JSON.stringify(where)}`);
  t.ok(typeof results[1].testAccuracy === 'number', 'gpipe still ran');
  const table = readFileSync(join(dir, 'compare.md'), 'utf8');
  t.match(table, new RegExp(`^\\| pb \\| diverged at step ${where?.step} \\(epoch 1, sample ${where?.sample}\\): loss (NaN|Infinity|-Infinity) \\|`, 'm'), 'the table row says where pb diverged');
  t.match(table, /^\| gpipe \| \d+\.\d\d% \|/m, 'and gpipe has its accuracy');
  const again = await runCli('compare', '--methods', 'pb,gpipe', '--model', 'mlp', '--dataset', 'blobs', '--out', dir);
  t.equal(again.code, 2, 'a second comparison into the same folder is refused');
  t.match(again.err, /already holds a comparison \(compare\.md, compare\.svg, pb\/, gpipe\/\); choose another folder with --out/, again.err.trim());
  t.end();
});

test('curves keep at most CURVE_POINTS points a line, so drawing them costs the same at epoch 10,000 as at epoch 100', (t) => {
  const train: CurvePoint[] = [];
  const test: CurvePoint[] = [];
  let integral = 0;
  for (let i = 1; i <= 10_000 * 50; i++) {
    const loss = 1 / Math.sqrt(i);
    integral += loss * 2; // each window covers 2 samples
    addCurvePoint(train, { samples: 2 * i, loss, accuracy: null }, 'mean');
    if (i % 50 === 0) addCurvePoint(test, { samples: 2 * i, loss, accuracy: 0.5 }, 'latest');
  }
  t.ok(train.length <= CURVE_POINTS && train.length > CURVE_POINTS / 2, `the training line keeps ${train.length} of 500,000 points`);
  t.ok(test.length <= CURVE_POINTS, `the test line keeps ${test.length} of 10,000 points`);
  t.equal(train[train.length - 1].samples, 1_000_000, 'the last point is the last measurement');
  let merged = 0;
  let before = 0;
  for (const p of train) {
    merged += p.loss * (p.samples - before);
    before = p.samples;
  }
  t.ok(Math.abs(merged - integral) < 1e-9 * integral, `merging keeps the sample-weighted sum of the losses (${merged} against ${integral})`);
  t.ok(test.every((p) => p.samples % 100 === 0 && p.loss === 1 / Math.sqrt(p.samples / 2)), 'test points are real evaluations, not averages');
  const svg = renderCurves([{ label: 'run', train, test }]);
  t.ok(svg.length < 200_000, `the SVG stays small: ${svg.length} characters`);
  const long = Array.from({ length: 300_000 }, (_, i) => ({ samples: i + 1, loss: 1, accuracy: null }));
  t.doesNotThrow(() => renderCurves([{ label: 'raw', train: long, test: [] }]), 'an unthinned curve of 300,000 points still renders (no spread of the points into Math.max)');
  t.end();
});
