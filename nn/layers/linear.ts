/**
 * The fully connected layer: `y = x·Wᵀ + b`.
 *
 * The weight is stored `[out, in]` (as in PyTorch), so one row is one output's
 * weights and `fan_in = in`. `Wᵀ` is a zero-copy view; the GEMM reads it with its
 * transpose flag.
 *
 * @module
 */
import { add, checkOptions, matmul, transpose, type Rng, type Tensor } from '../../core/index.js';
import { pytorchDefault, pytorchDefaultInit, type Initializer } from '../init.js';
import { Module } from '../module.js';
import { checkSize } from './check-size.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** The generator for the initial weights (required: there is no global one). */
  rng: Rng;
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /** How to draw the weight (default: PyTorch's `U(±1/√in)`); the bias always uses the PyTorch default. */
  init?: Initializer;
}

/**
 * `y = x·Wᵀ + b` over the last axis: `[..., in] → [..., out]`.
 *
 * @example
 * const fc = new Linear(784, 10, { rng: new Rng(0) });
 * fc.forward(x); // [N, 784] → [N, 10]
 */
export class Linear extends Module {
  /** Input features. */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;
  /** The weight, `[out, in]`. */
  weight: Tensor;
  /** The bias, `[out]`, or null. */
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions) {
    super();
    checkOptions('Linear', options, ['rng', 'bias', 'init']);
    if (options?.rng === undefined) throw new Error('Linear: the option rng (the generator for the initial weights) is required');
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter('weight', (options.init ?? pytorchDefaultInit)([outFeatures, inFeatures], options.rng));
    this.bias = options.bias ?? true ? this.registerParameter('bias', pytorchDefault([outFeatures], options.rng, inFeatures)) : null;
  }

  /** `x·Wᵀ + b`. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures}→${this.outFeatures}): input has shape [${x.shape.join(',')}]; its last axis must be ${this.inFeatures}`);
    }
    const y = matmul(x, transpose(this.weight));
    return this.bias === null ? y : add(y, this.bias);
  }
}
