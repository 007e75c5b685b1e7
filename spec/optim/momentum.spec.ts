import test from 'tape';
import { Optimizer, momentum, nesterov, sgd } from '../../optim/index.js';
import { named, near, throwsLine, updateSequence, valuesOf } from './helpers.js';

const w0 = named({ w: [0] });
const constantGrad = [1, 1, 1].map((g) => named({ w: [g] }));
const variedGrad = [1, 2, 4].map((g) => named({ w: [g] }));

test('momentum: constant gradient 1, m = 0.9: v = 1, 1.9, 2.71 (the first step is v = g)', (t) => {
  near(t, updateSequence(momentum(0.9), w0, constantGrad, 'w').flat(), [1, 1.9, 2.71], 'updates equal v');
  t.end();
});

test('momentum: gradients 1, 2, 4, m = 0.5: v = 1, 2.5, 5.25', (t) => {
  near(t, updateSequence(momentum(0.5), w0, variedGrad, 'w').flat(), [1, 2.5, 5.25], 'v₂ = 0.5·1 + 2, v₃ = 0.5·2.5 + 4');
  t.end();
});

test('nesterov: constant gradient 1, m = 0.9: u = g + m·v = 1.9, 2.71, 3.439', (t) => {
  near(t, updateSequence(nesterov(0.9), w0, constantGrad, 'w').flat(), [1.9, 2.71, 3.439], 'with v = 1, 1.9, 2.71');
  t.end();
});

test('nesterov: gradients 1, 2, 4, m = 0.5: u = 1.5, 3.25, 6.625', (t) => {
  near(t, updateSequence(nesterov(0.5), w0, variedGrad, 'w').flat(), [1.5, 3.25, 6.625], '1 + 0.5·1, 2 + 0.5·2.5, 4 + 0.5·5.25');
  t.end();
});

test('sgd with momentum: w ← w − η·v, three steps from w = 0 with g = 1, m = 0.9, η = 0.1', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1, momentum: 0.9 }), w0);
  const ws = constantGrad.map((g) => valuesOf(opt.step(g), 'w')[0]);
  near(t, ws, [-0.1, -0.29, -0.561], 'w = −0.1, −0.1 − 0.19, −0.29 − 0.271');
  near(t, valuesOf(opt.velocity()!, 'w'), [2.71], 'the optimizer exposes v');
  t.end();
});

test('sgd with nesterov: w ← w − η·(g + m·v), from w = 0 with g = 1, m = 0.9, η = 0.1', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1, momentum: 0.9, nesterov: true }), w0);
  const ws = constantGrad.map((g) => valuesOf(opt.step(g), 'w')[0]);
  near(t, ws, [-0.19, -0.461, -0.8049], 'w = −0.19, −0.19 − 0.271, −0.461 − 0.3439');
  t.end();
});

test('momentum 0 passes the gradient through; plain sgd keeps no velocity', (t) => {
  near(t, updateSequence(momentum(0), w0, variedGrad, 'w').flat(), [1, 2, 4], 'u = g');
  const opt = new Optimizer(sgd({ lr: 0.5 }), w0);
  near(t, valuesOf(opt.step(variedGrad[1]), 'w'), [-1], 'w = 0 − 0.5·2');
  t.equal(opt.velocity(), undefined, 'no velocity without momentum');
  t.end();
});

test('momentum outside [0, 1) is a one-line error', (t) => {
  throwsLine(t, () => momentum(1), /momentum: momentum must be in \[0, 1\), got 1/, 'm = 1');
  throwsLine(t, () => nesterov(-0.1), /nesterov: momentum must be in \[0, 1\), got -0.1/, 'm = −0.1');
  throwsLine(t, () => sgd({ lr: 0.1, momentum: 1.5 }), /momentum must be in \[0, 1\)/, 'sgd with m = 1.5');
  t.end();
});

test('momentum: updates and state are new tensors; the gradient and the old velocity are untouched', (t) => {
  const m = momentum(0.5);
  const g = named({ w: [2] });
  const s0 = m.init(w0);
  const s1 = m.update(g, s0, w0, { step: 0, samples: 0 }).state;
  const s2 = m.update(g, s1, w0, { step: 1, samples: 1 }).state;
  t.deepEqual(valuesOf(s0.velocity, 'w'), [0], 'v₀ still 0');
  t.deepEqual(valuesOf(s1.velocity, 'w'), [2], 'v₁ still 2');
  t.deepEqual(valuesOf(s2.velocity, 'w'), [3], 'v₂ = 0.5·2 + 2');
  t.deepEqual(valuesOf(g, 'w'), [2], 'g still 2');
  t.end();
});
