/**
 * A seeded fuzz test of the safetensors decoder: thousands of mutations of a real
 * checkpoint (bit flips, truncations, byte insertions and deletions, header edits,
 * length-field edits, data-section edits) must each either decode to exactly the
 * original content or be refused with the decoder's own one-line Error. Never a
 * TypeError or RangeError, never a changed tensor or metadata value accepted.
 */
import test from 'tape';
import { Rng, randn } from '../../core/index.js';
import { createModel, decodeSafetensors, encodeCheckpoint, encodeSafetensors, type DecodedSafetensors } from '../../nn/index.js';

const SOURCE = 'fuzz.safetensors';
/** Mutations of the checkpoint with a digest, and of the same content written without one. */
const MUTATIONS_WITH_DIGEST = 5000;
const MUTATIONS_WITHOUT_DIGEST = 1000;

/** A small but complete checkpoint: model weights, optimizer state, step, seed, config. */
function checkpointBytes(): Uint8Array {
  const model = createModel('mlp', { inputShape: [1, 4, 4], hidden: 6, depth: 1, numClasses: 3, seed: 5 });
  const velocity = new Map(model.namedParameters().map(([name, p]) => [`velocity.${name}`, randn(p.shape, new Rng(6))]));
  return encodeCheckpoint(model, { optimizerState: velocity, step: 120, seed: 7, config: { model: 'mlp', lr: 0.05, epochs: 3 } });
}

/** The same tensors and metadata as `withDigest`, written the way a tool without digests would: the digest entry cut out of the header. */
function withoutDigest(withDigest: Uint8Array): Uint8Array {
  const headerLength = new DataView(withDigest.buffer, withDigest.byteOffset).getUint32(0, true);
  const header = new TextDecoder().decode(withDigest.subarray(8, 8 + headerLength)).replace(/,"pipegrad_digest":"pipegrad-sha256:[0-9a-f]{64}"/, '');
  const text = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + text.length + withDigest.length - 8 - headerLength);
  new DataView(bytes.buffer).setUint32(0, text.length, true);
  bytes.set(text, 8);
  bytes.set(withDigest.subarray(8 + headerLength), 8 + text.length);
  return bytes;
}

/** One mutation: a name for reports, the mutated bytes, and whether it touched only the data section. */
interface Mutation {
  kind: string;
  bytes: Uint8Array;
  dataOnly: boolean;
}

const JSON_BYTES = [...new TextEncoder().encode('"{}[]:,0123456789-.eE \\ntrufalsn')];

/** A seeded random mutation of `original`, whose data section starts at `dataStart`. */
function mutate(original: Uint8Array, dataStart: number, rng: Rng): Mutation {
  const n = original.length;
  const bytes = original.slice();
  const randomByteOtherThan = (old: number): number => (old + 1 + rng.int(255)) & 0xff;
  switch (rng.int(8)) {
    case 0: { // one to three bit flips anywhere
      const flips = 1 + rng.int(3);
      let dataOnly = true;
      for (let i = 0; i < flips; i++) {
        const at = rng.int(n);
        bytes[at] ^= 1 << rng.int(8);
        dataOnly &&= at >= dataStart;
      }
      return { kind: 'bit flip', bytes, dataOnly: dataOnly && !bytes.every((b, i) => b === original[i]) };
    }
    case 1: // a truncation at any length
      return { kind: 'truncation', bytes: original.slice(0, rng.int(n)), dataOnly: false };
    case 2: { // one to four random bytes inserted anywhere
      const at = rng.int(n + 1);
      const inserted = Uint8Array.from({ length: 1 + rng.int(4) }, () => rng.int(256));
      const out = new Uint8Array(n + inserted.length);
      out.set(original.subarray(0, at));
      out.set(inserted, at);
      out.set(original.subarray(at), at + inserted.length);
      return { kind: 'insertion', bytes: out, dataOnly: false };
    }
    case 3: { // one to four bytes deleted
      const at = rng.int(n);
      const count = 1 + rng.int(4);
      const out = new Uint8Array(n - Math.min(count, n - at));
      out.set(original.subarray(0, at));
      out.set(original.subarray(at + count), at);
      return { kind: 'deletion', bytes: out, dataOnly: false };
    }
    case 4: { // a header byte replaced by a JSON-significant character (digit, quote, bracket, ...)
      const at = 8 + rng.int(dataStart - 8);
      const candidates = JSON_BYTES.filter((b) => b !== original[at]);
      bytes[at] = candidates[rng.int(candidates.length)];
      return { kind: 'header edit', bytes, dataOnly: false };
    }
    case 5: { // a run of header bytes copied over another place in the header
      const from = 8 + rng.int(dataStart - 8);
      const to = 8 + rng.int(dataStart - 8);
      const length = 1 + rng.int(Math.min(16, dataStart - Math.max(from, to)));
      bytes.copyWithin(to, from, from + length);
      return { kind: 'header splice', bytes, dataOnly: false };
    }
    case 6: { // the header-length field changed
      const at = rng.int(8);
      bytes[at] = randomByteOtherThan(bytes[at]);
      return { kind: 'length field', bytes, dataOnly: false };
    }
    default: { // one to four data-section bytes overwritten with different values
      const count = 1 + rng.int(4);
      for (let i = 0; i < count; i++) {
        const at = dataStart + rng.int(n - dataStart);
        bytes[at] = randomByteOtherThan(original[at]);
      }
      return { kind: 'data overwrite', bytes, dataOnly: true };
    }
  }
}

/** Whether two decoded files hold the same names, shapes, float bits and metadata. */
function sameContent(a: DecodedSafetensors, b: DecodedSafetensors): boolean {
  if (JSON.stringify(a.metadata) !== JSON.stringify(b.metadata)) return false;
  if (a.tensors.size !== b.tensors.size) return false;
  for (const [name, x] of a.tensors) {
    const y = b.tensors.get(name);
    if (y === undefined || JSON.stringify(x.shape) !== JSON.stringify(y.shape)) return false;
    const xs = new Uint32Array(x.data.buffer, x.data.byteOffset, x.data.length);
    const ys = new Uint32Array(y.data.buffer, y.data.byteOffset, y.data.length);
    if (xs.length !== ys.length || xs.some((v, i) => v !== ys[i])) return false;
  }
  return true;
}

/** What the decoder did with each mutation, counted. */
interface Tally {
  refused: number;
  unchanged: number;
  crashes: string[];
  accepted: string[];
  dataMutations: number;
  dataRefused: number;
}

function fuzz(original: Uint8Array, count: number, seed: number): Tally {
  const reference = decodeSafetensors(original, SOURCE);
  const dataStart = 8 + new DataView(original.buffer, original.byteOffset).getUint32(0, true);
  const rng = new Rng(seed);
  const tally: Tally = { refused: 0, unchanged: 0, crashes: [], accepted: [], dataMutations: 0, dataRefused: 0 };
  for (let i = 0; i < count; i++) {
    const { kind, bytes, dataOnly } = mutate(original, dataStart, rng);
    if (dataOnly) tally.dataMutations++;
    let decoded: DecodedSafetensors;
    try {
      decoded = decodeSafetensors(bytes, SOURCE);
    } catch (err) {
      const e = err as Error;
      const own = e?.constructor === Error && e.message.startsWith(`${SOURCE}: `) && !/[\n\r]/.test(e.message);
      if (own) tally.refused++;
      else tally.crashes.push(`#${i} ${kind}: ${e?.constructor?.name}: ${String(e?.message).slice(0, 120)}`);
      if (dataOnly) tally.dataRefused++;
      continue;
    }
    if (sameContent(decoded, reference)) tally.unchanged++;
    else tally.accepted.push(`#${i} ${kind}: metadata ${JSON.stringify(decoded.metadata).slice(0, 200)}`);
  }
  return tally;
}

test(`safetensors fuzz: ${MUTATIONS_WITH_DIGEST} seeded mutations of a checkpoint: no crash, no corruption accepted, every data change caught by the digest`, (t) => {
  const original = checkpointBytes();
  const tally = fuzz(original, MUTATIONS_WITH_DIGEST, 2026);
  t.comment(`${original.length}-byte checkpoint: ${tally.refused} refused, ${tally.unchanged} decoded to the original content, ${tally.dataMutations} touched only the data section`);
  t.deepEqual(tally.crashes, [], 'every failure is the decoder\'s own one-line Error naming the source (no TypeError, RangeError or other)');
  t.deepEqual(tally.accepted, [], 'no mutation decodes to changed tensors or metadata');
  t.ok(tally.dataMutations >= MUTATIONS_WITH_DIGEST / 8, `the data section was mutated alone ${tally.dataMutations} times (expected at least ${MUTATIONS_WITH_DIGEST / 8})`);
  t.equal(tally.dataRefused, tally.dataMutations, `all ${tally.dataMutations} data-section mutations are refused (the digest catches what the format cannot)`);
  t.equal(tally.refused + tally.unchanged + tally.crashes.length + tally.accepted.length, MUTATIONS_WITH_DIGEST, 'every mutation was classified');
  t.end();
});

test(`safetensors fuzz: ${MUTATIONS_WITHOUT_DIGEST} seeded mutations of a file without a digest (another tool's): no crash; every change of length is refused`, (t) => {
  const original = withoutDigest(checkpointBytes());
  t.equal(decodeSafetensors(original).verified, false, 'the file really has no digest');
  const tally = fuzz(original, MUTATIONS_WITHOUT_DIGEST, 2027);
  t.comment(`${original.length}-byte file: ${tally.refused} refused, ${tally.unchanged} unchanged, ${tally.accepted.length} accepted with changed content`);
  t.deepEqual(tally.crashes, [], 'every failure is the decoder\'s own one-line Error naming the source');
  // Without a digest, changed bytes that leave a valid file (a float's bits, a name, a
  // metadata value) cannot be detected; that is what the digest is for. What the
  // format itself pins down — the header length and the data section's exact size —
  // still catches every mutation that moves bytes.
  const moved = tally.accepted.filter((line) => /truncation|insertion|deletion|length field/.test(line));
  t.deepEqual(moved, [], 'no truncation, insertion, deletion or length-field edit is accepted');
  t.end();
});

test('safetensors fuzz: the base file decodes, and re-encoding its content gives the same bytes', (t) => {
  const original = checkpointBytes();
  const decoded = decodeSafetensors(original, SOURCE);
  t.ok(decoded.verified, 'the checkpoint verifies');
  t.deepEqual(encodeSafetensors(decoded.tensors, decoded.metadata), original, 'decode then encode is the identity on pipegrad files');
  t.end();
});
