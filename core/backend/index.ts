/**
 * Which backend runs the kernels.
 *
 * One backend is current at a time; every op asks {@link getBackend} for its kernels.
 * Two backends are registered from the start: the plain-TS kernels (`cpu`, also
 * registered as `ts`), the readable reference, and — where the engine runs
 * WebAssembly SIMD — the `wasm` backend, whose hot kernels are SIMD. The current backend
 * at start is {@link defaultBackendName}: `wasm` where it could start, else `cpu`; in
 * Node the environment variable `PIPEGRAD_BACKEND` (e.g. `ts`) overrides it, which is
 * how CI runs the whole suite on each backend. Other backends register themselves with
 * {@link registerBackend} and are chosen with {@link setBackend}.
 * The GPU backend (gpu.js, an optional dependency loaded on demand) starts
 * asynchronously: `await setBackend('gpu', { mode })`, {@link useGpuBackend}, or
 * {@link useBackend} with a name such as `gpu:webasm`.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { cpuBackend } from './cpu.js';
import { createGpuBackend, type GpuBackend, type GpuBackendOptions } from './gpu.js';
import { GPU_MODES, type GpuMode } from './gpu-runtime.js';
import { createWasmBackend, createWasmBackendAsync, wasmSimdSupported } from './wasm.js';

const registry = new Map<string, Backend>([[cpuBackend.name, cpuBackend], ['ts', cpuBackend]]);

/**
 * The wasm backend, started synchronously where the engine allows it. A browser's main
 * thread refuses synchronous compiles of modules over 4 KiB; there `await
 * useBackend('wasm')` starts it asynchronously.
 */
function startWasm(): Backend | null {
  if (!wasmSimdSupported()) return null;
  try {
    return createWasmBackend();
  } catch {
    return null;
  }
}
const wasmAtStart = startWasm();
if (wasmAtStart) registry.set(wasmAtStart.name, wasmAtStart);

/** `PIPEGRAD_BACKEND` from the environment, where there is one (Node). */
function backendFromEnvironment(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const name = env?.PIPEGRAD_BACKEND;
  return name === undefined || name === '' ? undefined : name;
}

/**
 * The name of the backend that is current at start: `PIPEGRAD_BACKEND` when set (Node),
 * else `wasm` where WebAssembly SIMD runs here, else `cpu`. The CLI's `--backend`
 * defaults to it.
 */
export function defaultBackendName(): string {
  return backendFromEnvironment() ?? (wasmAtStart ? wasmAtStart.name : cpuBackend.name);
}

function initialBackend(): Backend {
  const name = defaultBackendName();
  const found = registry.get(name);
  if (!found) throw new Error(`PIPEGRAD_BACKEND='${name}' is not a backend that starts synchronously; use one of ${[...registry.keys()].join(', ')}, or unset it`);
  return found;
}
let current: Backend = initialBackend();

/** The backend whose kernels ops use now. */
export function getBackend(): Backend {
  return current;
}

/**
 * Make a registered backend (by name) or a backend object current; returns the previous one.
 *
 * With `'gpu'` and options (those of `useGpuBackend`: the gpu.js `mode`, and how many
 * compiled kernels to keep) it starts the gpu.js backend first, which is asynchronous:
 * the promise resolves to the previous backend once the GPU backend is current, and
 * rejects with one line saying why when the mode cannot start here.
 *
 * @example
 * setBackend('cpu');
 * const previous = await setBackend('gpu', { mode: 'webasm' }); // now getBackend().name === 'gpu:webasm'
 */
export function setBackend(backend: string | Backend): Backend;
export function setBackend(name: 'gpu', options: { mode?: 'cpu' | 'webasm' | 'headlessgl' | 'gpu'; kernelCapacity?: number }): Promise<Backend>;
export function setBackend(backend: string | Backend, options?: GpuBackendOptions): Backend | Promise<Backend> {
  const previous = current;
  if (options !== undefined) {
    if (backend !== 'gpu') throw new Error(`setBackend: options are for the 'gpu' backend only, got them with ${typeof backend === 'string' ? `'${backend}'` : backend.name}`);
    return useGpuBackend(options).then(() => previous);
  }
  if (typeof backend === 'string') {
    const found = registry.get(backend);
    if (!found) {
      const hint = backend === 'gpu' || backend.startsWith('gpu:') ? ` (the gpu backend starts asynchronously: await setBackend('gpu', { mode }) or await useBackend('${backend}'))` : '';
      throw new Error(`setBackend: unknown backend '${backend}'; registered: ${[...registry.keys()].join(', ')}${hint}`);
    }
    current = found;
  } else {
    current = backend;
  }
  return previous;
}

/**
 * Start the gpu.js backend in `options.mode`, register it under its name (e.g.
 * `gpu:webasm`) and make it current. Rejects with one line saying why and what to
 * install or run when gpu.js is missing or the mode cannot start here.
 *
 * @example
 * const gpu = await useGpuBackend({ mode: 'headlessgl' }); // under xvfb-run -a in Node
 * console.log(gpu.name, gpu.device);                       // gpu:headlessgl ANGLE (Mesa/X.org llvmpipe …)
 */
export async function useGpuBackend(options: GpuBackendOptions = {}): Promise<GpuBackend> {
  const backend = await createGpuBackend(options);
  registerBackend(backend);
  current = backend;
  return backend;
}

/**
 * Make the backend a name describes current: a registered name such as `wasm`, `ts`
 * (the plain-TS kernels, also called `cpu`), or
 * `gpu` / `gpu:<mode>` (mode `cpu`, `webasm`, `headlessgl` or `gpu`), which starts a new
 * gpu.js backend. This is what the CLI's `--backend` flag calls.
 *
 * @example
 * await useBackend('gpu:webasm');
 * await useBackend('cpu');
 */
export async function useBackend(name: string): Promise<Backend> {
  if (name === 'wasm' && !registry.has(name)) {
    if (!wasmSimdSupported()) throw new Error(`useBackend: this JavaScript engine cannot run WebAssembly SIMD; use 'ts' (the plain-TS kernels)`);
    const wasm = await createWasmBackendAsync();
    registerBackend(wasm);
  }
  if (name !== 'gpu' && !name.startsWith('gpu:')) {
    setBackend(name);
    return current;
  }
  const mode = name === 'gpu' ? 'gpu' : name.slice('gpu:'.length);
  if (!(GPU_MODES as readonly string[]).includes(mode)) {
    throw new Error(`useBackend: unknown gpu mode '${mode}' in '${name}'; use gpu or gpu:<mode> with mode one of ${GPU_MODES.join(', ')}`);
  }
  return useGpuBackend({ mode: mode as GpuMode });
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
export { createWasmBackend, createWasmBackendAsync, wasmSimdSupported, type WasmBackend } from './wasm.js';
export { createGpuBackend, type GpuBackend, type GpuBackendOptions, type GpuStats } from './gpu.js';
export { GPU_MODES, GpuUnavailableError, type GpuJsModule, type GpuMissing, type GpuMode } from './gpu-runtime.js';
