/**
 * The last link of most chains: turn a direction into a step, `u' = −η·u`.
 *
 * @module
 */
import { constant, type Schedule } from './schedules.js';
import { checkGradients, scaleTensors, type GradientTransform, type Params, type UpdateContext } from './transform.js';

/**
 * `u' = −η(s)·u`, with `η` from `schedule` at `s = ctx.samples` (a number is a constant
 * schedule). The minus sign lives here, so every transform before it works with
 * gradient-like directions and the chain's updates are added to the weights.
 * `learningRate(ctx)` reports `η(ctx.samples)`, which weight prediction (LWP) needs.
 *
 * @example
 * scaleByLearningRate(0.1);
 * scaleByLearningRate(cosine(0.1, 1_000_000));
 */
export function scaleByLearningRate(schedule: number | Schedule): GradientTransform<undefined> {
  const lr = typeof schedule === 'number' ? constant(schedule) : schedule;
  return {
    init: () => undefined,
    update(grads: Params, state: undefined, params: Params, ctx: UpdateContext) {
      checkGradients('scaleByLearningRate', grads, params);
      return { updates: scaleTensors(grads, -lr(ctx.samples)), state };
    },
    learningRate: (ctx: UpdateContext) => lr(ctx.samples),
  };
}
