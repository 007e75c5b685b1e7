import test from 'tape';
import { Optimizer, chain, momentum, nesterov, scaleByLearningRate, sgd, spikeCompensation } from '../../optim/index.js';
import { at, named, near, throwsLine, updateSequence, valuesOf } from './helpers.js';

const params = named({ w: [0, 0, 0] });
// Uneven gradients so that exact equality is a real check of the float32 arithmetic.
const grads = Array.from({ length: 6 }, (_, k) => named({ w: [Math.sin(k + 1), Math.cos(3 * k) / 7, (k % 3) - 1.3] }));

test('SC with D = 0 equals momentum exactly', (t) => {
  const sc = updateSequence(spikeCompensation({ momentum: 0.9 }), params, grads, 'w', 0);
  t.deepEqual(sc, updateSequence(momentum(0.9), params, grads, 'w'), 'bit-identical updates over 6 steps');
  t.deepEqual(updateSequence(spikeCompensation({ momentum: 0.9 }), params, grads, 'w'), sc, 'an absent delay means D = 0');
  t.end();
});

test('SC with D = 1 equals Nesterov exactly', (t) => {
  const sc = updateSequence(spikeCompensation({ momentum: 0.9 }), params, grads, 'w', 1);
  t.deepEqual(sc, updateSequence(nesterov(0.9), params, grads, 'w'), 'bit-identical updates over 6 steps');
  t.end();
});

test('SC with m = 0 is plain SGD whatever the delay', (t) => {
  const plain = grads.map((g) => valuesOf(g, 'w'));
  for (const delay of [0, 1, 4]) {
    t.deepEqual(updateSequence(spikeCompensation({ momentum: 0 }), params, grads, 'w', delay), plain, `D = ${delay}: u = g`);
  }
  t.end();
});

// Impulse response: one gradient g = 1 at the first update, zeros after; m = 0.9, η = 0.1.
const m = 0.9;
const lr = 0.1;
const impulse = [named({ w: [1] }), ...Array.from({ length: 5 }, () => named({ w: [0] }))];

/** The weight change at each update of SGD with the given chain, for the impulse. */
function steps(momentumTransform: Parameters<typeof chain>[0], delay: number): number[] {
  const opt = new Optimizer(chain(momentumTransform, scaleByLearningRate(lr)), named({ w: [0] }));
  let w = 0;
  return impulse.map((g) => {
    const next = valuesOf(opt.step(g, { delay }), 'w')[0];
    const change = next - w;
    w = next;
    return change;
  });
}

test('SC impulse response: undelayed momentum SGD applies η·m^k·g at step k', (t) => {
  near(t, steps(momentum(m), 0), [0, 1, 2, 3, 4, 5].map((k) => -lr * m ** k), 'Δw_k = −0.1·0.9^k', 1e-5);
  t.end();
});

test('SC impulse response with D = 3: η·(1 + m + m² + m³)·g at arrival, then η·m^(3+k)·g', (t) => {
  const D = 3;
  const sc = steps(spikeCompensation({ momentum: m }), D);
  near(t, [sc[0]], [-lr * (1 + m + m ** 2 + m ** 3)], 'at arrival: −0.1·3.439', 1e-5);
  near(t, sc.slice(1), [1, 2, 3, 4, 5].map((k) => -lr * m ** (D + k)), 'k steps after arrival: −0.1·0.9^(3+k)', 1e-5);
  const undelayed = steps(momentum(m), 0);
  near(t, [sc[0]], [undelayed.slice(0, D + 1).reduce((a, b) => a + b)], 'at arrival the weights have moved as far as undelayed momentum had by step D', 1e-5);
  near(t, sc.slice(1, 3), undelayed.slice(D + 1, D + 3), 'and from then on they move as undelayed momentum does D steps later', 1e-5);
  t.end();
});

test('SC reads the delay from the update context at each update, and exposes its velocity', (t) => {
  const sc = spikeCompensation({ momentum: 0.5 });
  const p = named({ w: [0] });
  const g = named({ w: [1] });
  const s0 = sc.init(p);
  // v = 1; D = 2: u = 0.25·1 + (1 − 0.25)/(1 − 0.5)·1 = 0.25 + 1.5 = 1.75 = 1 + 0.5 + 0.25
  const out = sc.update(g, s0, p, at(0, 2));
  near(t, valuesOf(out.updates, 'w'), [1.75], 'D = 2, m = 0.5: 1 + m + m²');
  near(t, valuesOf(sc.velocity!(out.state)!, 'w'), [1], 'velocity v = g after one step');
  throwsLine(t, () => sc.update(g, s0, p, at(0, -1)), /spikeCompensation: delay must be a finite number >= 0, got -1/, 'negative delay');
  t.end();
});

test('sgd({ spikeCompensation }) puts SC in place of momentum; nesterov and SC together is an error', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1, momentum: 0.5, spikeCompensation: true }), named({ w: [0] }));
  near(t, valuesOf(opt.step(named({ w: [1] }), { delay: 2 }), 'w'), [-0.175], 'w = −0.1·1.75');
  t.ok(opt.stateDict().state.has('chain.1.velocity.w'), 'SC keeps the velocity where momentum would (chain.1)');
  throwsLine(t, () => sgd({ lr: 0.1, momentum: 0.9, nesterov: true, spikeCompensation: true }), /sgd: choose nesterov or spikeCompensation, not both/, 'both flags');
  throwsLine(t, () => spikeCompensation({ momentum: 1 }), /spikeCompensation: momentum must be in \[0, 1\), got 1/, 'm = 1');
  t.end();
});
