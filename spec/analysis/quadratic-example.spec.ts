/**
 * examples/quadratic.ts and docs/quadratic.md stay in step: the table's first rows are
 * the hand limits, the m = 0.9 table in the docs is the script's output, and the
 * committed m = 0.9 picture is what the script draws today.
 */
import test from 'tape';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { momentumCases, referenceScale, stabilityTable, writeHeatmaps } from '../../examples/quadratic.js';

const docs = readFileSync(new URL('../../docs/quadratic.md', import.meta.url), 'utf8');

test('examples/quadratic.ts: the table’s first rows are the hand limits 2(1 + m) and 1 − m', (t) => {
  const table = stabilityTable(0.9, 0, [0, 1]).split('\n');
  t.equal(table[0], '| D | pb | pb+sc | pb+lwp | pb+sc+lwp | spectrain | pipemare |', 'header: the methods');
  t.equal(table[2], '| 0 | 3.80 | 3.80 | 3.80 | 3.80 | 3.80 | 3.80 |', 'D = 0: 2(1 + m) = 3.8 for all');
  t.ok(table[3].startsWith('| 1 | 0.100 |'), `D = 1: pb at 1 − m = 0.1 (${table[3]})`);
  t.end();
});

test('examples/quadratic.ts: the reference scale undoes the scaling rule η₁ = η0·(1/B0)·(1 − m₁)/(1 − m0)', (t) => {
  const eta0 = 0.1;
  const m1 = 0.9 ** (1 / 128);
  const eta1 = eta0 * (1 / 128) * ((1 - m1) / (1 - 0.9));
  t.ok(Math.abs(eta1 * referenceScale(128) - eta0) < 1e-15, `η₁ = ${eta1} maps back to η0 = ${eta0}`);
  t.end();
});

test('docs/quadratic.md: the m = 0.9 and m = 0.9^(1/128) tables are the script’s output', (t) => {
  for (const momentum of [0.9, 0.9 ** (1 / 128)]) {
    const table = stabilityTable(momentum);
    t.ok(docs.includes(table), `the docs hold the table for m = ${momentum} (regenerate with npx tsx examples/quadratic.ts):\n${table}`);
  }
  t.end();
});

test('docs/img/quadratic-m0.9.svg is what examples/quadratic.ts draws', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pipegrad-quadratic-'));
  try {
    const [path] = writeHeatmaps(dir, [momentumCases[0]], [0]);
    const committed = readFileSync(new URL('../../docs/img/quadratic-m0.9.svg', import.meta.url), 'utf8');
    t.equal(readFileSync(path, 'utf8'), committed, 'byte for byte (regenerate with npx tsx examples/quadratic.ts)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.end();
});
