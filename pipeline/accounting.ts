/**
 * Accounting: what a schedule does to weights, memory and time, read off its
 * instruction stream (DESIGN §7) — the stream is replayed, never re-derived from the
 * schedule's tick rule, so the numbers hold for any schedule, including one a user
 * writes.
 *
 * Conventions (DESIGN §5, and the order inside a tick in `instruction.ts`):
 *
 * - the **weight version** of a stage is the number of U the stage has executed; an F
 *   or B in tick `t` uses the version at the start of tick `t`, i.e. it counts the
 *   stage's U in ticks `< t` only;
 * - a stage-tick is **busy** when the stage runs an F or a B in it (a U alone does not
 *   count); **utilization** = busy stage-ticks / (stages × ticks);
 * - a sample is **in flight** at a stage in tick `t` when its forward there happened at
 *   or before `t` and its backward at or after `t`: its activations must be held
 *   during those ticks.
 *
 * Replaying also checks the stream: stages and samples in range, one F and one B per
 * (stage, sample), at most one F and one B per stage per tick, data flowing forward
 * stage by stage and backward stage by stage in strictly later ticks (the last stage
 * may do F and B of a sample in one tick), and every U after the B it applies.
 *
 * @module
 */
import { formatInstruction, type Schedule } from './instruction.js';

/** What one stage did over a whole schedule. Arrays are indexed by sample. */
export interface StageAccount {
  /** The stage, 1..S. */
  readonly stage: number;
  /** The tick of each sample's forward at this stage. */
  readonly forwardTick: readonly number[];
  /** The tick of each sample's backward at this stage. */
  readonly backwardTick: readonly number[];
  /** The weight version each sample's forward used: the stage's U in earlier ticks. */
  readonly forwardVersion: readonly number[];
  /** The weight version each sample's backward used: the stage's U in earlier ticks. */
  readonly backwardVersion: readonly number[];
  /** How many U the stage executed. */
  readonly updates: number;
  /** The tick of each of its U, in order: the stage's version during tick `t` counts those before `t`. */
  readonly updateTicks: readonly number[];
  /**
   * The observed delay: the largest `backwardVersion[j] − forwardVersion[j]` over all
   * samples of this stream. Samples forwarded during the fill see fewer updates in
   * between, so a stream too short to reach the steady state reports less;
   * `steadyStateDelays` chooses a stream long enough. For PB it is `D_s = 2(S − s)`
   * once there are more than `D_s` samples.
   */
  readonly delay: number;
  /** The most samples in flight at this stage in any one tick (activations to hold). */
  readonly peakInFlight: number;
  /** Ticks in which the stage ran an F or a B. */
  readonly busyTicks: number;
}

/** What a schedule does over its whole run, from {@link accountSchedule}. */
export interface ScheduleAccount {
  /** The schedule's name. */
  readonly name: string;
  /** Number of stages S. */
  readonly stages: number;
  /** Number of sample indices N. */
  readonly samples: number;
  /** Number of ticks the stream has. */
  readonly ticks: number;
  /** Stage-ticks with an F or a B, summed over stages. */
  readonly busyStageTicks: number;
  /** `busyStageTicks / (stages × ticks)`, in (0, 1]. */
  readonly utilization: number;
  /** One account per stage; `perStage[s − 1]` is stage `s`. */
  readonly perStage: readonly StageAccount[];
}

/**
 * Replays `schedule`'s instruction stream and accounts for it: the weight version of
 * every forward and backward, the delay, the peak activations in flight and the busy
 * ticks per stage, and the utilization. Throws a one-line error naming the instruction
 * and the tick when the stream breaks a rule listed in this module's description.
 *
 * @example
 * const account = accountSchedule(makeSchedule('pb', { stages: 4, samples: 8 }));
 * account.perStage[0].delay;         // 6 = 2(S − 1)
 * account.perStage[0].peakInFlight;  // 7
 */
export function accountSchedule(schedule: Schedule): ScheduleAccount {
  const { name, stages, samples } = schedule;
  const perStage = (fill: number): number[][] => Array.from({ length: stages }, () => new Array<number>(samples).fill(fill));
  const forwardTick = perStage(-1);
  const backwardTick = perStage(-1);
  const forwardVersion = perStage(0);
  const backwardVersion = perStage(0);
  const version = new Array<number>(stages).fill(0);
  const updateTicks = Array.from({ length: stages }, (): number[] => []);
  const busyTicks = new Array<number>(stages).fill(0);

  let t = 0;
  for (const tick of schedule.ticks()) {
    const updated = new Array<number>(stages).fill(0);
    const ran = { F: new Array<boolean>(stages).fill(false), B: new Array<boolean>(stages).fill(false) };
    for (const instruction of tick) {
      const fail = (why: string): never => {
        throw new Error(`schedule '${name}': ${formatInstruction(instruction)} at tick ${t} ${why}`);
      };
      const { kind, stage: s, sample: j } = instruction;
      if (!Number.isInteger(s) || s < 1 || s > stages) fail(`names a stage outside 1..${stages}`);
      if (!Number.isInteger(j) || j < 0 || j >= samples) fail(`names a sample outside 0..${samples - 1}`);
      const k = s - 1;
      if (kind === 'U') {
        if (backwardTick[k][j] < 0) fail(`comes before ${s}B${j}, the backward whose gradient it applies`);
        updated[k]++;
        updateTicks[k].push(t);
        continue;
      }
      if (kind !== 'F' && kind !== 'B') fail(`has kind '${String(kind)}'; kinds are F, B and U`);
      if (ran[kind][k]) fail(`is the second ${kind} of stage ${s} in one tick`);
      const ticks = kind === 'F' ? forwardTick : backwardTick;
      if (ticks[k][j] >= 0) fail(`repeats ${formatInstruction(instruction)} of tick ${ticks[k][j]}`);
      if (kind === 'F' && s > 1 && !(forwardTick[k - 1][j] >= 0 && forwardTick[k - 1][j] < t)) {
        fail(`needs ${s - 1}F${j} in an earlier tick`);
      }
      if (kind === 'B' && s < stages && !(backwardTick[k + 1][j] >= 0 && backwardTick[k + 1][j] < t)) {
        fail(`needs ${s + 1}B${j} in an earlier tick`);
      }
      if (kind === 'B' && forwardTick[k][j] < 0) fail(`comes before ${s}F${j}`);
      ran[kind][k] = true;
      ticks[k][j] = t;
      (kind === 'F' ? forwardVersion : backwardVersion)[k][j] = version[k];
    }
    for (let k = 0; k < stages; k++) {
      version[k] += updated[k];
      if (ran.F[k] || ran.B[k]) busyTicks[k]++;
    }
    t++;
  }

  for (let k = 0; k < stages; k++) {
    for (let j = 0; j < samples; j++) {
      if (forwardTick[k][j] < 0) throw new Error(`schedule '${name}' never runs ${k + 1}F${j}`);
      if (backwardTick[k][j] < 0) throw new Error(`schedule '${name}' never runs ${k + 1}B${j}`);
    }
  }

  const accounts = Array.from({ length: stages }, (_, k): StageAccount => ({
    stage: k + 1,
    forwardTick: forwardTick[k],
    backwardTick: backwardTick[k],
    forwardVersion: forwardVersion[k],
    backwardVersion: backwardVersion[k],
    updates: version[k],
    updateTicks: updateTicks[k],
    delay: backwardVersion[k].reduce((most, v, j) => Math.max(most, v - forwardVersion[k][j]), 0),
    peakInFlight: peakInFlight(forwardTick[k], backwardTick[k], t),
    busyTicks: busyTicks[k],
  }));
  const busyStageTicks = busyTicks.reduce((a, b) => a + b, 0);
  return {
    name,
    stages,
    samples,
    ticks: t,
    busyStageTicks,
    utilization: busyStageTicks / (stages * t),
    perStage: accounts,
  };
}

/** The most samples with `forward[j] ≤ t ≤ backward[j]` at any tick `t`. */
function peakInFlight(forward: readonly number[], backward: readonly number[], ticks: number): number {
  // +1 where a sample's activations appear, −1 the tick after its backward.
  const change = new Array<number>(ticks + 1).fill(0);
  forward.forEach((f, j) => {
    change[f]++;
    change[backward[j] + 1]--;
  });
  let inFlight = 0;
  let peak = 0;
  for (const c of change) peak = Math.max(peak, (inFlight += c));
  return peak;
}
