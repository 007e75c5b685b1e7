/**
 * The basic residual block of the CIFAR ResNets (He et al., 2016):
 *
 * ```
 * out = relu( norm2(conv2( relu(norm1(conv1(x))) )) + shortcut(x) )
 * ```
 *
 * with 3×3 convolutions (the first carries the stride) and the parameter-free
 * option-A shortcut ({@link ZeroPadShortcut}). In a pipeline the block is two units,
 * and the input travels along as the skip tensor:
 *
 * ```
 * unit :1   [x]       → [h, x]     h = relu(norm1(conv1(x)))
 * unit :2   [h, skip] → [out]      out = relu(norm2(conv2(h)) + shortcut(skip))
 * ```
 *
 * `forward` is the two units composed, so the pipeline and the model compute the same
 * thing bit for bit.
 *
 * @module
 */
import { add, relu, type Tensor } from '../../core/index.js';
import { heNormal, type ResidualBranch } from '../init.js';
import { Conv2d } from '../layers/conv2d.js';
import { joinPath, Module } from '../module.js';
import { makeUnit, type PipelineUnit, type Splittable } from '../pipeline-unit.js';
import { stridedSize, zeroBranchEnd, type BlockOptions } from './residual.js';
import { ZeroPadShortcut } from './zero-pad-shortcut.js';

/** Two 3×3 convolutions with an identity (option A) shortcut. */
export class BasicBlock extends Module implements Splittable, ResidualBranch {
  /** Output channels of both convolutions (expansion 1). */
  static readonly expansion = 1;
  /** The spatial size of the output. */
  readonly outputSize: [number, number];
  /** 3×3, `in → planes`, with the block's stride. */
  readonly conv1: Conv2d;
  /** Normalization after conv1. */
  readonly norm1: Module;
  /** 3×3, `planes → planes`. */
  readonly conv2: Conv2d;
  /** Normalization after conv2. */
  readonly norm2: Module;
  /** Subsample and zero-pad the input to the output's shape. */
  readonly shortcut: ZeroPadShortcut;

  constructor(inPlanes: number, planes: number, stride: number, options: BlockOptions) {
    super();
    const conv = { rng: options.rng, init: options.init ?? heNormal, bias: options.norm.kind === 'none', padding: 1 };
    this.outputSize = stridedSize(options.inputSize, stride);
    this.conv1 = this.registerModule('conv1', new Conv2d(inPlanes, planes, 3, { ...conv, stride }));
    this.norm1 = this.registerModule('norm1', options.norm.make(planes, this.outputSize));
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, conv));
    this.norm2 = this.registerModule('norm2', options.norm.make(planes, this.outputSize));
    this.shortcut = this.registerModule('shortcut', new ZeroPadShortcut(inPlanes, planes, stride));
  }

  /** The block: both units composed. */
  forward(x: Tensor): Tensor {
    return this.#second(this.#first(x), x);
  }

  /** Two units: `[x] → [h, x]` and `[h, skip] → [out]`. */
  pipelineUnits(prefix = ''): PipelineUnit[] {
    const at = (name: string): string => joinPath(prefix, name);
    return [
      makeUnit(`${prefix}:1`, [[at('conv1'), this.conv1], [at('norm1'), this.norm1]], 1, ([x]) => [this.#first(x), x]),
      makeUnit(`${prefix}:2`, [[at('conv2'), this.conv2], [at('norm2'), this.norm2], [at('shortcut'), this.shortcut]], 2, ([h, skip]) => [
        this.#second(h, skip),
      ]),
    ];
  }

  /** Zero norm2's scale (or conv2's weight without a norm), so the block starts as its shortcut. */
  zeroInitBranch(): void {
    zeroBranchEnd(this.norm2, this.conv2);
  }

  #first(x: Tensor): Tensor {
    return relu(this.norm1.forward(this.conv1.forward(x)));
  }

  #second(h: Tensor, skip: Tensor): Tensor {
    return relu(add(this.norm2.forward(this.conv2.forward(h)), this.shortcut.forward(skip)));
  }
}
