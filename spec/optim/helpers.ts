/**
 * Helpers for the optim specs: small named parameter sets, reading values back, and
 * assertions for approximate values and one-line errors.
 */
import type { Test } from 'tape';
import { Tensor } from '../../core/index.js';
import type { GradientTransform, Params, UpdateContext } from '../../optim/index.js';

/** 1-D float32 tensors by name: `named({ w: [1, 2] })`. */
export function named(values: Record<string, number[]>): Params {
  const out: Params = new Map();
  for (const [name, xs] of Object.entries(values)) out.set(name, new Tensor(Float32Array.from(xs), [xs.length]));
  return out;
}

/** The values of tensor `name` as a plain array. */
export function valuesOf(p: Params, name: string): number[] {
  const t = p.get(name);
  if (t === undefined) throw new Error(`valuesOf: no tensor '${name}'`);
  return Array.from(t.data);
}

/** Assert every value is within `tol` of the expected one (float32 arithmetic). */
export function near(t: Test, received: readonly number[], expected: readonly number[], what: string, tol = 1e-6): void {
  const ok = received.length === expected.length && received.every((x, i) => Math.abs(x - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])));
  t.ok(ok, `${what}: expected [${expected.join(', ')}], received [${received.join(', ')}]`);
}

/** Assert `fn` throws a one-line error matching `pattern`. */
export function throwsLine(t: Test, fn: () => unknown, pattern: RegExp, what: string): void {
  try {
    fn();
  } catch (err) {
    const message = (err as Error).message;
    t.ok(err instanceof Error && pattern.test(message) && !message.includes('\n'), `${what}: expected one line matching ${pattern}, received "${message}"`);
    return;
  }
  t.fail(`${what}: expected an error matching ${pattern}, but nothing was thrown`);
}

/** The context of update number `step` at batch size one. */
export function at(step: number, delay?: number): UpdateContext {
  return { step, samples: step, delay };
}

/**
 * Run a transform for `grads.length` updates with the weights held fixed at `params`
 * and return each update's values for parameter `name` (a transform seen on its own).
 */
export function updateSequence(
  transform: GradientTransform<unknown>,
  params: Params,
  grads: Params[],
  name: string,
  delay?: number,
): number[][] {
  let state = transform.init(params);
  return grads.map((g, k) => {
    const out = transform.update(g, state, params, at(k, delay));
    state = out.state;
    return valuesOf(out.updates, name);
  });
}
