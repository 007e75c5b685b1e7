/**
 * Inverted dropout with an explicit seeded generator.
 *
 * In training each element is kept with probability `1 − p` and scaled by
 * `1 / (1 − p)`, so evaluation needs no rescaling; the mask is saved for the VJP,
 * `dx = g ⊙ mask`.
 *
 * @module
 */
import { defineOp } from '../registry.js';
import type { Rng } from '../random.js';
import { allocate, Tensor } from '../tensor.js';
import { mul } from './elementwise.js';

const dropoutOp = defineOp<{ mask: Tensor }>({
  name: 'dropout',
  forward: ([x], { mask }) => mul(x, mask),
  vjp: [({ g, attrs }) => mul(g, attrs.mask)],
});

/**
 * Zero each element with probability `p` (drawn from `rng`) and scale the rest by
 * `1/(1 − p)`; the identity when `training` is false or `p` is 0.
 */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const mask = allocate(x.dtype, x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() >= p ? scale : 0;
  return dropoutOp([x], { mask: new Tensor(mask, x.shape) });
}
