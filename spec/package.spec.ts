/**
 * The package users install: `npm pack` the project (which builds `dist/` through the
 * `prepare` script), install the tarball into an empty folder, and use it there — the
 * `pipegrad` command (`--help` and a 100-sample training run), `pipegrad/core` and
 * `pipegrad/nn` imported from plain JavaScript, and the type declarations read by
 * TypeScript.
 *
 * The install must not need the network. The tarball's runtime dependencies are taken
 * from this project's own `node_modules` (the closure of `dependencies`, resolved the
 * way Node resolves them) and handed to `npm install --offline` as local tar files next
 * to the pipegrad tarball, so npm resolves every dependency from what it is given.
 * Optional dependencies (gpu.js) are left out, as a user without a GPU would.
 */
import test from 'tape';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Run a command; the environment keeps npm offline and quiet. */
function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: {
      // Whatever npm ran this suite (npm test, npx tsx) leaves npm_* settings behind; start from none.
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_'))),
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
}

/** One line saying how a command ended, with the end of its output, for failure messages. */
function outcome(result: SpawnSyncReturns<string>): string {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ');
  return `exit ${result.status}${result.error ? ` (${result.error.message})` : ''}: ${output}`;
}

/** The folder of package `name` as Node would find it from `from`: the nearest `node_modules/<name>` up the tree. */
function findPackage(from: string, name: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} (needed by ${from}) is not installed; run npm ci first`);
  }
}

/** Every package the project needs at run time: its `dependencies`, and theirs, transitively. */
function runtimeClosure(root: string): string[] {
  const found = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    for (const name of Object.keys(readPackage(dir).dependencies ?? {})) {
      const dep = findPackage(dir, name);
      if (!found.has(dep)) {
        found.add(dep);
        queue.push(dep);
      }
    }
  }
  return [...found];
}

test('package: the packed tarball installs offline into an empty folder, and its command, exports and types work there', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'pipegrad-package-'));
  try {
    const started = Date.now();
    const packed = run('npm', ['pack', '--pack-destination', work], ROOT);
    t.equal(packed.status, 0, `npm pack (which builds dist/) succeeds (${outcome(packed)})`);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) return void t.fail(`npm pack left no .tgz in ${work}`);

    const list = run('tar', ['-tzf', join(work, tarball)], work).stdout.split('\n').filter(Boolean);
    t.ok(list.includes('package/dist/core/index.js') && list.includes('package/dist/core/index.d.ts'), 'the tarball holds the JavaScript build with its declarations');
    t.deepEqual(list.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], 'and no TypeScript sources');
    t.deepEqual(list.filter((f) => /^package\/(spec|bench|examples)\//.test(f) || f.startsWith('package/dist/spec/')), [], 'and no tests, benchmarks or examples');

    // The dependencies as local tar files: `package/` pointing at the installed folder, archived through the link (-h).
    const deps = join(work, 'deps');
    mkdirSync(deps);
    const depFiles: string[] = [];
    for (const dir of runtimeClosure(ROOT)) {
      const { name, version } = readPackage(dir);
      const stage = join(work, 'stage', name.replace('/', '__'));
      mkdirSync(stage, { recursive: true });
      symlinkSync(dir, join(stage, 'package'));
      const file = join(deps, `${name.replace('/', '__')}-${version}.tar`);
      const archived = run('tar', ['-chf', file, '-C', stage, 'package'], work);
      t.equal(archived.status, 0, `dependency ${name}@${version} archived from node_modules (${outcome(archived)})`);
      depFiles.push(file);
    }

    const consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional', join(work, tarball), ...depFiles], consumer);
    t.equal(installed.status, 0, `npm install --offline of the tarball and its dependencies succeeds (${outcome(installed)})`);
    t.ok(existsSync(join(consumer, 'node_modules', 'pipegrad', 'dist', 'cli', 'run.js')), 'pipegrad is installed with its build');

    const help = run('npx', ['--no', '--', 'pipegrad', '--help'], consumer);
    t.equal(help.status, 0, `npx pipegrad --help exits 0 (${outcome(help)})`);
    t.match(help.stdout, /pipegrad/, 'and prints the usage');
    t.match(help.stdout, /\btrain\b/, 'which lists the train command');

    const trained = run('npx', ['--no', '--', 'pipegrad', 'train', '--limit-train', '100', '--limit-test', '100', '--out', 'run'], consumer);
    t.equal(trained.status, 0, `npx pipegrad train on 100 samples exits 0 (${outcome(trained)})`);
    const checkpoints = existsSync(join(consumer, 'run')) ? readdirSync(join(consumer, 'run')).filter((f) => f.endsWith('.safetensors')) : [];
    t.ok(checkpoints.length > 0, `the run folder holds a checkpoint (${checkpoints.join(', ') || 'none'})`);

    writeFileSync(join(consumer, 'use.mjs'), [
      "import { fromArray, matmul } from 'pipegrad/core';",
      "import { createModel } from 'pipegrad/nn';",
      "import { loadSafetensorsFile } from 'pipegrad/nn/node';",
      'const product = matmul(fromArray([[1, 2]]), fromArray([[3], [4]])).data[0];',
      "const parameters = createModel('mlp', { hidden: 3, depth: 1, inputShape: [1, 2, 2] }).parameterCount();",
      `const { verified } = await loadSafetensorsFile(${JSON.stringify(join('run', checkpoints[0] ?? 'missing'))});`,
      'console.log(JSON.stringify({ product, parameters, verified }));',
    ].join('\n'));
    const used = run(process.execPath, ['use.mjs'], consumer);
    t.equal(used.status, 0, `plain JavaScript imports pipegrad/core, pipegrad/nn and pipegrad/nn/node (${outcome(used)})`);
    t.deepEqual(JSON.parse(used.stdout || '{}'), { product: 11, parameters: 4 * 3 + 3 + 3 * 10 + 10, verified: true },
      'they compute [1,2]·[3,4]ᵀ = 11, count 55 parameters of a 4→3→10 mlp, and verify the trained checkpoint\'s digest');

    writeFileSync(join(consumer, 'typed.ts'), [
      "import { type Tensor, zeros } from 'pipegrad/core';",
      "import type { ModelOptions } from 'pipegrad/nn';",
      'const t: Tensor = zeros([2, 3]);',
      "const o: ModelOptions = { hidden: 8 };",
      '// @ts-expect-error: a shape is a list of numbers (an error only if the declarations are read)',
      "zeros('2x3');",
      'export const shape: readonly number[] = t.shape;',
      "// @ts-expect-error: a tensor's shape is its own array, typed read-only",
      't.shape[0] = 3;',
      'export const options = o;',
    ].join('\n'));
    const tsc = join(findPackage(ROOT, 'typescript'), 'bin', 'tsc');
    // skipLibCheck as in this project: @types/node's own declarations do not pass this TypeScript's checks.
    const typed = run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(findPackage(ROOT, '@types/node'), '..'), 'typed.ts'], consumer);
    t.equal(typed.status, 0, `TypeScript reads the declarations through the exports map and holds the code to them (${outcome(typed)})`);
    t.comment(`pack, install, run and type-check took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  t.end();
});
