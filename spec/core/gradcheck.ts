/**
 * Gradient checking for the op suite: the VJP of every op is compared with a central
 * difference computed in float64.
 *
 * For an op `f` with inputs `x₁..xₙ`, a fixed random cotangent `R` turns the output
 * into the scalar `L = ⟨R, f(x)⟩`. `backward` with seed `R` gives `∂L/∂xᵢ`; each entry
 * is compared with `(L(x + h·eⱼ) − L(x − h·eⱼ)) / 2h`. A second check perturbs every
 * input along one random direction `v` at once: `⟨∇L, v⟩ ≈ (L(x+hv) − L(x−hv))/2h`.
 */
import type { Test } from 'tape';
import { fromArray, gradients, noGrad, Rng, Tensor } from '../../core/index.js';

/** An input of a gradient check: a float64 leaf, possibly a non-contiguous view. */
export function leaf(values: Float64Array, shape: number[], layout: 'contiguous' | 'transposed' | 'sliced' = 'contiguous'): Tensor {
  if (layout === 'contiguous') return new Tensor(values, shape).requireGrad();
  if (layout === 'transposed') {
    // Store the data with the last two axes swapped, then view it back in `shape`.
    const n = shape.length;
    const stored = [...shape.slice(0, -2), shape[n - 1], shape[n - 2]];
    const base = new Tensor(new Float64Array(values.length), stored);
    const view = base.view.transpose(...Array.from({ length: n }, (_, i) => (i === n - 2 ? n - 1 : i === n - 1 ? n - 2 : i)));
    const t = new Tensor(view.data, view.shape, view.stride, view.offset);
    let k = 0;
    forEachIndex(shape, (idx) => t.view.set(...idx, values[k++]));
    return t.requireGrad();
  }
  // 'sliced': embed in a larger buffer with one extra element on every axis.
  const big = shape.map((d) => d + 1);
  const base = new Tensor(new Float64Array(big.reduce((a, b) => a * b, 1)), big);
  const view = base.view.hi(...big).lo(...shape.map(() => 1));
  const t = new Tensor(view.data, view.shape, view.stride, view.offset);
  let k = 0;
  forEachIndex(shape, (idx) => t.view.set(...idx, values[k++]));
  return t.requireGrad();
}

/** Call `fn` with every multi-index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], fn: (idx: number[]) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    fn(idx);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

/** Random float64 values: normal, or uniform in [low, high) when given. */
export function values(rng: Rng, n: number, low?: number, high?: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = low === undefined ? rng.normal() : low + (high! - low) * rng.uniform();
  return out;
}

/** Options of {@link checkGradients}. */
export interface CheckOptions {
  /** Finite-difference step (default 1e-5). */
  h?: number;
  /** Allowed |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-6 and 1e-5). */
  atol?: number;
  rtol?: number;
}

/**
 * Check the VJPs of `f` at `inputs` against central differences, reporting one
 * assertion per input (plus one directional check) with received/expected on failure.
 */
export function checkGradients(t: Test, name: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options: CheckOptions = {}): void {
  const h = options.h ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const rng = new Rng(1234);
  const out = f(...inputs);
  const seed = new Tensor(values(rng, out.size), out.shape);
  const grads = gradients(out, seed);
  const objective = (): number =>
    noGrad(() => {
      const y = f(...inputs).data;
      const r = seed.data;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * r[i];
      return s;
    });

  inputs.forEach((x, which) => {
    if (!x.requiresGrad) return;
    const analytic = grads.get(x)?.data ?? new Float64Array(x.size);
    let worst = { i: -1, got: 0, want: 0, err: 0 };
    let k = 0;
    forEachIndex(x.shape, (idx) => {
      const original = x.view.get(...idx);
      x.view.set(...idx, original + h);
      const plus = objective();
      x.view.set(...idx, original - h);
      const minus = objective();
      x.view.set(...idx, original);
      const numeric = (plus - minus) / (2 * h);
      const err = Math.abs(analytic[k] - numeric) - rtol * Math.abs(numeric);
      if (err > worst.err || worst.i < 0) worst = { i: k, got: analytic[k], want: numeric, err };
      k++;
    });
    t.ok(
      worst.err <= atol,
      `${name}: d/d input ${which} ${JSON.stringify(x.shape)} matches central difference` +
        (worst.err <= atol ? '' : ` — at element ${worst.i} received ${worst.got}, expected ${worst.want}`),
    );
  });

  // Directional check: all inputs move together along a random direction.
  const directions = inputs.map((x) => values(rng, x.size));
  const shift = (sign: number): void =>
    inputs.forEach((x, which) => {
      let k = 0;
      forEachIndex(x.shape, (idx) => x.view.set(...idx, x.view.get(...idx) + sign * h * directions[which][k++]));
    });
  shift(1);
  const plus = objective();
  shift(-2);
  const minus = objective();
  shift(1);
  const numeric = (plus - minus) / (2 * h);
  let analytic = 0;
  inputs.forEach((x, which) => {
    if (!x.requiresGrad) return;
    const g = grads.get(x)?.data;
    if (g) for (let i = 0; i < g.length; i++) analytic += g[i] * directions[which][i];
  });
  const ok = Math.abs(analytic - numeric) <= atol * 10 + rtol * Math.abs(numeric);
  t.ok(ok, `${name}: inner product ⟨∇L, v⟩ matches the directional difference` + (ok ? '' : ` — received ${analytic}, expected ${numeric}`));
}

/** A float64 tensor from nested arrays, for hand-computed cases. */
export function f64(v: number[] | number[][] | number[][][] | number[][][][]): Tensor {
  return fromArray(v, undefined, 'float64');
}
