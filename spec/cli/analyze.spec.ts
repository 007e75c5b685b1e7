/**
 * `pipegrad analyze`: the table of the largest stable η·λ against limits derived by
 * hand, the pictures it writes, one-line errors, and the engine's loss curve against
 * plain gradient descent computed by hand.
 */
import test from 'tape';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { parseMomenta } from '../../cli/commands/analyze.js';
import { engineLossCurve } from '../../analysis/index.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (s) => void (out += s), isTTY: false }, { write: (s) => void (err += s) });
  return { code, out, err };
}

/** The cells of the table row of delay `d` in `text`. */
function row(text: string, d: number): number[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${d} |`));
  if (!line) return [];
  return line.split('|').slice(2, -1).map((c) => Number(c.trim()));
}

test('analyze: the table holds the limits derived by hand: D = 0 is momentum SGD, η·λ < 2(1 + m); D = 1 plain PB, η·λ < 1 − m', async (t) => {
  // D = 1: v' = m·v + λ·w_{t−1}, w' = w − η·v' gives z² − (1 + m)·z + (m + h) = 0, and
  // Jury's conditions reduce to 0 < h < 1 − m.
  const dir = mkdtempSync(join(tmpdir(), 'pipegrad-analyze-'));
  const r = await run('analyze', '--momentum', '0.5,0.9', '--delays', '0,1', '--methods', 'pb,pb+sc', '--curves=false', '--out', dir);
  t.equal(r.code, 0, `exit 0 ${r.err}`);
  const [first, second] = r.out.split('Largest stable').slice(1);
  t.deepEqual(row(first, 0), [3, 3], 'm = 0.5, D = 0: 2(1 + 0.5) = 3 for every method');
  t.equal(row(first, 1)[0], 0.5, 'm = 0.5, D = 1, pb: 1 − 0.5');
  t.deepEqual([row(second, 0)[0], row(second, 1)[0]], [3.8, 0.1], 'm = 0.9: 3.8 and 0.1');
  for (const name of ['quadratic-m0.5.svg', 'quadratic-m0.9.svg']) {
    const svg = readFileSync(join(dir, name), 'utf8');
    t.ok(svg.startsWith('<svg') && svg.includes('>pb<') && svg.includes('>pb+sc<') && !svg.includes('>pipemare<'), `${name}: one panel per chosen method`);
  }
  t.notOk(existsSync(join(dir, 'quadratic-engine-curves.svg')), '--curves=false writes no curves');
  t.end();
});

test('analyze: m0^(1/B) is the scaling rules’ batch-1 momentum', (t) => {
  const [m] = parseMomenta('0.9^(1/32)');
  t.ok(Math.abs(m.momentum - Math.exp(Math.log(0.9) / 32)) < 1e-15, `exp(ln 0.9 / 32), got ${m.momentum}`);
  t.end();
});

test('analyze: bad input is one line and exit code 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--momentum', '1'], /^pipegrad: analyze: --momentum '1' is not a momentum in \[0, 1\)/],
    [['--momentum', '0.9^(1/0)'], /--momentum '0.9\^\(1\/0\)' is not a momentum/],
    [['--delays', '0,2.5'], /^pipegrad: analyze: --delays '2.5' is not a delay/],
    [['--methods', 'pb,adam'], /^pipegrad: analyze: unknown method 'adam'; valid methods: pb, pb\+sc/],
    [['--inconsistency', '2'], /--inconsistency must be in \[-1, 1\]/],
    [['extra'], /unexpected argument 'extra'/],
  ];
  for (const [argv, expected] of cases) {
    const r = await run('analyze', ...argv, '--curves=false');
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.ok(expected.test(r.err) && r.err.trim().split('\n').length === 1, `${argv.join(' ')}: one line matching ${expected}, got ${r.err}`);
  }
  t.end();
});

test('engineLossCurve: one stage and no momentum is gradient descent, loss Σ ½λᵢ(1 − ηλᵢ)^(2t), by hand', (t) => {
  const lambdas = [1, 0.1];
  const lr = 0.3;
  const curve = engineLossCurve('pb', { lambdas, stages: 1, lr, momentum: 0, samples: 20 });
  t.equal(curve.losses.length, 21, 'the start and one loss per sample');
  let worst = 0;
  curve.losses.forEach((got, step) => {
    const expected = lambdas.reduce((a, l) => a + 0.5 * l * (1 - lr * l) ** (2 * step), 0);
    worst = Math.max(worst, Math.abs(got - expected) / expected);
  });
  t.ok(worst < 1e-5, `relative error at most 1e-5 (float32), got ${worst}`);
  t.notOk(curve.diverged, 'it converges');
  const blown = engineLossCurve('pb', { lambdas: [1], stages: 3, lr: 0.5, momentum: 0.9, samples: 2000 });
  t.ok(blown.diverged || blown.losses[blown.losses.length - 1] > 1e6, 'far past the limit of D = 4 the loss blows up');
  t.end();
});
