/**
 * pipeline/ runs in a browser (DESIGN §1): no file of it imports a Node module, except
 * the Node host of the parallel pipeline (`pipeline/node.ts`, `pipeline/node-worker.ts`),
 * which the rest never imports.
 */
import test from 'tape';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pipeline = join(root, 'pipeline');
const nodeOnly = new Set(['pipeline/node.ts', 'pipeline/node-worker.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
    });
}

test('pipeline/: only the Node host imports Node modules, and nothing else imports the Node host', (t) => {
  const files = sourceFiles(pipeline).map((f) => relative(root, f));
  t.ok(files.length > 20, `found the pipeline's sources (${files.length} files)`);
  const offenders: string[] = [];
  for (const file of files) {
    if (nodeOnly.has(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\()\s*'([^']+)'/g)) {
      const target = m[1];
      const local = target.startsWith('.') ? relative(root, resolve(dirname(join(root, file)), target.replace(/\.js$/, '.ts'))) : null;
      if (target.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'child_process'].includes(target) || (local !== null && nodeOnly.has(local))) {
        offenders.push(`${file} imports '${target}'`);
      }
    }
  }
  t.deepEqual(offenders, [], 'no browser-safe pipeline file imports a Node module or the Node host');
  t.end();
});
