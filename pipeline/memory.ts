/**
 * Memory measured while a pipeline runs: per stage, the most samples in flight, the
 * bytes of their activations, and the bytes of the extra weight copies the mitigation
 * holds. The counts that `inspect` predicts from the stream alone are in
 * `model-accounting.ts`; this is what a run actually held.
 *
 * @module
 */
import type { Mitigation } from './mitigations/mitigation.js';
import type { InFlight, PipelineStage } from './stage.js';

/** Per-stage memory, measured while running. */
export interface StageMemory {
  /** Most samples in flight at once (forward done, backward not yet). */
  peakInFlight: number;
  /** Bytes of the input and output bundles held for those samples, at the peak. */
  peakActivationBytes: number;
  /** Bytes of extra weight versions the method must keep (stashed versions; PipeMare's `δ`), at the peak. */
  peakWeightVersionBytes: number;
}

/** A stage's memory before anything ran. */
export function emptyMemory(): StageMemory {
  return { peakInFlight: 0, peakActivationBytes: 0, peakWeightVersionBytes: 0 };
}

/**
 * Update `memory` with what `stage` holds now, with `flights` in flight: activation
 * bytes = float32 elements of every in-flight sample's input and output bundles × 4;
 * weight bytes = `mitigation.weightCopies(forward versions in flight, current version)`
 * × the stage's parameters × 4. Measured whenever the count in flight reaches its peak.
 */
export function measureStage(memory: StageMemory, flights: ReadonlyMap<number, InFlight>, stage: PipelineStage, mitigation: Mitigation): void {
  if (flights.size < memory.peakInFlight) return;
  let activations = 0;
  const versions: number[] = [];
  for (const f of flights.values()) {
    activations += bundleBytes(f);
    versions.push(f.version);
  }
  const weightBytes = mitigation.weightCopies(versions, stage.version) * stage.parameterCount * 4;
  memory.peakInFlight = flights.size;
  memory.peakActivationBytes = Math.max(memory.peakActivationBytes, activations);
  memory.peakWeightVersionBytes = Math.max(memory.peakWeightVersionBytes, weightBytes);
}

/** The bytes of each in-flight sample's bundles, counted once per sample (they never change). */
const counted = new WeakMap<InFlight, number>();

function bundleBytes(f: InFlight): number {
  let bytes = counted.get(f);
  if (bytes === undefined) {
    bytes = 0;
    for (const t of f.inputs) bytes += t.size * 4;
    for (const t of f.outputs) bytes += t.size * 4;
    counted.set(f, bytes);
  }
  return bytes;
}
