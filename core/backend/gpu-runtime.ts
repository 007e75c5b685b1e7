/**
 * Starting gpu.js in a mode: loading the optional package lazily, checking that the
 * mode can run here, and saying in one line why not and what to install or run.
 *
 * gpu.js is an optional dependency. It is imported with a dynamic `import()` only when
 * a GPU backend is asked for, so pipegrad loads, type-checks and trains on the CPU
 * backend without it. Only the few gpu.js members the backend uses are typed here, so
 * nothing else in pipegrad depends on gpu.js's own type declarations.
 *
 * Modes (gpu.js's names):
 * - `cpu` — gpu.js compiles each kernel to a JavaScript loop;
 * - `webasm` — gpu.js compiles each kernel to WebAssembly (single thread when synchronous);
 * - `headlessgl` — WebGL 1 through the `gl` package (headless-gl), which needs an X
 *   display (in Node on a server: `xvfb-run -a`) and a native build;
 * - `gpu` — gpu.js's own choice: headless-gl where it works, else WebAssembly; in a
 *   browser (or a Web Worker), WebGL2 or WebGL.
 *
 * @module
 */

/** The gpu.js modes a GPU backend can be created in; `gpu` lets gpu.js choose. */
export type GpuMode = 'cpu' | 'webasm' | 'headlessgl' | 'gpu';

/** Every {@link GpuMode}, in the order the docs list them. */
export const GPU_MODES: readonly GpuMode[] = ['cpu', 'webasm', 'headlessgl', 'gpu'];

/** A gpu.js texture: an output kept on the device by a pipeline kernel (GL modes). */
export interface GpuJsTexture {
  /** Read the texture back into host memory. */
  toArray(): Float32Array;
  /** Release the texture (reference counted inside gpu.js). */
  delete(): void;
}

/** What a gpu.js kernel returns: a host array, or a texture when the kernel is a GL pipeline kernel. */
export type GpuJsOutput = Float32Array | GpuJsTexture;

/** True when `value` is a texture (a GL pipeline kernel's output) rather than host data. */
export function isGpuJsTexture(value: unknown): value is GpuJsTexture {
  return typeof value === 'object' && value !== null && typeof (value as GpuJsTexture).delete === 'function';
}

/** A compiled gpu.js kernel (gpu.js's "kernel run shortcut"): call it with the kernel's arguments. */
export interface GpuJsKernel {
  (...args: (Float32Array | Int32Array | GpuJsOutput | number)[]): unknown;
  /**
   * Release the kernel's program, textures and framebuffer. In GL modes this also
   * breaks the textures its earlier calls returned and that are still alive: the one
   * its first call rendered into is deleted, and none can be read any more (reading
   * goes through the kernel's context).
   */
  destroy(removeCanvasReferences?: boolean): void;
}

/** Settings gpu.js's `createKernel` takes, as this backend uses them. */
export interface GpuJsKernelSettings {
  /** Output size; the backend uses flat (1-D) outputs. */
  output: [number];
  /** Always `'single'`: 32-bit float textures. */
  precision: 'single';
  /** Always `'precision'`: `highp` in the shaders. */
  tactic: 'precision';
  /** True keeps the output on the device as a texture (GL modes). */
  pipeline: boolean;
  /** True gives every call of a pipeline kernel an output of its own (in GL modes a texture shared with no later call). */
  immutable: boolean;
  /** Upper bound gpu.js puts on loops whose bound is not a literal (ours are literals). */
  loopMaxIterations: number;
}

/** The part of a gpu.js `GPU` instance the backend uses. */
export interface GpuJsInstance {
  /** Compile a kernel from JavaScript function source. */
  createKernel(source: string, settings: GpuJsKernelSettings): GpuJsKernel;
  /** Release every kernel and the context. */
  destroy(): Promise<void>;
  /** The kernel class gpu.js chose (its class name says which backend runs; every GL class has `mode` 'gpu'). */
  readonly Kernel: {
    /** gpu.js's mode name of the class ('gpu' for every GL class). */
    readonly mode: string;
    /** The class name, e.g. `HeadlessGLKernel`. */
    readonly name: string;
  };
}

/** A started gpu.js: the instance, the mode asked for, the mode that runs, and what runs it. */
export interface GpuRuntime {
  /** The gpu.js instance every kernel of the backend is compiled on. */
  gpu: GpuJsInstance;
  /** The mode that was asked for. */
  mode: GpuMode;
  /** The gpu.js backend that runs the kernels (`cpu`, `webasm` or `headlessgl`; in a browser `webgl2` or `webgl`; differs from `mode` only for `gpu`). */
  kernelMode: string;
  /** What executes the kernels: the GL renderer string for headless-gl and browser WebGL (it tells a real GPU from Mesa's llvmpipe or SwiftShader), else a short description. */
  device: string;
}

/** The Debian packages headless-gl needs, to build (`gl`'s native module) and to run (Mesa, Xvfb). */
export const HEADLESS_GL_PACKAGES =
  'build-essential python3 pkg-config libx11-dev libxi-dev libxext-dev libgl1-mesa-dev libgl1-mesa-dri xvfb xauth';

/** What kept a mode from starting: the package, the native build, the display, a GL context, the mode name, WebAssembly, or gpu.js itself. */
export type GpuMissing = 'gpu.js' | 'gl' | 'display' | 'context' | 'mode' | 'webassembly' | 'start';

/** The error every failure to start a mode throws: one line, saying why and what to do. */
export class GpuUnavailableError extends Error {
  /** The mode that could not start. */
  readonly mode: string;
  /** What was missing, for programs that react (a test runner may retry a `display` failure under `xvfb-run -a`). */
  readonly missing: GpuMissing;
  constructor(mode: string, missing: GpuMissing, reason: string) {
    super(`gpu backend (${mode}): ${reason}`);
    this.name = 'GpuUnavailableError';
    this.mode = mode;
    this.missing = missing;
  }
}

/**
 * A gpu.js module handed to the backend instead of the one it would import on demand. A
 * page bundled for the browser passes its own `import * as gpuJs from 'gpu.js'` as
 * {@link GpuBackendOptions.gpuJs}, since a bundler cannot follow the backend's `import()`
 * of the optional package.
 */
export interface GpuJsModule {
  /** gpu.js's `GPU` class (checked to be a constructor when the backend starts). */
  readonly GPU: unknown;
}

/** The gpu.js module as the backend uses it: its `GPU` class, constructed with the mode. */
interface LoadedGpuJs {
  GPU: new (settings: { mode: string }) => GpuJsInstance;
}

/** headless-gl's context factory and the two context members the probe reads. */
type CreateGl = (width: number, height: number) => {
  RENDERER: number;
  getParameter(name: number): unknown;
  /** headless-gl answers `getParameter(RENDERER)` with 'ANGLE'; this reads the driver's string. */
  _getParameterDirect?(name: number): unknown;
  getExtension(name: 'STACKGL_destroy_context'): { destroy(): void } | null;
} | null;

/**
 * Import an optional CommonJS package by name. The specifier is a variable so that
 * TypeScript does not resolve (and require) the package at compile time.
 */
async function importOptional(name: string): Promise<unknown> {
  const mod = (await import(name)) as { default?: unknown };
  return mod.default ?? mod;
}

function isModuleMissing(e: unknown, name: string): boolean {
  const code = (e as { code?: string }).code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(name);
}

async function loadGpuJs(mode: string, given?: GpuJsModule): Promise<LoadedGpuJs> {
  if (given !== undefined) {
    if (typeof given.GPU !== 'function') throw new GpuUnavailableError(mode, 'gpu.js', 'the gpu.js module handed over has no GPU class; pass the module itself (import * as gpuJs from \'gpu.js\')');
    return given as LoadedGpuJs;
  }
  try {
    const mod = (await importOptional('gpu.js')) as Partial<LoadedGpuJs>;
    if (typeof mod.GPU !== 'function') throw new Error('the package has no GPU class');
    return mod as LoadedGpuJs;
  } catch (e) {
    if (isModuleMissing(e, 'gpu.js')) {
      throw new GpuUnavailableError(mode, 'gpu.js', "the optional package 'gpu.js' is not installed; run npm install (it is an optionalDependency, gpu.js@2.24.1), or use the cpu backend");
    }
    throw new GpuUnavailableError(mode, 'gpu.js', `gpu.js could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The X display Node sees, if any (read without importing Node modules, so core still runs in a browser). */
function display(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DISPLAY || undefined;
}

/**
 * Check that headless-gl can open a WebGL context here, and read the renderer string.
 * Throws a {@link GpuUnavailableError} naming the missing piece.
 */
async function probeHeadlessGl(mode: string): Promise<string> {
  let createGl: CreateGl;
  try {
    createGl = (await importOptional('gl')) as CreateGl;
  } catch {
    throw new GpuUnavailableError(mode, 'gl', `the 'gl' package (headless-gl) is not built; install the Debian packages ${HEADLESS_GL_PACKAGES}, run npm ci, then run under xvfb-run -a`);
  }
  if (!display()) {
    throw new GpuUnavailableError(mode, 'display', 'no X display (DISPLAY is not set); run the command under xvfb-run -a (Debian package xvfb)');
  }
  const gl = createGl(2, 2);
  if (!gl) {
    throw new GpuUnavailableError(mode, 'context', `headless-gl could not create a WebGL context on display ${display()}; check that Xvfb is running there and that Mesa (libgl1-mesa-dri) is installed`);
  }
  const renderer = String(gl._getParameterDirect ? gl._getParameterDirect(gl.RENDERER) : gl.getParameter(gl.RENDERER));
  gl.getExtension('STACKGL_destroy_context')?.destroy();
  return renderer;
}

/** gpu.js's kernel classes by the mode name they run (the GL classes all report `mode` 'gpu'). */
const KERNEL_MODES: Record<string, string> = {
  CPUKernel: 'cpu',
  WebAssemblyKernel: 'webasm',
  HeadlessGLKernel: 'headlessgl',
  WebGLKernel: 'webgl',
  WebGL2Kernel: 'webgl2',
  WebGPUKernel: 'webgpu',
};

/** A one-line description of what runs the kernels of a non-GL gpu.js backend. */
function describeDevice(kernelMode: string): string {
  if (kernelMode === 'webasm') return 'WebAssembly (gpu.js webasm, one thread)';
  if (kernelMode === 'cpu') return 'JavaScript (gpu.js cpu)';
  return kernelMode;
}

/** The WebGL context members the browser probe reads. */
interface BrowserGl {
  RENDERER: number;
  getParameter(name: number): unknown;
  getExtension(name: string): unknown;
}

/**
 * The renderer string of the browser's WebGL (`webgl` or `webgl2`, the context gpu.js's
 * kernel class uses), read from a context of its own on an `OffscreenCanvas` (which a
 * Web Worker has too) or a document canvas; the unmasked string where the browser
 * offers `WEBGL_debug_renderer_info`. Null when no such context can be made here.
 */
function probeBrowserWebGl(kernelMode: 'webgl' | 'webgl2'): string | null {
  const g = globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): unknown }; document?: { createElement(tag: 'canvas'): { getContext(kind: string): unknown } } };
  const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement('canvas');
  const gl = canvas?.getContext(kernelMode) as BrowserGl | null | undefined;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
  return `${renderer} (${kernelMode})`;
}

/**
 * Load gpu.js (or take the module given as `gpuJs`) and start it in `mode`, or throw a
 * {@link GpuUnavailableError} whose message is one line saying why and what to install
 * or run. In a browser, mode `gpu` picks WebGL2 (or WebGL), and `device` is the
 * browser's WebGL renderer string.
 *
 * @example
 * const { gpu, kernelMode, device } = await startGpuJs('headlessgl');
 * // device: 'ANGLE (Mesa/X.org llvmpipe (LLVM 15.0.6, 256 bits) OpenGL 4.5 core)'
 */
export async function startGpuJs(mode: GpuMode, gpuJs?: GpuJsModule): Promise<GpuRuntime> {
  if (!GPU_MODES.includes(mode)) {
    throw new GpuUnavailableError(String(mode), 'mode', `unknown mode; choose one of ${GPU_MODES.join(', ')}`);
  }
  const { GPU } = await loadGpuJs(mode, gpuJs);
  let renderer: string | null = null;
  if (mode === 'headlessgl') renderer = await probeHeadlessGl(mode);
  if (mode === 'webasm' && typeof WebAssembly === 'undefined') {
    throw new GpuUnavailableError(mode, 'webassembly', 'WebAssembly is not available in this runtime; use mode cpu');
  }
  let gpu: GpuJsInstance;
  try {
    gpu = new GPU({ mode });
  } catch (e) {
    throw new GpuUnavailableError(mode, 'start', `gpu.js could not start this mode: ${(e as Error).message.split('\n')[0]}`);
  }
  const kernelMode = KERNEL_MODES[gpu.Kernel.name] ?? gpu.Kernel.mode;
  if (kernelMode === 'headlessgl' && renderer === null) {
    renderer = await probeHeadlessGl(mode).catch(() => 'headless-gl (renderer unknown)');
  }
  if (kernelMode === 'webgl' || kernelMode === 'webgl2') renderer = probeBrowserWebGl(kernelMode);
  return { gpu, mode, kernelMode, device: renderer ?? describeDevice(kernelMode) };
}
