/**
 * The 2-D convolution layer over NCHW images.
 *
 * The weight is `[out, in/groups, kH, kW]`, so `fan_in = in/groups · kH · kW`. The
 * convolution itself (im2col + GEMM) is the core op `conv2d`.
 *
 * @module
 */
import { checkOptions, conv2d, type Rng, type Size2, type Tensor } from '../../core/index.js';
import { fanIn, pytorchDefault, pytorchDefaultInit, type Initializer } from '../init.js';
import { Module } from '../module.js';
import { checkSize, checkSize2 } from './check-size.js';

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions {
  /** The generator for the initial weights (required: there is no global one). */
  rng: Rng;
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups (default 1); must divide both channel counts. */
  groups?: number;
  /** Whether to add a per-channel bias (default true). */
  bias?: boolean;
  /** How to draw the weight (default: PyTorch's `U(±1/√fan_in)`); the bias always uses the PyTorch default. */
  init?: Initializer;
}

/** The window settings of a {@link Conv2d}, as handed to the core op. */
export interface ConvSettings {
  /** Step between windows. */
  stride: Size2;
  /** Zeros added on each side. */
  padding: Size2;
  /** Spacing between kernel taps. */
  dilation: Size2;
  /** Channel groups. */
  groups: number;
}

/**
 * 2-D convolution: `[N, in, H, W] → [N, out, H', W']` with
 * `H' = floor((H + 2·padding − dilation·(k − 1) − 1) / stride) + 1`.
 *
 * @example
 * const conv = new Conv2d(3, 16, 3, { padding: 1, bias: false, rng });
 * conv.forward(x); // [1,3,32,32] → [1,16,32,32]
 */
export class Conv2d extends Module {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** Stride, padding, dilation and groups, as given to the core op. */
  readonly options: ConvSettings;
  /** The filters, `[out, in/groups, kH, kW]`. */
  weight: Tensor;
  /** The bias, `[out]`, or null. */
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions) {
    super();
    checkOptions('Conv2d', options, ['rng', 'stride', 'padding', 'dilation', 'groups', 'bias', 'init']);
    if (options?.rng === undefined) throw new Error('Conv2d: the option rng (the generator for the initial weights) is required');
    const groups = options.groups ?? 1;
    checkSize('Conv2d', 'inChannels', inChannels);
    checkSize('Conv2d', 'outChannels', outChannels);
    checkSize('Conv2d', 'groups', groups);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`Conv2d: groups=${groups} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    checkSize2('Conv2d', 'kernelSize', kernelSize, 1);
    checkSize2('Conv2d', 'stride', options.stride, 1);
    checkSize2('Conv2d', 'padding', options.padding, 0);
    checkSize2('Conv2d', 'dilation', options.dilation, 1);
    this.kernelSize = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    this.options = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1, groups };
    const shape = [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = this.registerParameter('weight', (options.init ?? pytorchDefaultInit)(shape, options.rng));
    this.bias = options.bias ?? true ? this.registerParameter('bias', pytorchDefault([outChannels], options.rng, fanIn(shape))) : null;
  }

  /** Convolve `x` with the filters and add the bias. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}
