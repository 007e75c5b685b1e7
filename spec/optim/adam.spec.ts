import test from 'tape';
import { Optimizer, adam, adamw, scaleByAdam } from '../../optim/index.js';
import { named, near, throwsLine, updateSequence, valuesOf } from './helpers.js';

test('scaleByAdam: the first three steps by hand (b1 0.9, b2 0.999, ε 1e-8; g = 1, 2, 0)', (t) => {
  // t=1: μ = 0.1,   ν = 0.001;       μ̂ = 0.1/0.1 = 1,          ν̂ = 0.001/0.001 = 1           → u = 1/(1 + ε)
  // t=2: μ = 0.29,  ν = 0.004999;    μ̂ = 0.29/0.19 = 1.526316, ν̂ = 0.004999/0.001999 = 2.500750 → u = 0.965182
  // t=3: μ = 0.261, ν = 0.004994001; μ̂ = 0.261/0.271 = 0.963100, ν̂ = 0.004994001/0.002997001 = 1.666333 → u = 0.746088
  const grads = [1, 2, 0].map((g) => named({ w: [g] }));
  const seq = updateSequence(scaleByAdam(), named({ w: [0] }), grads, 'w');
  near(t, seq.flat(), [0.99999999, 0.9651820197183366, 0.7460884975789165], 'u₁, u₂, u₃', 1e-5);
  t.end();
});

test('scaleByAdam: a constant gradient gives a step of sign(g) from the first update on (bias correction)', (t) => {
  const grads = Array.from({ length: 3 }, () => named({ w: [-0.001] }));
  near(t, updateSequence(scaleByAdam({ eps: 0 }), named({ w: [0] }), grads, 'w').flat(), [-1, -1, -1], 'u = −1 each step', 1e-5);
  t.end();
});

test('adam vs adamw: L2 goes through the moments, decoupled decay does not (w = 1, g = 1, λ = 0.5, η = 0.1)', (t) => {
  const g = named({ w: [1] });
  // adam: g' = 1 + 0.5 = 1.5, first Adam step is sign(g') = 1, so w = 1 − 0.1
  near(t, valuesOf(new Optimizer(adam({ lr: 0.1, weightDecay: 0.5, eps: 0 }), named({ w: [1] })).step(g), 'w'), [0.9], 'adam: 1 − 0.1·1');
  // adamw: u = 1 + 0.5·1 = 1.5, so w = 1 − 0.15
  near(t, valuesOf(new Optimizer(adamw({ lr: 0.1, weightDecay: 0.5, eps: 0 }), named({ w: [1] })).step(g), 'w'), [0.85], 'adamw: 1 − 0.1·(1 + 0.5·1)');
  t.end();
});

test('scaleByAdam: decay rates outside [0, 1) are errors', (t) => {
  throwsLine(t, () => scaleByAdam({ b1: 1 }), /scaleByAdam: b1 must be in \[0, 1\), got 1/, 'b1 = 1');
  throwsLine(t, () => scaleByAdam({ b2: -0.5 }), /scaleByAdam: b2 must be in \[0, 1\), got -0.5/, 'b2 = −0.5');
  t.end();
});
