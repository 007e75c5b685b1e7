/**
 * How fast a bundle crosses between two threads, three ways: a structured clone (the
 * message copies the values), a transfer (the sender copies them into a fresh buffer
 * and moves that buffer), and a `SharedArrayBuffer` (the sender writes into shared
 * memory and wakes the receiver with `Atomics.notify`, the receiver copies them out).
 * Each is timed as a round trip to a worker that sends the same bundle back, the way
 * an activation goes down the pipeline and a gradient of the same size comes back up.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';

/** Microseconds per one-way message of each kind, for one payload size. */
export interface MessageTiming {
  /** Float32 values per message. */
  values: number;
  /** Structured clone. */
  cloneUs: number;
  /** Copy into a fresh buffer, transfer it. */
  transferUs: number;
  /** Copy into shared memory, `Atomics.notify`, copy out. */
  sharedUs: number;
}

// The echo worker, plain JavaScript: send every message back the same way it came.
const echo = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.kind === 'clone') parentPort.postMessage(m);
  else if (m.kind === 'transfer') { const data = m.data.slice(); parentPort.postMessage({ kind: m.kind, data }, [data.buffer]); }
  else if (m.kind === 'shared') {
    const flag = new Int32Array(m.flag), data = new Float32Array(m.data);
    for (let r = 0; r < m.rounds; r++) {
      Atomics.wait(flag, 0, 0);
      const copy = data.slice();
      data.set(copy);
      Atomics.store(flag, 0, 0);
      Atomics.notify(flag, 0);
    }
  }
});`;

function roundTrips(worker: Worker, kind: 'clone' | 'transfer', values: number, rounds: number): Promise<number> {
  const payload = new Float32Array(values).map((_, i) => i);
  return new Promise((resolve) => {
    let left = rounds;
    const start = performance.now();
    const send = (): void => {
      if (kind === 'clone') worker.postMessage({ kind, data: payload });
      else {
        const data = payload.slice();
        worker.postMessage({ kind, data }, [data.buffer]);
      }
    };
    const onMessage = (): void => {
      if (--left > 0) send();
      else {
        worker.off('message', onMessage);
        resolve(((performance.now() - start) * 1000) / rounds / 2);
      }
    };
    worker.on('message', onMessage);
    send();
  });
}

function sharedRoundTrips(worker: Worker, values: number, rounds: number): number {
  const flagBuffer = new SharedArrayBuffer(4);
  const dataBuffer = new SharedArrayBuffer(values * 4);
  const flag = new Int32Array(flagBuffer);
  const data = new Float32Array(dataBuffer);
  const payload = new Float32Array(values).map((_, i) => i);
  worker.postMessage({ kind: 'shared', flag: flagBuffer, data: dataBuffer, rounds });
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    data.set(payload);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    Atomics.wait(flag, 0, 1);
    payload.set(data);
  }
  return ((performance.now() - start) * 1000) / rounds / 2;
}

/** Time the three ways for each payload size (float32 values), `rounds` round trips each after a warm-up. */
export async function benchMessages(sizes: readonly number[], rounds = 1000): Promise<MessageTiming[]> {
  const worker = new Worker(echo, { eval: true });
  try {
    const results: MessageTiming[] = [];
    for (const values of sizes) {
      await roundTrips(worker, 'clone', values, 100);
      const cloneUs = await roundTrips(worker, 'clone', values, rounds);
      await roundTrips(worker, 'transfer', values, 100);
      const transferUs = await roundTrips(worker, 'transfer', values, rounds);
      sharedRoundTrips(worker, values, 100);
      const sharedUs = sharedRoundTrips(worker, values, rounds);
      results.push({ values, cloneUs, transferUs, sharedUs });
    }
    return results;
  } finally {
    await worker.terminate();
  }
}
