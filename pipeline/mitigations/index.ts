/**
 * The mitigations by name. Adding one is one new file in this folder and one line in
 * {@link mitigations}; the cli's `--mitigation` choices, `resolveMethod` and the docs
 * tables read the names from here.
 *
 * | name        | forward weights          | backward weights        | optimizer            | extra weight copies |
 * |-------------|--------------------------|-------------------------|----------------------|---------------------|
 * | `none`      | the tick's (`j − D_s`)   | current (`j`)           | as given             | 0                   |
 * | `sc`        | the tick's               | current                 | SC in place of momentum | 0                |
 * | `lwp`       | predicted `w − D_s·η·v`  | current                 | as given             | 0                   |
 * | `sc+lwp`    | predicted                | current                 | SC                   | 0                   |
 * | `stash`     | the tick's               | the forward's           | as given             | up to `D_s`         |
 * | `spectrain` | predicted, `T = D_s`     | predicted, `T = 0`      | as given             | 0                   |
 * | `pipemare`  | the tick's               | corrected `w − D_s·δ`   | + warm-up            | 1 (`δ`)             |
 *
 * @module
 */
import { lwp } from './lwp.js';
import { composeMitigations, type Mitigation } from './mitigation.js';
import { none } from './none.js';
import { pipemare } from './pipemare.js';
import { sc } from './sc.js';
import { spectrain } from './spectrain.js';
import { stash } from './stash.js';

/** Every built-in mitigation, by the name it has in `pb+<name>`. */
export const mitigations = {
  none,
  sc,
  lwp,
  /** The paper's method: SC's optimizer with LWP's forward. */
  'sc+lwp': composeMitigations('sc+lwp', sc, lwp),
  stash,
  spectrain,
  pipemare,
} as const satisfies Record<string, Mitigation>;

/** A built-in mitigation's name. */
export type MitigationName = keyof typeof mitigations;

/** The built-in mitigations' names, in the order of {@link mitigations}. */
export const mitigationNames = Object.keys(mitigations) as readonly MitigationName[];

/**
 * The mitigation called `name`; a mitigation object is returned as it is.
 *
 * @throws for an unknown name, listing the valid ones.
 */
export function resolveMitigation(mitigation: string | Mitigation): Mitigation {
  if (typeof mitigation !== 'string') return mitigation;
  if (!Object.hasOwn(mitigations, mitigation)) {
    throw new Error(`unknown mitigation '${mitigation}'; valid mitigations: ${mitigationNames.join(', ')}`);
  }
  return mitigations[mitigation as MitigationName];
}

export { composeMitigations, type Mitigation, type WeightContext, type VersionedWeights, type OptimizerChange } from './mitigation.js';
export { none } from './none.js';
export { sc } from './sc.js';
export { lwp } from './lwp.js';
export { stash } from './stash.js';
export { spectrain } from './spectrain.js';
export { pipemare, pipemareMitigation, pipemareWarmup, pipemareExponent, updateDiscrepancy, correctedWeights, type PipeMareOptions } from './pipemare.js';
