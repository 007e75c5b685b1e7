/**
 * Which backend runs the kernels.
 *
 * One backend is current at a time; every op asks {@link getBackend} for its kernels.
 * The CPU backend is registered and current from the start; other backends register
 * themselves with {@link registerBackend} and are chosen with {@link setBackend}.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { cpuBackend } from './cpu.js';

const registry = new Map<string, Backend>([[cpuBackend.name, cpuBackend]]);
let current: Backend = cpuBackend;

/** The backend whose kernels ops use now. */
export function getBackend(): Backend {
  return current;
}

/** Make a registered backend (by name) or a backend object current; returns the previous one. */
export function setBackend(backend: string | Backend): Backend {
  const previous = current;
  if (typeof backend === 'string') {
    const found = registry.get(backend);
    if (!found) throw new Error(`setBackend: unknown backend '${backend}'; registered: ${[...registry.keys()].join(', ')}`);
    current = found;
  } else {
    current = backend;
  }
  return previous;
}

/** Add a backend to the registry under its name, so `setBackend(name)` finds it. */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}

export type { Backend, Data, DType, UnaryOp, BinaryOp, ReduceOp, GemmArgs, Conv2dGeometry } from './backend.js';
export { cpuBackend } from './cpu.js';
