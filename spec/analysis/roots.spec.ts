/**
 * The root finder (analysis/roots.ts) on polynomials whose roots are known: built from
 * chosen roots, roots of unity, a double root, exact zeros, and a quadratic that
 * cancels catastrophically in the schoolbook formula.
 */
import test from 'tape';
import { multiplyPolynomials } from '../../analysis/polynomial.js';
import { largestRootModulus, polynomialRoots, type Complex } from '../../analysis/roots.js';
import { Rng } from '../../core/random.js';

/** The real polynomial with the given roots (each complex one with its conjugate added). */
function fromRoots(real: number[], complexUpperHalf: Complex[]): number[] {
  let p = [1];
  for (const r of real) p = multiplyPolynomials(p, [-r, 1]);
  for (const z of complexUpperHalf) p = multiplyPolynomials(p, [z.re * z.re + z.im * z.im, -2 * z.re, 1]);
  return p;
}

/** The largest distance from an expected root to the nearest found one, and the counts. */
function worstMatch(found: Complex[], expected: Complex[]): number {
  let worst = 0;
  for (const e of expected) worst = Math.max(worst, Math.min(...found.map((f) => Math.hypot(f.re - e.re, f.im - e.im))));
  return worst;
}

const withConjugates = (zs: Complex[]) => zs.flatMap((z) => [z, { re: z.re, im: -z.im }]);

test('roots: (z − 1)(z − 2)(z − 3) has the roots 1, 2, 3', (t) => {
  const roots = polynomialRoots(fromRoots([1, 2, 3], []));
  t.equal(roots.length, 3, 'three roots');
  const err = worstMatch(roots, [1, 2, 3].map((re) => ({ re, im: 0 })));
  t.ok(err < 1e-12, `each within 1e-12 of 1, 2, 3 (worst ${err})`);
  t.end();
});

test('roots: zⁿ − 1 has the n-th roots of unity, for n = 5, 12 and 35', (t) => {
  for (const n of [5, 12, 35]) {
    const p = new Array<number>(n + 1).fill(0);
    p[0] = -1;
    p[n] = 1;
    const expected = Array.from({ length: n }, (_, k) => ({ re: Math.cos((2 * Math.PI * k) / n), im: Math.sin((2 * Math.PI * k) / n) }));
    const err = worstMatch(polynomialRoots(p), expected);
    t.ok(err < 1e-12, `n = ${n}: every root of unity found within 1e-12 (worst ${err})`);
    t.ok(Math.abs(largestRootModulus(p) - 1) < 1e-13, `n = ${n}: largest modulus 1`);
  }
  t.end();
});

test('roots: degree-36 polynomials built from random, separated roots in the disc of radius 1.1 give those roots back', (t) => {
  // Jittered grids keep the roots apart, so each is well conditioned (clustered roots
  // are ill conditioned for any method).
  const rng = new Rng(13);
  for (let trial = 0; trial < 5; trial++) {
    const real = Array.from({ length: 6 }, (_, k) => -1.1 + (2.2 * (k + 0.2 + 0.6 * rng.uniform())) / 6);
    const upper = Array.from({ length: 15 }, (_, k) => {
      const r = 0.5 + 0.6 * rng.uniform();
      const angle = (Math.PI * (k + 0.2 + 0.6 * rng.uniform())) / 15;
      return { re: r * Math.cos(angle), im: r * Math.sin(angle) };
    });
    const expected = [...real.map((re) => ({ re, im: 0 })), ...withConjugates(upper)];
    const found = polynomialRoots(fromRoots(real, upper));
    t.equal(found.length, 36, `trial ${trial}: 36 roots`);
    const err = worstMatch(found, expected);
    t.ok(err < 1e-8, `trial ${trial}: every chosen root found within 1e-8 (worst ${err.toExponential(2)})`);
    const largest = Math.max(...expected.map((z) => Math.hypot(z.re, z.im)));
    t.ok(Math.abs(largestRootModulus(fromRoots(real, upper)) - largest) < 1e-9, `trial ${trial}: largest modulus ${largest}`);
  }
  t.end();
});

test('roots: a double root is found to the accuracy rounding allows (about √ε)', (t) => {
  const found = polynomialRoots(fromRoots([0.5, 0.5, -0.3, 0.9], []));
  const err = worstMatch(found, [0.5, -0.3, 0.9].map((re) => ({ re, im: 0 })));
  t.ok(err < 1e-7, `0.5 (twice), −0.3, 0.9 within 1e-7 (worst ${err})`);
  t.equal(found.filter((z) => Math.abs(z.re - 0.5) < 1e-6).length, 2, '0.5 twice');
  t.end();
});

test('roots: trailing zero coefficients are roots at exactly 0; leading zeros are ignored', (t) => {
  const roots = polynomialRoots([0, 0, 0, -2, 1, 0]);
  t.equal(roots.length, 4, 'degree 4 after dropping the leading zero');
  t.equal(roots.filter((z) => z.re === 0 && z.im === 0).length, 3, 'three exact zeros');
  t.ok(roots.some((z) => Math.abs(z.re - 2) < 1e-15 && z.im === 0), 'and 2');
  t.end();
});

test('roots: a quadratic with roots −1e-8 and −1e8 keeps both to full precision', (t) => {
  const [a, b] = polynomialRoots([1, 1e8, 1]).map((z) => z.re).sort((x, y) => x - y);
  t.ok(Math.abs(a / -1e8 - 1) < 1e-15, `−1e8 (got ${a})`);
  t.ok(Math.abs(b / -1e-8 - 1) < 1e-15, `−1e-8 (got ${b}); the schoolbook formula loses it to cancellation`);
  t.end();
});

test('roots: bad input is refused with a message', (t) => {
  t.throws(() => polynomialRoots([0, 0]), /zero polynomial/, 'the zero polynomial');
  t.throws(() => polynomialRoots([1, NaN, 1]), /finite/, 'a NaN coefficient');
  t.deepEqual(polynomialRoots([3]), [], 'a nonzero constant has no roots');
  t.end();
});
