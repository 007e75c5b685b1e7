/**
 * The sides a benchmark compares: pipegrad on one of its backends, or tfjs on one of
 * its backends. Each helper makes the backend current for one measurement and restores
 * the previous one afterwards.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getBackend, setBackend } from '../core/index.js';

/** pipegrad's backends in the benchmark: WebAssembly SIMD, and the plain-TS reference. */
export type PipegradBackend = 'wasm' | 'ts';
/** tfjs's backends in the benchmark: plain JavaScript, and WebAssembly (XNNPACK, SIMD, one thread in Node). */
export type TfjsBackend = 'cpu' | 'wasm';

/** Run `fn` with pipegrad's backend `name` current. */
export function onBackend<T>(name: PipegradBackend, fn: () => T): T {
  const previous = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

/** Run `fn` with tfjs's backend `name` current (started on first use). */
export async function onTfjs<T>(name: TfjsBackend, fn: () => T): Promise<T> {
  if (!(await tf.setBackend(name))) throw new Error(`bench: tfjs could not start its ${name} backend`);
  await tf.ready();
  return fn();
}
