/**
 * `resnet50`: the ImageNet ResNet-50 of He et al. (2016), with the stride on the 3×3
 * convolution of each {@link Bottleneck} (torchvision's layout).
 *
 * ```
 * conv1 7×7 stride 2 pad 3, 3→64   norm1  relu  maxpool 3×3 stride 2 pad 1   [64,56,56]
 * layer1  3 bottlenecks,  64 → 256                                         [256,56,56]
 * layer2  4 bottlenecks, 128 → 512, stride 2                               [512,28,28]
 * layer3  6 bottlenecks, 256 → 1024, stride 2                              [1024,14,14]
 * layer4  3 bottlenecks, 512 → 2048, stride 2                              [2048,7,7]
 * global average pool → fc 2048 → 1000
 * ```
 *
 * Projection shortcuts (`downsample` = 1×1 conv + norm) where the shape changes.
 * 25,557,032 parameters at width 1 with per-channel normalization. Convolutions have
 * no bias (unless `norm: 'none'`) and Kaiming normal initialization (fan_in, ReLU
 * gain); the classifier uses the PyTorch default. Defaults: input `[3, 224, 224]`,
 * 1000 classes, `norm: 'group'`.
 *
 * @module
 */
import { Bottleneck } from '../blocks/bottleneck.js';
import { heNormal } from '../init.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { GlobalAvgPool, MaxPool2d } from '../layers/pooling.js';
import { ReLU } from '../layers/activations.js';
import { Sequential } from '../layers/sequential.js';
import { checkFits, resolveOptions, scaled, windowOut, type ModelOptions } from './options.js';

/** Blocks per stage of ResNet-50. */
export const RESNET50_LAYERS = [3, 4, 6, 3] as const;

/** Build an ImageNet bottleneck ResNet with `layers[i]` blocks in stage `i` (ResNet-50 by default). */
export function imagenetResNet(options: ModelOptions = {}, layers: readonly number[] = RESNET50_LAYERS, family = 'resnet50'): Sequential {
  const o = resolveOptions(family, options, { norm: 'group', inputShape: [3, 224, 224], numClasses: 1000 });
  const { rng, norm } = o;
  const stem = scaled(64, o.width);
  let size: [number, number] = [windowOut(o.inputShape[1], 7, 2, 3), windowOut(o.inputShape[2], 7, 2, 3)];
  checkFits(family, size, 'conv1', o.inputShape);
  const conv1 = new Conv2d(o.inputShape[0], stem, 7, { stride: 2, padding: 3, bias: norm.kind === 'none', init: heNormal, rng });
  const norm1 = norm.make(stem, size);
  size = [windowOut(size[0], 3, 2, 1), windowOut(size[1], 3, 2, 1)];
  let inPlanes = stem;
  const stages = layers.map((count, s) => {
    const planes = scaled(64 * 2 ** s, o.width);
    const blocks: Bottleneck[] = [];
    for (let b = 0; b < count; b++) {
      const block = new Bottleneck(inPlanes, planes, s > 0 && b === 0 ? 2 : 1, { rng, norm, inputSize: size });
      blocks.push(block);
      size = block.outputSize;
      inPlanes = planes * Bottleneck.expansion;
    }
    return new Sequential(...blocks);
  });
  return Sequential.fromEntries([
    ['conv1', conv1],
    ['norm1', norm1],
    ['relu', new ReLU()],
    ['maxpool', new MaxPool2d(3, { stride: 2, padding: 1 })],
    ...stages.map((stage, s): [string, Sequential] => [`layer${s + 1}`, stage]),
    ['pool', new GlobalAvgPool()],
    ['fc', new Linear(inPlanes, o.numClasses, { rng })],
  ]);
}
