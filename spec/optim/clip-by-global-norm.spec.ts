import test from 'tape';
import { clipByGlobalNorm, globalNorm } from '../../optim/index.js';
import { at, named, near, throwsLine, valuesOf } from './helpers.js';

const params = named({ a: [0], b: [0] });
const grads = named({ a: [3], b: [4] });

test('clipByGlobalNorm: the norm is taken over all tensors together', (t) => {
  t.equal(globalNorm(grads), 5, 'sqrt(3² + 4²) = 5');
  const { updates } = clipByGlobalNorm(1).update(grads, undefined, params, at(0));
  near(t, [...valuesOf(updates, 'a'), ...valuesOf(updates, 'b')], [0.6, 0.8], 'scaled by 1/5: the direction is kept (per-tensor clipping would give 1, 1)');
  near(t, [globalNorm(updates)], [1], 'new global norm is 1');
  t.end();
});

test('clipByGlobalNorm: updates within the norm pass through as the same tensors', (t) => {
  t.equal(clipByGlobalNorm(5).update(grads, undefined, params, at(0)).updates, grads, 'norm 5 ≤ 5: unchanged');
  t.equal(clipByGlobalNorm(10).update(grads, undefined, params, at(0)).updates, grads, 'norm 5 ≤ 10: unchanged');
  t.end();
});

test('clipByGlobalNorm: maxNorm must be positive', (t) => {
  throwsLine(t, () => clipByGlobalNorm(0), /clipByGlobalNorm: maxNorm must be a finite number > 0, got 0/, 'c = 0');
  t.end();
});
