import test from 'tape';
import { createHash } from 'node:crypto';
import { Rng } from '../../core/random.js';
import { Sha256, sha256Hex } from '../../nn/sha256.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

test('sha256: the FIPS 180-4 known answers ("abc", the empty string, the 448-bit message, one million "a")', (t) => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['"abc"', ascii('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['the empty string', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['the 448-bit message', ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ];
  for (const [what, message, expected] of cases) t.equal(sha256Hex(message), expected, `${what}: expected ${expected}`);
  t.end();
});

test('sha256: equals node:crypto on random messages of every length around the block and padding boundaries', (t) => {
  const rng = new Rng(256);
  const lengths = [...Array.from({ length: 130 }, (_, i) => i), 1000, 4095, 4096, 4097, 65_537];
  let agree = 0;
  for (const length of lengths) {
    const message = Uint8Array.from({ length }, () => rng.nextUint32() & 0xff);
    const expected = createHash('sha256').update(message).digest('hex');
    if (sha256Hex(message) === expected) agree++;
    else t.fail(`a ${length}-byte message: expected ${expected}, got ${sha256Hex(message)}`);
  }
  t.equal(agree, lengths.length, `all ${lengths.length} random messages hash as node:crypto does`);
  t.end();
});

test('sha256: feeding a message in pieces of any size gives the digest of the whole', (t) => {
  const rng = new Rng(7);
  const message = Uint8Array.from({ length: 777 }, () => rng.nextUint32() & 0xff);
  const expected = createHash('sha256').update(message).digest('hex');
  for (const piece of [1, 3, 63, 64, 65, 200]) {
    const hash = new Sha256();
    for (let i = 0; i < message.length; i += piece) hash.update(message.subarray(i, i + piece));
    t.equal(hash.hex(), expected, `pieces of ${piece} bytes give ${expected}`);
  }
  t.equal(sha256Hex(message.subarray(0, 300), message.subarray(300)), expected, 'sha256Hex of two parts hashes their concatenation');
  t.end();
});

test('sha256: the digest is read once; a later update is an error that says what to do', (t) => {
  const hash = new Sha256().update(ascii('abc'));
  t.equal(hash.hex(), hash.hex(), 'reading the digest twice gives the same digest');
  t.throws(() => hash.update(ascii('d')), /^Error: Sha256: update after the digest was read; start a new Sha256$/, 'update after digest throws');
  t.end();
});
