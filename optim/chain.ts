/**
 * Composing transforms: the output of one is the input of the next.
 *
 * @module
 */
import type { GradientTransform, Params, UpdateContext } from './transform.js';

/**
 * Run `transforms` one after another: `u₀ = g`, `uᵢ₊₁ = transforms[i](uᵢ)`, and the
 * chain's updates are the last `u`. Its state is the tuple of the members' states (so a
 * member's state is named `chain.i.…` in a state dict). Order matters: decay before
 * momentum puts `λw` into the velocity, decay after it does not.
 *
 * `velocity` and `learningRate` come from the first member that provides one.
 *
 * @example
 * // SGD with momentum 0.9, weight decay 5e-4, learning rate 0.1:
 * const opt = chain(addWeightDecay(5e-4), momentum(0.9), scaleByLearningRate(0.1));
 */
export function chain(...transforms: GradientTransform<unknown>[]): GradientTransform<unknown[]> {
  return {
    init(params: Params): unknown[] {
      return transforms.map((t) => t.init(params));
    },
    update(grads: Params, state: unknown[], params: Params, ctx: UpdateContext) {
      if (state.length !== transforms.length) {
        throw new Error(`chain: state has ${state.length} entries but the chain has ${transforms.length} transforms`);
      }
      let updates = grads;
      const next: unknown[] = [];
      transforms.forEach((t, i) => {
        const out = t.update(updates, state[i], params, ctx);
        updates = out.updates;
        next.push(out.state);
      });
      return { updates, state: next };
    },
    velocity(state: unknown[]): Params | undefined {
      for (let i = 0; i < transforms.length; i++) {
        const v = transforms[i].velocity?.(state[i]);
        if (v !== undefined) return v;
      }
      return undefined;
    },
    learningRate(ctx: UpdateContext): number | undefined {
      for (const t of transforms) {
        const lr = t.learningRate?.(ctx);
        if (lr !== undefined) return lr;
      }
      return undefined;
    },
  };
}
