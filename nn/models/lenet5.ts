/**
 * `lenet5`: pipegrad's LeNet-5 variant for 28×28 MNIST.
 *
 * LeCun et al. (1998) fed 32×32 images to a 5×5 convolution without padding; here the
 * first convolution pads by 2 so a 28×28 digit gives the same 28×28 map. ReLU replaces
 * the scaled tanh and max pooling the trainable subsampling, as in most modern
 * re-implementations; the C3 layer is fully connected to S2 (no connection table).
 *
 * ```
 * conv1 5×5 pad 2, 1→6    [6,28,28]   relu1  pool1 2×2 → [6,14,14]
 * conv2 5×5,       6→16   [16,10,10]  relu2  pool2 2×2 → [16,5,5]
 * flatten 400 → fc1 120 → relu3 → fc2 84 → relu4 → fc3 10
 * ```
 *
 * 61,706 parameters at width 1 with `norm: 'none'` (the default); with a norm, one
 * follows each convolution and each hidden linear layer, which then have no bias.
 * PyTorch-default initialization.
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

/** Build LeNet-5 (see the module comment for the exact variant). */
export function lenet5(options: ModelOptions = {}): Sequential {
  const o = resolveOptions('lenet5', options, { norm: 'none', inputShape: [1, 28, 28], numClasses: 10 });
  const { rng, norm } = o;
  const bias = norm.kind === 'none';
  const [c1, c2, f1, f2] = [6, 16, 120, 84].map((n) => scaled(n, o.width));
  const entries: [string, Module][] = [];
  const withNorm = (name: string, channels: number, spatial: readonly number[]): void => {
    if (norm.kind !== 'none') entries.push([name, norm.make(channels, spatial)]);
  };
  let [h, w] = [o.inputShape[1], o.inputShape[2]];
  entries.push(['conv1', new Conv2d(o.inputShape[0], c1, 5, { padding: 2, bias, rng })]);
  withNorm('norm1', c1, [h, w]);
  [h, w] = [windowOut(h, 2, 2, 0), windowOut(w, 2, 2, 0)];
  entries.push(['relu1', new ReLU()], ['pool1', new MaxPool2d(2)]);
  [h, w] = [windowOut(h, 5, 1, 0), windowOut(w, 5, 1, 0)];
  checkFits('lenet5', [h, w], 'conv2', o.inputShape);
  entries.push(['conv2', new Conv2d(c1, c2, 5, { bias, rng })]);
  withNorm('norm2', c2, [h, w]);
  [h, w] = [windowOut(h, 2, 2, 0), windowOut(w, 2, 2, 0)];
  checkFits('lenet5', [h, w], 'pool2', o.inputShape);
  entries.push(['relu2', new ReLU()], ['pool2', new MaxPool2d(2)], ['flatten', new Flatten()]);
  entries.push(['fc1', new Linear(c2 * h * w, f1, { bias, rng })]);
  withNorm('norm3', f1, []);
  entries.push(['relu3', new ReLU()], ['fc2', new Linear(f1, f2, { bias, rng })]);
  withNorm('norm4', f2, []);
  entries.push(['relu4', new ReLU()], ['fc3', new Linear(f2, o.numClasses, { rng })]);
  return Sequential.fromEntries(entries);
}
