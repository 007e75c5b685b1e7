/**
 * The machine's per-core peak, measured, so the GEMM's GFLOP/s can be read as a
 * fraction of what one core can do.
 *
 * - **Clock**: a WebAssembly loop of 64 dependent `i32.add`s per iteration. Each add
 *   waits for the previous one, and an integer add has a latency of one cycle on every
 *   x86-64 and AArch64 core, so adds per second is cycles per second: the clock the core
 *   actually runs at (turbo included), which `/proc/cpuinfo`'s nominal `cpu MHz` is not.
 * - **128-bit multiply + add peak**: a loop of 12 independent `acc += v·w` on f32x4, the
 *   micro-kernel's instruction mix without its loads: the most FLOP/s WebAssembly SIMD
 *   without fused multiply-add (not in the finished SIMD set) can reach.
 * - **Native peak**: clock × 2 FMA units × 16 float32 lanes (AVX-512) × 2 flops, when
 *   `/proc/cpuinfo` lists `avx512f` and `fma`; else 8 lanes (AVX2 + FMA); else 4 (SSE).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { I32, ModuleBuilder, V128 } from '../core/backend/wasm-encoder.js';

/** The measured clock and peaks of one core. */
export interface PeakResult {
  /** Measured clock (GHz). */
  clockGhz: number;
  /** Nominal clock from /proc/cpuinfo (`cpu MHz`), when there is one. */
  nominalGhz: number | null;
  /** Measured FLOP/s of independent f32x4 multiply + add (GFLOP/s). */
  simd128Gflops: number;
  /** Native peak (GFLOP/s) from the clock and the widest FMA /proc/cpuinfo lists. */
  nativeGflops: number;
  /** How the native peak was derived, e.g. `AVX-512: 2 FMA × 16 lanes × 2 flops`. */
  nativeHow: string;
}

/** The two probe loops, built with the kernel module's encoder. */
function probes(): { chain(iterations: number, step: number): number; muladd(iterations: number): void } {
  const m = new ModuleBuilder(1);
  const chain = m.func('chain', [I32, I32], [I32]);
  const x = chain.local(I32), i = chain.local(I32);
  chain.forLoop(i, () => chain.i32_const(0), 0, 1, () => {
    for (let r = 0; r < 64; r++) chain.get(x).get(1).i32_add().set(x);
  });
  chain.get(x);
  const muladd = m.func('muladd', [I32], []);
  const acc = Array.from({ length: 12 }, () => muladd.local(V128));
  const w = muladd.local(V128), j = muladd.local(I32);
  muladd.f32_const(1.0000001).f32x4_splat().set(w);
  muladd.forLoop(j, () => muladd.i32_const(0), 0, 1, () => {
    for (const a of acc) muladd.get(a).get(a).get(w).f32x4_mul().f32x4_add().set(a);
  });
  // Store the sum, so the engine cannot drop the loop as dead code.
  muladd.i32_const(0);
  for (const a of acc) muladd.get(a);
  for (let k = 1; k < acc.length; k++) muladd.f32x4_add();
  muladd.v128_store();
  const exports = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } }).exports;
  return exports as unknown as { chain(iterations: number, step: number): number; muladd(iterations: number): void };
}

/** Best seconds per call of `fn` over a few rounds. */
function best(fn: () => void): number {
  fn();
  let t = Infinity;
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    fn();
    t = Math.min(t, (performance.now() - start) / 1000);
  }
  return t;
}

/** Measure this core's clock and peaks. */
export function measurePeak(): PeakResult {
  const p = probes();
  const iterations = 2_000_000;
  const clockGhz = (iterations * 64) / best(() => p.chain(iterations, 3)) / 1e9;
  const simd128Gflops = (iterations * 12 * 8) / best(() => p.muladd(iterations)) / 1e9;
  let flags = '';
  let nominalGhz: number | null = null;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
    const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(info);
    nominalGhz = mhz ? Number(mhz[1]) / 1000 : null;
  } catch {
    // No /proc/cpuinfo (not Linux): the native peak assumes SSE.
  }
  const has = (f: string): boolean => new RegExp(`\\b${f}\\b`).test(flags);
  const [lanes, units, how] = has('avx512f') && has('fma') ? [16, 2, 'AVX-512'] : has('avx2') && has('fma') ? [8, 2, 'AVX2'] : [4, 2, 'SSE (mul and add separately)'];
  return { clockGhz, nominalGhz, simd128Gflops, nativeGflops: clockGhz * units * lanes * 2, nativeHow: `${how}: ${units} FMA units × ${lanes} float32 lanes × 2 flops × the measured clock` };
}
