/**
 * The training methods of DESIGN §6 as recurrences on the quadratic `½·λ·w²` (see
 * `quadratic-recurrence.ts` for the recurrence and its derivation):
 *
 * | method       | update `u = a·v + b·g`           | forward weights        | backward weights   |
 * |--------------|----------------------------------|------------------------|--------------------|
 * | `pb`         | `a = 1, b = 0`                   | `w_{t−D}`              | `w_t`              |
 * | `pb+sc`      | `a = m^D, b = (1 − m^D)/(1 − m)` | `w_{t−D}`              | `w_t`              |
 * | `pb+lwp`     | `a = 1, b = 0`                   | `w_{t−D} − D·η·v_{t−D}` | `w_t`              |
 * | `pb+sc+lwp`  | SC                               | predicted, as LWP      | `w_t`              |
 * | `spectrain`  | `a = 1, b = 0`                   | predicted, `T = D`     | predicted, `T = 0` = `w_t` |
 * | `pipemare`   | `a = 1, b = 0`                   | `w_{t−D}`              | `w_t − D·δ_t`      |
 *
 * In the PB schedule SpecTrain's backward horizon is 0, so SpecTrain *is* `pb+lwp` here;
 * PipeMare's correction acts only through the backward weights, so with `ρ = 0` it *is*
 * `pb`. PipeMare's learning-rate warm-up is a transient (its factor is 1 after the
 * warm-up) and is not part of the steady-state rate.
 *
 * @module
 */
import type { Recurrence } from './quadratic-recurrence.js';

/** The methods the quadratic analysis covers, in the order the pictures show them. */
export const quadraticMethodNames = ['pb', 'pb+sc', 'pb+lwp', 'pb+sc+lwp', 'spectrain', 'pipemare'] as const;

/** One of {@link quadraticMethodNames}. */
export type QuadraticMethod = (typeof quadraticMethodNames)[number];

/** A point of the analysis: the problem and the hyper-parameters, without the method. */
export interface QuadraticSetting {
  /** `h = η·λ`. */
  h: number;
  /** Momentum `m`, in `[0, 1)`. */
  momentum: number;
  /** Gradient delay `D` (`D_s = 2(S − s)` for stage `s` of `S`). */
  delay: number;
  /** `ρ`, the share of the curvature that sees the backward's weights (default 0). */
  inconsistency?: number;
  /** PipeMare's `γ` (default 0.9, as `pipeline/mitigations/pipemare.ts`). */
  gamma?: number;
}

/**
 * The recurrence of `method` at `setting`.
 *
 * @example
 * convergenceRate(quadraticRecurrence('pb+sc+lwp', { h: 0.01, momentum: 0.9, delay: 8 }));
 * @throws listing the valid methods when `method` is unknown.
 */
export function quadraticRecurrence(method: string, setting: QuadraticSetting): Recurrence {
  if (!(quadraticMethodNames as readonly string[]).includes(method)) {
    throw new Error(`unknown method '${method}' for the quadratic analysis; valid methods: ${quadraticMethodNames.join(', ')}`);
  }
  const { h, momentum: m, delay: D } = setting;
  const sc = method === 'pb+sc' || method === 'pb+sc+lwp';
  const predicts = method === 'pb+lwp' || method === 'pb+sc+lwp' || method === 'spectrain';
  const mD = m ** D;
  return {
    h,
    momentum: m,
    delay: D,
    mix: sc ? { a: mD, b: (1 - mD) / (1 - m) } : { a: 1, b: 0 },
    forwardHorizon: predicts ? D : 0,
    correctionHorizon: method === 'pipemare' ? D : 0,
    gamma: setting.gamma ?? 0.9,
    inconsistency: setting.inconsistency ?? 0,
  };
}
