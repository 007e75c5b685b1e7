/**
 * Schedules as data (DESIGN §5, §7): the tick rules, and what the accounting reads
 * off the instruction stream — weight versions, delays, activations in flight,
 * utilization — checked against the formulas. Also the pictures and the errors.
 */
import test from 'tape';
import { accountSchedule } from '../../pipeline/accounting.js';
import { delayOf } from '../../pipeline/schedules/pb.js';
import { formatInstruction, type Instruction, type Schedule, type Tick } from '../../pipeline/instruction.js';
import { renderAscii } from '../../pipeline/render-ascii.js';
import { renderSvg } from '../../pipeline/render-svg.js';
import { steadyStateDelays } from '../../pipeline/delays.js';
import { makeSchedule, resolveSchedule, type ScheduleName, type ScheduleOptions } from '../../pipeline/schedules/index.js';

/** Every instruction of the stream with the tick it is in. */
function timed(schedule: Schedule): { tick: number; instruction: Instruction }[] {
  return [...schedule.ticks()].flatMap((tick, t) => tick.map((instruction) => ({ tick: t, instruction })));
}

/** A schedule made by hand from a list of ticks, as a user (or a broken generator) would. */
function handMade(stages: number, samples: number, ticks: Tick[]): Schedule {
  return { name: 'hand-made', stages, samples, microBatchSize: 1, ticks: () => ticks };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const F = (stage: number, sample: number): Instruction => ({ kind: 'F', stage, sample });
const B = (stage: number, sample: number): Instruction => ({ kind: 'B', stage, sample });
const U = (stage: number, sample: number): Instruction => ({ kind: 'U', stage, sample });

test('notation: stage, kind, sample — 2F0, 3B1, and 3U1 for the update with sample 1’s gradient', (t) => {
  t.equal(formatInstruction(F(2, 0)), '2F0');
  t.equal(formatInstruction(B(3, 1)), '3B1');
  t.equal(formatInstruction(U(3, 1)), '3U1');
  t.end();
});

test('pb, S = 4, 8 samples: sFj at tick j+s−1, sBj at tick j+2S−s−1 followed by sUj, N+2S−2 ticks', (t) => {
  const S = 4;
  const N = 8;
  const schedule = makeSchedule('pb', { stages: S, samples: N });
  const stream = timed(schedule);
  const misplaced = stream
    .map(({ tick, instruction: { kind, stage: s, sample: j }, instruction }) => ({
      instruction: formatInstruction(instruction),
      tick,
      expected: kind === 'F' ? j + s - 1 : j + 2 * S - s - 1,
    }))
    .filter(({ tick, expected }) => tick !== expected);
  t.deepEqual(misplaced, [], 'every F, B and U is at the tick of its rule');
  for (const kind of ['F', 'B', 'U'] as const) {
    t.equal(stream.filter((x) => x.instruction.kind === kind).length, S * N, `one ${kind} per stage and sample`);
  }
  const ticks = [...schedule.ticks()];
  const everyUFollowsItsB = ticks.every((tick) =>
    tick.every((i, n) => i.kind !== 'U' || (n > 0 && formatInstruction(tick[n - 1]) === `${i.stage}B${i.sample}`)),
  );
  t.ok(everyUFollowsItsB, 'every sUj comes right after sBj in its tick');
  t.equal(ticks.length, N + 2 * S - 2, 'the run lasts N + 2S − 2 ticks');
  t.deepEqual(ticks[3].map(formatInstruction), ['1F3', '2F2', '3F1', '4F0', '4B0', '4U0'], 'the last stage does F, B and U of sample 0 in tick S−1');
  t.end();
});

test('pb versions (§5): the backward of sample j at stage s uses version j, its forward max(0, j − D_s)', (t) => {
  for (const [S, N] of [[4, 8], [8, 20]]) {
    const account = accountSchedule(makeSchedule('pb', { stages: S, samples: N }));
    for (const stage of account.perStage) {
      const D = delayOf(stage.stage, S);
      t.deepEqual(stage.backwardVersion, range(N), `S=${S}, stage ${stage.stage}: backward versions 0..${N - 1}`);
      t.deepEqual(
        stage.forwardVersion,
        range(N).map((j) => Math.max(0, j - D)),
        `S=${S}, stage ${stage.stage}: forward versions max(0, j − ${D})`,
      );
      t.equal(stage.updates, N, `S=${S}, stage ${stage.stage}: one update per sample`);
    }
  }
  t.end();
});

test('pb delay: the observed version gap at stage s is D_s = 2(S − s) once the pipeline is full', (t) => {
  t.equal(delayOf(1, 4), 6, 'D_1 = 6 for S = 4');
  t.equal(delayOf(4, 4), 0, 'the last stage has no delay');
  for (const [S, N] of [[4, 8], [8, 20]]) {
    const account = accountSchedule(makeSchedule('pb', { stages: S, samples: N }));
    t.deepEqual(
      account.perStage.map((stage) => stage.delay),
      range(S).map((k) => 2 * (S - k - 1)),
      `S=${S}, N=${N}: delays ${range(S).map((k) => 2 * (S - k - 1)).join(', ')}`,
    );
  }
  t.end();
});

test('pb memory: stage s holds at most min(D_s + 1, N) activations in flight', (t) => {
  for (const [S, N] of [[4, 8], [8, 20], [4, 3]]) {
    const account = accountSchedule(makeSchedule('pb', { stages: S, samples: N }));
    t.deepEqual(
      account.perStage.map((stage) => stage.peakInFlight),
      account.perStage.map((stage) => Math.min(delayOf(stage.stage, S) + 1, N)),
      `S=${S}, N=${N}: peaks ${account.perStage.map((stage) => stage.peakInFlight).join(', ')}`,
    );
  }
  t.end();
});

test('pb utilization: every stage busy in ticks S−1..N+S−2, (N+S−1)/(N+2S−2) over a finite run, → 1 over a long one', (t) => {
  for (const [S, N] of [[4, 8], [8, 20], [3, 5]]) {
    const schedule = makeSchedule('pb', { stages: S, samples: N });
    const fullTicks = [...schedule.ticks()]
      .map((tick, n) => ({ n, busy: new Set(tick.filter((i) => i.kind !== 'U').map((i) => i.stage)).size }))
      .filter(({ busy }) => busy === S)
      .map(({ n }) => n);
    t.deepEqual(fullTicks, range(N).map((j) => j + S - 1), `S=${S}, N=${N}: all stages busy exactly in ticks ${S - 1}..${N + S - 2}`);
    // Busy stage-ticks: stage s works from tick s−1 to tick N+2S−s−2, i.e. N + D_s ticks (N ≥ D_1).
    const account = accountSchedule(schedule);
    t.equal(account.busyStageTicks, S * N + S * (S - 1), `S=${S}, N=${N}: busy stage-ticks = SN + S(S−1)`);
    t.ok(Math.abs(account.utilization - (N + S - 1) / (N + 2 * S - 2)) < 1e-12, `S=${S}, N=${N}: utilization ${account.utilization} = (N+S−1)/(N+2S−2)`);
  }
  const long = accountSchedule(makeSchedule('pb', { stages: 4, samples: 10000 }));
  t.ok(long.utilization > 0.999, `S=4, N=10000: utilization ${long.utilization} > 0.999`);
  t.end();
});

test('pb with micro-batches: the stream is unchanged, each sample index carries B samples', (t) => {
  const single = makeSchedule('pb', { stages: 3, samples: 6 });
  const batched = makeSchedule('pb', { stages: 3, samples: 6, microBatchSize: 4 });
  t.equal(batched.microBatchSize, 4);
  t.deepEqual([...batched.ticks()], [...single.ticks()], 'same instructions, tick by tick');
  t.end();
});

test('sequential: plain SGD — delay 0, one activation in flight, utilization exactly 1/S', (t) => {
  const S = 4;
  const N = 5;
  const account = accountSchedule(makeSchedule('sequential', { stages: S, samples: N }));
  t.equal(account.ticks, N * (2 * S - 1), 'each sample takes 2S − 1 ticks');
  t.equal(account.utilization, 1 / S);
  for (const stage of account.perStage) {
    t.deepEqual([stage.forwardVersion, stage.backwardVersion], [range(N), range(N)], `stage ${stage.stage}: both passes of sample j use version j`);
    t.deepEqual([stage.delay, stage.peakInFlight], [0, 1], `stage ${stage.stage}: delay 0, one sample in flight`);
  }
  t.end();
});

test('one stage: pb and sequential are the same stream (F, B, U of a sample per tick)', (t) => {
  const pb = makeSchedule('pb', { stages: 1, samples: 3 });
  const sequential = makeSchedule('sequential', { stages: 1, samples: 3 });
  t.deepEqual([...pb.ticks()], [...sequential.ticks()]);
  t.end();
});

test('gpipe utilization is exactly M/(M+S−1): 2M busy ticks of 2(M+S−1) per stage and round', (t) => {
  for (const [S, M, rounds] of [[4, 4, 2], [2, 8, 2], [8, 4, 3], [1, 3, 2], [4, 1, 3]]) {
    const account = accountSchedule(makeSchedule('gpipe', { stages: S, samples: M * rounds, microBatches: M }));
    t.deepEqual(
      [account.ticks, account.busyStageTicks],
      [rounds * 2 * (M + S - 1), rounds * 2 * M * S],
      `S=${S}, M=${M}: ${rounds} rounds of 2(M+S−1) ticks with 2MS busy stage-ticks`,
    );
    t.ok(Math.abs(account.utilization - M / (M + S - 1)) < 1e-12, `S=${S}, M=${M}: utilization ${account.utilization} = ${M}/${M + S - 1}`);
  }
  t.end();
});

test('gpipe: one synchronous update per M micro-batches; both passes of round r use version r', (t) => {
  const M = 4;
  const account = accountSchedule(makeSchedule('gpipe', { stages: 4, samples: 10, microBatches: M }));
  const round = range(10).map((j) => Math.floor(j / M));
  for (const stage of account.perStage) {
    t.equal(stage.updates, 3, `stage ${stage.stage}: 3 updates for 10 samples (the last round has 2)`);
    t.deepEqual([stage.forwardVersion, stage.backwardVersion], [round, round], `stage ${stage.stage}: versions ${round.join(',')}`);
    t.deepEqual([stage.delay, stage.peakInFlight], [0, M], `stage ${stage.stage}: delay 0, M activations in flight`);
  }
  t.end();
});

test('1f1b: as many updates and the same utilization as gpipe, with at most S − s + 1 activations in flight', (t) => {
  for (const [S, M, N] of [[4, 4, 8], [4, 8, 16], [3, 2, 7], [8, 12, 24]]) {
    const size = { stages: S, samples: N, microBatches: M };
    const oneFOneB = accountSchedule(makeSchedule('1f1b', size));
    const gpipe = accountSchedule(makeSchedule('gpipe', size));
    const label = `S=${S}, M=${M}, N=${N}`;
    t.deepEqual(oneFOneB.perStage.map((s) => s.updates), gpipe.perStage.map((s) => s.updates), `${label}: updates per stage as gpipe`);
    t.deepEqual([oneFOneB.ticks, oneFOneB.busyStageTicks], [gpipe.ticks, gpipe.busyStageTicks], `${label}: ticks and busy stage-ticks as gpipe`);
    t.deepEqual(
      oneFOneB.perStage.map((s) => [s.forwardVersion, s.backwardVersion]),
      gpipe.perStage.map((s) => [s.forwardVersion, s.backwardVersion]),
      `${label}: weight versions as gpipe`,
    );
    t.deepEqual(
      oneFOneB.perStage.map((s) => s.peakInFlight),
      oneFOneB.perStage.map((s) => Math.min(S - s.stage + 1, M, N)),
      `${label}: peak in flight min(S − s + 1, M)`,
    );
  }
  t.end();
});

test('steady-state delays, read off each stream: 2(S − s) for pb, 0 for sequential, gpipe and 1f1b', (t) => {
  for (const S of [1, 2, 4, 8]) {
    const stages = range(S).map((k) => k + 1);
    t.deepEqual(steadyStateDelays(resolveSchedule('pb'), S), stages.map((s) => delayOf(s, S)), `pb, S=${S}: D_s = 2(S − s)`);
    t.deepEqual(steadyStateDelays(resolveSchedule('sequential'), S), stages.map(() => 0), `sequential, S=${S}: all 0`);
    for (const M of [1, 4]) {
      for (const name of ['gpipe', '1f1b'] as const) {
        t.deepEqual(steadyStateDelays(resolveSchedule(name), S, M), stages.map(() => 0), `${name}, S=${S}, M=${M}: all 0`);
      }
    }
  }
  // A short stream under-reports during the fill: 3 samples through 4 stages show at most 2 at stage 1.
  t.equal(accountSchedule(makeSchedule('pb', { stages: 4, samples: 3 })).perStage[0].delay, 2, 'a 3-sample pb stream shows delay 2 at stage 1, not 6');
  t.end();
});

test('ASCII, pb S = 4, 8 samples: one line per tick, one column per stage', (t) => {
  const expected = [
    'tick  stage 1      stage 2      stage 3      stage 4',
    '   0  1F0',
    '   1  1F1          2F0',
    '   2  1F2          2F1          3F0',
    '   3  1F3          2F2          3F1          4F0 4B0 4U0',
    '   4  1F4          2F3          3F2 3B0 3U0  4F1 4B1 4U1',
    '   5  1F5          2F4 2B0 2U0  3F3 3B1 3U1  4F2 4B2 4U2',
    '   6  1F6 1B0 1U0  2F5 2B1 2U1  3F4 3B2 3U2  4F3 4B3 4U3',
    '   7  1F7 1B1 1U1  2F6 2B2 2U2  3F5 3B3 3U3  4F4 4B4 4U4',
    '   8  1B2 1U2      2F7 2B3 2U3  3F6 3B4 3U4  4F5 4B5 4U5',
    '   9  1B3 1U3      2B4 2U4      3F7 3B5 3U5  4F6 4B6 4U6',
    '  10  1B4 1U4      2B5 2U5      3B6 3U6      4F7 4B7 4U7',
    '  11  1B5 1U5      2B6 2U6      3B7 3U7',
    '  12  1B6 1U6      2B7 2U7',
    '  13  1B7 1U7',
    '',
  ].join('\n');
  t.equal(renderAscii(makeSchedule('pb', { stages: 4, samples: 8 })), expected);
  t.end();
});

test('ASCII, gpipe S = 4, M = 4, 8 samples: fill, drain in reverse, flush, twice', (t) => {
  const expected = [
    'tick  stage 1  stage 2  stage 3  stage 4',
    '   0  1F0',
    '   1  1F1      2F0',
    '   2  1F2      2F1      3F0',
    '   3  1F3      2F2      3F1      4F0',
    '   4           2F3      3F2      4F1',
    '   5                    3F3      4F2',
    '   6                             4F3',
    '   7                             4B3',
    '   8                    3B3      4B2',
    '   9           2B3      3B2      4B1',
    '  10  1B3      2B2      3B1      4B0',
    '  11  1B2      2B1      3B0',
    '  12  1B1      2B0',
    '  13  1B0 1U3  2U3      3U3      4U3',
    '  14  1F4',
    '  15  1F5      2F4',
    '  16  1F6      2F5      3F4',
    '  17  1F7      2F6      3F5      4F4',
    '  18           2F7      3F6      4F5',
    '  19                    3F7      4F6',
    '  20                             4F7',
    '  21                             4B7',
    '  22                    3B7      4B6',
    '  23           2B7      3B6      4B5',
    '  24  1B7      2B6      3B5      4B4',
    '  25  1B6      2B5      3B4',
    '  26  1B5      2B4',
    '  27  1B4 1U7  2U7      3U7      4U7',
    '',
  ].join('\n');
  t.equal(renderAscii(makeSchedule('gpipe', { stages: 4, samples: 8, microBatches: 4 })), expected);
  t.end();
});

/** Whether every `<tag>` is closed in order (self-closing tags count as closed). */
function tagsBalance(xml: string): boolean {
  const open: string[] = [];
  for (const [, close, name, selfClosing] of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (!close) open.push(name);
    else if (open.pop() !== name) return false;
  }
  return open.length === 0;
}

test('SVG: a standalone document with one rect per F and B and one line per U', (t) => {
  const cases: [ScheduleName, ScheduleOptions][] = [
    ['pb', { stages: 4, samples: 8 }],
    ['gpipe', { stages: 4, samples: 8, microBatches: 4 }],
  ];
  for (const [name, options] of cases) {
    const schedule = makeSchedule(name, options);
    const svg = renderSvg(schedule);
    const count = (kind: string): number => timed(schedule).filter((x) => x.instruction.kind === kind).length;
    t.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), `${name}: starts with <svg and the SVG namespace`);
    t.ok(svg.trimEnd().endsWith('</svg>'), `${name}: ends with </svg>`);
    t.ok(tagsBalance(svg), `${name}: every tag is closed`);
    t.equal(svg.match(/<rect /g)?.length, count('F') + count('B'), `${name}: one rect per F and B`);
    t.equal(svg.match(/<line class="U"/g)?.length, count('U'), `${name}: one line per U`);
    t.ok(svg.includes('>stage 4</text>') && svg.includes('>tick</text>'), `${name}: axes are labelled`);
  }
  t.end();
});

test('errors: unknown names list the valid ones; bad sizes say which number and why, on one line', (t) => {
  const cases: [string, () => unknown, RegExp][] = [
    ['unknown name', () => makeSchedule('pd' as ScheduleName, { stages: 4, samples: 8 }), /^unknown schedule 'pd'; valid names: sequential, pb, gpipe, 1f1b$/],
    ['no stages', () => makeSchedule('pb', { stages: 0, samples: 8 }), /^stages must be an integer ≥ 1, got 0$/],
    ['fractional stages', () => makeSchedule('sequential', { stages: 2.5, samples: 8 }), /^stages must be an integer ≥ 1, got 2\.5$/],
    ['negative samples', () => makeSchedule('pb', { stages: 4, samples: -1 }), /^samples must be an integer ≥ 1, got -1$/],
    ['micro-batch size 0', () => makeSchedule('pb', { stages: 4, samples: 8, microBatchSize: 0 }), /^microBatchSize must be an integer ≥ 1, got 0$/],
    ['zero micro-batches', () => makeSchedule('gpipe', { stages: 4, samples: 8, microBatches: 0 }), /^microBatches must be an integer ≥ 1, got 0$/],
    ['gpipe without micro-batches', () => makeSchedule('gpipe', { stages: 4, samples: 8 }), /^gpipe needs microBatches/],
    ['pb with micro-batches', () => makeSchedule('pb', { stages: 4, samples: 8, microBatches: 4 }), /^microBatches applies to schedules that flush \(gpipe, 1f1b\) only; pb updates after every sample$/],
    ['stage beyond S', () => delayOf(5, 4), /^stage must be an integer in 1\.\.4, got 5$/],
  ];
  for (const [what, make, message] of cases) {
    try {
      make();
      t.fail(`${what}: expected an error matching ${message}`);
    } catch (error) {
      const text = (error as Error).message;
      t.ok(message.test(text) && !text.includes('\n'), `${what}: "${text}"`);
    }
  }
  t.end();
});

test('accounting reads only the stream: it rejects a hand-made stream that breaks the data flow', (t) => {
  const ok = handMade(2, 1, [[F(1, 0)], [F(2, 0), B(2, 0), U(2, 0)], [B(1, 0), U(1, 0)]]);
  t.deepEqual(accountSchedule(ok).perStage.map((s) => s.forwardTick), [[0], [1]], 'a correct hand-made stream is accounted');
  const broken: [string, Tick[], string][] = [
    ['forward too early', [[F(1, 0), F(2, 0)]], "schedule 'hand-made': 2F0 at tick 0 needs 1F0 in an earlier tick"],
    ['update before backward', [[F(1, 0)], [F(2, 0), U(2, 0), B(2, 0)]], "schedule 'hand-made': 2U0 at tick 1 comes before 2B0, the backward whose gradient it applies"],
    ['missing backward', [[F(1, 0)], [F(2, 0), B(2, 0), U(2, 0)]], "schedule 'hand-made' never runs 1B0"],
    ['stage out of range', [[F(3, 0)]], "schedule 'hand-made': 3F0 at tick 0 names a stage outside 1..2"],
  ];
  for (const [what, ticks, message] of broken) {
    t.throws(() => accountSchedule(handMade(2, 1, ticks)), (e: Error) => e.message === message, `${what}: "${message}"`);
  }
  t.end();
});
