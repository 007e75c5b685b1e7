/**
 * Checking option objects: every key must be one the function reads, so a misspelt
 * option is an error that names it instead of a silent default.
 *
 * @module
 */

/**
 * Throw unless `options` is undefined or a plain object whose keys are all in `known`.
 * The error names the function, the unknown key, the nearest valid key when one is
 * close (a prefix, or at most two edits away), and every valid key.
 *
 * @param where the function or class, as errors should name it.
 * @param options the option object the caller passed.
 * @param known the option names `where` reads.
 * @example
 * checkOptions('maxPool2d', { kernel: 4 }, ['kernelSize', 'stride', 'padding']);
 * // throws "maxPool2d: unknown option 'kernel' (did you mean 'kernelSize'?); valid options: kernelSize, stride, padding"
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${where}: options must be an object, got ${Array.isArray(options) ? 'an array' : String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    const hint = near === undefined ? '' : ` (did you mean '${near}'?)`;
    throw new Error(`${where}: unknown option '${key}'${hint}; valid options: ${known.join(', ')}`);
  }
}

/** The known name closest to `key`: one that starts with it or it starts with, else one at most two edits away. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const prefix = known.find((name) => name.toLowerCase().startsWith(lower) || lower.startsWith(name.toLowerCase()));
  if (prefix !== undefined) return prefix;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of known) {
    const d = editDistance(lower, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
