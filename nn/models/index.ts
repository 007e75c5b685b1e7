/**
 * The model factory: every family by name, and `registerModel` for your own.
 *
 * ```ts
 * const model = createModel('resnet20', { norm: 'group', seed: 1 });
 * model.parameterCount();   // 269722
 * model.pipelineUnits();    // stem, 2 per block, head
 * ```
 *
 * Built-in names: `mlp`, `lenet5`, `smallcnn`, `vgg11`, `vgg13`, `vgg16`, `resnet20`,
 * `resnet32`, `resnet44`, `resnet56`, `resnet110`, `resnet50`. Each family's file
 * documents its layers, paths and defaults. `createModel` checks the option names
 * (a misspelt option is an error, not a silent default) and applies
 * `zeroInitResidual` for every family, custom ones included.
 *
 * @module
 */
import { checkOptions } from '../../core/index.js';
import { zeroInitResidual } from '../init.js';
import type { Model } from '../pipeline-unit.js';
import { lenet5 } from './lenet5.js';
import { mlp } from './mlp.js';
import { COMMON_OPTIONS, type ModelOptions } from './options.js';
import { CIFAR_RESNET_DEPTHS, cifarResNet } from './resnet-cifar.js';
import { imagenetResNet } from './resnet-imagenet.js';
import { smallcnn } from './smallcnn.js';
import { vgg } from './vgg.js';

export { COMMON_OPTIONS, resolveOptions, scaled, windowOut, type FamilyDefaults, type ModelOptions, type ResolvedOptions } from './options.js';
export { mlp } from './mlp.js';
export { lenet5 } from './lenet5.js';
export { smallcnn } from './smallcnn.js';
export { vgg, VGG_CONFIGS } from './vgg.js';
export { cifarResNet, CIFAR_RESNET_DEPTHS } from './resnet-cifar.js';
export { imagenetResNet, RESNET50_LAYERS } from './resnet-imagenet.js';

/** Builds a model from options. */
export type ModelFactory = (options: ModelOptions) => Model;

/** How a factory is registered. */
export interface ModelRegistration {
  /** Option names the factory reads beyond {@link COMMON_OPTIONS} (e.g. `['depth', 'hidden']`). */
  options?: readonly string[];
  /** Replace an existing registration of the same name instead of failing (default false). */
  replace?: boolean;
}

interface Entry {
  factory: ModelFactory;
  options: ReadonlySet<string>;
}

const registry = new Map<string, Entry>();

/**
 * Make `createModel(name, options)` build models with `factory`.
 *
 * @throws when `name` is taken (unless `replace`) or empty.
 * @example
 * registerModel('tiny', (o) => Sequential.fromEntries([['fc', new Linear(4, 2, { rng: new Rng(o.seed ?? 0) })]]));
 * createModel('tiny', { seed: 3 });
 */
export function registerModel(name: string, factory: ModelFactory, registration: ModelRegistration = {}): void {
  if (typeof name !== 'string' || name === '') throw new Error('registerModel: the name must be a non-empty string');
  if (registry.has(name) && !registration.replace) throw new Error(`registerModel: a model named '${name}' is already registered (pass { replace: true } to replace it)`);
  registry.set(name, { factory, options: new Set([...COMMON_OPTIONS, ...(registration.options ?? [])]) });
}

/**
 * Build the model registered as `name`.
 *
 * @throws listing the valid names when `name` is unknown, and the valid options when
 *   an option name is not one the family reads.
 */
export function createModel(name: string, options: ModelOptions = {}): Model {
  const entry = registry.get(name);
  if (entry === undefined) throw new Error(`createModel: unknown model '${name}'; valid names: ${modelNames().join(', ')}`);
  checkOptions(`createModel('${name}')`, options, [...entry.options]);
  const model = entry.factory(options);
  if (options.zeroInitResidual) zeroInitResidual(model);
  return model;
}

/** The registered model names, in registration order. */
export function modelNames(): string[] {
  return [...registry.keys()];
}

registerModel('mlp', mlp, { options: ['depth', 'hidden'] });
registerModel('lenet5', lenet5);
registerModel('smallcnn', smallcnn);
for (const name of ['vgg11', 'vgg13', 'vgg16'] as const) registerModel(name, (o) => vgg(name, o));
for (const depth of CIFAR_RESNET_DEPTHS) registerModel(`resnet${depth}`, (o) => cifarResNet(depth, o));
registerModel('resnet50', (o) => imagenetResNet(o));
