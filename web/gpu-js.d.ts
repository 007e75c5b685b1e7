/**
 * The one member of gpu.js the page uses, declared so that the project type-checks
 * without the optional package: where gpu.js is installed its own declarations apply,
 * where it is not this one does (and `build.ts` bundles `no-gpu-js.ts` in its place).
 */
declare module 'gpu.js' {
  /** gpu.js's `GPU` class (undefined in a build without gpu.js). */
  export const GPU: unknown;
}
