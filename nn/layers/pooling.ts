/**
 * Pooling layers over NCHW images: `MaxPool2d`, `AvgPool2d` and `GlobalAvgPool`.
 *
 * @module
 */
import { avgPool2d, checkOptions, globalAvgPool2d, maxPool2d, type Pool2dOptions, type Size2, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { checkSize2 } from './check-size.js';

/** Stride and padding of a pooling layer (the window is the first constructor argument). */
export type PoolOptions = Omit<Pool2dOptions, 'kernelSize'>;

/**
 * Max over each `k × k` window (stride defaults to the window size).
 *
 * @example
 * new MaxPool2d(2).forward(x); // [1,16,28,28] → [1,16,14,14]
 */
export class MaxPool2d extends Module {
  /** The pooling geometry given to the core op. */
  readonly options: Pool2dOptions;

  constructor(kernelSize: Size2, options: PoolOptions = {}) {
    super();
    this.options = poolOptions('MaxPool2d', kernelSize, options);
  }

  /** Take each window's maximum. */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

/** Mean over each `k × k` window (stride defaults to the window size; padding counts as zeros). */
export class AvgPool2d extends Module {
  /** The pooling geometry given to the core op. */
  readonly options: Pool2dOptions;

  constructor(kernelSize: Size2, options: PoolOptions = {}) {
    super();
    this.options = poolOptions('AvgPool2d', kernelSize, options);
  }

  /** Take each window's mean. */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}

/** The core op's options of a pooling layer, once the window is a positive size and every option is known. */
function poolOptions(layer: string, kernelSize: Size2, options: PoolOptions): Pool2dOptions {
  checkOptions(layer, options, ['stride', 'padding']);
  checkSize2(layer, 'kernelSize', kernelSize, 1);
  checkSize2(layer, 'stride', options.stride, 1);
  checkSize2(layer, 'padding', options.padding, 0);
  return { kernelSize, ...options };
}

/** The mean of each channel: `[N, C, H, W] → [N, C]` (the head of a ResNet). */
export class GlobalAvgPool extends Module {
  /** Average over height and width. */
  forward(x: Tensor): Tensor {
    return globalAvgPool2d(x);
  }
}
