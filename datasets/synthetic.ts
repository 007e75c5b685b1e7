/**
 * Small synthetic data sets for tests, examples and quick experiments.
 *
 * Each generator is deterministic in its `seed`. It first draws the task (blob centres,
 * teacher weights) and then the samples one after another from the same stream, so the
 * first `n` samples of a draw of `n + m` are exactly a draw of `n`: a held-out set of
 * the same task is `slice(generator({ n: n + m, seed }), n)`.
 *
 * @module
 */
import { Rng } from '../core/random.js';
import type { Dataset } from './dataset.js';

/** Options of {@link spirals}. */
export interface SpiralsOptions {
  /** Number of samples, alternating between the two classes (default 1000). */
  n?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.05). */
  noise?: number;
  /** Number of turns each arm makes (default 1.5). */
  turns?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
}

/**
 * Two interleaved spirals in the plane, one per class: a task no linear model solves.
 * Sample `i` has class `c = i mod 2`, position `t = √u` along its arm (`u` uniform in
 * [0, 1)) and angle `θ = 2π·turns·t + π·c`:
 *
 * `x = (t·cos θ + noise·ε₁, t·sin θ + noise·ε₂)`, with `ε` standard normal.
 *
 * @example
 * const ds = spirals({ n: 400, noise: 0.05, seed: 1 });
 * ds.sampleShape; // [2]
 */
export function spirals(opts: SpiralsOptions = {}): Dataset {
  const { n = 1000, noise = 0.05, turns = 1.5, seed = 0 } = opts;
  checkCount('spirals', 'n', n);
  checkNonNegative('spirals', 'noise', noise);
  checkNonNegative('spirals', 'turns', turns);
  const rng = new Rng(seed);
  const inputs = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = Math.sqrt(rng.uniform());
    const theta = 2 * Math.PI * turns * t + Math.PI * c;
    inputs[2 * i] = t * Math.cos(theta) + noise * rng.normal();
    inputs[2 * i + 1] = t * Math.sin(theta) + noise * rng.normal();
    labels[i] = c;
  }
  return { name: 'spirals', inputs, sampleShape: [2], length: n, labels, numClasses: 2 };
}

/** Options of {@link blobs}. */
export interface BlobsOptions {
  /** Number of samples, cycling through the classes (default 1000). */
  n?: number;
  /** Number of classes, one blob each (default 3). */
  classes?: number;
  /** Dimension of the inputs (default 2). */
  dim?: number;
  /** Standard deviation of each blob around its centre (default 0.2). */
  spread?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
}

/**
 * Gaussian blobs, one per class. The centres `μ_k` are drawn uniformly from
 * `[-1, 1]^dim`; sample `i` has class `k = i mod classes` and input
 * `x = μ_k + spread·ε`, with `ε` standard normal.
 *
 * @example
 * const ds = blobs({ n: 300, classes: 3, dim: 2, spread: 0.2, seed: 7 });
 * ds.numClasses; // 3
 */
export function blobs(opts: BlobsOptions = {}): Dataset {
  const { n = 1000, classes = 3, dim = 2, spread = 0.2, seed = 0 } = opts;
  checkCount('blobs', 'n', n);
  checkCount('blobs', 'classes', classes);
  checkCount('blobs', 'dim', dim);
  checkNonNegative('blobs', 'spread', spread);
  const rng = new Rng(seed);
  const centres = Float64Array.from({ length: classes * dim }, () => 2 * rng.uniform() - 1);
  const inputs = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    for (let d = 0; d < dim; d++) inputs[i * dim + d] = centres[k * dim + d] + spread * rng.normal();
    labels[i] = k;
  }
  return { name: 'blobs', inputs, sampleShape: [dim], length: n, labels, numClasses: classes };
}

/** Options of {@link teacher}. */
export interface TeacherOptions {
  /** Number of samples (default 1000). */
  n?: number;
  /** Dimension of the inputs (default 8). */
  inDim?: number;
  /** Dimension of the targets (default 1). */
  outDim?: number;
  /** Width of the teacher's hidden tanh layer, or one width per hidden layer (default 32). */
  hidden?: number | readonly number[];
  /** Standard deviation of the Gaussian noise added to each target (default 0). */
  noise?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
}

/**
 * A student–teacher regression task: a fixed random MLP (the teacher) maps standard
 * normal inputs to targets, which a student network can learn exactly.
 *
 * `h₀ = x ~ N(0, I)`, `hₗ = tanh(Wₗ hₗ₋₁ + bₗ)` for each hidden layer,
 * `y = W_out h_L + b_out + noise·ε`; every weight and bias entry is drawn from
 * `N(0, 1/fan_in)`, which keeps the pre-activations near unit scale.
 *
 * @example
 * const ds = teacher({ n: 500, inDim: 4, outDim: 2, hidden: 16, noise: 0.01, seed: 3 });
 * ds.targetShape; // [2]
 */
export function teacher(opts: TeacherOptions = {}): Dataset {
  const { n = 1000, inDim = 8, outDim = 1, hidden = 32, noise = 0, seed = 0 } = opts;
  const widths = typeof hidden === 'number' ? [hidden] : [...hidden];
  checkCount('teacher', 'n', n);
  checkCount('teacher', 'inDim', inDim);
  checkCount('teacher', 'outDim', outDim);
  widths.forEach((w) => checkCount('teacher', 'hidden', w));
  checkNonNegative('teacher', 'noise', noise);
  const rng = new Rng(seed);
  const sizes = [inDim, ...widths, outDim];
  const layers = sizes.slice(1).map((fanOut, l) => {
    const fanIn = sizes[l];
    const scale = 1 / Math.sqrt(fanIn);
    const weight = Float64Array.from({ length: fanOut * fanIn }, () => scale * rng.normal());
    const bias = Float64Array.from({ length: fanOut }, () => scale * rng.normal());
    return { fanIn, fanOut, weight, bias };
  });
  const inputs = new Float32Array(n * inDim);
  const targets = new Float32Array(n * outDim);
  for (let i = 0; i < n; i++) {
    const x = inputs.subarray(i * inDim, (i + 1) * inDim);
    for (let j = 0; j < inDim; j++) x[j] = rng.normal();
    // The teacher sees the float32 inputs the student will see, so the targets are exact.
    let h = Float64Array.from(x);
    layers.forEach(({ fanIn, fanOut, weight, bias }, l) => {
      const next = new Float64Array(fanOut);
      for (let o = 0; o < fanOut; o++) {
        let z = bias[o];
        for (let j = 0; j < fanIn; j++) z += weight[o * fanIn + j] * h[j];
        next[o] = l < layers.length - 1 ? Math.tanh(z) : z;
      }
      h = next;
    });
    for (let o = 0; o < outDim; o++) targets[i * outDim + o] = h[o] + noise * rng.normal();
  }
  return { name: 'teacher', inputs, sampleShape: [inDim], length: n, targets, targetShape: [outDim] };
}

function checkCount(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${fn}: ${name} must be a positive integer, got ${value}`);
}

function checkNonNegative(fn: string, name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${fn}: ${name} must be a finite number >= 0, got ${value}`);
}
