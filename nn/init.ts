/**
 * Weight initialization, always from an explicit seeded {@link Rng}.
 *
 * `fan_in` of a weight is the number of inputs that feed one output: `in` for a
 * Linear weight `[out, in]`, `in/groups · kH · kW` for a Conv2d weight
 * `[out, in/groups, kH, kW]`.
 *
 * - **Kaiming (He) normal**: `N(0, σ²)` with `σ = gain / √fan_in`.
 * - **Kaiming (He) uniform**: `U(−b, b)` with `b = gain · √(3 / fan_in)` (the same σ).
 * - **PyTorch default** for Linear and Conv2d weights and biases: `U(−b, b)` with
 *   `b = 1 / √fan_in`. (PyTorch reaches this as Kaiming uniform with `a = √5`:
 *   `gain = √(2/(1+5)) = √(1/3)`, so `b = √(1/3)·√(3/fan_in) = 1/√fan_in`.)
 *
 * The gain for ReLU is `√2`: a ReLU keeps half of a symmetric input's second moment,
 * and `√2` restores it, so activations keep their scale through depth.
 *
 * pipegrad's layers use the PyTorch default unless given another {@link Initializer};
 * the VGG and ResNet families initialize their convolutions with Kaiming normal
 * (fan_in, ReLU gain), as He et al. did. Biases always use the PyTorch default,
 * normalization scales start at 1 and shifts at 0.
 *
 * @module
 */
import { rand, randn, type Rng, type Tensor, zeros } from '../core/index.js';
import type { Module } from './module.js';

/** Makes a weight tensor of `shape` from `rng`. */
export type Initializer = (shape: readonly number[], rng: Rng) => Tensor;

/** Nonlinearities with a recommended gain. */
export type Nonlinearity = 'linear' | 'relu' | 'tanh' | 'sigmoid';

/** The recommended gain: 1 for linear and sigmoid, √2 for ReLU, 5/3 for tanh (as PyTorch's `calculate_gain`). */
export function gain(nonlinearity: Nonlinearity): number {
  switch (nonlinearity) {
    case 'relu':
      return Math.SQRT2;
    case 'tanh':
      return 5 / 3;
    case 'linear':
    case 'sigmoid':
      return 1;
  }
}

/**
 * Inputs per output of a weight: `shape[1] · prod(shape[2:])` (`[out, in]` or
 * `[out, in/groups, kH, kW]`).
 *
 * @throws for a weight with fewer than 2 axes.
 */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) throw new Error(`fanIn: a weight needs at least 2 axes ([out, in, ...]), got [${shape.join(',')}]`);
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Options of the Kaiming initializers. */
export interface KaimingOptions {
  /** The gain (default √2, for ReLU). */
  gain?: number;
  /** Override the fan-in computed from the shape. */
  fanIn?: number;
}

/**
 * Kaiming/He normal: `N(0, (gain/√fan_in)²)`.
 *
 * @example
 * kaimingNormal([64, 16, 3, 3], rng); // σ = √2 / √(16·9)
 */
export function kaimingNormal(shape: readonly number[], rng: Rng, options: KaimingOptions = {}): Tensor {
  const std = (options.gain ?? gain('relu')) / Math.sqrt(options.fanIn ?? fanIn(shape));
  return randn(shape, rng, std);
}

/** Kaiming/He uniform: `U(−b, b)` with `b = gain·√(3/fan_in)`, the same variance as {@link kaimingNormal}. */
export function kaimingUniform(shape: readonly number[], rng: Rng, options: KaimingOptions = {}): Tensor {
  const bound = (options.gain ?? gain('relu')) * Math.sqrt(3 / (options.fanIn ?? fanIn(shape)));
  return rand(shape, rng, -bound, bound);
}

/**
 * PyTorch's default for Linear and Conv2d: `U(−1/√fan_in, 1/√fan_in)`. Pass `fanIn`
 * for a bias, whose own shape does not say it.
 */
export function pytorchDefault(shape: readonly number[], rng: Rng, fanInOverride?: number): Tensor {
  const bound = 1 / Math.sqrt(fanInOverride ?? fanIn(shape));
  return rand(shape, rng, -bound, bound);
}

/** {@link kaimingNormal} with the ReLU gain, as an {@link Initializer}. */
export const heNormal: Initializer = (shape, rng) => kaimingNormal(shape, rng);

/** {@link kaimingUniform} with the ReLU gain, as an {@link Initializer}. */
export const heUniform: Initializer = (shape, rng) => kaimingUniform(shape, rng);

/** {@link pytorchDefault}, as an {@link Initializer}. */
export const pytorchDefaultInit: Initializer = (shape, rng) => pytorchDefault(shape, rng);

/**
 * A module with a residual branch `out = f(branch(x) + shortcut(x))` that can make its
 * branch output zero at initialization (see {@link zeroInitResidual}).
 */
export interface ResidualBranch {
  /** Rebind the branch's last scale (or, with no normalization, its last weight) to zeros. */
  zeroInitBranch(): void;
}

/**
 * Zero the last normalization scale of every residual branch in `model`, so each
 * residual block starts as its shortcut (Goyal et al. 2017, "zero-γ"). A block
 * without normalization zeroes its last convolution's weight instead (as Fixup does).
 * The tensors are rebound, not overwritten.
 *
 * @returns the number of blocks changed.
 */
export function zeroInitResidual(model: Module): number {
  let count = 0;
  for (const [, m] of model.namedModules()) {
    if (isResidualBranch(m)) {
      m.zeroInitBranch();
      count++;
    }
  }
  return count;
}

/** Whether `m` implements {@link ResidualBranch}. */
export function isResidualBranch(m: Module): m is Module & ResidualBranch {
  return typeof (m as Partial<ResidualBranch>).zeroInitBranch === 'function';
}

/** Rebind the parameter `name` of `module` to zeros of its shape. */
export function zeroParameter(module: Module, name: string): void {
  const current = module.namedParameters().find(([n]) => n === name);
  if (current === undefined) throw new Error(`zeroParameter: ${module.constructor.name} has no parameter '${name}'`);
  module.setParameter(name, zeros(current[1].shape, current[1].dtype));
}
