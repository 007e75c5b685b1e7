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

/** Training diverged: the loss became NaN or infinite. The message names the step and the last good checkpoint. */
export class DivergedError extends Error {
  /** The error's name, `DivergedError`. */
  override readonly name = 'DivergedError';
}
