/**
 * Browser stand-ins for the three Node modules `datasets/idx.ts` imports for its file
 * reader (`readIdx`): `node:fs`, `node:path` and `node:zlib`. The page only calls
 * `parseIdx` on uncompressed bytes it fetched, which touches none of them; the build
 * (`build.ts`) points those imports here so the bundle loads in a browser, and any call
 * says plainly that it is Node-only instead of failing somewhere deep inside.
 *
 * @module
 */

function nodeOnly(name: string): never {
  throw new Error(`${name} is Node-only and not available in the page (the page parses fetched, uncompressed IDX bytes with parseIdx)`);
}

/** Stand-in for `node:fs`'s `readFileSync`: throws. */
export function readFileSync(): never {
  return nodeOnly('readFileSync');
}

/** Stand-in for `node:path`'s `basename`: throws. */
export function basename(): never {
  return nodeOnly('basename');
}

/** Stand-in for `node:zlib`'s `gunzipSync`: throws (serve the IDX files unpacked). */
export function gunzipSync(): never {
  return nodeOnly('gunzipSync');
}
