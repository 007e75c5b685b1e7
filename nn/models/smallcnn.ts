/**
 * `smallcnn`: a tiny MNIST network for fast default jobs.
 *
 * ```
 * conv1 3×3 pad 1, 1→8    [8,28,28]   relu1  pool1 2×2 → [8,14,14]
 * conv2 3×3,       8→16   [16,12,12]  relu2  pool2 2×2 → [16,6,6]
 * flatten 576 → fc 10
 * ```
 *
 * 7,018 parameters at width 1 with `norm: 'none'` (the default; with a norm, one
 * follows each convolution, which then has no bias). About 0.23 M multiply-adds
 * forward. One epoch of batch-size-one SGD (learning rate 0.005–0.01, no momentum,
 * inputs standardized with the MNIST mean and std) reaches about 98 % on the MNIST
 * test set. Three pipeline units (conv1, conv2, fc). PyTorch-default initialization.
 *
 * @module
 */
import { Flatten } from '../layers/flatten.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { MaxPool2d } from '../layers/pooling.js';
import { ReLU } from '../layers/activations.js';
import { Sequential } from '../layers/sequential.js';
import type { Module } from '../module.js';
import { checkFits, resolveOptions, scaled, windowOut, type ModelOptions } from './options.js';

/** The two convolutions: output channels (before the width multiplier) and padding. */
const CONVS = [
  { channels: 8, padding: 1 },
  { channels: 16, padding: 0 },
] as const;

/** Build the small CNN (see the module comment). */
export function smallcnn(options: ModelOptions = {}): Sequential {
  const o = resolveOptions('smallcnn', options, { norm: 'none', inputShape: [1, 28, 28], numClasses: 10 });
  const { rng, norm } = o;
  const entries: [string, Module][] = [];
  let channels = o.inputShape[0];
  let [h, w] = [o.inputShape[1], o.inputShape[2]];
  CONVS.forEach(({ channels: base, padding }, i) => {
    const n = i + 1;
    const out = scaled(base, o.width);
    entries.push([`conv${n}`, new Conv2d(channels, out, 3, { padding, bias: norm.kind === 'none', rng })]);
    [h, w] = [windowOut(h, 3, 1, padding), windowOut(w, 3, 1, padding)];
    checkFits('smallcnn', [h, w], `conv${n}`, o.inputShape);
    if (norm.kind !== 'none') entries.push([`norm${n}`, norm.make(out, [h, w])]);
    entries.push([`relu${n}`, new ReLU()], [`pool${n}`, new MaxPool2d(2)]);
    [h, w] = [windowOut(h, 2, 2, 0), windowOut(w, 2, 2, 0)];
    checkFits('smallcnn', [h, w], `pool${n}`, o.inputShape);
    channels = out;
  });
  entries.push(['flatten', new Flatten()], ['fc', new Linear(channels * h * w, o.numClasses, { rng })]);
  return Sequential.fromEntries(entries);
}
