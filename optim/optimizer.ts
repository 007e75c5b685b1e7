/**
 * The optimizer object: a transform chain plus the weights, its state and the clock.
 *
 * Transforms are pure functions of `(grads, state, params, ctx)`. `Optimizer` is the
 * small piece of bookkeeping around them that a training loop wants: it holds the
 * current weights and state, counts updates and samples, and saves and restores the
 * state for checkpoints. Every `step` makes new weight tensors; the previous ones are
 * never written to, so a pipeline may keep them as older weight versions.
 *
 * @module
 */
import type { Tensor } from '../core/index.js';
import { flattenState, restoreState } from './state-dict.js';
import { applyUpdates, checkGradients, checkNames, type GradientTransform, type Params, type UpdateContext } from './transform.js';

/** The context of one {@link Optimizer.step}: any {@link UpdateContext} field to override, and the batch size. */
export interface StepContext extends Partial<UpdateContext> {
  /** Samples in the batch these gradients come from (default 1): added to the sample count after the update. */
  batchSize?: number;
}

/** An optimizer's checkpoint: its state tensors by dotted name, and its clock. */
export interface OptimizerStateDict {
  /** The transform state, flattened (e.g. `chain.1.velocity.layer1.weight`). */
  state: Map<string, Tensor>;
  /** Updates applied so far. */
  step: number;
  /** Samples seen so far. */
  samples: number;
}

/**
 * Runs a {@link GradientTransform} over a set of weights.
 *
 * Each `step(g)` computes the updates with the context
 * `{ step: updates so far, samples: samples so far, stage, delay }`, applies them
 * (`w ← w + u`), and then advances the clock: `step += 1`, `samples += batchSize`.
 * A value given in the step context replaces the optimizer's own for that update and
 * the clock continues from it.
 *
 * @example
 * const opt = new Optimizer(sgd({ lr: 0.1, momentum: 0.9 }), params);
 * params = opt.step(grads);                         // one sample
 * params = opt.step(grads, { batchSize: 128 });     // a batch of 128
 * params = opt.step(grads, { delay: 4 });           // inside a pipeline stage with D = 4
 */
export class Optimizer<S = unknown> {
  /** The transform (usually a chain) this optimizer runs. */
  readonly transform: GradientTransform<S>;
  private weights: Params;
  private state: S;
  private updates = 0;
  private seen = 0;

  /** Start from `params`, with the transform's initial state and the clock at zero. */
  constructor(transform: GradientTransform<S>, params: Params) {
    this.transform = transform;
    this.weights = new Map(params);
    this.state = transform.init(this.weights);
  }

  /** The current weights (a map of its own; the optimizer replaces it at each step). */
  get params(): Params {
    return this.weights;
  }

  /** Updates applied so far. */
  get steps(): number {
    return this.updates;
  }

  /** Training samples seen so far. */
  get samples(): number {
    return this.seen;
  }

  /**
   * Continue from other weights with the same names and shapes (e.g. a model's weights
   * after loading a checkpoint); the state and the clock are kept.
   *
   * @throws when a name is unknown or missing, or a shape differs.
   */
  setParams(params: Params): void {
    checkNames('Optimizer.setParams', 'tensor', params, this.weights, true);
    this.weights = new Map(params);
  }

  /**
   * Apply one update from `grads` (one per parameter) and return the new weights.
   *
   * @throws when a gradient is missing, unknown or of the wrong shape, or `batchSize` is not a positive integer.
   */
  step(grads: Params, ctx: StepContext = {}): Params {
    const { batchSize = 1, ...overrides } = ctx;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`Optimizer.step: batchSize must be a positive integer, got ${batchSize}`);
    checkGradients('Optimizer.step', grads, this.weights);
    const context = this.context(overrides);
    const { updates, state } = this.transform.update(grads, this.state, this.weights, context);
    this.weights = applyUpdates(this.weights, updates);
    this.state = state;
    this.updates = context.step + 1;
    this.seen = context.samples + batchSize;
    return this.weights;
  }

  /** The momentum buffer `v`, when the transform keeps one (for weight prediction). */
  velocity(): Params | undefined {
    return this.transform.velocity?.(this.state);
  }

  /** The learning rate the next update will use, when the transform has one. */
  learningRate(ctx: Partial<UpdateContext> = {}): number | undefined {
    return this.transform.learningRate?.(this.context(ctx));
  }

  /** The state and the clock, for a checkpoint. The tensors are shared, not copied (they are never mutated). */
  stateDict(): OptimizerStateDict {
    return { state: flattenState(this.state), step: this.updates, samples: this.seen };
  }

  /**
   * Restore a {@link stateDict}. The state must match what the transform makes for the
   * current weights, name by name and shape by shape.
   *
   * @throws when an entry is missing, unexpected or misshapen, or a counter is not a non-negative integer.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    for (const [what, n] of [['step', dict.step], ['samples', dict.samples]] as const) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`loadStateDict: ${what} must be a non-negative integer, got ${n}`);
    }
    this.state = restoreState(this.transform.init(this.weights), dict.state);
    this.updates = dict.step;
    this.seen = dict.samples;
  }

  private context(overrides: Partial<UpdateContext>): UpdateContext {
    return { ...overrides, step: overrides.step ?? this.updates, samples: overrides.samples ?? this.seen };
  }
}

/** What {@link stepModule} needs from a model: its parameters by dotted name, and a way to replace one. */
export interface ModuleLike {
  /** Every parameter with its dotted path, e.g. `['layer1.weight', w]`. */
  namedParameters(): Iterable<readonly [string, Tensor]>;
  /** Replace the parameter at `path` with `tensor`. */
  setParameter(path: string, tensor: Tensor): void;
}

/** A module's parameters as {@link Params}, e.g. to construct an {@link Optimizer}. */
export function paramsOf(module: ModuleLike): Params {
  return new Map(module.namedParameters());
}

/**
 * The gradients a `backward()` left on a module's parameters (`w.grad`).
 *
 * @throws when a parameter has no gradient, naming it.
 */
export function gradsOf(module: ModuleLike): Params {
  const grads: Params = new Map();
  for (const [name, w] of module.namedParameters()) {
    if (w.grad === null) throw new Error(`gradsOf: parameter '${name}' has no gradient; run backward() through it first`);
    grads.set(name, w.grad);
  }
  return grads;
}

/**
 * One optimizer step on a module: the optimizer continues from the module's current
 * weights, and every weight that changed is put back with `setParameter`. Returns the
 * new weights.
 *
 * @example
 * const opt = new Optimizer(sgd({ lr: 0.1 }), paramsOf(model));
 * backward(loss);
 * stepModule(opt, model, gradsOf(model));
 */
export function stepModule(opt: Optimizer<unknown>, module: ModuleLike, grads: Params, ctx?: StepContext): Params {
  const before = paramsOf(module);
  opt.setParams(before);
  const after = opt.step(grads, ctx);
  for (const [name, w] of after) if (w !== before.get(name)) module.setParameter(name, w);
  return after;
}
