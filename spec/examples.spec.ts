/**
 * The README's library example runs and learns.
 */
import test from 'tape';
import { trainSpirals } from '../examples/library.js';

test('examples/library.ts: PB + SC + LWP on spirals lowers the loss', (t) => {
  const losses = trainSpirals(10, () => undefined);
  t.ok(losses[9] < 0.7 * losses[0], `mean loss falls from ${losses[0].toFixed(4)} to ${losses[9].toFixed(4)}`);
  t.end();
});
