/**
 * One loop over parameter maps, as optax's `tree_map` is one loop over parameter trees.
 *
 * Transforms, weight prediction, PipeMare and the pipeline's gradient accumulation all
 * do the same thing: for every parameter name, take the tensor of that name from one or
 * more maps (gradients, velocities, weights) and make a new tensor from them. This
 * module is that loop, written once, with the one-line error when a map lacks a name.
 *
 * @module
 */
import type { Tensor } from '../core/index.js';
import type { Params } from './transform.js';

/**
 * A new map with `fn(first.get(name), rest[0].get(name), …)` for every name of `first`,
 * in `first`'s order. `fn` gets the tensors (not elements), so its loop over the typed
 * arrays stays one tight loop.
 *
 * @param fn makes the output tensor for one parameter from that parameter's tensors
 * @param first the map whose names are mapped over
 * @param rest further maps that must hold every name of `first`
 * @throws one line naming the parameter and the map (by position) that lacks it.
 * @example
 * // v ← m·v + g for every parameter
 * const velocity = mapTensors((g, v) => {
 *   const out = allocateLike(g);
 *   for (let i = 0; i < out.length; i++) out[i] = m * v.data[i] + g.data[i];
 *   return new Tensor(out, g.shape);
 * }, grads, state.velocity);
 */
export function mapTensors(fn: (first: Tensor, ...rest: Tensor[]) => Tensor, first: Params, ...rest: Params[]): Params {
  const out: Params = new Map();
  for (const [name, t] of first) {
    const others = rest.map((map, i) => {
      const u = map.get(name);
      if (u === undefined) throw new Error(`mapTensors: map ${i + 2} has no tensor for parameter '${name}' (map 1 has one)`);
      return u;
    });
    out.set(name, fn(t, ...others));
  }
  return out;
}
