/**
 * `resnet20`, `resnet32`, `resnet44`, `resnet56`, `resnet110`: the CIFAR ResNets of
 * He et al. (2016, §4.2).
 *
 * A 3×3 convolution to 16 channels, then three stages of `n = (depth − 2)/6`
 * {@link BasicBlock}s with 16, 32 and 64 channels (the first block of stages 2 and 3
 * has stride 2), global average pooling and one linear layer. Shortcuts are the
 * parameter-free option A (subsample, zero-pad the channels). Convolutions have no
 * bias (unless `norm: 'none'`) and Kaiming normal initialization (fan_in, ReLU gain);
 * the classifier uses the PyTorch default.
 *
 * Parameter counts at width 1 with per-channel normalization (group or batch):
 * resnet20 269,722 · resnet32 464,154 · resnet44 658,586 · resnet56 853,018 ·
 * resnet110 1,727,962.
 *
 * Paths: `conv1`, `norm1`, `layer{1,2,3}.<block>.{conv1,norm1,conv2,norm2}`, `fc`.
 * Units: the stem, two per block, and `pool + fc`.
 *
 * @module
 */
import { BasicBlock } from '../blocks/basic-block.js';
import { heNormal } from '../init.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { GlobalAvgPool } from '../layers/pooling.js';
import { ReLU } from '../layers/activations.js';
import { Sequential } from '../layers/sequential.js';
import { resolveOptions, scaled, type ModelOptions } from './options.js';

/** The depths of the CIFAR ResNet family that the factory registers. */
export const CIFAR_RESNET_DEPTHS = [20, 32, 44, 56, 110] as const;

/**
 * Build a CIFAR ResNet of `depth = 6n + 2` layers.
 *
 * @throws when `depth − 2` is not a positive multiple of 6.
 */
export function cifarResNet(depth: number, options: ModelOptions = {}): Sequential {
  const family = `resnet${depth}`;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) throw new Error(`${family}: depth must be 6n + 2 with n ≥ 1, got ${depth}`);
  const o = resolveOptions(family, options, { norm: 'group', inputShape: [3, 32, 32], numClasses: 10 });
  const { rng, norm } = o;
  const n = (depth - 2) / 6;
  const stem = scaled(16, o.width);
  let size: [number, number] = [o.inputShape[1], o.inputShape[2]];
  const conv1 = new Conv2d(o.inputShape[0], stem, 3, { padding: 1, bias: norm.kind === 'none', init: heNormal, rng });
  const norm1 = norm.make(stem, size);
  let inPlanes = stem;
  const stages = [16, 32, 64].map((base, s) => {
    const planes = scaled(base, o.width);
    const blocks: BasicBlock[] = [];
    for (let b = 0; b < n; b++) {
      const block = new BasicBlock(inPlanes, planes, s > 0 && b === 0 ? 2 : 1, { rng, norm, inputSize: size });
      blocks.push(block);
      size = block.outputSize;
      inPlanes = planes;
    }
    return new Sequential(...blocks);
  });
  return Sequential.fromEntries([
    ['conv1', conv1],
    ['norm1', norm1],
    ['relu', new ReLU()],
    ['layer1', stages[0]],
    ['layer2', stages[1]],
    ['layer3', stages[2]],
    ['pool', new GlobalAvgPool()],
    ['fc', new Linear(inPlanes, o.numClasses, { rng })],
  ]);
}
