/**
 * The stability scan (analysis/stability.ts) against limits worked out by hand with the
 * Jury conditions (for `z² + c1·z + c0`: stable iff |c0| < 1, χ(1) > 0, χ(−1) > 0), and
 * the grid against pointwise rates.
 */
import test from 'tape';
import { quadraticMethodNames, quadraticRecurrence } from '../../analysis/quadratic-methods.js';
import { convergenceRate } from '../../analysis/quadratic-recurrence.js';
import { largestStableStep, logSpace, rateGrid } from '../../analysis/stability.js';

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

test('stability: D = 0 gives momentum SGD’s limit η·λ < 2(1 + m) for every method', (t) => {
  // χ = z² − (1 + m − h)z + m: χ(1) = h > 0, χ(−1) = 2(1 + m) − h > 0, |m| < 1.
  for (const m of [0, 0.5, 0.9, 0.99]) {
    for (const method of quadraticMethodNames) {
      const got = largestStableStep(method, { momentum: m, delay: 0 });
      t.ok(close(got, 2 * (1 + m), 1e-10), `${method}, m = ${m}: ${2 * (1 + m)}, got ${got}`);
    }
  }
  t.end();
});

test('stability: plain PB at D = 1 is stable exactly for η·λ < 1 − m (m = 0: delayed GD, h < 1)', (t) => {
  // χ = z·[z² − (1 + m)z + m + h]: the quadratic's constant m + h must stay below 1;
  // χ(1) = h > 0 and χ(−1) = 2(1 + m) + h > 0 always hold.
  for (const m of [0, 0.5, 0.9, 0.99, 0.9 ** (1 / 128)]) {
    const got = largestStableStep('pb', { momentum: m, delay: 1 });
    t.ok(close(got, 1 - m, 1e-9), `m = ${m}: ${1 - m}, got ${got}`);
  }
  t.end();
});

test('stability: the returned step is the edge — the rate is below 1 there and above 1 just beyond', (t) => {
  for (const method of quadraticMethodNames) {
    for (const [m, delay] of [
      [0.9, 4],
      [0.99, 16],
    ]) {
      const h = largestStableStep(method, { momentum: m, delay });
      const at = convergenceRate(quadraticRecurrence(method, { h, momentum: m, delay }));
      const beyond = convergenceRate(quadraticRecurrence(method, { h: h * (1 + 1e-8), momentum: m, delay }));
      t.ok(at < 1 && beyond >= 1, `${method}, m = ${m}, D = ${delay}: rate ${at} at h = ${h.toPrecision(6)}, ${beyond} just beyond`);
    }
  }
  t.end();
});

test('stability: a method stable over the whole scan returns hMax; one unstable at hMin is refused', (t) => {
  t.equal(largestStableStep('pb', { momentum: 0.9, delay: 0 }, { hMax: 1 }), 1, 'h < 3.8 is all stable below hMax = 1');
  t.throws(() => largestStableStep('pb', { momentum: 0.9, delay: 4 }, { hMin: 0.5 }), /unstable already at h = 0.5/, 'unstable at hMin');
  t.throws(() => largestStableStep('pb', { momentum: 0.9, delay: 4 }, { hMin: 2, hMax: 1 }), /0 < hMin < hMax/, 'hMin above hMax');
  t.end();
});

test('stability: rateGrid holds convergenceRate at each (D, h); logSpace spans its ends', (t) => {
  const hs = logSpace(1e-4, 1, 5);
  t.ok(close(hs[0], 1e-4, 1e-12) && close(hs[4], 1, 1e-12) && close(hs[2], 1e-2, 1e-12), `1e-4 … 1e-2 … 1: ${hs.join(', ')}`);
  const grid = rateGrid('pb+sc', { momentum: 0.9 }, hs, [0, 3]);
  t.equal(grid.rates.length, 2, 'one row per delay');
  t.deepEqual(grid.rates[1], hs.map((h) => convergenceRate(quadraticRecurrence('pb+sc', { h, momentum: 0.9, delay: 3 }))), 'row D = 3');
  t.throws(() => logSpace(0, 1, 3), /0 < from < to/, 'logSpace from 0');
  t.end();
});
