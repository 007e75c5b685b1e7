import test from 'tape';
import { Rng } from '../core/random.js';

test('Rng: the same seed gives the same stream', (t) => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 5 }, () => a.uniform());
  const ys = Array.from({ length: 5 }, () => b.uniform());
  t.deepEqual(xs, ys, 'two generators with seed 7 agree');
  t.end();
});
