/**
 * The safetensors checkpoint format: encoding and decoding named float32 arrays.
 *
 * A safetensors file is three parts, in this order:
 *
 * ```
 * ┌──────────────┬───────────────────────────────┬──────────────────────────────┐
 * │ N: u64 (LE)  │ header: N bytes of UTF-8 JSON │ data: raw little-endian F32  │
 * │ 8 bytes      │ padded with spaces            │ tensors back to back         │
 * └──────────────┴───────────────────────────────┴──────────────────────────────┘
 * ```
 *
 * The header is one JSON object. Each tensor has an entry
 * `"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` whose
 * offsets are byte positions relative to the start of the data section; the optional
 * entry `"__metadata__"` maps strings to strings. The data section is covered exactly:
 * the tensors' byte ranges are contiguous from byte 0 with no gaps or overlaps, and
 * `end − begin = 4 · product(shape)` (a scalar has shape `[]` and one value).
 *
 * pipegrad writes tensors in sorted-name order, pads the header with spaces so the data
 * section starts at a multiple of 8 bytes, and writes `__metadata__` last, its keys in
 * sorted order, ending with the digest of the file's content:
 *
 * ```
 * "pipegrad_digest": "pipegrad-sha256:<hex of SHA-256( header without this entry ‖ data section )>"
 * ```
 *
 * where "header without this entry" is the header pipegrad writes, unpadded, as if the
 * digest were not there. The digest covers every tensor's name, shape, offsets and
 * bytes and every metadata entry, so any change to what a file decodes to is caught
 * when the file is read. The value repeats what it is, so that damage to the entry
 * cannot turn the check off: a damaged key leaves a value that still announces a
 * digest, a damaged prefix leaves the key, and a value ending in the content's own
 * digest is recognised under any key. Files from other tools carry no digest and are
 * read without the check.
 *
 * It reads any conforming F32 file, aligned or not, and rejects every other input with a
 * one-line error naming the source and the problem.
 *
 * This module is pure (no Node modules), so checkpoints can be made and read in a
 * browser; the file helpers live in `checkpoint-file.ts`.
 *
 * @module
 */
import { oneLine } from './one-line.js';
import { sha256Hex } from './sha256.js';

/** One named array of a checkpoint: its shape and its float32 values in row-major order. */
export interface NamedArray {
  /** The dimensions, outermost first; `[]` is a scalar. */
  shape: number[];
  /** `product(shape)` values, row-major. */
  data: Float32Array;
}

/** What {@link decodeSafetensors} returns: the arrays by name (sorted) and the metadata. */
export interface DecodedSafetensors {
  /** Every tensor of the file, in sorted-name order; each owns a fresh, aligned Float32Array. */
  tensors: Map<string, NamedArray>;
  /** The `__metadata__` entry without {@link DIGEST_KEY}, or `{}` when the file has none. */
  metadata: Record<string, string>;
  /** True when the file carried a digest ({@link DIGEST_KEY}) and its content matched it; false when it had none (a file from another tool). */
  verified: boolean;
}

/** The largest header accepted (the reference implementation's limit); a larger length field means the input is not safetensors. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const BYTES_PER_F32 = 4;
/** Hex digits of a SHA-256 digest. */
const DIGEST_DIGITS = 64;

/**
 * The `__metadata__` key under which pipegrad stores the SHA-256 of a file's content,
 * as {@link DIGEST_PREFIX} followed by 64 lowercase hex digits. {@link encodeSafetensors}
 * writes it into every file; {@link decodeSafetensors} verifies it when present and
 * leaves it out of the metadata it returns. It is reserved: callers cannot set it.
 */
export const DIGEST_KEY = 'pipegrad_digest';

/** How a digest value starts; a metadata value that starts so anywhere is a digest, and must sit under {@link DIGEST_KEY}. */
export const DIGEST_PREFIX = 'pipegrad-sha256:';

/**
 * Encode named float32 arrays (and optional string metadata) as a safetensors file.
 *
 * Tensors are laid out contiguously in sorted-name order; the header is padded with
 * spaces to a multiple of 8 bytes and ends with the content's SHA-256 under
 * {@link DIGEST_KEY}. Throws when a name is `"__metadata__"`, a shape is not a list of
 * non-negative integers, a tensor's value count differs from the product of its shape
 * (the error names the tensor and both sizes), or a metadata value is not a string, or
 * uses the reserved {@link DIGEST_KEY} or {@link DIGEST_PREFIX}.
 *
 * @param tensors the arrays by name.
 * @param metadata string key/value pairs stored under `__metadata__`, besides the digest.
 * @returns the bytes of the file.
 * @example
 * const bytes = encodeSafetensors(
 *   { 'fc.weight': { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { format: 'pipegrad' },
 * );
 */
export function encodeSafetensors(
  tensors: Record<string, NamedArray> | Map<string, NamedArray>,
  metadata?: Record<string, string>,
): Uint8Array {
  const where = 'encodeSafetensors';
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  entries.sort(([a], [b]) => compareNames(a, b));

  const spans: Span[] = [];
  let offset = 0;
  for (const [name, array] of entries) {
    if (name === METADATA_KEY) throw new Error(`${where}: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    const count = elementCount(array.shape);
    if (count === null) throw new Error(`${where}: tensor ${quote(name)}: bad shape ${describe(array.shape)} (expected an array of non-negative integers)`);
    if (!(array.data instanceof Float32Array)) throw new Error(`${where}: tensor ${quote(name)}: data must be a Float32Array`);
    if (array.data.length !== count) {
      throw new Error(`${where}: tensor ${quote(name)} has ${array.data.length} values but shape ${describe(array.shape)} needs ${count}`);
    }
    const end = offset + count * BYTES_PER_F32;
    spans.push({ name, shape: array.shape, begin: offset, end });
    offset = end;
  }
  const userMetadata = metadata ?? {};
  const problem = metadataProblem(userMetadata);
  if (problem !== null) throw new Error(`${where}: ${problem}`);
  for (const [key, value] of Object.entries(userMetadata)) {
    if (key === DIGEST_KEY || value.startsWith(DIGEST_PREFIX)) {
      throw new Error(`${where}: __metadata__ key ${quote(DIGEST_KEY)} and values starting ${quote(DIGEST_PREFIX)} are reserved for the content's SHA-256, which is written for you (got key ${quote(key)})`);
    }
  }

  // The digest is the header's last value, just before the closing `"}}`; a placeholder
  // of the same length holds its place until the data is in and can be hashed.
  const headerText = new TextEncoder().encode(headerJson(spans, userMetadata, DIGEST_PREFIX + '0'.repeat(DIGEST_DIGITS)));
  const headerLength = Math.ceil(headerText.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new Error(`${where}: the header would take ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} readers accept`);
  }
  const dataStart = 8 + headerLength;
  const bytes = new Uint8Array(dataStart + offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  bytes.set(headerText, 8);
  bytes.fill(0x20, 8 + headerText.length, dataStart);

  let cursor = dataStart;
  for (const [, array] of entries) {
    const bits = new Uint32Array(array.data.buffer, array.data.byteOffset, array.data.length);
    copyLittleEndianWords(bits, view, cursor, 'write');
    cursor += array.data.byteLength;
  }
  const digest = contentDigest(spans, userMetadata, bytes.subarray(dataStart));
  bytes.set(new TextEncoder().encode(digest), 8 + headerText.length - DIGEST_DIGITS - '"}}'.length);
  return bytes;
}

/**
 * The header JSON pipegrad writes, unpadded:
 * `{"<name>":{"dtype":"F32","shape":[…],"data_offsets":[b,e]},…,"__metadata__":{…}}`,
 * tensors in sorted-name order, metadata keys sorted with the digest value (when given) last
 * under {@link DIGEST_KEY}, `__metadata__` left out when empty, no spaces. Without a
 * digest it is the text the digest covers, so writer and reader hash the same text.
 */
function headerJson(spans: readonly Span[], metadata: Readonly<Record<string, string>>, digest?: string): string {
  // Built as text so the key order is exactly the sorted order (a JS object would move
  // integer-like names such as "10" to the front).
  const parts = [...spans]
    .sort((a, b) => compareNames(a.name, b.name))
    .map((s) => `${quote(s.name)}:{"dtype":"F32","shape":${JSON.stringify(s.shape)},"data_offsets":[${s.begin},${s.end}]}`);
  const entries = Object.keys(metadata).sort(compareNames).map((key) => `${quote(key)}:${quote(metadata[key])}`);
  if (digest !== undefined) entries.push(`${quote(DIGEST_KEY)}:${quote(digest)}`);
  if (entries.length > 0) parts.push(`${quote(METADATA_KEY)}:{${entries.join(',')}}`);
  return `{${parts.join(',')}}`;
}

/** The content's SHA-256 in hex: of the digest-free header text, then the data section. */
function contentDigest(spans: readonly Span[], metadata: Readonly<Record<string, string>>, dataSection: Uint8Array): string {
  return sha256Hex(new TextEncoder().encode(headerJson(spans, metadata)), dataSection);
}

/** Code-unit order, the order of the header's tensors and metadata keys. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Decode a safetensors file into named float32 arrays and its metadata.
 *
 * Everything is validated; each problem throws its own one-line Error, prefixed with
 * `source`:
 * - fewer than 8 bytes: "too short to be a safetensors file";
 * - a header length field outside 2..100000000, a header that does not start with `{`,
 *   is not UTF-8 or is not JSON: "not a safetensors file";
 * - the file ends inside the header or before the end of the last tensor: "truncated",
 *   with both byte counts;
 * - offsets that lie (malformed, end before begin, a span that is not
 *   `4 · product(shape)`, overlapping tensors, gaps, uncovered trailing bytes): the
 *   error names the tensor(s);
 * - a dtype other than F32: "unsupported dtype", naming it;
 * - a shape that is not an array of non-negative integers: "bad shape";
 * - `__metadata__` that is not an object of strings;
 * - a digest entry whose key or value is damaged, or whose digest the content does
 *   not hash to: "damaged" (with both digests' first digits when they differ).
 *
 * Control characters in a message (a newline in the header, say) are escaped, so every
 * message is one line.
 *
 * Data is copied out into fresh Float32Arrays, read as little-endian whatever the host,
 * bit-exact (NaN payloads included), whether or not the data section is 4-byte aligned.
 *
 * @param bytes the whole file.
 * @param source what to call the input in errors, e.g. its path.
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes, 'model.safetensors');
 * tensors.get('fc.weight'); // { shape: [2, 2], data: Float32Array [1, 2, 3, 4] }
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): DecodedSafetensors {
  const fail: Fail = (problem) => {
    throw new Error(oneLine(`${source}: ${problem}`));
  };
  if (bytes.length < 8) fail(`too short to be a safetensors file: ${bytes.length} bytes, but the header length field alone takes 8`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
    fail(`not a safetensors file: the header length field reads ${headerLength}, expected 2..${MAX_HEADER_BYTES}`);
  }
  if (bytes.length > 8 && bytes[8] !== 0x7b) fail(`not a safetensors file: the header does not start with '{'`);
  if (8 + headerLength > bytes.length) {
    fail(`truncated: the header length field says ${headerLength} bytes but only ${bytes.length - 8} follow it`);
  }

  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);

  const metadata = readMetadata(header[METADATA_KEY], fail);
  const spans: Span[] = [];
  for (const name of Object.keys(header).sort()) {
    if (name !== METADATA_KEY) spans.push(readEntry(name, header[name], fail));
  }
  const dataStart = 8 + headerLength;
  checkLayout(spans, bytes.length - dataStart, fail);
  const digestOf = (without: Record<string, string>): string => contentDigest(spans, without, bytes.subarray(dataStart));
  const stored = takeDigest(metadata, digestOf, fail);
  if (stored !== undefined) checkDigest(stored, digestOf(metadata), fail);

  const tensors = new Map<string, NamedArray>();
  for (const span of spans) {
    const data = new Float32Array((span.end - span.begin) / BYTES_PER_F32);
    copyLittleEndianWords(new Uint32Array(data.buffer), view, dataStart + span.begin, 'read');
    tensors.set(span.name, { shape: span.shape, data });
  }
  return { tensors, metadata, verified: stored !== undefined };
}

/**
 * Remove the digest entry from `metadata` and return its hex digits, or undefined when
 * the file has none. An entry is a digest when its key is {@link DIGEST_KEY} or its
 * value starts with {@link DIGEST_PREFIX}; it must be both, with 64 lowercase hex digits.
 * A corruption that damages key and prefix at once still leaves the hex digits, so a
 * value ending in the content's own digest (`digestOf` the metadata without it) is a
 * damaged digest entry too.
 */
function takeDigest(metadata: Record<string, string>, digestOf: (without: Record<string, string>) => string, fail: Fail): string | undefined {
  const claims = Object.keys(metadata).filter((key) => key === DIGEST_KEY || metadata[key].startsWith(DIGEST_PREFIX));
  if (claims.length === 0) {
    for (const key of Object.keys(metadata)) {
      const tail = /[0-9a-f]{64}$/.exec(metadata[key])?.[0];
      const { [key]: _, ...rest } = metadata;
      if (tail !== undefined && tail === digestOf(rest)) fail(`damaged: __metadata__ has the content's digest under the key ${quote(key)}, expected ${quote(DIGEST_KEY)}`);
    }
    return undefined;
  }
  if (claims.length > 1) fail(`damaged: __metadata__ has ${claims.length} digest entries (${claims.map(quote).join(', ')}), expected one`);
  const [key] = claims;
  const value = metadata[key];
  if (key !== DIGEST_KEY) fail(`damaged: __metadata__ has a digest under the key ${quote(key)}, expected ${quote(DIGEST_KEY)}`);
  const hex = value.slice(DIGEST_PREFIX.length);
  if (!value.startsWith(DIGEST_PREFIX) || !/^[0-9a-f]{64}$/.test(hex)) {
    fail(`damaged: __metadata__.${DIGEST_KEY} is ${describe(value)}, expected ${quote(DIGEST_PREFIX)} and 64 lowercase hex digits`);
  }
  delete metadata[key];
  return hex;
}

/** Throw unless the stored digest equals the content's. */
function checkDigest(stored: string, computed: string, fail: Fail): void {
  if (stored !== computed) {
    fail(`damaged: the data does not match its SHA-256 (__metadata__.${DIGEST_KEY} says ${stored.slice(0, 12)}…, the content hashes to ${computed.slice(0, 12)}…)`);
  }
}

/** Decode the header bytes as UTF-8 JSON; a text that starts with '{' and parses is an object. */
function parseHeader(headerBytes: Uint8Array, fail: Fail): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('not a safetensors file: the header is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    return fail(`not a safetensors file: the header is not JSON (${(err as Error).message})`);
  }
}

/** One tensor's header entry, validated: where its bytes lie in the data section. */
interface Span {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

type Fail = (problem: string) => never;

/** Validate one tensor entry of the header: an object with dtype F32, a shape, and offsets spanning exactly its bytes. */
function readEntry(name: string, entry: unknown, fail: Fail): Span {
  const tensor = `tensor ${quote(name)}`;
  if (!isObject(entry)) return fail(`${tensor}: the header entry is ${describe(entry)}, not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (dtype !== 'F32') fail(`${tensor}: unsupported dtype ${describe(dtype)} (only F32 is supported)`);
  const count = elementCount(shape);
  if (count === null) fail(`${tensor}: bad shape ${describe(shape)} (expected an array of non-negative integers)`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isByteOffset)) {
    fail(`${tensor}: data_offsets ${describe(offsets)} are not [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`${tensor}: data_offsets end ${end} is before begin ${begin}`);
  const needed = count * BYTES_PER_F32;
  if (end - begin !== needed) {
    fail(`${tensor}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but F32 shape ${describe(shape)} needs ${needed}`);
  }
  return { name, shape: shape as number[], begin, end };
}

/** Check that the spans cover the data section exactly: contiguous from byte 0, no overlap, no gap, nothing left over. */
function checkLayout(spans: Span[], dataLength: number, fail: Fail): void {
  const ordered = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Span | undefined;
  for (const span of ordered) {
    if (previous !== undefined && span.begin < covered) {
      fail(`data_offsets overlap: tensor ${quote(span.name)} begins at byte ${span.begin} but tensor ${quote(previous.name)} ends at byte ${covered}`);
    }
    if (span.begin > covered) {
      const where = previous === undefined ? 'before tensor' : `between tensor ${quote(previous.name)} and tensor`;
      fail(`data_offsets leave a gap: bytes ${covered}..${span.begin} ${where} ${quote(span.name)} belong to no tensor`);
    }
    covered = span.end;
    previous = span;
  }
  if (previous !== undefined && covered > dataLength) {
    fail(`truncated: the header describes ${covered} bytes of tensor data but only ${dataLength} are present (tensor ${quote(previous.name)} runs past the end)`);
  }
  if (covered < dataLength) {
    fail(`data_offsets leave a gap: bytes ${covered}..${dataLength} at the end of the data section belong to no tensor`);
  }
}

/** Read `__metadata__`: absent gives `{}`; otherwise it must be an object whose values are all strings. */
function readMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) return fail(`${METADATA_KEY} is ${describe(value)}, not an object of strings`);
  const problem = metadataProblem(value);
  if (problem !== null) fail(problem);
  return { ...(value as Record<string, string>) };
}

/** What is wrong with a metadata object (a value that is not a string), or null. */
function metadataProblem(metadata: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') return `${METADATA_KEY} value for key ${quote(key)} is ${describe(value)}, not a string`;
  }
  return null;
}

/**
 * Copy 32-bit words between host-order `words` and little-endian bytes of `view` at
 * `byteOffset`. Moving bit patterns as integers (never as numbers) keeps every float
 * bit-exact, NaN payloads included, and works at any alignment on any host.
 */
function copyLittleEndianWords(words: Uint32Array, view: DataView, byteOffset: number, direction: 'read' | 'write'): void {
  if (direction === 'read') {
    for (let i = 0; i < words.length; i++) words[i] = view.getUint32(byteOffset + i * BYTES_PER_F32, true);
  } else {
    for (let i = 0; i < words.length; i++) view.setUint32(byteOffset + i * BYTES_PER_F32, words[i], true);
  }
}

/** The product of a shape's dimensions, or null when it is not an array of non-negative integers (or too large to address). */
function elementCount(shape: unknown): number | null {
  if (!Array.isArray(shape)) return null;
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) return null;
    count *= dim;
  }
  return Number.isSafeInteger(count * BYTES_PER_F32) ? count : null;
}

function isByteOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A name in an error message, JSON-quoted so that odd characters (newlines included) stay on one line. */
function quote(name: string): string {
  return JSON.stringify(name);
}

/** A JSON value in an error message, kept to one short line. */
function describe(value: unknown): string {
  const text = value === undefined ? 'missing' : String(JSON.stringify(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
