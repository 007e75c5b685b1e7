/**
 * `Sequential`: modules run one after another, the backbone of every model family.
 *
 * Children are named `0, 1, 2, …` when given positionally, or by name with
 * {@link Sequential.fromEntries} (`conv1`, `layer1`, `fc`), which gives PyTorch-like
 * parameter paths such as `layer3.1.conv2.weight`. A `Sequential` cuts itself into
 * pipeline units by the default rule of `pipeline-unit.ts`, expanding children that
 * cut themselves (residual blocks, nested `Sequential`s).
 *
 * @module
 */
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { unitsOfChildren, type PipelineUnit, type Splittable } from '../pipeline-unit.js';

/**
 * Run the children in order: `forward(x) = mₙ(…m₁(m₀(x)))`.
 *
 * @example
 * const mlp = new Sequential(new Flatten(), new Linear(784, 10, { rng }));
 * mlp.namedParameters().map(([n]) => n); // ['1.weight', '1.bias']
 */
export class Sequential extends Module implements Splittable {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /**
   * A `Sequential` whose children have the given names, in the given order.
   *
   * @example
   * Sequential.fromEntries([['conv1', conv], ['relu', new ReLU()], ['fc', fc]]);
   */
  static fromEntries(entries: readonly (readonly [string, Module])[]): Sequential {
    const seq = new Sequential();
    for (const [name, module] of entries) seq.registerModule(name, module);
    return seq;
  }

  /** Apply every child in registration order. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (const [, m] of this.namedChildren()) h = m.forward(h);
    return h;
  }

  /** The units of the children, cut by the default rule. */
  pipelineUnits(prefix = ''): PipelineUnit[] {
    return unitsOfChildren(prefix, this.namedChildren());
  }
}
