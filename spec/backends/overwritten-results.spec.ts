/**
 * The wasm backend takes its results from the buffer pool without zero-filling them
 * (`overwrittenBuffer`), on the claim that every such kernel writes all of its result.
 * Held here: with the pool seeded with NaN-filled buffers of exactly the result's length,
 * each kernel inside a recycling scope gives the same bits as outside any scope (where
 * its result is a fresh zeroed array), and no NaN is left. A kernel that skipped an
 * element would leave one of the seeded NaNs behind.
 */
import test from 'tape';
import { clearBufferPool, bufferPoolStats, DeviceScope, type Backend, type Conv2dGeometry, type Data } from '../../core/index.js';
import { createWasmBackend, wasmSimdSupported } from '../../core/backend/index.js';
import { giveBack } from '../../core/backend/buffer-pool.js';
import { seeded } from './seeded.js';

/** The 3×3, stride 1, pad 1 geometry of a `channels`×`size`×`size` image. */
function geometry(channels: number, size: number): Conv2dGeometry {
  return { channels, height: size, width: size, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: size, outW: size };
}

/** `kernel` run outside any scope, and inside a recycling scope whose pool holds NaN buffers of `resultLength`. */
function bothWays(kernel: () => Data, resultLength: number): { fresh: Data; pooled: Data; fromPool: boolean } {
  const fresh = kernel();
  clearBufferPool();
  const scope = new DeviceScope('overwrite check', { recycle: true });
  let pooled: Data | null = null;
  scope.run(() => {
    // Several, so that intermediate results of the same length also come out of NaN buffers.
    for (let i = 0; i < 4; i++) giveBack(new Float32Array(resultLength).fill(NaN));
    pooled = kernel();
  });
  const fromPool = bufferPoolStats().reused > 0;
  const copy = Float32Array.from(pooled!);
  scope.close();
  clearBufferPool();
  return { fresh, pooled: copy, fromPool };
}

function sameBits(a: Data, b: Data): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

const wasm: Backend | null = wasmSimdSupported() ? createWasmBackend() : null;

test('wasm kernels that skip the zero-fill write every element of their result', (t) => {
  // pipegrad's Node (20 and later) runs WebAssembly SIMD; without it there is nothing to check, and that is a failure.
  t.ok(wasm !== null, 'this engine runs WebAssembly SIMD, so the wasm backend exists');
  if (wasm === null) {
    t.end();
    return;
  }
  const w = wasm;
  const g = geometry(8, 12);
  const plane = g.outH * g.outW;
  const kdim = g.channels * 9;
  const image = seeded(2 * g.channels * 144, 1);
  const filters = seeded(16 * kdim, 2);
  const grads = seeded(2 * 16 * plane, 3);
  const a = seeded(24 * 40, 4);
  const b = seeded(40 * 36, 5);
  const cases: [string, () => Data, number][] = [
    ['gemm 24×40 · 40×36', () => w.gemm(a, b, { batch: 1, m: 24, n: 36, k: 40, transA: false, transB: false, strideA: 0, strideB: 0 }), 24 * 36],
    ['gemm batch 2, transposed A', () => w.gemm(a, b, { batch: 2, m: 12, n: 18, k: 40, transA: true, transB: false, strideA: 12 * 40, strideB: 18 * 40 }), 2 * 12 * 18],
    ['im2col', () => w.im2col(image, 0, g), kdim * plane],
    ['maxPool2d', () => w.maxPool2d(image, 2, { ...g, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, outH: 6, outW: 6 }).out, 2 * g.channels * 36],
    ['unary relu', () => w.unary('relu', image), image.length],
    ['unary scale', () => w.unary('scale', image, 0.5), image.length],
    ['binary add with broadcasting', () => w.binary('add', image, [2, g.channels, 144], seeded(g.channels, 6), [1, g.channels, 1], [2, g.channels, 144]), image.length],
    ['axpby', () => w.axpby(0.9, image, -0.1, seeded(image.length, 7)), image.length],
    ['reduce sum over the last axis', () => w.reduce('sum', image, [2 * g.channels, 144], [1]), 2 * g.channels],
    ['reduce sum over the first axis', () => w.reduce('sum', image, [2, g.channels * 144], [0]), g.channels * 144],
    ['fused conv2d', () => w.fusedConv!.conv2d(image, filters, 2, 16, g), 2 * 16 * plane],
    ['fused conv2dInputGrad', () => w.fusedConv!.conv2dInputGrad(grads, filters, 2, 16, g), image.length],
    ['fused conv2dWeightGrad, one image', () => w.fusedConv!.conv2dWeightGrad(grads.subarray(0, 16 * plane), image.subarray(0, g.channels * 144), 1, 16, g), 16 * kdim],
    ['fused conv2dWeightGrad, two images', () => w.fusedConv!.conv2dWeightGrad(grads, image, 2, 16, g), 16 * kdim],
  ];
  for (const [name, kernel, length] of cases) {
    const { fresh, pooled, fromPool } = bothWays(kernel, length);
    t.ok(fromPool, `${name}: the recycling run took its result from the seeded pool`);
    t.ok(!pooled.some((v) => Number.isNaN(v)) || fresh.some((v) => Number.isNaN(v)), `${name}: no seeded NaN left in the result`);
    t.ok(sameBits(fresh, pooled), `${name}: the same bits as with a fresh zeroed result`);
  }
  t.end();
});
