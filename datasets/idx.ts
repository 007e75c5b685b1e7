/**
 * The IDX file format (the format MNIST is distributed in), parsed from bytes.
 *
 * ```
 * byte 0-1   0x00 0x00
 * byte 2     data type code: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32,
 *            0x0D float32, 0x0E float64
 * byte 3     number of dimensions, ndim
 * then       ndim sizes, each a big-endian uint32
 * then       the data, big-endian, last dimension fastest
 * ```
 *
 * Bytes 0-3 read as one big-endian integer are the file's "magic number"
 * (MNIST images: 0x00000803 = 2051, labels: 0x00000801 = 2049). This file runs anywhere;
 * reading a file from disk, gunzipping `train-images-idx3-ubyte.gz` on the way, is
 * `readIdx` in the Node-only `idx-file.ts`.
 *
 * @module
 */
/** The element types an IDX file can hold. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array an IDX file's data is returned in, one per {@link IdxDtype}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The contents of one IDX file. */
export interface IdxArray {
  /** Bytes 0-3 as a big-endian integer, e.g. 2051 for MNIST images. */
  magic: number;
  /** The element type named by byte 2. */
  dtype: IdxDtype;
  /** The dimension sizes from the header, outermost first. */
  dims: number[];
  /** The data in native byte order, row-major (last dimension fastest). */
  data: IdxData;
}

interface DtypeInfo {
  dtype: IdxDtype;
  bytes: number;
  make: (n: number) => IdxData;
  read: (view: DataView, offset: number) => number;
}

const dtypes: Record<number, DtypeInfo> = {
  0x08: { dtype: 'uint8', bytes: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  0x09: { dtype: 'int8', bytes: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  0x0b: { dtype: 'int16', bytes: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) },
  0x0c: { dtype: 'int32', bytes: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) },
  0x0d: { dtype: 'float32', bytes: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o) },
  0x0e: { dtype: 'float64', bytes: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o) },
};

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when `bytes` begins with the gzip signature `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Parses the bytes of an (uncompressed) IDX file. `name` labels error messages,
 * normally the file's name.
 *
 * @throws when the bytes are gzip-compressed (gunzip them first, as `readIdx` does),
 *   truncated, too long, or do not begin with an IDX header.
 * @example
 * const labels = parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]), 'labels');
 * labels.dims; // [2]
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (isGzip(bytes)) throw new Error(`${name}: is gzip-compressed; gunzip the bytes first (readIdx does so for files)`);
  if (bytes.length < 4) {
    throw new Error(`${name}: truncated: ${bytes.length} bytes is too short for the 4 magic bytes of an IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${name}: not an IDX file: magic bytes are ${hex(bytes.subarray(0, 4))}, expected 00 00 <type> <ndim>`,
    );
  }
  const info = dtypes[bytes[2]];
  if (!info) {
    const known = Object.entries(dtypes).map(([code, d]) => `0x${hex([Number(code)])} ${d.dtype}`).join(', ');
    throw new Error(`${name}: unknown IDX data type code 0x${hex([bytes[2]])} (known: ${known})`);
  }
  const ndim = bytes[3];
  if (ndim === 0) throw new Error(`${name}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${name}: truncated: header declares ${ndim} dimensions (${headerBytes} header bytes), file has ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const dims = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * info.bytes;
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : 'too long';
    const perElement = info.bytes === 1 ? '' : ` × ${info.bytes} bytes`;
    throw new Error(
      `${name}: ${what}: header says ${dims.join('×')}${perElement} = ${expected} bytes of data, ` +
        `file has ${actual} after the ${headerBytes}-byte header`,
    );
  }
  return { magic, dtype: info.dtype, dims, data: decode(info, view, headerBytes, count, bytes) };
}

/** The data section in native byte order; single bytes need no conversion, so uint8 is a view. */
function decode(info: DtypeInfo, view: DataView, offset: number, count: number, bytes: Uint8Array): IdxData {
  if (info.dtype === 'uint8') return bytes.subarray(offset, offset + count);
  const out = info.make(count);
  for (let i = 0; i < count; i++) out[i] = info.read(view, offset + i * info.bytes);
  return out;
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
