import test from 'tape';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Rng } from '../../core/random.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../nn/safetensors.js';
import { writeFileAtomic } from '../../nn/atomic-file.js';
import { loadSafetensorsFile, saveSafetensorsFile } from '../../nn/checkpoint-file.js';

/** A Float32Array holding exactly these bit patterns. */
function fromBits(bits: number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

/** The bit patterns of a Float32Array, as plain numbers (so deepEqual compares bits, not values). */
function bitsOf(data: Float32Array): number[] {
  return Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length));
}

/** A file made by hand: 8-byte length, the header text exactly as given (no padding), then `data`. */
function craft(header: string, data: number[] = []): Uint8Array {
  const text = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + text.length + data.length);
  new DataView(bytes.buffer).setUint32(0, text.length, true);
  bytes.set(text, 8);
  bytes.set(data, 8 + text.length);
  return bytes;
}

/** The message decodeSafetensors throws for `bytes`, or a note that it did not throw. */
function decodeError(bytes: Uint8Array, source = 'ckpt'): string {
  try {
    decodeSafetensors(bytes, source);
  } catch (err) {
    return (err as Error).message;
  }
  return '(no error)';
}

function encodeError(tensors: Record<string, NamedArray>, metadata?: Record<string, string>): string {
  try {
    encodeSafetensors(tensors, metadata);
  } catch (err) {
    return (err as Error).message;
  }
  return '(no error)';
}

const SPECIAL_BITS = [
  0x00000000, // +0
  0x80000000, // -0
  0x7f800000, // +Infinity
  0xff800000, // -Infinity
  0x7fc00000, // the canonical quiet NaN
  0xffc12345, // a negative quiet NaN with a payload
  0x7f800001, // a signalling NaN
  0x00000001, // the smallest denormal
  0x807fffff, // the largest negative denormal
  0x00800000, // the smallest normal
  0x7f7fffff, // the largest finite float
  0x3f800000, // 1
];

test('safetensors: a round trip is bit-exact (-0, infinities, NaN payloads, denormals, random bits)', (t) => {
  const rng = new Rng(11);
  const random = Array.from({ length: 3 * 4 * 5 }, () => rng.nextUint32());
  const tensors = new Map<string, NamedArray>([
    ['special', { shape: [SPECIAL_BITS.length], data: fromBits(SPECIAL_BITS) }],
    ['random', { shape: [3, 4, 5], data: fromBits(random) }],
    ['scalar', { shape: [], data: new Float32Array([Math.PI]) }],
    ['empty', { shape: [2, 0], data: new Float32Array(0) }],
  ]);
  const { tensors: back } = decodeSafetensors(encodeSafetensors(tensors));
  t.deepEqual([...back.keys()], ['empty', 'random', 'scalar', 'special'], 'every tensor comes back, in sorted-name order');
  for (const [name, original] of tensors) {
    const decoded = back.get(name)!;
    t.deepEqual(decoded.shape, original.shape, `${name}: shape ${JSON.stringify(original.shape)} survives`);
    t.deepEqual(bitsOf(decoded.data), bitsOf(original.data), `${name}: every bit pattern survives`);
  }
  t.end();
});

test('safetensors: a record and a map with the same content encode to the same bytes', (t) => {
  const a = { shape: [2], data: new Float32Array([1, 2]) };
  const b = { shape: [1], data: new Float32Array([3]) };
  t.deepEqual(encodeSafetensors({ b, a }), encodeSafetensors(new Map([['a', a], ['b', b]])), 'insertion order does not matter');
  t.end();
});

test('safetensors: metadata round-trips; no metadata reads back as {}', (t) => {
  const metadata = { format: 'pipegrad', step: '1200', note: 'ünïcode ✓\nline two' };
  const tensors = { w: { shape: [1], data: new Float32Array([1]) } };
  t.deepEqual(decodeSafetensors(encodeSafetensors(tensors, metadata)).metadata, metadata, 'the metadata comes back unchanged');
  t.deepEqual(decodeSafetensors(encodeSafetensors(tensors)).metadata, {}, 'a file without metadata gives {}');
  t.end();
});

test('safetensors: the header is padded with spaces so the data section starts at a multiple of 8', (t) => {
  for (let length = 1; length <= 16; length++) {
    const bytes = encodeSafetensors({ ['n'.repeat(length)]: { shape: [1], data: new Float32Array([1]) } });
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    t.equal(headerLength % 8, 0, `a ${length}-character name gives a header of ${headerLength} bytes, a multiple of 8`);
  }
  t.end();
});

test('safetensors: the byte layout of a tiny file, checked by hand, its digest by node:crypto', (t) => {
  const bytes = encodeSafetensors(
    { b: { shape: [2], data: new Float32Array([1.5, -2]) }, a: { shape: [], data: new Float32Array([0.25]) } },
    { z: '1', k: 'v' },
  );
  const view = new DataView(bytes.buffer);
  const headerLength = view.getUint32(0, true);
  t.equal(view.getUint32(4, true), 0, 'the high word of the 64-bit header length is 0');
  const dataBytes = [0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0];
  const contentJson = '{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"__metadata__":{"k":"v","z":"1"}}';
  const digest = createHash('sha256').update(contentJson).update(new Uint8Array(dataBytes)).digest('hex');
  const expectedJson = `${contentJson.slice(0, -2)},"pipegrad_digest":"pipegrad-sha256:${digest}"}}`;
  t.equal(headerLength, Math.ceil(expectedJson.length / 8) * 8, 'the header length is the JSON length rounded up to 8');
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  t.equal(headerText, expectedJson.padEnd(headerLength, ' '), 'the header is the sorted JSON (metadata keys sorted, the digest last), space-padded');
  t.deepEqual(JSON.parse(headerText), {
    a: { dtype: 'F32', shape: [], data_offsets: [0, 4] },
    b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    __metadata__: { k: 'v', z: '1', pipegrad_digest: `pipegrad-sha256:${digest}` },
  }, 'the header parses to the expected object');
  t.equal(bytes.length, 8 + headerLength + 12, 'the file ends right after the 12 data bytes');
  t.deepEqual(
    Array.from(bytes.subarray(8 + headerLength)),
    dataBytes,
    'data bytes: 0.25 = 0x3e800000, 1.5 = 0x3fc00000, -2 = 0xc0000000, each little-endian',
  );
  const decoded = decodeSafetensors(bytes);
  t.ok(decoded.verified, 'decoding verifies the digest');
  t.deepEqual(decoded.metadata, { k: 'v', z: '1' }, 'the decoded metadata leaves the digest out');
  t.end();
});

test('safetensors: a file without a digest (another tool\'s) still decodes, unverified', (t) => {
  const foreign = craft('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"format":"pt"}}', [0, 0, 0x80, 0x3f]);
  const decoded = decodeSafetensors(foreign);
  t.deepEqual(Array.from(decoded.tensors.get('w')!.data), [1], 'the values are read');
  t.deepEqual(decoded.metadata, { format: 'pt' }, 'the metadata is read');
  t.equal(decoded.verified, false, 'verified is false: there was nothing to check');
  t.end();
});

test('safetensors: a change to any tensor byte, name, shape or metadata value is caught by the digest', (t) => {
  const valid = encodeSafetensors(
    { w: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }, b: { shape: [4], data: new Float32Array([5, 6, 7, 8]) } },
    { step: '120', config: '{"lr":0.1}' },
  );
  const text = new TextDecoder().decode(valid);
  const edit = (from: string, to: string): Uint8Array => {
    t.equal(from.length, to.length, `the edit ${from} -> ${to} keeps the length`);
    const at = text.indexOf(from);
    const bytes = valid.slice();
    bytes.set(new TextEncoder().encode(to), at);
    return bytes;
  };
  const flipped = valid.slice();
  flipped[flipped.length - 5] ^= 0x01;
  const cases: Array<[string, Uint8Array]> = [
    ['one bit of the data section', flipped],
    ['a metadata value ("120" -> "130")', edit('"120"', '"130"')],
    ['a metadata value inside the config ("0.1" -> "0.3")', edit('0.1', '0.3')],
    ['a tensor name ("w" -> "v")', edit('"w"', '"v"')],
    ['a shape with the same size ([2,2] -> [4,1])', edit('[2,2]', '[4,1]')],
    ['two tensors swapping their data ranges', edit('"b":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]}', '"b":{"dtype":"F32","shape":[4],"data_offsets":[16,32]},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}')],
  ];
  for (const [what, bytes] of cases) {
    t.match(decodeError(bytes), /^ckpt: damaged: the data does not match its SHA-256 \(__metadata__\.pipegrad_digest says [0-9a-f]{12}…, the content hashes to [0-9a-f]{12}…\)$/, `${what}: rejected as damaged`);
  }
  const notHex = valid.slice();
  notHex[text.indexOf('"pipegrad-sha256:') + '"pipegrad-sha256:'.length] = 'X'.charCodeAt(0);
  const damagedEntry: Array<[string, Uint8Array, RegExp]> = [
    ['a damaged digest key', edit('"pipegrad_digest"', '"pipegrad_digesT"'), /^ckpt: damaged: __metadata__ has a digest under the key "pipegrad_digesT", expected "pipegrad_digest"$/],
    ['a damaged digest prefix', edit('"pipegrad-sha256:', '"pipegrad-sha257:'), /^ckpt: damaged: __metadata__\.pipegrad_digest is "pipegrad-sha257:[0-9a-f]{40}\.\.\., expected "pipegrad-sha256:" and 64 lowercase hex digits$/],
    ['a digest whose key and prefix are both damaged', edit('"pipegrad_digest":"pipegrad-sha256:', '"pipegrad_dig":"pipegrad-ad-sha256:'), /^ckpt: damaged: __metadata__ has the content's digest under the key "pipegrad_dig", expected "pipegrad_digest"$/],
    ['a digest digit that is not hex', notHex, /^ckpt: damaged: __metadata__\.pipegrad_digest is "pipegrad-sha256:X[0-9a-f]{39}\.\.\., expected/],
  ];
  for (const [what, bytes, pattern] of damagedEntry) t.match(decodeError(bytes), pattern, `${what} is refused: one damaged byte cannot turn the check off`);
  t.end();
});

test('safetensors: decoding handles an unaligned data section and an input that is a view into a larger buffer', (t) => {
  const data = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]; // 1, -2
  const unaligned = craft('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', data); // 55-byte header
  t.notEqual((8 + 55) % 4, 0, 'the data section starts at an odd byte');
  t.deepEqual(Array.from(decodeSafetensors(unaligned).tensors.get('x')!.data), [1, -2], 'values read through an unaligned offset');

  const padded = new Uint8Array(unaligned.length + 3);
  padded.set(unaligned, 3);
  const decoded = decodeSafetensors(padded.subarray(3)).tensors.get('x')!.data;
  t.deepEqual(Array.from(decoded), [1, -2], 'a subarray with byteOffset 3 decodes the same');
  t.equal(decoded.byteOffset, 0, 'the decoded array owns a fresh, aligned buffer');
  padded.fill(0);
  t.deepEqual(Array.from(decoded), [1, -2], 'the decoded data is a copy: clearing the input does not change it');
  t.end();
});

test('safetensors: each kind of corrupt input gives its own one-line error naming the source', (t) => {
  const valid = encodeSafetensors({ w: { shape: [3], data: new Float32Array([1, 2, 3]) } });
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];
  const f32 = (shape: unknown, offsets: unknown): string => JSON.stringify({ dtype: 'F32', shape, data_offsets: offsets });
  const eightBytes = [0, 0, 0, 0, 0, 0, 0, 0];

  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['a file shorter than 8 bytes', new Uint8Array(5), /^ckpt: too short to be a safetensors file: 5 bytes/],
    ['a PNG file', new Uint8Array(png), /^ckpt: not a safetensors file: the header length field reads \d+, expected 2\.\.100000000$/],
    ['random text', new TextEncoder().encode('hello, this is a text file\n'), /^ckpt: not a safetensors file: the header length field reads/],
    ['a header that does not start with {', craft('[1, 2]'), /^ckpt: not a safetensors file: the header does not start with '\{'$/],
    ['a header that is not JSON', craft('{"w": nope}'), /^ckpt: not a safetensors file: the header is not JSON \(/],
    ['a header with newlines that is not JSON', craft('{"w":\n nope\r\n}'), /^ckpt: not a safetensors file: the header is not JSON \(.*\\n nope\\r\\n/],
    ['a header that is not UTF-8', craft('{"\u0000"}').map((b, i) => (i === 10 ? 0xff : b)), /^ckpt: not a safetensors file: the header is not valid UTF-8$/],
    ['a file cut inside the header', valid.subarray(0, 20), /^ckpt: truncated: the header length field says \d+ bytes but only 12 follow it$/],
    ['a file cut inside the data', valid.subarray(0, valid.length - 3), /^ckpt: truncated: the header describes 12 bytes of tensor data but only 9 are present \(tensor "w" runs past the end\)$/],
    ['end before begin', craft(`{"w":${f32([0], [8, 0])}}`, eightBytes), /^ckpt: tensor "w": data_offsets end 0 is before begin 8$/],
    ['a span that does not match the shape', craft(`{"w":${f32([3], [0, 8])}}`, eightBytes), /^ckpt: tensor "w": data_offsets \[0, 8\] span 8 bytes but F32 shape \[3\] needs 12$/],
    ['malformed offsets', craft(`{"w":${f32([2], [0, 8, 16])}}`, eightBytes), /^ckpt: tensor "w": data_offsets \[0,8,16\] are not \[begin, end\] with non-negative integers$/],
    ['overlapping tensors', craft(`{"a":${f32([2], [0, 8])},"b":${f32([1], [4, 8])}}`, eightBytes), /^ckpt: data_offsets overlap: tensor "b" begins at byte 4 but tensor "a" ends at byte 8$/],
    ['a gap between tensors', craft(`{"a":${f32([1], [0, 4])},"b":${f32([1], [8, 12])}}`, [...eightBytes, 0, 0, 0, 0]), /^ckpt: data_offsets leave a gap: bytes 4\.\.8 between tensor "a" and tensor "b" belong to no tensor$/],
    ['a gap before the first tensor', craft(`{"a":${f32([1], [4, 8])}}`, eightBytes), /^ckpt: data_offsets leave a gap: bytes 0\.\.4 before tensor "a" belong to no tensor$/],
    ['bytes after the last tensor', craft(`{"a":${f32([1], [0, 4])}}`, eightBytes), /^ckpt: data_offsets leave a gap: bytes 4\.\.8 at the end of the data section belong to no tensor$/],
    ['an unsupported dtype', craft('{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}', eightBytes), /^ckpt: tensor "w": unsupported dtype "F16" \(only F32 is supported\)$/],
    ['a negative dimension', craft(`{"w":${f32([2, -1], [0, 8])}}`, eightBytes), /^ckpt: tensor "w": bad shape \[2,-1\] \(expected an array of non-negative integers\)$/],
    ['a fractional dimension', craft(`{"w":${f32([1.5], [0, 8])}}`, eightBytes), /^ckpt: tensor "w": bad shape \[1\.5\]/],
    ['an entry that is not an object', craft('{"w":[1,2]}'), /^ckpt: tensor "w": the header entry is \[1,2\], not an object$/],
    ['a metadata value that is not a string', craft('{"__metadata__":{"epoch":3}}'), /^ckpt: __metadata__ value for key "epoch" is 3, not a string$/],
    ['metadata that is not an object', craft('{"__metadata__":["a"]}'), /^ckpt: __metadata__ is \["a"\], not an object of strings$/],
  ];

  const messages = new Set<string>();
  for (const [what, bytes, pattern] of cases) {
    const message = decodeError(bytes);
    t.match(message, pattern, `${what}: ${message}`);
    t.notOk(message.includes('\n'), `${what}: the message is one line`);
    messages.add(message);
  }
  t.equal(messages.size, cases.length, 'no two corrupt inputs give the same message');
  t.end();
});

test('safetensors: encoding rejects a shape/size mismatch, bad shapes, the reserved names and non-string metadata', (t) => {
  const w = (shape: number[], length: number): Record<string, NamedArray> => ({ w: { shape, data: new Float32Array(length) } });
  t.match(encodeError(w([2, 3], 5)), /^encodeSafetensors: tensor "w" has 5 values but shape \[2,3\] needs 6$/, 'a size mismatch names the tensor and both sizes');
  t.match(encodeError(w([-1], 0)), /^encodeSafetensors: tensor "w": bad shape \[-1\]/, 'a negative dimension is rejected');
  t.match(encodeError({ __metadata__: { shape: [0], data: new Float32Array(0) } }), /"__metadata__" is reserved/, 'a tensor cannot be named __metadata__');
  t.match(encodeError(w([1], 1), { pipegrad_digest: 'abc' }), /^encodeSafetensors: __metadata__ key "pipegrad_digest" and values starting "pipegrad-sha256:" are reserved .* \(got key "pipegrad_digest"\)$/, 'the digest key is reserved');
  t.match(encodeError(w([1], 1), { note: 'pipegrad-sha256:00' }), /are reserved for the content's SHA-256, which is written for you \(got key "note"\)$/, 'the digest prefix is reserved');
  t.match(
    encodeError(w([1], 1), { epoch: 3 } as unknown as Record<string, string>),
    /^encodeSafetensors: __metadata__ value for key "epoch" is 3, not a string$/,
    'metadata values must be strings',
  );
  t.end();
});

test('checkpoint files: atomic write replaces existing content, leaves no temporary file, and cleans up on failure', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pipegrad-safetensors-'));
  try {
    const path = join(dir, 'model.bin');
    await writeFile(path, 'old content that is longer than the new one');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    t.deepEqual(Array.from(await readFile(path)), [1, 2, 3], 'the new bytes replace the old ones entirely');
    t.deepEqual(await readdir(dir), ['model.bin'], 'no temporary file is left behind');

    const blocked = join(dir, 'blocked');
    await mkdir(blocked);
    await writeFile(join(blocked, 'inside'), 'x');
    let failed = false;
    try {
      await writeFileAtomic(blocked, new Uint8Array([9]));
    } catch {
      failed = true;
    }
    t.ok(failed, 'renaming over a non-empty directory fails');
    t.deepEqual((await readdir(dir)).sort(), ['blocked', 'model.bin'], 'the failed write removed its temporary file');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('checkpoint files: save and load round-trip; a missing or corrupt file names its path', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pipegrad-safetensors-'));
  try {
    const path = join(dir, 'model.safetensors');
    const weight = fromBits([0x80000000, 0x7fc00001, 0x00000001, 0x40490fdb]);
    await saveSafetensorsFile(path, { 'fc.weight': { shape: [2, 2], data: weight } }, { step: '7' });
    const { tensors, metadata } = await loadSafetensorsFile(path);
    t.deepEqual(tensors.get('fc.weight')!.shape, [2, 2], 'the shape comes back');
    t.deepEqual(bitsOf(tensors.get('fc.weight')!.data), bitsOf(weight), 'the data comes back bit-exact');
    t.deepEqual(metadata, { step: '7' }, 'the metadata comes back');

    const missing = join(dir, 'nope.safetensors');
    const missingError = await loadSafetensorsFile(missing).then(() => '(no error)', (err: Error) => err.message);
    t.equal(missingError, `checkpoint not found: ${missing}`, 'a missing file says so and names the path');

    const corrupt = join(dir, 'corrupt.safetensors');
    await writeFile(corrupt, 'not a checkpoint at all');
    const corruptError = await loadSafetensorsFile(corrupt).then(() => '(no error)', (err: Error) => err.message);
    t.ok(corruptError.startsWith(`${corrupt}: not a safetensors file`), `a corrupt file names its path: ${corruptError}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
