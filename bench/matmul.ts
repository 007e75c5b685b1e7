/**
 * Square float32 matrix products, pipegrad's `matmul` against `tf.matMul` on tfjs's
 * `cpu` backend, in GFLOP/s (`2n³` flops per product).
 *
 * Both sides multiply the same seeded `randn` matrices. pipegrad computes eagerly, so
 * the call's return is the finished product; tfjs is forced to finish with `dataSync()`
 * and the product is disposed. Both times include allocating the output, as every
 * caller pays it.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { matmul, randn, Rng } from '../core/index.js';
import { time, type Timing, type TimingPlan } from './timing.js';

/** One size's figures. */
export interface MatmulResult {
  /** The side of the square matrices. */
  n: number;
  /** Floating-point operations of one product, `2n³`. */
  flops: number;
  /** pipegrad's timing of one product. */
  pipegrad: Timing;
  /** tfjs-cpu's timing of one product. */
  tfjs: Timing;
}

/** How many rounds to time at side `n`: many short rounds for small products, few for the slow large ones. */
function planFor(n: number, side: 'pipegrad' | 'tfjs'): TimingPlan {
  if (n >= 1024) return { warmup: 1, rounds: side === 'tfjs' ? 2 : 3, minRoundMs: 0 };
  if (n >= 512) return { warmup: 1, rounds: 3, minRoundMs: 0 };
  return { warmup: 3, rounds: 5, minRoundMs: 100 };
}

/** Time both libraries' `[n,n]·[n,n]` product for each side in `sizes`. */
export function benchMatmul(sizes: readonly number[], seed: number): MatmulResult[] {
  return sizes.map((n) => {
    const rng = new Rng(seed + n);
    const a = randn([n, n], rng);
    const b = randn([n, n], rng);
    const pipegrad = time(() => matmul(a, b), planFor(n, 'pipegrad'));
    const ta = tf.tensor2d(a.data as Float32Array, [n, n]);
    const tb = tf.tensor2d(b.data as Float32Array, [n, n]);
    const tfjs = time(() => {
      const c = tf.matMul(ta, tb);
      c.dataSync();
      c.dispose();
    }, planFor(n, 'tfjs'));
    tf.dispose([ta, tb]);
    return { n, flops: 2 * n ** 3, pipegrad, tfjs };
  });
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
