/**
 * The bottleneck residual block of ImageNet ResNet-50 (He et al., 2016; the stride on
 * the 3×3 convolution, as in torchvision's "v1.5"):
 *
 * ```
 * out = relu( norm3(conv3( relu(norm2(conv2( relu(norm1(conv1(x))) ))) )) + downsample(x) )
 * ```
 *
 * conv1 is 1×1 `in → planes`, conv2 3×3 `planes → planes` with the stride, conv3 1×1
 * `planes → 4·planes`. Where the shape changes, `downsample` is a projection: a 1×1
 * convolution with the stride and a normalization; elsewhere the shortcut is the
 * identity. In a pipeline the block is three units; the input travels as the skip
 * tensor, and the projection belongs to the last unit:
 *
 * ```
 * unit :1   [x]        → [h1, x]
 * unit :2   [h1, skip] → [h2, skip]
 * unit :3   [h2, skip] → [relu(norm3(conv3(h2)) + downsample(skip))]
 * ```
 *
 * @module
 */
import { add, relu, type Tensor } from '../../core/index.js';
import { heNormal, type ResidualBranch } from '../init.js';
import { Conv2d } from '../layers/conv2d.js';
import { Sequential } from '../layers/sequential.js';
import { joinPath, Module } from '../module.js';
import { makeUnit, type PipelineUnit, type Splittable } from '../pipeline-unit.js';
import { stridedSize, zeroBranchEnd, type BlockOptions } from './residual.js';

/** 1×1 → 3×3 → 1×1 (×4 channels), with a projection shortcut where the shape changes. */
export class Bottleneck extends Module implements Splittable, ResidualBranch {
  /** Output channels are `expansion · planes`. */
  static readonly expansion = 4;
  /** The spatial size of the output. */
  readonly outputSize: [number, number];
  /** 1×1, `in → planes`. */
  readonly conv1: Conv2d;
  /** Normalization after conv1. */
  readonly norm1: Module;
  /** 3×3, `planes → planes`, with the block's stride. */
  readonly conv2: Conv2d;
  /** Normalization after conv2. */
  readonly norm2: Module;
  /** 1×1, `planes → 4·planes`. */
  readonly conv3: Conv2d;
  /** Normalization after conv3. */
  readonly norm3: Module;
  /** The projection shortcut (1×1 conv with the stride, then a norm), or null for the identity. */
  readonly downsample: Sequential | null;

  constructor(inPlanes: number, planes: number, stride: number, options: BlockOptions) {
    super();
    const outPlanes = planes * Bottleneck.expansion;
    const conv = { rng: options.rng, init: options.init ?? heNormal, bias: options.norm.kind === 'none' };
    const size = options.inputSize;
    this.outputSize = stridedSize(size, stride);
    this.conv1 = this.registerModule('conv1', new Conv2d(inPlanes, planes, 1, conv));
    this.norm1 = this.registerModule('norm1', options.norm.make(planes, size));
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, { ...conv, stride, padding: 1 }));
    this.norm2 = this.registerModule('norm2', options.norm.make(planes, this.outputSize));
    this.conv3 = this.registerModule('conv3', new Conv2d(planes, outPlanes, 1, conv));
    this.norm3 = this.registerModule('norm3', options.norm.make(outPlanes, this.outputSize));
    this.downsample =
      stride !== 1 || inPlanes !== outPlanes
        ? this.registerModule(
            'downsample',
            new Sequential(new Conv2d(inPlanes, outPlanes, 1, { ...conv, stride }), options.norm.make(outPlanes, this.outputSize)),
          )
        : null;
  }

  /** The block: the three units composed. */
  forward(x: Tensor): Tensor {
    return this.#third(this.#second(this.#first(x)), x);
  }

  /** Three units: `[x] → [h1, x]`, `[h1, skip] → [h2, skip]`, `[h2, skip] → [out]`. */
  pipelineUnits(prefix = ''): PipelineUnit[] {
    const at = (name: string): [string, Module] => [joinPath(prefix, name), (this as unknown as Record<string, Module>)[name]];
    const last = [at('conv3'), at('norm3'), ...(this.downsample === null ? [] : [at('downsample')])];
    return [
      makeUnit(`${prefix}:1`, [at('conv1'), at('norm1')], 1, ([x]) => [this.#first(x), x]),
      makeUnit(`${prefix}:2`, [at('conv2'), at('norm2')], 2, ([h, skip]) => [this.#second(h), skip]),
      makeUnit(`${prefix}:3`, last, 2, ([h, skip]) => [this.#third(h, skip)]),
    ];
  }

  /** Zero norm3's scale (or conv3's weight without a norm), so the block starts as its shortcut. */
  zeroInitBranch(): void {
    zeroBranchEnd(this.norm3, this.conv3);
  }

  #first(x: Tensor): Tensor {
    return relu(this.norm1.forward(this.conv1.forward(x)));
  }

  #second(h: Tensor): Tensor {
    return relu(this.norm2.forward(this.conv2.forward(h)));
  }

  #third(h: Tensor, skip: Tensor): Tensor {
    const shortcut = this.downsample === null ? skip : this.downsample.forward(skip);
    return relu(add(this.norm3.forward(this.conv3.forward(h)), shortcut));
  }
}
