/**
 * A schedule that is not built in, written by the user as a generator of ticks, runs
 * through the engine, the accounting and both renderers with no other change — and
 * its delays are the ones derived by hand from its tick rule, not PB's.
 *
 * The schedule is PipeDream's asynchronous 1F1B: 1F1B's placement (warm-up forwards,
 * then one forward one backward) as one endless round, with an update after every
 * backward instead of a flush. Its tick rule (`pipeline/schedules/one-f-one-b.ts`) is
 *
 * - `sFj` at tick `j + s − 1` for `j ≤ S − s`, at tick `2j + s − 1` after;
 * - `sBj` at tick `2j + 2S − s`, followed by `sUj`.
 *
 * So the backward of sample `j` at stage `s` sees the updates of samples `i < j`
 * (version `j`), and its forward sees those with `2i + 2S − s < 2j + s − 1`, i.e.
 * `i ≤ j − (S − s) − 1`: version `max(0, j − (S − s))`. Its delay is `D_s = S − s`,
 * half of PB's, and a stage holds `S − s + 1` samples in flight.
 */
import { readFileSync } from 'node:fs';
import test from 'tape';
import { randn, Rng, type Data } from '../../core/index.js';
import { createModel, type PipelineUnit } from '../../nn/index.js';
import {
  accountSchedule,
  defineSchedule,
  makeSchedule,
  methodFor,
  oneFOneBPlacement,
  Pipeline,
  renderAscii,
  renderSvg,
  sgdForMethod,
  simulate,
  steadyStateDelays,
  type Example,
  type Instruction,
} from '../../pipeline/index.js';

// PipeDream's asynchronous 1F1B, as a user would write it: docs/pipelined-backprop.md section 7 shows this code.
const pipedream = defineSchedule('pipedream', function* ({ stages, samples }) {
  const length = 2 * (samples + stages - 1);
  for (let k = 0; k < length; k++) {
    const tick: Instruction[] = [];
    for (let s = 1; s <= stages; s++) {
      const work = oneFOneBPlacement(samples, stages, s, k);
      if (work) tick.push({ kind: work.kind, stage: s, sample: work.i });
      if (work?.kind === 'B') tick.push({ kind: 'U', stage: s, sample: work.i });
    }
    yield tick;
  }
});

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('pipedream, accounted: forward of j at stage s on version max(0, j − (S − s)), backward on j, delay S − s, S − s + 1 in flight', (t) => {
  for (const [S, N] of [[3, 4], [5, 12]]) {
    const account = accountSchedule(pipedream.make({ stages: S, samples: N }));
    t.equal(account.ticks, 2 * (N + S - 1), `S=${S}, N=${N}: 2(N + S − 1) ticks`);
    for (const stage of account.perStage) {
      const D = S - stage.stage;
      const label = `S=${S}, N=${N}, stage ${stage.stage}`;
      t.deepEqual(stage.forwardVersion, range(N).map((j) => Math.max(0, j - D)), `${label}: forward versions max(0, j − ${D})`);
      t.deepEqual(stage.backwardVersion, range(N), `${label}: backward versions j`);
      t.deepEqual([stage.delay, stage.peakInFlight], [Math.min(D, N - 1), Math.min(D + 1, N)], `${label}: delay ${D}, ${D + 1} in flight (fewer when N is short)`);
    }
  }
  t.deepEqual(steadyStateDelays(pipedream, 5), [4, 3, 2, 1, 0], 'steadyStateDelays reads D_s = S − s off the stream, for S = 5');
  t.end();
});

test('pipedream, drawn: the ASCII grid of S = 3, N = 4 is the tick rule; the SVG has a box per F and B and a bar per U', (t) => {
  const expected = [
    'tick  stage 1  stage 2  stage 3',
    '   0  1F0',
    '   1  1F1      2F0',
    '   2  1F2      2F1      3F0',
    '   3                    3B0 3U0',
    '   4           2B0 2U0  3F1',
    '   5  1B0 1U0  2F2      3B1 3U1',
    '   6  1F3      2B1 2U1  3F2',
    '   7  1B1 1U1  2F3      3B2 3U2',
    '   8           2B2 2U2  3F3',
    '   9  1B2 1U2           3B3 3U3',
    '  10           2B3 2U3',
    '  11  1B3 1U3',
    '',
  ].join('\n');
  const schedule = pipedream.make({ stages: 3, samples: 4 });
  t.equal(renderAscii(schedule), expected);
  const svg = renderSvg(schedule);
  t.equal(svg.match(/<rect /g)?.length, 2 * 3 * 4, 'one rect per F and B: 2·S·N');
  t.equal(svg.match(/<line class="U"/g)?.length, 3 * 4, 'one line per U: S·N');
  t.ok(svg.includes('>pipedream: 3 stages, 4 samples</text>'), 'the title names the schedule');
  t.deepEqual([...makeSchedule(pipedream, { stages: 3, samples: 4 }).ticks()], [...schedule.ticks()], 'makeSchedule takes the definition as it takes a name');
  t.throws(
    () => makeSchedule(pipedream, { stages: 3, samples: 4, microBatches: 2 }),
    (e: Error) => e.message === 'microBatches applies to schedules that flush (gpipe, 1f1b) only; pipedream updates after every sample',
    'it checks its sizes like a built-in one, naming itself',
  );
  t.end();
});

/** A 5-stage MLP and a fixed stream of examples. */
function setup(n: number): { units: () => PipelineUnit[]; data: Example[] } {
  const rng = new Rng(11);
  const data = range(n).map(() => {
    const input = randn([1, 6, 1, 1], rng);
    return { input, target: Int32Array.from([input.data[0] > 0 ? 1 : 0]) };
  });
  return { units: () => createModel('mlp', { inputShape: [6, 1, 1], numClasses: 2, depth: 4, hidden: 10, seed: 2 }).pipelineUnits(), data };
}

function weights(pipe: Pipeline): Data[] {
  return [...pipe.params().values()].map((w) => w.data.slice());
}

test('pipedream, run: the engine gives its stages D_s = S − s and uses the hand-derived versions; it equals the sequential simulation bit for bit', (t) => {
  const N = 30;
  const { units, data } = setup(N);
  const method = methodFor(pipedream, 'sc+lwp');
  t.equal(method.name, 'pipedream+sc+lwp', 'the method is named after the schedule and the mitigation');
  const make = (): Pipeline => new Pipeline({ units: units(), method, optimizer: sgdForMethod(method, { lr: 0.05, momentum: 0.9 }), recordVersions: true });
  const ticked = make();
  const S = ticked.stages.length;
  t.equal(S, 5, 'the MLP is 5 stages');
  t.deepEqual(ticked.stages.map((s) => s.delay), [4, 3, 2, 1, 0], 'each stage has delay S − s, not PB\'s 2(S − s)');
  ticked.run(N, (j) => data[j]);
  const wrong = ticked.versions.filter((r) => r.version !== (r.phase === 'B' ? r.sample : Math.max(0, r.sample - (S - r.stage))));
  t.equal(ticked.versions.length, 2 * S * N, 'one forward and one backward record per sample and stage');
  t.deepEqual(wrong, [], 'every forward used version max(0, j − (S − s)), every backward version j');
  t.deepEqual(ticked.memory.map((m) => m.peakInFlight), [5, 4, 3, 2, 1], 'stage s held S − s + 1 samples in flight');

  const simulated = make();
  simulate(simulated, N, (j) => data[j]);
  const a = weights(ticked);
  const b = weights(simulated);
  const same = a.every((x, k) => x.every((v, i) => Object.is(v, b[k][i])));
  t.ok(same, 'tick engine = sequential simulation, bit for bit, with SC and LWP acting on D_s = S − s');
  t.end();
});

test('pipedream with stashing is PipeDream: the backward of every sample uses its forward\'s version', (t) => {
  const N = 20;
  const { units, data } = setup(N);
  const method = methodFor(pipedream, 'stash');
  const pipe = new Pipeline({ units: units(), method, optimizer: sgdForMethod(method, { lr: 0.05, momentum: 0.9 }), recordVersions: true });
  pipe.run(N, (j) => data[j]);
  const forward = new Map(pipe.versions.filter((r) => r.phase === 'F').map((r) => [`${r.stage}:${r.sample}`, r.version]));
  const mismatched = pipe.versions.filter((r) => r.phase === 'B' && forward.get(`${r.stage}:${r.sample}`) !== r.version);
  t.deepEqual(mismatched, [], 'forward version = backward version at every stage');
  const versionBytes = pipe.stages.map((s) => s.parameterCount * 4);
  t.deepEqual(
    pipe.memory.map((m) => m.peakWeightVersionBytes),
    pipe.stages.map((s, i) => (5 - s.index) * versionBytes[i]),
    'stage s stashed S − s weight versions at its peak',
  );
  t.end();
});

test('a schedule whose delay grows with the run has no steady-state delay: the pipeline refuses it with one line', (t) => {
  // All forwards, then all backwards in order, each followed by its update: sample j waits j updates.
  const growing = defineSchedule('forwards-first', function* ({ stages, samples }) {
    for (let j = 0; j < samples; j++) for (let s = 1; s <= stages; s++) yield [{ kind: 'F', stage: s, sample: j }];
    for (let j = 0; j < samples; j++) for (let s = stages; s >= 1; s--) yield [{ kind: 'B', stage: s, sample: j }, { kind: 'U', stage: s, sample: j }];
  });
  const message = "schedule 'forwards-first' has no steady-state delay: stage 1 shows 7 over 8 samples but 15 over 16; a schedule's delays must stop growing once the pipeline is full";
  t.throws(() => steadyStateDelays(growing, 2), (e: Error) => e.message === message, message);
  const { units } = setup(1);
  t.throws(() => new Pipeline({ units: units(), method: methodFor(growing), optimizer: sgdForMethod('sgd', { lr: 0.1 }) }), /has no steady-state delay/, 'new Pipeline refuses it too');
  t.end();
});

test('the docs show the code this spec runs: the pipedream definition is in docs/pipelined-backprop.md verbatim', (t) => {
  const doc = readFileSync(new URL('../../docs/pipelined-backprop.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const start = source.indexOf('const pipedream = defineSchedule');
  const definition = source.slice(start, source.indexOf('\n});\n', start) + 4);
  t.ok(definition.length > 100 && doc.includes(definition), 'section 7 = the definition above');
  t.end();
});
