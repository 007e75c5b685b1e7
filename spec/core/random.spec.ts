/**
 * The seeded generator: same seed, same stream; the distributions are what they say.
 */
import test from 'tape';
import { Rng } from '../../core/random.js';

test('Rng: the same seed gives the same stream, another seed another', (t) => {
  const draw = (seed: number): number[] => {
    const r = new Rng(seed);
    return Array.from({ length: 5 }, () => r.uniform());
  };
  t.deepEqual(draw(7), draw(7), 'two generators with seed 7 agree');
  t.notDeepEqual(draw(7), draw(8), 'seeds 7 and 8 differ');
  t.end();
});

test('Rng: uniform in [0, 1), normal with mean 0 and variance 1, permutations', (t) => {
  const r = new Rng(3);
  const u = Array.from({ length: 20000 }, () => r.uniform());
  t.ok(u.every((v) => v >= 0 && v < 1), 'uniform stays in [0, 1)');
  t.ok(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 0.5) < 0.01, 'uniform mean ≈ 1/2');
  const z = Array.from({ length: 20000 }, () => r.normal());
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
  t.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.04, `normal mean ${mean.toFixed(3)}, variance ${variance.toFixed(3)}`);
  const p = r.permutation(100);
  t.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i), 'a permutation holds every index once');
  t.throws(() => r.int(0), /Rng\.int: n must be >= 1/, 'int(0) is an error');
  t.end();
});
