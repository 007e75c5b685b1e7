/**
 * What `build.ts` bundles in place of gpu.js when the optional package is not installed:
 * no `GPU` class, so the page's WebGL backend says that gpu.js is missing and the CPU
 * backend still trains.
 *
 * @module
 */

/** No gpu.js in this build. */
export const GPU = undefined;
