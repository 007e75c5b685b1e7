/**
 * What a run reports as it goes, as callbacks: a progress report about fifty times an
 * epoch, and the metrics of each epoch after its evaluation. The command line prints
 * them; a library user may draw them, log them, or ignore them.
 *
 * @module
 */

/** A progress report within an epoch. */
export interface Progress {
  /** The epoch, from 1. */
  epoch: number;
  /** Epochs of the run. */
  epochs: number;
  /** Training samples seen in this epoch so far. */
  samples: number;
  /** Training samples per epoch. */
  samplesPerEpoch: number;
  /** Training throughput of this epoch so far. */
  samplesPerSecond: number;
  /** Mean training loss since the previous report. */
  loss: number;
  /** Training accuracy since the previous report; null for regression. */
  accuracy: number | null;
  /** Seconds left in the run at this epoch's rate. */
  etaSeconds: number;
}

/** The metrics of one epoch. */
export interface EpochMetrics {
  /** The epoch, from 1. */
  epoch: number;
  /** Training samples seen since the start of the run. */
  samplesSeen: number;
  /** Mean training loss over the epoch (each sample's loss taken at its own forward). */
  trainLoss: number;
  /** Training accuracy over the epoch; null for regression. */
  trainAccuracy: number | null;
  /** Mean test loss after the epoch. */
  testLoss: number;
  /** Test accuracy after the epoch; null for regression. */
  testAccuracy: number | null;
  /** Training throughput of the epoch. */
  samplesPerSecond: number;
  /** Wall-clock seconds of the epoch's training (evaluation excluded). */
  seconds: number;
}

/** The callbacks of a run; each is optional. */
export interface TrainEvents {
  /** Periodic progress within an epoch. */
  progress?(p: Progress): void;
  /** After each epoch's evaluation. */
  epoch?(e: EpochMetrics): void;
}
