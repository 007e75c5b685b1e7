/**
 * The tape: accumulation, seeds, `noGrad`, depth without recursion, and weight
 * versions as values (DESIGN §3).
 */
import test from 'tape';
import * as pg from '../../core/index.js';
import { fromArray, Rng } from '../../core/index.js';

const approx = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): boolean =>
  a.length === b.length && Array.from(a).every((x, i) => Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])));

test('weight versions: forward with W1, backward with W2', (t) => {
  const rng = new Rng(11);
  const x = pg.randn([4, 3], rng).requireGrad();
  const w1 = pg.randn([5, 3], rng).requireGrad();
  const w2 = pg.randn([5, 3], rng);
  const delta = pg.randn([4, 5], rng);
  // A linear layer y = x·Wᵀ, as nn.Linear computes it.
  const y = pg.matmul(x, pg.transpose(w1));
  pg.backward(y, delta, { substitute: new Map([[w1, w2]]) });
  const expectInput = pg.matmul(delta, w2); // δ·W2
  const expectWeight = pg.matmul(pg.transpose(delta), x); // δᵀ·x, x from the forward
  t.ok(approx(x.grad!.data, expectInput.data), 'input gradient = δ·W2');
  t.ok(approx(w1.grad!.data, expectWeight.data), 'weight gradient = δᵀ·x, credited to W1');
  t.notOk(approx(x.grad!.data, pg.matmul(delta, w1).data), 'and it differs from δ·W1');
  t.equal(w2.grad, null, 'the substitute receives no gradient');
  t.end();
});

test('gradients accumulate into .grad across backward calls', (t) => {
  const a = fromArray([1, 2]).requireGrad();
  pg.backward(pg.sum(pg.mul(a, 3)));
  pg.backward(pg.sum(pg.mul(a, 3)));
  t.deepEqual(Array.from(a.grad!.data), [6, 6], 'two backward calls add up');
  t.end();
});

test('noGrad records nothing', (t) => {
  const a = fromArray([1, 2]).requireGrad();
  const b = pg.noGrad(() => pg.mul(a, 2));
  t.equal(b.node, null, 'no tape node under noGrad');
  t.equal(b.requiresGrad, false, 'result does not require a gradient');
  t.equal(pg.isGradEnabled(), true, 'recording is back on afterwards');
  t.end();
});

test('explicit seeds and several outputs', (t) => {
  const a = fromArray([1, 2, 3]).requireGrad();
  const y1 = pg.mul(a, 2);
  const y2 = pg.mul(a, a);
  const grads = pg.gradients([y1, y2], [fromArray([1, 1, 1]), fromArray([1, 0, 2])]);
  t.deepEqual(Array.from(grads.get(a)!.data), [2 + 2, 2, 2 + 12], 'd(⟨s1,2a⟩ + ⟨s2,a²⟩)/da');
  t.equal(a.grad, null, 'gradients() leaves .grad alone');
  t.end();
});

test('a chain of 20,000 ops backpropagates without recursion', (t) => {
  const a = fromArray([1]).requireGrad();
  let y = a;
  for (let i = 0; i < 20000; i++) y = pg.mul(y, 1);
  pg.backward(pg.sum(y));
  t.equal(a.grad!.item(), 1, 'gradient of a 20,000-deep identity chain is 1');
  t.end();
});

test('the tape is flat and in execution order', (t) => {
  const a = fromArray([1, 2]).requireGrad();
  const b = pg.exp(a);
  const c = pg.add(b, a);
  const d = pg.sum(c);
  const tape = pg.collectTape([d]);
  t.deepEqual(tape.map((n) => n.op), ['exp', 'add', 'sum'], 'nodes in the order they ran');
  t.end();
});
