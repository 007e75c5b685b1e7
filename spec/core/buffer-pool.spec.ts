/**
 * The result-buffer pool and recycling scopes on a host backend (run under the default
 * wasm backend and under `PIPEGRAD_BACKEND=ts`): outside a recycling scope every
 * result is a fresh buffer and the pool is not touched; a recycling scope's released
 * tensors give their buffers back at its close, and the next recycling scope's kernels
 * of the same type and length get exactly those buffers, zero-filled again; kept,
 * returned and adopted tensors are never recycled under a reader; reading a released
 * tensor is a one-line error naming the scope; float32 and float64 buffers are pooled
 * apart; detached buffers and buffers past POOL_LIMIT_BYTES are dropped, never pooled.
 */
import test from 'tape';
import {
  add, bufferPoolStats, clearBufferPool, crossEntropy, deviceScope, DeviceScope, fromArray, full, gradients, keep, neg, pad, POOL_LIMIT_BYTES, relu, scalar, sum, zeros, type BufferPoolStats, type Data, type Tensor,
} from '../../core/index.js';
import { giveBack } from '../../core/backend/buffer-pool.js';

/** The counters of an untouched pool. */
const EMPTY: BufferPoolStats = { reused: 0, allocated: 0, returned: 0, dropped: 0, idleBytes: 0 };

/**
 * A host tensor of the values `1 … n`. The specs make every input and constant outside
 * the scopes (so no scope owns them and the counters see only the kernels' results),
 * and never write a number literal into an op inside one (it would become a pooled
 * scalar).
 */
function input(n: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  return fromArray(Array.from({ length: n }, (_, i) => i + 1), [n], dtype);
}

/** Whether every element of `data` is +0. */
function allZero(data: Data): boolean {
  return data.every((v) => Object.is(v, 0));
}

/** The error `read` throws, or null when it throws none. */
function thrown(read: () => unknown): Error | null {
  try {
    read();
  } catch (e) {
    return e as Error;
  }
  return null;
}

test('buffer pool: outside any recycling scope, kernel results are fresh zeroed buffers and the counters do not move', (t) => {
  clearBufferPool();
  const x = input(6);
  const a = relu(x);
  const b = add(x, x);
  const z = zeros([6]);
  t.notEqual(a.storage.data, b.storage.data, 'two results are two buffers');
  t.notEqual(a.storage.data, x.storage.data, 'a result is not its input buffer');
  t.ok(allZero(z.data), 'zeros() outside a scope is all +0');
  t.equal(a.storage.owner, null, 'no scope owns a result made outside a scope');
  t.deepEqual(bufferPoolStats(), EMPTY, 'the pool counters are all still 0');
  t.end();
});

test('buffer pool: the buffers a recycling scope releases are lent to the next recycling scope\'s kernels of the same type and length', (t) => {
  clearBufferPool();
  const x = input(6);
  const first = new DeviceScope('first scope', { recycle: true });
  const released = first.run(() => [relu(x), neg(x), add(x, x)]);
  const buffers = released.map((r) => r.storage.data);
  t.equal(new Set(buffers).size, 3, 'the first scope made three distinct buffers');
  t.deepEqual(bufferPoolStats(), { ...EMPTY, allocated: 3 }, 'an empty pool allocates all three');
  first.close();
  t.deepEqual(bufferPoolStats(), { ...EMPTY, allocated: 3, returned: 3, idleBytes: 3 * 6 * 4 }, 'the close gives all three back: 72 idle bytes');
  const second = new DeviceScope('second scope', { recycle: true });
  const again = second.run(() => [add(x, x), relu(x), neg(x)]);
  const lent = again.map((r) => r.storage.data);
  t.ok(lent.every((b) => buffers.includes(b)), 'each result of the second scope is (===) a buffer the first scope released');
  t.equal(new Set(lent).size, 3, '… and no buffer is lent twice');
  t.deepEqual(Array.from(again[0].data), [2, 4, 6, 8, 10, 12], 'the lent buffers hold the new results');
  t.deepEqual(bufferPoolStats(), { ...EMPTY, allocated: 3, returned: 3, reused: 3 }, 'three reused, none allocated, the pool is empty again');
  second.close();
  t.end();
});

test('buffer pool: a lent buffer comes back zero-filled, even to a kernel that writes only part of it (zeros, pad)', (t) => {
  clearBufferPool();
  const x = input(8);
  const small = input(4);
  const first = new DeviceScope('dirty scope', { recycle: true });
  const dirty = first.run(() => [add(x, x), neg(x)]);
  const buffers = dirty.map((r) => r.storage.data);
  t.ok(buffers.every((b) => b.every((v) => v !== 0)), 'the released buffers hold non-zero values');
  first.close();
  const second = new DeviceScope('clean scope', { recycle: true });
  const [z, padded] = second.run(() => [zeros([8]), pad(small, [[2, 2]])]);
  t.ok(buffers.includes(z.storage.data) && buffers.includes(padded.storage.data), 'zeros and pad got the released buffers (===)');
  t.ok(allZero(z.data), 'zeros() on a reused buffer is all +0');
  t.deepEqual(Array.from(padded.data), [0, 0, 1, 2, 3, 4, 0, 0], 'pad wrote only the middle four; the border reads +0, not the old values');
  second.close();
  t.end();
});

test('buffer pool: reading a released tensor (.data, toArray(), item()) throws one line naming the scope and saying to keep() or return it', (t) => {
  clearBufferPool();
  const x = input(5);
  const scope = new DeviceScope('forward of sample 7 at stage 2', { recycle: true });
  const [r, s] = scope.run(() => [relu(x), sum(x)]);
  scope.close();
  t.ok(r.storage.released && s.storage.released, 'both tensors are released');
  for (const [what, read] of [
    ['.data', () => r.data],
    ['toArray()', () => r.toArray()],
    ['item()', () => s.item()],
  ] as const) {
    const e = thrown(read);
    t.ok(e !== null, `${what} of a released tensor throws`);
    if (e === null) continue;
    t.ok(e.message.includes('forward of sample 7 at stage 2'), `${what}: the message names the scope's label, received: ${e.message}`);
    t.ok(e.message.includes('keep()') && e.message.includes('return'), `${what}: the message says to keep() or return the tensor, received: ${e.message}`);
    t.notOk(e.message.includes('\n'), `${what}: the message is one line`);
  }
  t.end();
});

test('buffer pool: a kept tensor (keep(t), scope.keep(t)) keeps its values and its buffer is never lent again', (t) => {
  clearBufferPool();
  const x = input(6);
  const [ten, twenty] = [full([6], 10), full([6], 20)];
  const scope = new DeviceScope('keeping scope', { recycle: true });
  const [a, b] = scope.run(() => [keep(add(x, ten)), add(x, twenty), relu(x)]);
  scope.keep(b);
  const keptBuffers = [a.storage.data, b.storage.data];
  scope.close();
  t.equal(bufferPoolStats().returned, 1, 'only the unkept relu result went back to the pool');
  t.deepEqual([a.storage.owner, b.storage.owner], [null, null], 'the kept tensors belong to no scope after the close');
  t.equal(a.data, keptBuffers[0], 'keep(t): the tensor still reads its own buffer (===)');
  t.equal(b.data, keptBuffers[1], 'scope.keep(t): the tensor still reads its own buffer (===)');
  for (let round = 0; round < 2; round++) {
    const next = new DeviceScope(`later scope ${round}`, { recycle: true });
    const made = next.run(() => [relu(x), neg(x), add(x, x), add(x, ten)]);
    t.notOk(made.some((m) => keptBuffers.includes(m.storage.data)), `round ${round}: none of four same-sized results is (===) a kept buffer`);
    next.close();
  }
  t.deepEqual(Array.from(a.data), [11, 12, 13, 14, 15, 16], 'keep(t): the values are unchanged after two more scopes');
  t.deepEqual(Array.from(b.data), [21, 22, 23, 24, 25, 26], 'scope.keep(t): the values are unchanged after two more scopes');
  t.end();
});

test('buffer pool: a tensor adopted by scope B survives A\'s close and is released (its buffer pooled) at B\'s close', (t) => {
  clearBufferPool();
  const x = input(4);
  const a = new DeviceScope('scope A', { recycle: true });
  const b = new DeviceScope('scope B', { recycle: true });
  const moved = a.run(() => add(x, x));
  const buffer = moved.storage.data;
  b.adopt(moved);
  a.close();
  t.deepEqual(Array.from(moved.data), [2, 4, 6, 8], 'after A\'s close the adopted tensor reads its values');
  t.equal(bufferPoolStats().returned, 0, 'A gave nothing back');
  b.close();
  t.equal(bufferPoolStats().returned, 1, 'B\'s close gave the adopted buffer back');
  const e = thrown(() => moved.data);
  t.ok(e !== null && e.message.includes('scope B'), `reading it now throws, naming scope B; received: ${e?.message}`);
  const c = new DeviceScope('scope C', { recycle: true });
  const next = c.run(() => neg(x));
  t.equal(next.storage.data, buffer, 'the next same-sized result gets that buffer (===)');
  c.close();
  t.end();
});

test('buffer pool: a non-recycling scope (deviceScope(fn), new DeviceScope()) leaves host tensors alone', (t) => {
  clearBufferPool();
  const x = input(3);
  let inner: Tensor | null = null;
  const returned = deviceScope(() => {
    inner = add(x, x);
    return relu(inner);
  });
  t.deepEqual(Array.from(inner!.data), [2, 4, 6], 'deviceScope: a tensor made inside and not returned is readable after the close');
  t.deepEqual(Array.from(returned.data), [2, 4, 6], 'deviceScope: the returned tensor is readable');
  const scope = new DeviceScope();
  const made = scope.run(() => neg(x));
  scope.close();
  t.deepEqual(Array.from(made.data), [-1, -2, -3], 'new DeviceScope(): a tensor made inside is readable after the close');
  const recycling = new DeviceScope('outer recycling scope', { recycle: true });
  const nested = recycling.run(() => deviceScope(() => add(x, x)));
  recycling.close();
  t.deepEqual(Array.from(nested.data), [2, 4, 6], 'a deviceScope nested in a recycling scope makes fresh buffers: its result outlives the outer close');
  t.deepEqual(bufferPoolStats(), EMPTY, 'the pool counters are all still 0');
  t.end();
});

test('buffer pool: float32 and float64 buffers are pooled apart (by type and length, not by bytes)', (t) => {
  clearBufferPool();
  const [x64, x4, x8] = [input(4, 'float64'), input(4), input(8)];
  const first = new DeviceScope('float64 scope', { recycle: true });
  const wide = first.run(() => neg(x64));
  const buffer = wide.storage.data;
  t.ok(buffer instanceof Float64Array, 'the first scope made a float64 result');
  first.close();
  const second = new DeviceScope('float32 scope', { recycle: true });
  const [same, sameBytes] = second.run(() => [neg(x4), neg(x8)]);
  t.ok(same.storage.data instanceof Float32Array && sameBytes.storage.data instanceof Float32Array, 'float32 requests get float32 buffers');
  t.deepEqual(bufferPoolStats(), { ...EMPTY, allocated: 3, returned: 1, idleBytes: 32 }, 'float32 requests of 4 and of 8 elements (32 bytes) allocate; the float64 buffer stays idle');
  second.close();
  const third = new DeviceScope('float64 again', { recycle: true });
  const again = third.run(() => relu(x64));
  t.equal(again.storage.data, buffer, 'a float64 request of the same length gets the float64 buffer (===)');
  third.close();
  t.end();
});

test('buffer pool: a detached (transferred) buffer given back is dropped, never pooled', (t) => {
  clearBufferPool();
  const x = new Float32Array(8);
  structuredClone(x, { transfer: [x.buffer] });
  t.equal(x.buffer.byteLength, 0, 'the transfer detached the buffer');
  giveBack(x);
  t.deepEqual(bufferPoolStats(), { ...EMPTY, dropped: 1 }, 'giveBack of the detached buffer counts one drop and pools nothing');
  const scope = new DeviceScope('sending scope', { recycle: true });
  const y = input(8);
  const sent = scope.run(() => neg(y));
  const data = sent.storage.data;
  structuredClone(data, { transfer: [data.buffer] });
  scope.close();
  t.deepEqual(bufferPoolStats(), { ...EMPTY, allocated: 1, dropped: 2 }, 'a scope releasing a tensor whose buffer was transferred drops it too');
  t.end();
});

test('buffer pool: a buffer that would take the pool past POOL_LIMIT_BYTES is dropped; one that fits exactly is pooled', (t) => {
  clearBufferPool();
  giveBack(new Float32Array(8));
  t.equal(bufferPoolStats().idleBytes, 32, 'a 32-byte buffer is pooled');
  // Zero-filled ArrayBuffers are reserved, not written, so these cost address space only.
  giveBack(new Float32Array((POOL_LIMIT_BYTES - 32) / 4 + 1));
  t.deepEqual(bufferPoolStats(), { ...EMPTY, returned: 1, dropped: 1, idleBytes: 32 }, 'a buffer 4 bytes past the limit is dropped');
  giveBack(new Float32Array((POOL_LIMIT_BYTES - 32) / 4));
  t.deepEqual(bufferPoolStats(), { ...EMPTY, returned: 2, dropped: 1, idleBytes: POOL_LIMIT_BYTES }, 'a buffer that fills the pool to the limit exactly is pooled');
  giveBack(new Float32Array(1));
  t.deepEqual(bufferPoolStats(), { ...EMPTY, returned: 2, dropped: 2, idleBytes: POOL_LIMIT_BYTES }, 'with the pool full, even a 4-byte buffer is dropped');
  clearBufferPool();
  t.deepEqual(bufferPoolStats(), EMPTY, 'clearBufferPool empties the pool and zeroes the counters');
  t.end();
});

test('buffer pool: a kept tensor of a recycling scope closed inside an outer recycling scope moves to the outer one and is released at its close', (t) => {
  clearBufferPool();
  const x = input(5);
  const outer = new DeviceScope('outer scope', { recycle: true });
  const inner = new DeviceScope('inner scope', { recycle: true });
  const kept = outer.run(() => {
    const k = inner.run(() => keep(add(x, x)));
    inner.close();
    return k;
  });
  t.equal(outer.size, 1, 'the outer scope owns the kept tensor after the inner close');
  t.deepEqual(Array.from(kept.data), [2, 4, 6, 8, 10], 'it reads its values while the outer scope is open');
  t.equal(bufferPoolStats().returned, 0, 'the inner close gave nothing back');
  outer.close();
  t.equal(bufferPoolStats().returned, 1, 'the outer close (where it was not kept again) gave its buffer back');
  const e = thrown(() => kept.data);
  t.ok(e !== null && e.message.includes('outer scope'), `reading it now throws, naming the outer scope; received: ${e?.message}`);
  const alone = new DeviceScope('scope closed with none running', { recycle: true });
  const settled = alone.run(() => keep(neg(x)));
  alone.close();
  t.deepEqual([settled.storage.owner, Array.from(settled.data)], [null, [-1, -2, -3, -4, -5]], 'kept with no scope running, it becomes its own and keeps its values');
  t.end();
});

test('buffer pool: backpropagating a kept loss after its recycling scope closed is the released-tensor error, never a read of a recycled buffer (crossEntropy)', (t) => {
  clearBufferPool();
  const logits = fromArray([[1, 2, 3], [3, 1, 2]]).requireGrad();
  const other = fromArray([[9, 9, 9], [9, 9, 9]]);
  const labels = Int32Array.of(2, 0);
  const forward = new DeviceScope('loss scope', { recycle: true });
  const loss = forward.run(() => keep(crossEntropy(logits, labels)));
  forward.close();
  // The next scope's [2, 3] results take the released buffers of the loss's tape.
  const next = new DeviceScope('next scope', { recycle: true });
  next.run(() => [neg(other), add(other, other), relu(other), neg(other)]);
  const e = thrown(() => gradients([loss], [scalar(1)]));
  t.ok(e !== null && e.message.includes('loss scope'), `the backward throws the released-tensor error naming the loss's scope; received: ${e === null ? 'no error (the gradient was computed from a reused buffer)' : e.message}`);
  next.close();
  t.end();
});
