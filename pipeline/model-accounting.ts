/**
 * Accounting for a model under a method: per stage its layers, parameters, delay,
 * activations in flight (count and bytes) and extra weight versions (bytes), plus the
 * pipeline's utilization.
 *
 * Every count comes from the method's instruction stream ({@link accountSchedule}), and
 * each stage's delay is the one the pipeline runs with, read off the same schedule's
 * stream (`steadyStateDelays`): 0 on `sequential`, `gpipe` and `1f1b`. Bytes multiply
 * those counts by sizes measured in one forward pass of a sample:
 *
 * - activation bytes of a stage = peak samples in flight × (its input bundle + output
 *   bundle, float32) — what it must hold between a sample's forward and backward;
 * - weight-version bytes = the most extra copies of the stage's weights the mitigation
 *   holds in any tick (`Mitigation.weightCopies` of the forward versions in flight and
 *   the stage's version in that tick: with stashing, the distinct forward versions
 *   other than the current one, `D_s` in steady state; PipeMare's `δ`, one copy; none
 *   otherwise — LWP and SpecTrain compute their prediction from `w` and `v` when
 *   needed) × the stage's parameters × 4.
 *
 * @module
 */
import { noGrad, type Tensor } from '../core/index.js';
import { accountSchedule, type StageAccount } from './accounting.js';
import type { Pipeline } from './engine.js';
import type { Mitigation } from './mitigations/mitigation.js';

/** One stage's row of the table. */
export interface StageRow {
  /** Stage index, 1-based. */
  stage: number;
  /** Names of the units it runs. */
  layers: string[];
  /** Parameters it owns. */
  parameters: number;
  /** Its delay `D_s`, from the schedule's stream. */
  delay: number;
  /** Peak samples in flight. */
  inFlight: number;
  /** Peak activation bytes held. */
  activationBytes: number;
  /** Extra weight-version bytes held. */
  weightVersionBytes: number;
}

/** The table for a whole pipeline. */
export interface PipelineAccount {
  /** The method's name. */
  method: string;
  /** One row per stage. */
  rows: StageRow[];
  /** Column sums (delay: the largest). */
  total: StageRow;
  /** Busy stage-ticks / all stage-ticks of the schedule the rows were counted on. */
  utilization: number;
  /** Samples (or micro-batches) of that schedule. */
  samples: number;
}

/**
 * Account a pipeline's method on `samples` samples (default: enough to reach the
 * steady state, `4·S` rounded up to whole rounds of micro-batches) with `input` as one
 * sample's input batch for the sizes.
 */
export function accountPipeline(pipe: Pipeline, input: Tensor, samples?: number): PipelineAccount {
  const S = pipe.stages.length;
  const round = pipe.microBatches ?? 1;
  const n = samples ?? Math.ceil(Math.max(4 * S, 8) / round) * round;
  const account = accountSchedule(pipe.schedule(n));
  const bundleBytes = noGrad(() => {
    const sizes: number[] = [];
    let bundle = [input];
    for (const stage of pipe.stages) {
      const out = stage.forward(bundle, stage.params);
      sizes.push([...bundle, ...out].reduce((b, t) => b + t.size * 4, 0));
      bundle = out;
    }
    pipe.bindCurrent();
    return sizes;
  });
  const rows = pipe.stages.map((stage, i): StageRow => {
    const acc = account.perStage[i];
    const copies = peakWeightCopies(acc, account.ticks, pipe.method.mitigation);
    return {
      stage: stage.index,
      layers: stage.units.map((u) => u.name),
      parameters: stage.parameterCount,
      delay: stage.delay,
      inFlight: acc.peakInFlight,
      activationBytes: acc.peakInFlight * bundleBytes[i],
      weightVersionBytes: copies * stage.parameterCount * 4,
    };
  });
  const total: StageRow = {
    stage: 0,
    layers: [],
    parameters: rows.reduce((a, r) => a + r.parameters, 0),
    delay: Math.max(...rows.map((r) => r.delay)),
    inFlight: rows.reduce((a, r) => a + r.inFlight, 0),
    activationBytes: rows.reduce((a, r) => a + r.activationBytes, 0),
    weightVersionBytes: rows.reduce((a, r) => a + r.weightVersionBytes, 0),
  };
  return { method: pipe.method.name, rows, total, utilization: account.utilization, samples: n };
}

/**
 * The most weight copies `mitigation` holds at a stage in any tick: at tick `t` the
 * samples in flight are those with `forwardTick ≤ t ≤ backwardTick`, and the stage's
 * version is the number of its updates in ticks before `t`.
 */
function peakWeightCopies(acc: StageAccount, ticks: number, mitigation: Mitigation): number {
  let peak = 0;
  let version = 0;
  for (let t = 0; t < ticks; t++) {
    while (version < acc.updateTicks.length && acc.updateTicks[version] < t) version++;
    const inFlight: number[] = [];
    acc.forwardTick.forEach((f, j) => {
      if (f <= t && acc.backwardTick[j] >= t) inFlight.push(acc.forwardVersion[j]);
    });
    peak = Math.max(peak, mitigation.weightCopies(inFlight, version));
  }
  return peak;
}

/** Bytes as a short human string: `12.3 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
