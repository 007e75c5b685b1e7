/**
 * core's module graph: no import cycle, and nothing outside core (DESIGN §1).
 *
 * The graph is read from the source with a regular expression over `import … from
 * './…'` and `export … from './…'` statements. Type-only imports (`import type`, or a
 * list whose every name is marked `type`) are left out: TypeScript erases them, so they
 * cannot take part in the order in which modules are evaluated — the thing a cycle
 * breaks. Some types in core refer to each other by nature (a `Tensor` carries its
 * `TapeNode`, a `TapeNode` holds `Tensor`s), and only a type import can express that.
 */
import test from 'tape';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const core = join(root, 'core');

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) found.push(path);
  }
  return found;
}

const STATEMENT = /^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s+'(\.{1,2}\/[^']+)'/gm;

/** Whether the names of an import are all marked `type` (`{ type A, type B }`). */
function onlyTypes(names: string): boolean {
  const list = /^\{([^}]*)\}$/.exec(names.trim());
  if (list === null) return false;
  const items = list[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return items.length > 0 && items.every((s) => s.startsWith('type '));
}

/** Each file's relative imports that exist at run time, as absolute paths of `.ts` files. */
function runtimeImports(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const edges: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(STATEMENT)) {
      if (m[1] !== undefined || onlyTypes(m[2])) continue;
      edges.push(resolve(dirname(file), m[3].replace(/\.js$/, '.ts')));
    }
    graph.set(file, edges);
  }
  return graph;
}

/** A cycle of the graph as a list of files (first = last), or null (depth-first search with colours). */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    if (state.get(file) === undefined) {
      const found = visit(file);
      if (found) return found;
    }
  }
  return null;
}

const files = sourceFiles(core);
const graph = runtimeImports(files);

test('core: the reader of the import graph sees the imports it should', (t) => {
  const autodiff = graph.get(join(core, 'autodiff.ts'))!.map((f) => relative(core, f));
  t.ok(autodiff.includes('weight-substitution.ts'), `autodiff.ts imports weight-substitution.ts (found: ${autodiff.join(', ')})`);
  const index = graph.get(join(core, 'index.ts'))!.map((f) => relative(core, f));
  t.ok(index.includes('grad-mode.ts') && index.includes('ops/reduce.ts'), 'index.ts re-exports count as imports');
  t.notOk(
    graph.get(join(core, 'tensor.ts'))!.some((f) => f.endsWith('tape.ts')),
    'tensor.ts imports TapeNode as a type only, which is left out',
  );
  t.end();
});

test('core: no import cycle among the modules that run', (t) => {
  const cycle = findCycle(graph);
  t.equal(cycle === null ? 'none' : cycle.map((f) => relative(core, f)).join(' → '), 'none', 'the cycle found (expected none)');
  t.end();
});

test('core: every relative import stays inside core and names a file that exists', (t) => {
  const outside: string[] = [];
  const missing: string[] = [];
  for (const [file, edges] of graph) {
    for (const target of edges) {
      if (!target.startsWith(core + '/')) outside.push(`${relative(core, file)} → ${relative(root, target)}`);
      else if (!graph.has(target)) missing.push(`${relative(core, file)} → ${relative(core, target)}`);
    }
  }
  t.deepEqual(outside, [], 'core imports nothing of nn, optim, pipeline, datasets or cli');
  t.deepEqual(missing, [], 'every import resolves to a core source file');
  t.end();
});
