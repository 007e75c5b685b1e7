/**
 * `mlp`: a multilayer perceptron on flattened inputs.
 *
 * `flatten → [fc_i → norm_i → relu_i] × depth → fc_(depth+1)`, hidden width
 * `hidden · width` (default 256), PyTorch-default initialization. Defaults: input
 * `[1, 28, 28]`, 10 classes, `norm: 'none'`, `depth: 2`. Each linear layer is one
 * pipeline unit.
 *
 * @module
 */
import { Flatten } from '../layers/flatten.js';
import { Linear } from '../layers/linear.js';
import { ReLU } from '../layers/activations.js';
import { Sequential } from '../layers/sequential.js';
import type { Module } from '../module.js';
import { resolveOptions, scaled, type ModelOptions } from './options.js';

/**
 * Build an MLP.
 *
 * @example
 * createModel('mlp', { depth: 1, hidden: 100 }); // 784 → 100 → 10
 */
export function mlp(options: ModelOptions = {}): Sequential {
  const o = resolveOptions('mlp', options, { norm: 'none', inputShape: [1, 28, 28], numClasses: 10 });
  const depth = options.depth ?? 2;
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`mlp: depth must be a non-negative integer, got ${depth}`);
  if (options.hidden !== undefined && !(Number.isInteger(options.hidden) && options.hidden >= 1)) {
    throw new Error(`mlp: hidden must be a positive integer (the width of each hidden layer), got ${options.hidden}`);
  }
  const hidden = scaled(options.hidden ?? 256, o.width);
  const entries: [string, Module][] = [['flatten', new Flatten()]];
  let features = o.inputShape[0] * o.inputShape[1] * o.inputShape[2];
  for (let i = 1; i <= depth; i++) {
    entries.push([`fc${i}`, new Linear(features, hidden, { rng: o.rng, bias: o.norm.kind === 'none' })]);
    if (o.norm.kind !== 'none') entries.push([`norm${i}`, o.norm.make(hidden, [])]);
    entries.push([`relu${i}`, new ReLU()]);
    features = hidden;
  }
  entries.push([`fc${depth + 1}`, new Linear(features, o.numClasses, { rng: o.rng })]);
  return Sequential.fromEntries(entries);
}
