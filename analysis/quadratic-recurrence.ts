/**
 * Pipelined training of one scalar weight on the quadratic `f(w) = ½·λ·w²`, exactly:
 * a linear recurrence `z_{t+1} = A·z_t`, its characteristic polynomial, and its
 * convergence rate (the largest root modulus).
 *
 * ## What the engine computes for one scalar stage
 *
 * In the PB schedule the update `t` of a stage with delay `D` applies the gradient of
 * sample `t`, whose forward ran on weight version `t − D` (the weights after `t − D`
 * updates) and whose backward runs now, on version `t`. The tape hands the backward
 * the backward's weights and keeps every value computed from the sample as the
 * forward stored it (DESIGN §5). For a stage `y = w·x`:
 *
 * ```
 *   ∂L/∂w = x · ∂L/∂y            x stored at the forward; ∂L/∂y from later stages
 *   ∂L/∂x = w_bwd · ∂L/∂y        the only place the stage's own backward weights enter
 * ```
 *
 * So a one-parameter stage sees its *own* backward weights only where a weight
 * multiplies a value that depends on the weight. Two exact set-ups, with `x = 1`:
 *
 * - `y₁ = w·x`, loss `½λ·y₁²`: `∂L/∂w = x·λ·y₁ = λ·w_fwd` — a purely delayed gradient.
 * - `y₂ = w·(w·x)`, loss `½λ·y₂`: the outer product's VJP reads the stored `w·x` for
 *   one factor and the backward's `w` for the other, so
 *   `∂L/∂w = ½λ·(w_fwd + w_bwd)` — half of the curvature sees the current weights.
 *
 * A loss `½λ·[(1 − 2ρ)·y₁² + 2ρ·y₂]` (value `½λw²` at `x = 1`) mixes them:
 *
 * ```
 *   g_t = λ·[(1 − ρ)·w_fwd + ρ·w_bwd]          ρ: the inconsistency share
 * ```
 *
 * `ρ = 0` is the plain delayed-gradient model (the whole gradient at the forward's
 * weights); `ρ ≠ 0` is the simplest exact model of weight inconsistency, the only thing
 * the backward-weight policies (SpecTrain's backward, PipeMare's correction) act on. Several stages, each with its own weight
 * and its own term of the loss carried to the last stage through the bundle, follow
 * this recurrence independently, each with its own `D_s = 2(S − s)`.
 *
 * ## The recurrence
 *
 * With `h = η·λ` and the scaled velocity `V = η·v` the learning rate disappears:
 *
 * ```
 *   f_t = w_{t−D} − T_f·V_{t−D}           forward weights (LWP: T_f = D)
 *   b_t = w_t − T_c·δ_t                   backward weights (PipeMare: T_c = D)
 *   G_t = η·g_t = h·[(1 − ρ)·f_t + ρ·b_t]
 *   V_{t+1} = m·V_t + G_t                 v ← m·v + g
 *   w_{t+1} = w_t − a·V_{t+1} − b·G_t     w ← w − η·(a·v + b·g)  (SC: a = m^D, b = (1−m^D)/(1−m))
 *   δ_{t+1} = γ·δ_t + (1 − γ)·(w_{t+1} − w_t)
 * ```
 *
 * The state `z_t` is `(w_t, …, w_{t−D}, V_t[, …, V_{t−D}][, δ_t])`: the velocity history
 * only when the forward predicts, `δ` only when it reaches the gradient (`ρ ≠ 0`).
 *
 * ## The characteristic polynomial
 *
 * Put `w_t = zᵗ`, `V_t = V·zᵗ`, `δ_t = δ·zᵗ`. With `P = z − m`, `Z = z^D` and
 * `Q = z − γ` (1 when `δ` is not in the state), the last three lines give
 * `V = G/P`, `(z − 1)·P = −G·(a·z + b·P)`, `δ = (1 − γ)(z − 1)/Q`, and the first three
 * `G·Q·(Z·P + h(1−ρ)T_f) = h·P·[(1 − ρ)·Q + ρ·Z·(Q − T_c(1 − γ)(z − 1))]`. Eliminating `G`
 * and dividing out the common factor `P`:
 *
 * ```
 *   χ(z) = (z − 1)·Q·(Z·P + h(1 − ρ)·T_f) + h·[(1 − ρ)·Q + ρ·Z·(Q − T_c(1 − γ)(z − 1))]·(a·z + b·P)
 * ```
 *
 * `χ` is monic of degree `D + 2` (`D + 3` with `δ`), and `det(zI − A) = z^k·χ(z)` with
 * `k` the extra shift-register states, which only add roots at 0. Plain momentum SGD
 * (`D = 0`): `χ = z² − (1 + m − h)·z + m`, stable exactly when `0 < h < 2(1 + m)`.
 *
 * @module
 */
import type { MomentumMix } from '../optim/index.js';
import { addPolynomials, monomial, multiplyPolynomials, scalePolynomial, type Polynomial } from './polynomial.js';
import { largestRootModulus } from './roots.js';

/** One recurrence, fully specified (build it with {@link quadraticRecurrence}). */
export interface Recurrence {
  /** `h = η·λ`, the step size in units of the curvature. */
  readonly h: number;
  /** Momentum `m`, in `[0, 1)`. */
  readonly momentum: number;
  /** The gradient delay `D`: updates between a sample's forward and its update. */
  readonly delay: number;
  /** The update mixes `u = a·v + b·g` (momentum: `a = 1, b = 0`; SC: `a = m^D, b = (1 − m^D)/(1 − m)`). */
  readonly mix: Readonly<MomentumMix>;
  /** `T_f`: the forward uses `w − T_f·η·v` of its version (LWP, SpecTrain: `D`; otherwise 0). */
  readonly forwardHorizon: number;
  /** `T_c`: the backward uses `w − T_c·δ` (PipeMare: `D`; otherwise 0). */
  readonly correctionHorizon: number;
  /** PipeMare's decay `γ` of the weight-change average `δ`, in `[0, 1)`. */
  readonly gamma: number;
  /** `ρ`: the share of the curvature that sees the backward's weights (0: a purely delayed gradient). */
  readonly inconsistency: number;
}

/** Where each part of the state sits in the vector `z_t`. */
export interface StateLayout {
  /** Length of `z_t`. */
  readonly size: number;
  /** `V_{t−k}` sits at `velocity + k`. */
  readonly velocity: number;
  /** How many velocities are kept (`D + 1` when the forward predicts, else 1). */
  readonly velocities: number;
  /** Index of `δ_t`, or −1 when `δ` does not reach the gradient. */
  readonly discrepancy: number;
}

/** Checks a recurrence's inputs; throws a one-line error naming the bad one. */
export function checkRecurrence(r: Recurrence): void {
  const bad = (what: string) => {
    throw new Error(`quadratic recurrence: ${what}`);
  };
  if (!Number.isFinite(r.h) || r.h < 0) bad(`h = η·λ must be a finite number >= 0, got ${r.h}`);
  if (!(r.momentum >= 0 && r.momentum < 1)) bad(`momentum must be in [0, 1), got ${r.momentum}`);
  if (!Number.isInteger(r.delay) || r.delay < 0) bad(`delay must be an integer >= 0, got ${r.delay}`);
  if (!(r.gamma >= 0 && r.gamma < 1)) bad(`gamma must be in [0, 1), got ${r.gamma}`);
  for (const [name, value] of [
    ['mix.a', r.mix.a],
    ['mix.b', r.mix.b],
    ['forwardHorizon', r.forwardHorizon],
    ['correctionHorizon', r.correctionHorizon],
    ['inconsistency', r.inconsistency],
  ] as const) {
    if (!Number.isFinite(value)) bad(`${name} must be finite, got ${value}`);
  }
}

/** The layout of `z_t` for `r`. */
export function stateLayout(r: Recurrence): StateLayout {
  const velocities = r.forwardHorizon !== 0 ? r.delay + 1 : 1;
  const tracksDiscrepancy = r.inconsistency !== 0 && r.correctionHorizon !== 0;
  const size = r.delay + 1 + velocities + (tracksDiscrepancy ? 1 : 0);
  return { size, velocity: r.delay + 1, velocities, discrepancy: tracksDiscrepancy ? size - 1 : -1 };
}

/**
 * The state the engine starts from: every stored weight version equal to `w0` (the
 * fill clamps versions at 0), zero velocity, zero `δ`.
 */
export function initialState(r: Recurrence, w0: number): Float64Array {
  const z = new Float64Array(stateLayout(r).size);
  z.fill(w0, 0, r.delay + 1);
  return z;
}

/**
 * One update: `z_{t+1}` from `z_t`, written from the update equations (not from `A`).
 * It is the inner loop, so it does not check `r`; {@link weightTrajectory} and
 * {@link transitionMatrix} do ({@link checkRecurrence}).
 */
export function stepRecurrence(r: Recurrence, z: Readonly<Float64Array>): Float64Array {
  const { velocity, velocities, discrepancy, size } = stateLayout(r);
  const D = r.delay;
  const rho = r.inconsistency;
  const forward = z[D] - (velocities > 1 ? r.forwardHorizon * z[velocity + D] : 0);
  const delta = discrepancy >= 0 ? z[discrepancy] : 0;
  const backward = z[0] - r.correctionHorizon * delta;
  const G = r.h * ((1 - rho) * forward + rho * backward);
  const V = r.momentum * z[velocity] + G;
  const w = z[0] - r.mix.a * V - r.mix.b * G;
  const next = new Float64Array(size);
  next[0] = w;
  for (let k = 1; k <= D; k++) next[k] = z[k - 1];
  next[velocity] = V;
  for (let k = 1; k < velocities; k++) next[velocity + k] = z[velocity + k - 1];
  if (discrepancy >= 0) next[discrepancy] = r.gamma * delta + (1 - r.gamma) * (w - z[0]);
  return next;
}

/**
 * The weights `w_0, w_1, …, w_steps` the engine would produce from `w0` (one scalar
 * stage), by running {@link stepRecurrence}.
 */
export function weightTrajectory(r: Recurrence, w0: number, steps: number): Float64Array {
  checkRecurrence(r);
  const out = new Float64Array(steps + 1);
  let z = initialState(r, w0);
  out[0] = w0;
  for (let t = 1; t <= steps; t++) {
    z = stepRecurrence(r, z);
    out[t] = z[0];
  }
  return out;
}

/**
 * The matrix `A` of `z_{t+1} = A·z_t`, row-major (`A[i][j]`), with column `j` the
 * step applied to the unit vector `e_j` (the step is linear).
 */
export function transitionMatrix(r: Recurrence): number[][] {
  checkRecurrence(r);
  const n = stateLayout(r).size;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const column = stepRecurrence(r, e);
    for (let i = 0; i < n; i++) A[i][j] = column[i];
  }
  return A;
}

/** `χ(z)` of the module comment, in ascending coefficients: `det(zI − A) = z^k·χ(z)`. */
export function characteristicPolynomial(r: Recurrence): number[] {
  checkRecurrence(r);
  const { h, momentum: m, delay: D, gamma, inconsistency: rho } = r;
  const { a, b } = r.mix;
  const P = [-m, 1];
  const Z = monomial(D);
  const zMinus1 = [-1, 1];
  const Q: Polynomial = stateLayout(r).discrepancy >= 0 ? [-gamma, 1] : [1];
  const M = multiplyPolynomials(Q, addPolynomials(multiplyPolynomials(Z, P), [h * (1 - rho) * r.forwardHorizon]));
  const backwardPart = addPolynomials(Q, scalePolynomial(zMinus1, -r.correctionHorizon * (1 - gamma)));
  const gradient = scalePolynomial(addPolynomials(scalePolynomial(Q, 1 - rho), scalePolynomial(multiplyPolynomials(Z, backwardPart), rho)), h);
  const mixing = addPolynomials([0, a], scalePolynomial(P, b));
  return addPolynomials(multiplyPolynomials(zMinus1, M), multiplyPolynomials(gradient, mixing));
}

/**
 * The convergence rate: `|w_t| ∝ rateᵗ` for a generic start, the largest root modulus
 * of {@link characteristicPolynomial}. Below 1 the weight converges; at 1 or above it
 * does not.
 */
export function convergenceRate(r: Recurrence): number {
  return largestRootModulus(characteristicPolynomial(r));
}
