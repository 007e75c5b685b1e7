/**
 * The options every model family takes, their defaults, and their validation.
 *
 * @module
 */
import { Rng } from '../../core/index.js';
import { NORM_KINDS, normFactory, type NormFactory, type NormKind } from '../norm-factory.js';

/** Options of {@link createModel}; each family documents which it reads and its defaults. */
export interface ModelOptions {
  /** The normalization after each convolution / hidden linear layer (family default: `'group'` for VGG and ResNets, `'none'` otherwise). */
  norm?: NormKind;
  /** Channel (and hidden-width) multiplier; every width becomes `max(1, round(width · base))` (default 1). */
  width?: number;
  /** Number of output classes (default 10; 1000 for resnet50). */
  numClasses?: number;
  /** Input `[C, H, W]` (default `[1, 28, 28]` for mlp, lenet5, smallcnn; `[3, 32, 32]` for VGG and CIFAR ResNets; `[3, 224, 224]` for resnet50). */
  inputShape?: readonly [number, number, number];
  /** The generator for the initial weights; it is advanced. Give this or `seed`. */
  rng?: Rng;
  /** Seed of a fresh generator for the initial weights (default 0). */
  seed?: number;
  /** Requested GroupNorm groups; a layer with C channels uses `gcd(groups, C)` (default 2). */
  groups?: number;
  /** Zero the last normalization scale of every residual block (default false; see `init.ts`). */
  zeroInitResidual?: boolean;
  /** mlp: number of hidden layers (default 2). */
  depth?: number;
  /** mlp: width of each hidden layer before the multiplier (default 256). */
  hidden?: number;
}

/** The option names every factory understands. */
export const COMMON_OPTIONS: readonly string[] = ['norm', 'width', 'numClasses', 'inputShape', 'rng', 'seed', 'groups', 'zeroInitResidual'];

/** A family's defaults for the options that differ between families. */
export interface FamilyDefaults {
  /** Default normalization. */
  norm: NormKind;
  /** Default input `[C, H, W]`. */
  inputShape: readonly [number, number, number];
  /** Default number of classes. */
  numClasses: number;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  /** Makes the normalization layers. */
  norm: NormFactory;
  /** The width multiplier. */
  width: number;
  /** Number of classes. */
  numClasses: number;
  /** Input `[C, H, W]`. */
  inputShape: [number, number, number];
  /** The generator for the initial weights. */
  rng: Rng;
}

/**
 * Apply `defaults` and check every common option, naming `family` in errors.
 *
 * @throws for an unknown norm, a non-positive width, a non-integer class count or
 *   group count, a malformed input shape, or both `rng` and `seed`.
 */
export function resolveOptions(family: string, options: ModelOptions, defaults: FamilyDefaults): ResolvedOptions {
  const fail = (problem: string): never => {
    throw new Error(`${family}: ${problem}`);
  };
  const norm = options.norm ?? defaults.norm;
  if (!NORM_KINDS.includes(norm)) fail(`unknown norm '${norm}'; valid: ${NORM_KINDS.join(', ')}`);
  const width = options.width ?? 1;
  if (!(typeof width === 'number' && width > 0 && Number.isFinite(width))) fail(`width must be a positive number, got ${width}`);
  const numClasses = options.numClasses ?? defaults.numClasses;
  if (!Number.isInteger(numClasses) || numClasses < 1) fail(`numClasses must be a positive integer, got ${numClasses}`);
  const inputShape = options.inputShape ?? defaults.inputShape;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    fail(`inputShape must be [C, H, W] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (options.groups !== undefined && (!Number.isInteger(options.groups) || options.groups < 1)) {
    fail(`groups must be a positive integer, got ${options.groups}`);
  }
  if (options.rng !== undefined && options.seed !== undefined) fail('give rng or seed, not both');
  if (options.seed !== undefined && !Number.isFinite(options.seed)) fail(`seed must be a finite number, got ${options.seed}`);
  return {
    norm: normFactory(norm, { groups: options.groups }),
    width,
    numClasses,
    inputShape: [inputShape[0], inputShape[1], inputShape[2]],
    rng: options.rng ?? new Rng(options.seed ?? 0),
  };
}

/** A base width times the multiplier: `max(1, round(width · base))`. */
export function scaled(base: number, width: number): number {
  return Math.max(1, Math.round(base * width));
}

/** The spatial size after a window of `k` with `stride` and `padding`: `⌊(H + 2p − k)/s⌋ + 1`. */
export function windowOut(size: number, k: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/** Throw unless a spatial size is still at least 1 after the layer `where`. */
export function checkFits(family: string, size: readonly number[], where: string, inputShape: readonly number[]): void {
  if (size.some((d) => d < 1)) throw new Error(`${family}: input ${JSON.stringify(inputShape)} is too small: nothing is left after ${where}`);
}
