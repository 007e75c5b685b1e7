/**
 * Accounting for a model under a method: per stage its layers, parameters, delay,
 * activations in flight (count and bytes) and extra weight versions (bytes), plus the
 * pipeline's utilization.
 *
 * Every count comes from the method's instruction stream ({@link accountSchedule});
 * bytes multiply those counts by sizes measured in one forward pass of a sample:
 *
 * - activation bytes of a stage = peak samples in flight × (its input bundle + output
 *   bundle, float32) — what it must hold between a sample's forward and backward;
 * - weight-version bytes = the extra copies of the stage's weights the method keeps:
 *   with stashing, the distinct forward versions of the samples in flight other than
 *   the current one (`D_s` in steady state); PipeMare's `δ`, one copy; none otherwise
 *   (LWP and SpecTrain compute their prediction from `w` and `v` when needed).
 *
 * @module
 */
import { noGrad, type Tensor } from '../core/index.js';
import { accountSchedule } from './accounting.js';
import type { Pipeline } from './engine.js';

/** One stage's row of the table. */
export interface StageRow {
  /** Stage index, 1-based. */
  stage: number;
  /** Names of the units it runs. */
  layers: string[];
  /** Parameters it owns. */
  parameters: number;
  /** Its delay `D_s`. */
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
 * steady state, `4·S`) with `input` as one sample's input batch for the sizes.
 */
export function accountPipeline(pipe: Pipeline, input: Tensor, samples?: number): PipelineAccount {
  const S = pipe.stages.length;
  const n = samples ?? Math.max(4 * S, 8);
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
    const versionBytes = stage.parameterCount * 4;
    let extraVersions = 0;
    if (pipe.method.backward === 'stashed') extraVersions = peakExtraVersions(acc.forwardTick, acc.backwardTick, acc.forwardVersion, account.ticks);
    if (pipe.method.backward === 'corrected') extraVersions = 1;
    return {
      stage: stage.index,
      layers: stage.units.map((u) => u.name),
      parameters: stage.parameterCount,
      delay: stage.delay,
      inFlight: acc.peakInFlight,
      activationBytes: acc.peakInFlight * bundleBytes[i],
      weightVersionBytes: extraVersions * versionBytes,
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
 * The most distinct weight versions, other than the stage's current one, that the
 * samples in flight were forwarded with at any tick: what weight stashing must keep.
 */
function peakExtraVersions(fTick: readonly number[], bTick: readonly number[], fVersion: readonly number[], ticks: number): number {
  let peak = 0;
  for (let t = 0; t < ticks; t++) {
    const versions = new Set<number>();
    let current = 0;
    for (let j = 0; j < fTick.length; j++) {
      if (bTick[j] < t) current = Math.max(current, j + 1);
      if (fTick[j] <= t && bTick[j] >= t) versions.add(fVersion[j]);
    }
    versions.delete(current);
    peak = Math.max(peak, versions.size);
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
