/**
 * Result buffers, and reusing them from sample to sample.
 *
 * Every kernel returns a new buffer ({@link Backend}). Made with `new Float32Array(n)`,
 * each one is a fresh allocation outside the JavaScript heap, and a training step makes
 * thousands of them: a resnet20 sample allocates about 80 MB this way. The engine then
 * spends a quarter of its time in the garbage collector, whose helper threads compete
 * with a parallel pipeline's workers for the cores (docs/performance.md).
 *
 * A *recycling* scope (`core/storage.ts`; the pipeline engine opens one per sample and
 * stage) knows when its tensors die: at its close, nothing it made is read again except
 * what it keeps. So while such a scope runs, {@link resultBuffer} lends buffers from this
 * thread's pool, the scope records them ({@link lendTo}), and at its close the buffers
 * of the tensors it releases come back ({@link giveBack}) for the next sample's kernels.
 * Outside a recycling scope {@link resultBuffer} is `new Float32Array(n)`.
 *
 * A lent buffer is zero-filled, exactly as a new one is, so a kernel cannot tell the
 * difference and results are the same bits with or without the pool; only a kernel
 * that overwrites its whole result asks for one as it is ({@link overwrittenBuffer}). The pool keeps at
 * most {@link POOL_LIMIT_BYTES} per thread; buffers beyond that are left to the garbage
 * collector.
 *
 * @module
 */
import type { Data, DType } from './backend.js';

/**
 * The most bytes of idle buffers one thread's pool holds (256 MiB): far above what the
 * pipeline engine releases and takes back between two samples, so the steady state
 * never drops one, and a bound on what an unusual workload can leave pooled.
 */
export const POOL_LIMIT_BYTES = 256 * 2 ** 20;

/** Counters of one thread's pool, for tests and benchmarks. */
export interface BufferPoolStats {
  /** Buffers handed out from the pool (no allocation). */
  reused: number;
  /** Buffers allocated because the pool had none of that type and length. */
  allocated: number;
  /** Buffers given back and kept. */
  returned: number;
  /** Buffers given back but dropped: detached (transferred) or over the limit. */
  dropped: number;
  /** Bytes held idle in the pool now. */
  idleBytes: number;
}

/** Idle buffers by element type and then length. */
const idle = { float32: new Map<number, Data[]>(), float64: new Map<number, Data[]>() };
const stats: BufferPoolStats = { reused: 0, allocated: 0, returned: 0, dropped: 0, idleBytes: 0 };
/** The buffers lent while the running recycling scope is active, or null outside one. */
let borrower: Set<Data> | null = null;

/**
 * A zero-filled buffer of `length` elements of `dtype` (or of `like`'s type): from the
 * pool while a recycling scope runs, else new. Every kernel result is made by this or
 * by {@link overwrittenBuffer}.
 */
export function resultBuffer(dtype: DType | Data, length: number): Data {
  return take(dtype, length, true);
}

/**
 * {@link resultBuffer} for a kernel that writes every element of its result before
 * anything reads it (a copy out of the wasm arena): a reused buffer is not zero-filled
 * first, which saves a pass over memory as long as the copy.
 */
export function overwrittenBuffer(dtype: DType | Data, length: number): Data {
  return take(dtype, length, false);
}

function fresh(type: DType, length: number): Data {
  return type === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

function take(dtype: DType | Data, length: number, zeroed: boolean): Data {
  const type: DType = typeof dtype === 'string' ? dtype : dtype instanceof Float64Array ? 'float64' : 'float32';
  if (borrower === null || length === 0) return fresh(type, length);
  const list = idle[type].get(length);
  let buffer: Data;
  if (list !== undefined && list.length > 0) {
    buffer = list.pop()!;
    stats.idleBytes -= buffer.byteLength;
    if (zeroed) buffer.fill(0);
    stats.reused++;
  } else {
    buffer = fresh(type, length);
    stats.allocated++;
  }
  borrower.add(buffer);
  return buffer;
}

/**
 * Record the buffers {@link resultBuffer} lends from now on in `lent` (a recycling
 * scope's set), or stop lending (`null`). Returns the previous set, to restore.
 */
export function lendTo(lent: Set<Data> | null): Set<Data> | null {
  const previous = borrower;
  borrower = lent;
  return previous;
}

/**
 * Take back a lent buffer whose tensor was released: nothing may read it any more. A
 * buffer that was transferred to another thread (detached) or that would take the pool
 * past {@link POOL_LIMIT_BYTES} is left to the garbage collector.
 */
export function giveBack(buffer: Data): void {
  if (buffer.length === 0 || buffer.buffer.byteLength === 0 || stats.idleBytes + buffer.byteLength > POOL_LIMIT_BYTES) {
    stats.dropped++;
    return;
  }
  const sized = idle[buffer instanceof Float64Array ? 'float64' : 'float32'];
  let list = sized.get(buffer.length);
  if (list === undefined) sized.set(buffer.length, (list = []));
  list.push(buffer);
  stats.idleBytes += buffer.byteLength;
  stats.returned++;
}

/** This thread's pool counters (a copy). */
export function bufferPoolStats(): BufferPoolStats {
  return { ...stats };
}

/** Drop every idle buffer (to the garbage collector) and zero the counters. */
export function clearBufferPool(): void {
  idle.float32.clear();
  idle.float64.clear();
  stats.reused = stats.allocated = stats.returned = stats.dropped = stats.idleBytes = 0;
}
