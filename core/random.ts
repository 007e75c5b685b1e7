/**
 * Seeded random number generation.
 *
 * Every source of randomness in pipegrad (initializers, dropout, shuffling, data
 * augmentation, synthetic data sets) takes an explicit {@link Rng}; there is no global
 * generator, so the same seed gives bit-identical runs.
 *
 * The generator is xoshiro128** (Blackman & Vigna; 32-bit state words, period
 * 2^128 − 1), seeded through splitmix32 so that nearby seeds give unrelated streams:
 * the four state words are the first four outputs of splitmix32 — a Weyl sequence
 * `z ← z + 0x9E3779B9` mixed by MurmurHash3's `fmix32` (shifts 16, 13, 16; multipliers
 * `0x85EBCA6B`, `0xC2B2AE35`) — started from `z = seed XOR 0x9E3779B9`.
 * `spec/core/random.spec.ts` holds the stream to known answers of an independent
 * implementation.
 *
 * @module
 */

/** A seeded pseudo-random generator. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The cached second normal deviate of the last Box–Muller pair, or null. */
  private spare: number | null = null;

  /**
   * @param seed any integer; the same seed always gives the same stream.
   * @example
   * const rng = new Rng(42);
   * rng.uniform(); // in [0, 1)
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    let z = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit unsigned integer of the stream. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** A uniform deviate in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal deviate (Box–Muller, both deviates of each pair used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffle `items` in place (Fisher–Yates) and return it. */
  shuffle<T extends Shuffleable>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** A new generator whose stream is derived from this one (for giving a component its own stream). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

/** Anything indexable with a length, shuffled in place by {@link Rng.shuffle} (arrays, typed arrays). */
export interface Shuffleable {
  /** Number of items. */
  length: number;
  /** The item at an index. */
  [index: number]: unknown;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
