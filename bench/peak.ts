/**
 * The machine's per-core peak, measured, so the GEMM's GFLOP/s can be read as a
 * fraction of what one core can do.
 *
 * - **Clock**: a WebAssembly loop of 64 dependent `i32.add`s per iteration. Each add
 *   waits for the previous one, and an integer add has a latency of one cycle on every
 *   x86-64 and AArch64 core, so adds per second is cycles per second: the clock the core
 *   actually runs at (turbo included), which `/proc/cpuinfo`'s nominal `cpu MHz` is not.
 * - **128-bit multiply + add peak**: WebAssembly SIMD has no fused multiply-add (not in
 *   the finished SIMD set), so a GEMM step is one f32x4 multiply and one f32x4 add:
 *   4 lanes × (vector ports that take them per cycle) × clock. Cores with `avx512_fp16`
 *   (Golden Cove, Sapphire Rapids) take them on three ports (multiply on 0 and 1, add on
 *   1 and 5); older cores on two.
 * - **Native peak**: clock × 2 FMA units × 16 float32 lanes (AVX-512) × 2 flops, when
 *   `/proc/cpuinfo` lists `avx512f` and `fma`; else 8 lanes (AVX2 + FMA); else 4 (SSE).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { I32, ModuleBuilder } from '../core/backend/wasm-encoder.js';

/** The measured clock and peaks of one core. */
export interface PeakResult {
  /** Measured clock (GHz). */
  clockGhz: number;
  /** Nominal clock from /proc/cpuinfo (`cpu MHz`), when there is one. */
  nominalGhz: number | null;
  /** Peak FLOP/s of f32x4 multiplies and adds, unfused (GFLOP/s): the ceiling of WebAssembly SIMD without FMA. */
  simd128Gflops: number;
  /** How the 128-bit peak was derived. */
  simd128How: string;
  /** Native peak (GFLOP/s) from the clock and the widest FMA /proc/cpuinfo lists. */
  nativeGflops: number;
  /** How the native peak was derived, e.g. `AVX-512: 2 FMA × 16 lanes × 2 flops`. */
  nativeHow: string;
}

/** The clock probe, built with the kernel module's encoder. */
function probe(): { chain(iterations: number, step: number): number } {
  const m = new ModuleBuilder(1);
  const chain = m.func('chain', [I32, I32], [I32]);
  const x = chain.local(I32), i = chain.local(I32);
  chain.forLoop(i, () => chain.i32_const(0), 0, 1, () => {
    for (let r = 0; r < 64; r++) chain.get(x).get(1).i32_add().set(x);
  });
  chain.get(x);
  const exports = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } }).exports;
  return exports as unknown as { chain(iterations: number, step: number): number };
}

/** Best process CPU seconds per call of `fn` over a few rounds (CPU time: waiting for a core on a shared machine does not count). */
function best(fn: () => void): number {
  fn();
  let t = Infinity;
  for (let r = 0; r < 7; r++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    t = Math.min(t, (used.user + used.system) / 1e6);
  }
  return t;
}

/** Measure this core's clock and peaks. */
export function measurePeak(): PeakResult {
  const p = probe();
  const iterations = 2_000_000;
  const clockGhz = (iterations * 64) / best(() => p.chain(iterations, 3)) / 1e9;
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
  // Golden Cove cores (the first with avx512_fp16) multiply on ports 0 and 1 and add on ports 1 and 5: three ports for a 1:1 mix.
  const ports = has('avx512_fp16') ? 3 : 2;
  return {
    clockGhz,
    nominalGhz,
    simd128Gflops: clockGhz * 4 * ports,
    simd128How: `4 float32 lanes × ${ports} vector ports taking a multiply or an add per cycle × the measured clock`,
    nativeGflops: clockGhz * units * lanes * 2,
    nativeHow: `${how}: ${units} FMA units × ${lanes} float32 lanes × 2 flops × the measured clock`,
  };
}
