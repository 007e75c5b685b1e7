/**
 * `vgg11`, `vgg13`, `vgg16`: VGG (Simonyan & Zisserman, 2015) for CIFAR's 32×32 images.
 *
 * The convolution stacks of configurations A, B and D — every convolution 3×3 with
 * padding 1, followed by a normalization (default GroupNorm) and a ReLU; `M` a 2×2 max
 * pool. Five pools take 32×32 to 1×1, so the classifier is ONE linear layer
 * `512 → numClasses` (the CIFAR variant; ImageNet VGG has three). Convolutions use
 * Kaiming normal initialization (fan_in, ReLU gain) and have a bias only with
 * `norm: 'none'`; the classifier uses the PyTorch default.
 *
 * ```
 * vgg11: 64 M 128 M 256 256 M 512 512 M 512 512 M
 * vgg13: 64 64 M 128 128 M 256 256 M 512 512 M 512 512 M
 * vgg16: 64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M
 * ```
 *
 * Paths: `features.<i>.weight` (the i-th module of the stack), `classifier.weight`.
 * Each convolution (with its norm, ReLU and following pool) is one pipeline unit.
 *
 * @module
 */
import { heNormal } from '../init.js';
import { Flatten } from '../layers/flatten.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { MaxPool2d } from '../layers/pooling.js';
import { ReLU } from '../layers/activations.js';
import { Sequential } from '../layers/sequential.js';
import type { Module } from '../module.js';
import { checkFits, resolveOptions, scaled, windowOut, type ModelOptions } from './options.js';

/** The VGG configurations: channel counts, and `'M'` for a max pool. */
export const VGG_CONFIGS: Readonly<Record<'vgg11' | 'vgg13' | 'vgg16', readonly (number | 'M')[]>> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
};

/** Build a CIFAR VGG of the given configuration. */
export function vgg(name: keyof typeof VGG_CONFIGS, options: ModelOptions = {}): Sequential {
  const o = resolveOptions(name, options, { norm: 'group', inputShape: [3, 32, 32], numClasses: 10 });
  const { rng, norm } = o;
  const features: Module[] = [];
  let channels = o.inputShape[0];
  let [h, w] = [o.inputShape[1], o.inputShape[2]];
  for (const item of VGG_CONFIGS[name]) {
    if (item === 'M') {
      features.push(new MaxPool2d(2));
      [h, w] = [windowOut(h, 2, 2, 0), windowOut(w, 2, 2, 0)];
      checkFits(name, [h, w], `max pool ${features.length - 1}`, o.inputShape);
      continue;
    }
    const out = scaled(item, o.width);
    features.push(new Conv2d(channels, out, 3, { padding: 1, bias: norm.kind === 'none', init: heNormal, rng }));
    if (norm.kind !== 'none') features.push(norm.make(out, [h, w]));
    features.push(new ReLU());
    channels = out;
  }
  return Sequential.fromEntries([
    ['features', new Sequential(...features)],
    ['flatten', new Flatten()],
    ['classifier', new Linear(channels * h * w, o.numClasses, { rng })],
  ]);
}
