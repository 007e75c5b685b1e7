/**
 * The shipped studies' results: every study in studies/ that has a results folder ran
 * to completion (every planned run with its seeds has a stored result made with the
 * study file's settings), and every table row with error bars that docs/reproduction.md
 * and the README quote is a row of some study's report, so the docs show measured
 * numbers and stay in step with them.
 */
import test from 'tape';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStudy, planStudy, storedResults } from '../../training/index.js';
import { folderStore } from '../../training/node.js';

const root = new URL('../../', import.meta.url).pathname;
const studies = join(root, 'studies');
const results = join(studies, 'results');

test('shipped studies: each results folder holds a finished result for every planned run', async (t) => {
  const names = readdirSync(studies).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  const ran = names.filter((n) => existsSync(join(results, n)));
  t.ok(ran.length >= 5, `depth, both learning-rate studies, normalization and scaling have results; got ${ran.join(', ')}`);
  for (const name of ran) {
    const spec = parseStudy(JSON.parse(readFileSync(join(studies, `${name}.json`), 'utf8')), name);
    const plan = planStudy(spec);
    const stored = await storedResults(plan, folderStore(join(results, name)));
    t.equal(stored.size, plan.length, `${name}: ${stored.size} of ${plan.length} runs finished (${spec.seeds.length} seeds per cell)`);
  }
  t.end();
});

test('docs/reproduction.md and the README quote only rows of the studies’ reports', (t) => {
  const reports = readdirSync(results, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(results, d.name, 'report.md')))
    .map((d) => readFileSync(join(results, d.name, 'report.md'), 'utf8'))
    .join('\n');
  const rows = new Set(reports.split('\n').filter((l) => l.startsWith('|')));
  for (const doc of ['docs/reproduction.md', 'README.md']) {
    const quoted = readFileSync(join(root, doc), 'utf8').split('\n').filter((l) => l.startsWith('|') && l.includes(' ± '));
    t.ok(quoted.length > 0, `${doc} quotes study rows`);
    const missing = quoted.filter((l) => !rows.has(l.replace(/−/g, '-')));
    t.deepEqual(missing, [], `${doc}: every row with ± is a row of a report (missing rows listed)`);
  }
  t.end();
});
