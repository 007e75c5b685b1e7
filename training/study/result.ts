/**
 * What a study keeps of each finished run: one small JSON file per run in the study's
 * folder, `result-<id>.json`. A study that is started again reads these files and
 * trains only the runs that have none, so an interrupted study resumes where it stopped.
 *
 * @module
 */
import type { EpochMetrics } from '../events.js';
import type { Curve } from '../curves.js';
import type { ResolvedHyperParameters } from '../hyperparameters.js';
import type { TrainResult } from '../run.js';
import type { PlannedRun } from './spec.js';

/** A finished run of a study. */
export interface StudyRunResult extends PlannedRun {
  /** The hyper-parameters after the scaling rules (absent when the run diverged before they were known). */
  resolved?: ResolvedHyperParameters;
  /** True when the loss stopped being a number and the run stopped. */
  diverged: boolean;
  /** The divergence message, when it diverged. */
  divergedMessage?: string;
  /** Test accuracy after the last epoch (null: regression, or diverged). */
  finalTestAccuracy: number | null;
  /** Test loss after the last epoch (null when it diverged). */
  finalTestLoss: number | null;
  /** Training loss of the last epoch (null when it diverged). */
  finalTrainLoss: number | null;
  /** Metrics of every epoch. */
  epochs: EpochMetrics[];
  /** The training and test curves. */
  curve: Curve | null;
  /** Wall-clock seconds of the run. */
  seconds: number;
}

/** The name of a run's result file in the study folder. */
export function resultName(id: string): string {
  return `result-${id}.json`;
}

/** The record of a run that finished. */
export function finishedResult(run: PlannedRun, r: TrainResult): StudyRunResult {
  return {
    ...run,
    resolved: r.resolved,
    diverged: false,
    finalTestAccuracy: r.finalTestAccuracy,
    finalTestLoss: r.finalTestLoss,
    finalTrainLoss: r.finalTrainLoss,
    epochs: r.epochs,
    curve: r.curve,
    seconds: r.seconds,
  };
}

/** The record of a run that diverged. */
export function divergedResult(run: PlannedRun, message: string, seconds: number): StudyRunResult {
  return { ...run, diverged: true, divergedMessage: message, finalTestAccuracy: null, finalTestLoss: null, finalTrainLoss: null, epochs: [], curve: null, seconds };
}
