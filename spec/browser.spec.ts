/**
 * Browser and Node stay apart by construction: every browser entry of the library
 * bundles with esbuild for `platform: 'browser'` (where Node's built-in modules do not
 * exist, so importing one fails the build), and each Node-only entry does not.
 *
 * gpu.js, the optional dependency of the gpu backend, is loaded by `core/backend/
 * gpu-runtime.ts` with a dynamic `import()` of a name held in a variable, which no
 * bundler follows; nothing is marked external here, and the test checks that gpu.js is
 * not among a bundle's inputs. (A page that wants the gpu backend loads gpu.js itself.)
 * The type side of the same rule is `tsconfig.browser.json` (no Node types), checked by
 * `npm test`.
 */
import { build, type BuildFailure, type Metafile } from 'esbuild';
import test from 'tape';

const root = new URL('..', import.meta.url).pathname;

/** The library's browser entries: the `exports` of package.json that are not Node-only. */
const browserEntries = ['core/index.ts', 'nn/index.ts', 'optim/index.ts', 'pipeline/index.ts', 'analysis/index.ts', 'datasets/index.ts', 'training/index.ts'];
const nodeEntries = ['nn/node.ts', 'datasets/node.ts', 'training/node.ts'];

async function bundle(entry: string): Promise<{ inputs: string[] } | { errors: string[] }> {
  try {
    const r = await build({ entryPoints: [entry], absWorkingDir: root, bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    return { inputs: Object.keys((r.metafile as Metafile).inputs) };
  } catch (e) {
    return { errors: (e as BuildFailure).errors.map((x) => x.text) };
  }
}

test('every browser entry bundles for the browser, with no Node built-in and without gpu.js', async (t) => {
  for (const entry of browserEntries) {
    const r = await bundle(entry);
    if ('errors' in r) {
      t.fail(`${entry}: expected a browser bundle, esbuild says: ${r.errors.slice(0, 3).join('; ')}`);
      continue;
    }
    t.ok(r.inputs.some((i) => i.endsWith(entry)), `${entry}: bundled (${r.inputs.length} modules)`);
    t.deepEqual(r.inputs.filter((i) => /node_modules\/gpu\.js\//.test(i)), [], `${entry}: gpu.js is not bundled (it is imported dynamically, by a name held in a variable)`);
  }
});

test('the Node-only entries do not bundle for the browser (so the check above can fail)', async (t) => {
  for (const entry of nodeEntries) {
    const r = await bundle(entry);
    t.ok('errors' in r && r.errors.some((e) => /Could not resolve "node:/.test(e)), `${entry}: esbuild cannot resolve a node: module for the browser`);
  }
});
