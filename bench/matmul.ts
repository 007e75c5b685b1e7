/**
 * Square float32 matrix products `[n,n]·[n,n]` in GFLOP/s (`2n³` flops per product):
 * pipegrad's `matmul` on its `wasm` and `ts` backends, and `tf.matMul` on tfjs's `cpu`
 * and `wasm` backends (`@tensorflow/tfjs-backend-wasm`, XNNPACK kernels, one thread).
 *
 * Every side multiplies the same seeded `randn` matrices. pipegrad computes eagerly, so
 * the call's return is the finished product; tfjs is forced to finish with `dataSync()`
 * and the product is disposed. All times include allocating the output, as every caller
 * pays it.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { matmul, randn, Rng } from '../core/index.js';
import { onBackend, onTfjs, type PipegradBackend, type TfjsBackend } from './sides.js';
import { time, type Timing, type TimingPlan } from './timing.js';

/** One size's figures. */
export interface MatmulResult {
  /** The side of the square matrices. */
  n: number;
  /** Floating-point operations of one product, `2n³`. */
  flops: number;
  /** pipegrad's timing of one product, per backend. */
  pipegrad: Record<PipegradBackend, Timing>;
  /** tfjs's timing of one product, per backend. */
  tfjs: Record<TfjsBackend, Timing>;
}

/** How many rounds to time at side `n`: many short rounds for small fast products, a few single calls for the slow ones. */
function planFor(n: number, slow: boolean): TimingPlan {
  if (slow && n >= 1024) return { warmup: 1, rounds: 2, minRoundMs: 0 };
  if (slow && n >= 512) return { warmup: 1, rounds: 3, minRoundMs: 0 };
  if (n >= 1024) return { warmup: 1, rounds: 5, minRoundMs: 0 };
  return { warmup: 3, rounds: 5, minRoundMs: 100 };
}

/** Time every side's `[n,n]·[n,n]` product for each side in `sizes`. */
export async function benchMatmul(sizes: readonly number[], seed: number): Promise<MatmulResult[]> {
  const results: MatmulResult[] = [];
  for (const n of sizes) {
    const rng = new Rng(seed + n);
    const a = randn([n, n], rng);
    const b = randn([n, n], rng);
    const pipegrad = {
      wasm: onBackend('wasm', () => time(() => matmul(a, b), planFor(n, false))),
      ts: onBackend('ts', () => time(() => matmul(a, b), planFor(n, true))),
    };
    const tfjsSide = async (backend: TfjsBackend): Promise<Timing> =>
      onTfjs(backend, () => {
        const ta = tf.tensor2d(a.data as Float32Array, [n, n]);
        const tb = tf.tensor2d(b.data as Float32Array, [n, n]);
        const t = time(() => {
          const c = tf.matMul(ta, tb);
          c.dataSync();
          c.dispose();
        }, planFor(n, backend === 'cpu'));
        tf.dispose([ta, tb]);
        return t;
      });
    results.push({ n, flops: 2 * n ** 3, pipegrad, tfjs: { cpu: await tfjsSide('cpu'), wasm: await tfjsSide('wasm') } });
  }
  return results;
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
