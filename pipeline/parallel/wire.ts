/**
 * Values as they cross a thread boundary.
 *
 * A worker receives and sends plain data only: `postMessage` copies numbers, strings,
 * typed arrays, arrays, `Map`s and plain objects (the structured clone), but not class
 * instances such as {@link Tensor}. So a tensor travels as its shape and a contiguous
 * copy of its values ({@link WireTensor}), and any value that may hold tensors — a stage's
 * state, a target, a stage message — is mapped through {@link toWire} and back through
 * {@link fromWire}. The values arrive bit for bit: a float32 array is copied, never
 * converted.
 *
 * The copy is made here, into a buffer of its own, so that the message can *transfer*
 * that buffer (hand it over without a second copy) while the sender keeps the tensor it
 * still needs (a forward's outputs stay on the tape until the sample's backward).
 *
 * @module
 */
import { Tensor, type Data } from '../../core/index.js';
import type { StageMessage } from '../mailbox.js';

/** A tensor on the wire: its shape and a contiguous copy of its values. */
export interface WireTensor {
  /** Marks the object as a tensor. */
  readonly wire: 'tensor';
  /** The tensor's shape. */
  readonly shape: number[];
  /** Its values, row-major, in a buffer of their own. */
  readonly data: Data;
}

/**
 * `value` with every tensor in it (in arrays, `Map`s and plain objects, at any depth)
 * replaced by a {@link WireTensor}; the buffers of those copies are appended to
 * `transfer`, so the message can move them instead of copying them again.
 */
export function toWire(value: unknown, transfer: Transferable[] = []): unknown {
  if (value instanceof Tensor) {
    const data = value.data.slice();
    transfer.push(data.buffer);
    return { wire: 'tensor', shape: [...value.shape], data } satisfies WireTensor;
  }
  if (Array.isArray(value)) return value.map((v) => toWire(v, transfer));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, toWire(v, transfer)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v, transfer)]));
  if (ArrayBuffer.isView(value)) {
    // A typed array that is a window on a larger buffer would carry the whole buffer.
    const copy = (value as Int32Array).slice();
    transfer.push(copy.buffer);
    return copy;
  }
  return value;
}

/** The inverse of {@link toWire}: every {@link WireTensor} becomes a {@link Tensor} again. */
export function fromWire(value: unknown): unknown {
  if (isWireTensor(value)) return new Tensor(value.data, value.shape);
  if (Array.isArray(value)) return value.map(fromWire);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, fromWire(v)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  return value;
}

/**
 * A {@link StageMessage} received from another worker, with its tensors rebuilt: an
 * activation bundle's tensors are leaves that require a gradient again, as the engine
 * makes them when it sends a bundle within one thread.
 */
export function stageMessageFromWire(wire: unknown): StageMessage {
  const message = fromWire(wire) as StageMessage;
  if (message.kind === 'activations') for (const t of message.tensors) t.requireGrad();
  return message;
}

function isWireTensor(value: unknown): value is WireTensor {
  return isPlainObject(value) && value.wire === 'tensor';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
