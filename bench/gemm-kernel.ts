/**
 * GFLOP/s of the GEMM kernel of the plain-TS (`ts`) and `wasm` backends (float32), for
 * tuning them.
 *
 * Square products at 64…1024, then the small and skinny shapes of batch-1 training
 * (a dense layer's forward and both gradients, a conv layer through im2col). Each
 * figure is the best of several timed rounds, since a shared machine adds noise, and
 * includes allocating the output, as every caller pays it (for the tiny-k outer product
 * that allocation is most of the time).
 *
 * @example
 * npx tsx bench/gemm-kernel.ts
 */
import type { Backend } from '../core/backend/backend.js';
import { cpuBackend } from '../core/backend/cpu.js';
import { createWasmBackend } from '../core/backend/wasm.js';
import { Rng } from '../core/random.js';

/** A product to time: `op(A)[m,k] · op(B)[k,n]`, with a label for the table. */
interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

const rng = new Rng(1);

function randomMatrix(size: number): Float32Array {
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.uniform() * 2 - 1;
  return data;
}

/** Best GFLOP/s over `rounds` rounds of at least `roundMs` each. */
function measure(backend: Backend, { m, n, k, transA = false, transB = false }: Shape, rounds = 5, roundMs = 200): number {
  const a = randomMatrix(m * k);
  const b = randomMatrix(k * n);
  const args = { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 };
  for (let i = 0; i < 3; i++) backend.gemm(a, b, args);
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    let reps = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      backend.gemm(a, b, args);
      reps++;
      elapsed = performance.now() - start;
    } while (elapsed < roundMs);
    best = Math.max(best, (2 * m * n * k * reps) / (elapsed * 1e6));
  }
  return best;
}

const shapes: Shape[] = [
  ...[64, 128, 256, 512, 1024].map((s) => ({ label: `square ${s}`, m: s, n: s, k: s })),
  { label: 'dense forward  [1,784]·[784,100]', m: 1, n: 100, k: 784 },
  { label: 'dense forward  [1,784]·[100,784]ᵀ', m: 1, n: 100, k: 784, transB: true },
  { label: 'dense dW       [784,1]ᵀ·[1,100]', m: 784, n: 100, k: 1, transA: true },
  { label: 'conv forward   [32,288]·[288,1024]', m: 32, n: 1024, k: 288 },
  { label: 'conv dW        [32,1024]·[288,1024]ᵀ', m: 32, n: 288, k: 1024, transB: true },
  { label: 'conv dcols     [32,288]ᵀ·[32,1024]', m: 288, n: 1024, k: 32, transA: true },
];

const wasm = createWasmBackend();
console.log(`gemm, float32, best of 5 rounds, GFLOP/s\n${''.padEnd(40)}     ts    wasm`);
for (const shape of shapes) console.log(`${shape.label.padEnd(40)} ${measure(cpuBackend, shape).toFixed(2).padStart(6)} ${measure(wasm, shape).toFixed(2).padStart(7)}`);
