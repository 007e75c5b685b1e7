/**
 * SHA-256 (FIPS 180-4, §6.2), written out in TypeScript so that checkpoints can be
 * hashed and verified synchronously anywhere: in Node and in a browser, with no
 * `node:crypto` and no asynchronous `crypto.subtle`.
 *
 * The message is padded to a multiple of 64 bytes — one `0x80` byte, zeros, then the
 * message length in bits as a 64-bit big-endian integer — and each 64-byte block `M`
 * updates the eight-word state `H` by 64 rounds. With 32-bit words, `⊕` xor, `ROTR`
 * a right rotation and all sums modulo 2^32:
 *
 * ```
 * W_t = M_t (t < 16),  W_t = σ1(W_{t−2}) + W_{t−7} + σ0(W_{t−15}) + W_{t−16}
 * σ0(x) = ROTR7(x) ⊕ ROTR18(x) ⊕ (x >>> 3)      σ1(x) = ROTR17(x) ⊕ ROTR19(x) ⊕ (x >>> 10)
 * Σ0(a) = ROTR2(a) ⊕ ROTR13(a) ⊕ ROTR22(a)      Σ1(e) = ROTR6(e) ⊕ ROTR11(e) ⊕ ROTR25(e)
 * Ch(e, f, g) = (e ∧ f) ⊕ (¬e ∧ g)               Maj(a, b, c) = (a ∧ b) ⊕ (a ∧ c) ⊕ (b ∧ c)
 * T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t       T2 = Σ0(a) + Maj(a, b, c)
 * h, g, f, e, d, c, b, a ← g, f, e, d + T1, c, b, a, T1 + T2
 * ```
 *
 * and after the 64 rounds `H_i ← H_i + (a, b, …, h)_i`. The digest is `H` written
 * big-endian. `K` are the first 32 bits of the fractional parts of the cube roots of
 * the first 64 primes; the initial `H`, of the square roots of the first 8 primes.
 *
 * @module
 */

/** The round constants K_0..K_63 (FIPS 180-4, §4.2.2). */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The initial hash value H(0) (FIPS 180-4, §5.3.3). */
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const BLOCK_BYTES = 64;

/**
 * An incremental SHA-256: feed the message in any number of pieces with
 * {@link Sha256.update}, then read the digest once with {@link Sha256.hex} or
 * {@link Sha256.digest}.
 *
 * @example
 * const hash = new Sha256();
 * hash.update(new TextEncoder().encode('ab'));
 * hash.update(new TextEncoder().encode('c'));
 * hash.hex(); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export class Sha256 {
  private readonly state = new Int32Array(INITIAL_STATE);
  private readonly schedule = new Int32Array(64);
  /** Bytes of the current block not yet compressed. */
  private readonly block = new Uint8Array(BLOCK_BYTES);
  private blockLength = 0;
  /** Message bytes seen so far (exact up to 2^53). */
  private length = 0;
  private finished = false;

  /** Append `bytes` to the message. */
  update(bytes: Uint8Array): this {
    if (this.finished) throw new Error('Sha256: update after the digest was read; start a new Sha256');
    this.length += bytes.length;
    let i = 0;
    if (this.blockLength > 0) {
      const take = Math.min(BLOCK_BYTES - this.blockLength, bytes.length);
      this.block.set(bytes.subarray(0, take), this.blockLength);
      this.blockLength += take;
      i = take;
      if (this.blockLength < BLOCK_BYTES) return this;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    for (; i + BLOCK_BYTES <= bytes.length; i += BLOCK_BYTES) this.compress(bytes, i);
    this.block.set(bytes.subarray(i), 0);
    this.blockLength = bytes.length - i;
    return this;
  }

  /** Pad the message and return the 32-byte digest. The hash cannot be updated afterwards. */
  digest(): Uint8Array {
    if (!this.finished) {
      const bits = this.length * 8;
      const tail = new Uint8Array(this.blockLength < 56 ? BLOCK_BYTES : 2 * BLOCK_BYTES);
      tail.set(this.block.subarray(0, this.blockLength));
      tail[this.blockLength] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32), false);
      view.setUint32(tail.length - 4, bits >>> 0, false);
      for (let i = 0; i < tail.length; i += BLOCK_BYTES) this.compress(tail, i);
      this.finished = true;
    }
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) view.setInt32(4 * i, this.state[i], false);
    return out;
  }

  /** The digest as 64 lowercase hexadecimal digits. */
  hex(): string {
    return Array.from(this.digest(), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** Run the 64 rounds on the block `bytes[offset .. offset + 64)` and add the result into the state. */
  private compress(bytes: Uint8Array, offset: number): void {
    const w = this.schedule;
    for (let t = 0; t < 16; t++) {
      const p = offset + 4 * t;
      w[t] = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (s1 + w[t - 7] + s0 + w[t - 16]) | 0;
    }
    const H = this.state;
    let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0;
    H[1] = (H[1] + b) | 0;
    H[2] = (H[2] + c) | 0;
    H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0;
    H[5] = (H[5] + f) | 0;
    H[6] = (H[6] + g) | 0;
    H[7] = (H[7] + h) | 0;
  }
}

/**
 * The SHA-256 of the concatenation of `parts`, as 64 lowercase hexadecimal digits.
 *
 * @example
 * sha256Hex(new Uint8Array(0)); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function sha256Hex(...parts: Uint8Array[]): string {
  const hash = new Sha256();
  for (const part of parts) hash.update(part);
  return hash.hex();
}
