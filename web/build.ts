/**
 * Builds the page: bundles `main.ts` and `worker.ts` (with the library modules they
 * import, and gpu.js's browser build) with esbuild, and copies `index.html` and
 * `style.css` next to them. The output folder is not committed (`web/dist/`).
 *
 * @example
 * npx tsx web/build.ts            # builds into web/dist
 *
 * @module
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The page's source folder. */
export const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Where `npm run web` builds to. */
export const DEFAULT_OUT_DIR = join(WEB_DIR, 'dist');

/** True when the optional gpu.js package is installed. */
function hasGpuJs(): boolean {
  try {
    createRequire(import.meta.url).resolve('gpu.js');
    return true;
  } catch {
    return false;
  }
}

/** Without gpu.js, the worker's `import * as gpuJs from 'gpu.js'` gets `no-gpu-js.ts`. */
const noGpuJsPlugin: Plugin = {
  name: 'no-gpu-js',
  setup(b) {
    b.onResolve({ filter: /^gpu\.js$/ }, () => ({ path: join(WEB_DIR, 'no-gpu-js.ts') }));
  },
};

/** Build the page into `outDir` (created if missing); resolves to `outDir`. */
export async function buildWeb(outDir: string = DEFAULT_OUT_DIR): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const gpuJs = hasGpuJs();
  if (!gpuJs) console.warn('the optional package gpu.js is not installed: the page builds without its WebGL backend (npm install adds it)');
  await build({
    entryPoints: { main: join(WEB_DIR, 'main.ts'), worker: join(WEB_DIR, 'worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    plugins: gpuJs ? [] : [noGpuJsPlugin],
  });
  for (const file of ['index.html', 'style.css']) copyFileSync(join(WEB_DIR, file), join(outDir, file));
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildWeb(process.argv[2]);
  console.log(`built the page into ${out}`);
}
