/**
 * Studies: the file's checks, the grid's runs, mean ± sd and the seed-by-seed gap, and
 * a tiny real study on the spirals data that resumes after an interruption with the
 * same numbers an uninterrupted study gives.
 */
import test from 'tape';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFrom, syntheticDatasets } from '../../datasets/index.js';
import {
  ConfigError,
  meanSd,
  memoryStore,
  parseStudy,
  planStudy,
  renderStudyPlot,
  resultName,
  runStudy,
  summarizeStudy,
  type StudyRunResult,
} from '../../training/index.js';
import { main } from '../../cli/main.js';

const load = (name: string, opts: object) => loadFrom(syntheticDatasets, name, opts);

const tiny = {
  title: 'tiny',
  base: { model: 'mlp', dataset: 'spirals', hidden: 8, depth: 1, limitTrain: 40, limitTest: 20, lr: 0.01, checkpointEvery: 0 },
  grid: { lr: [0.01, 0.03], method: ['sgd', 'pb+sc+lwp'] },
  seeds: [0, 1, 2],
  x: 'lr',
  baseline: 'sgd',
};

function configError(json: unknown): string {
  try {
    parseStudy(json, 'x.json');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '(no error)';
}

test('meanSd: the mean and the sample standard deviation (divisor n − 1), by hand', (t) => {
  const a = meanSd([1, 2, 3]);
  t.deepEqual([a.mean, a.sd, a.n], [2, 1, 3], '[1, 2, 3]: mean 2, sd √((1 + 0 + 1)/2) = 1');
  const b = meanSd([0.9, 0.8]);
  t.ok(Math.abs(b.mean - 0.85) < 1e-12 && Math.abs(b.sd - Math.sqrt(0.005)) < 1e-12, `[0.9, 0.8]: mean 0.85, sd √0.005, got ${b.mean}, ${b.sd}`);
  t.equal(meanSd([0.5]).sd, 0, 'one value: sd 0');
  t.throws(() => meanSd([]), /no values/, 'no values is an error');
  t.end();
});

test('planStudy: one run per cell and seed, the last axis fastest; method names set method and mitigation; labelled groups set several settings', (t) => {
  const spec = parseStudy({ ...tiny, x: 'regime', grid: { regime: [{ label: 'scaled', lr: 0.1, momentum: 0.9, refBatchSize: 32 }, { label: 'plain', lr: 0.003 }], method: ['sgd', 'pb+sc', 'stash'] } });
  const plan = planStudy(spec);
  t.equal(plan.length, 2 * 3 * 3, '2 regimes × 3 methods × 3 seeds');
  t.equal(new Set(plan.map((r) => r.id)).size, plan.length, 'ids are distinct');
  t.equal(plan[0].id, 'regime=scaled,method=sgd,seed=0', 'first id');
  t.equal(plan[3].id, 'regime=scaled,method=pb_sc,seed=0', 'method varies before regime; + becomes _');
  t.deepEqual([plan[3].config.method, plan[3].config.mitigation], ['pb', 'sc'], 'pb+sc is schedule pb, mitigation sc');
  t.deepEqual([plan[0].config.method, plan[6].config.method, plan[6].config.mitigation], ['sgd', 'pb', 'stash'], 'sgd; stash is the pb schedule with weight stashing');
  t.deepEqual([plan[0].config.lr, plan[0].config.momentum, plan[0].config.refBatchSize, plan[0].config.hidden], [0.1, 0.9, 32, 8], 'the group sets lr, momentum, refBatchSize over the base');
  t.deepEqual([plan[9].config.lr, plan[9].config.refBatchSize, plan[10].config.seed], [0.003, undefined, 1], 'the other group; seeds');
  t.end();
});

test('parseStudy: each mistake is one line that names it', (t) => {
  t.match(configError({ ...tiny, colour: 1 }), /unknown key 'colour'/, 'unknown key');
  t.match(configError({ ...tiny, x: 'depth' }), /'x' must name an axis of the grid \(lr, method\)/, 'x not an axis');
  t.match(configError({ ...tiny, seeds: [] }), /'seeds' must be a non-empty array/, 'no seeds');
  t.match(configError({ ...tiny, grid: { lr: [], method: ['sgd'] } }), /axis 'lr' must be a non-empty array/, 'empty axis');
  t.match(configError({ ...tiny, grid: { lr: [0.1], method: ['sgd', 'pb+magic'] } }), /unknown/, 'unknown method');
  t.match(configError({ ...tiny, baseline: 'adam' }), /'baseline' 'adam' is not a value of the series axis 'method'/, 'baseline');
  t.match(configError({ ...tiny, base: { ...tiny.base, epochs: 0 } }), /epochs must be at least 1/, 'a setting the training table rejects');
  t.match(configError({ ...tiny, grid: { lr: [0.1, 0.1], method: ['sgd'] } }), /label '0.1' twice/, 'duplicate label');
  t.end();
});

test('summarizeStudy: mean ± sd over seeds, diverged runs count as chance, the gap to the baseline is taken seed by seed', (t) => {
  const spec = parseStudy({ ...tiny, grid: { lr: [0.01], method: ['sgd', 'pb'] } });
  const plan = planStudy(spec);
  const acc: Record<string, number | null> = { 'sgd,0': 0.9, 'sgd,1': 0.8, 'sgd,2': 0.7, 'pb,0': 0.8, 'pb,1': null, 'pb,2': 0.5 };
  const results = new Map<string, StudyRunResult>();
  for (const run of plan) {
    const a = acc[`${run.cell.method},${run.seed}`];
    results.set(run.id, { ...run, diverged: a === null, finalTestAccuracy: a, finalTestLoss: 1, finalTrainLoss: 1, epochs: [], curve: null, seconds: 1 });
  }
  const [panel] = summarizeStudy(spec, plan, results);
  const [sgd, pb] = panel.cells[0];
  t.ok(Math.abs(sgd.accuracy!.mean - 0.8) < 1e-12 && Math.abs(sgd.accuracy!.sd - 0.1) < 1e-12, `sgd: 0.8 ± 0.1, got ${sgd.accuracy!.mean} ± ${sgd.accuracy!.sd}`);
  // pb scores 0.8, 0.1 (diverged: chance), 0.5: mean 0.4667; gaps −0.1, −0.7, −0.2: mean −1/3, sd √(((−0.1+1/3)² + (−0.7+1/3)² + (−0.2+1/3)²)/2)
  t.ok(Math.abs(pb.accuracy!.mean - 1.4 / 3) < 1e-12, `pb mean (0.8 + 0.1 + 0.5)/3, got ${pb.accuracy!.mean}`);
  t.equal(pb.diverged, 1, 'one pb run diverged');
  const sdGap = Math.sqrt(((-0.1 + 1 / 3) ** 2 + (-0.7 + 1 / 3) ** 2 + (-0.2 + 1 / 3) ** 2) / 2);
  t.ok(Math.abs(pb.gap!.mean + 1 / 3) < 1e-12 && Math.abs(pb.gap!.sd - sdGap) < 1e-12, `gap −1/3 ± ${sdGap}, got ${pb.gap!.mean} ± ${pb.gap!.sd}`);
  t.equal(sgd.gap, null, 'the baseline has no gap to itself');
  const svg = renderStudyPlot([panel], { title: 'gap', xName: 'lr' });
  t.equal(svg.match(/<circle/g)?.length, 2, 'the picture has one mean point per cell');
  t.equal(svg.match(/<line x1="([\d.]+)" y1="[\d.]+" x2="\1"/g)?.length, 2, 'and one vertical error bar per cell');
  t.end();
});

test('runStudy: every run once; an interrupted study resumes with only the missing runs, and gives the numbers of an uninterrupted one', async (t) => {
  const spec = parseStudy(tiny);
  const store = memoryStore();
  const first = await runStudy(spec, { load, store });
  t.equal(first.results.size, 12, '2 lr × 2 methods × 3 seeds results');
  t.ok(store.files.has('report.md') && store.files.has('study.svg'), 'report and picture written');
  t.ok(first.report.includes('| lr | sgd | pb+sc+lwp |'), 'the report has the table of lr × method');
  const lost = first.plan[5].id;
  store.files.delete(resultName(lost));
  const started: string[] = [];
  const second = await runStudy(spec, { load, store, events: { runStart: (run) => void started.push(run.id) } });
  t.deepEqual(started, [lost], 'only the run without a result is trained again');
  t.equal(second.results.get(lost)!.finalTestAccuracy, first.results.get(lost)!.finalTestAccuracy, 'the retrained run gives the same accuracy (seeded)');
  t.equal(second.report, first.report.replace(/\d+\.\d minutes/, second.report.match(/\d+\.\d minutes/)![0]), 'the same report, training time aside');
  const started2: string[] = [];
  const moreWorkers = parseStudy({ ...tiny, base: { ...tiny.base, workers: 2 } });
  await runStudy(moreWorkers, { load, store, events: { runStart: (run) => void started2.push(run.id) } });
  t.deepEqual(started2, [], 'another worker count keeps every stored result (results are bit-identical across worker counts)');
  const changed = parseStudy({ ...tiny, base: { ...tiny.base, hidden: 9 } });
  await runStudy(changed, { load, store }).then(
    () => t.fail('a stored result of other settings must be refused'),
    (e) => t.match(String(e), /was made with other settings/, 'a changed study file is refused, not mixed'),
  );
  t.end();
});

test('pipegrad study: --dry-run lists the runs; a run writes report.md and study.svg; a bad file is one line, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pipegrad-study-'));
  const file = join(dir, 'tiny.json');
  writeFileSync(file, JSON.stringify({ ...tiny, base: { ...tiny.base, dataset: 'blobs' }, grid: { lr: [0.01], method: ['sgd', 'pb'] } }));
  const io = () => {
    const o = { out: '', err: '' };
    return [o, { write: (s: string) => void (o.out += s), isTTY: false }, { write: (s: string) => void (o.err += s) }] as const;
  };
  const [dry, dryOut, dryErr] = io();
  t.equal(await main(['study', file, '--out', join(dir, 'out'), '--dry-run'], dryOut, dryErr), 0, 'dry run exits 0');
  t.ok(dry.out.includes('2 cells × 3 seeds = 6 runs; 0 done, 6 to run') && dry.out.includes('todo  lr=0.01,method=pb,seed=2'), `dry run lists the plan:\n${dry.out}`);
  const [ran, ranOut, ranErr] = io();
  t.equal(await main(['study', file, '--out', join(dir, 'out'), '--no-estimate'], ranOut, ranErr), 0, `a study runs: ${ran.err}`);
  t.ok(existsSync(join(dir, 'out', 'report.md')) && readFileSync(join(dir, 'out', 'study.svg'), 'utf8').startsWith('<svg'), 'report.md and study.svg written');
  const [bad, badOut, badErr] = io();
  writeFileSync(file, JSON.stringify({ ...tiny, seeds: [1, 1] }));
  t.equal(await main(['study', file], badOut, badErr), 2, 'exit code 2');
  t.match(bad.err, /^pipegrad: study: .*tiny\.json: 'seeds' must be a non-empty array of distinct non-negative integers\n$/, `one line: ${bad.err}`);
  t.end();
});

test('the shipped studies: every file in studies/ is a valid study with at least 3 seeds per cell', (t) => {
  const dir = 'studies';
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 6, `depth, learning rate (two regimes), scaling, normalization, ResNet-20: got ${files.join(', ')}`);
  for (const f of files) {
    const spec = parseStudy(JSON.parse(readFileSync(join(dir, f), 'utf8')), f);
    t.ok(spec.seeds.length >= 3 && planStudy(spec).length >= 3 * 2, `${f}: ${spec.seeds.length} seeds, ${planStudy(spec).length} runs`);
  }
  t.end();
});
