/**
 * The two ways a run stops early: settings (or files) that cannot make a run, and a
 * loss that stops being a number. The command line exits with code 2 for the first and
 * 1 for the second.
 *
 * @module
 */

/** Settings that cannot make a run, or a run folder that cannot be resumed: the user can fix it. */
export class ConfigError extends Error {
  /** The error's name, `ConfigError`. */
  override readonly name = 'ConfigError';
}

/** Where a run diverged. */
export interface Divergence {
  /** The step (batch) of the run, from 0, at which the loss stopped being a number. */
  step: number;
  /** The epoch, from 1. */
  epoch: number;
  /** The batch within the epoch, from 0. */
  sample: number;
  /** The loss: NaN, Infinity or -Infinity. */
  loss: number;
}

/** Training diverged: the loss became NaN or infinite. The message names the step and the last good checkpoint. */
export class DivergedError extends Error {
  /** The error's name, `DivergedError`. */
  override readonly name = 'DivergedError';

  /** The error with `message`, at `where`. */
  constructor(
    message: string,
    /** Where the run diverged. */
    readonly where: Divergence,
  ) {
    super(message);
  }
}
