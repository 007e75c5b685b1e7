/**
 * Runs the tape suite: every `*.spec.ts` under `spec/` (or the files given as
 * arguments) in one child process with tape's TAP output passed through, then prints
 * the closing line `N passed, N failed`. Exits non-zero when an assertion fails, when
 * the child fails, or when no assertion ran.
 *
 * @example
 * npx tsx spec/run.ts                              # the whole suite
 * npx tsx spec/run.ts spec/core/ops-values.spec.ts # one file
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findSpecs(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findSpecs(path));
    else if (name.endsWith('.spec.ts')) found.push(path);
  }
  return found;
}

const specRoot = fileURLToPath(new URL('.', import.meta.url));
const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : findSpecs(specRoot);

const child = spawn(process.execPath, ['--import', 'tsx', join(specRoot, 'suite.ts'), ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let passed = 0;
let failed = 0;
let pending = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pass = /^# pass\s+(\d+)/.exec(line);
    const fail = /^# fail\s+(\d+)/.exec(line);
    if (pass) passed = Number(pass[1]);
    if (fail) failed = Number(fail[1]);
  }
});
child.on('close', (code) => {
  if (code !== 0 && failed === 0) {
    failed = 1;
    console.log(`the test process exited with code ${code} before finishing; counted as a failure`);
  }
  if (passed === 0 && failed === 0) console.log('no assertion ran: the suite counts as failed');
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
