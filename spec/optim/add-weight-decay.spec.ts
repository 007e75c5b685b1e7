import test from 'tape';
import { Optimizer, addWeightDecay, sgd } from '../../optim/index.js';
import { at, named, near, throwsLine, valuesOf } from './helpers.js';

const params = named({ 'fc.weight': [1, -2], 'fc.bias': [4] });
const grads = named({ 'fc.weight': [0.5, 0.5], 'fc.bias': [1] });

test('addWeightDecay: u = g + λw', (t) => {
  const d = addWeightDecay(0.25);
  const { updates } = d.update(grads, d.init(params), params, at(0));
  near(t, valuesOf(updates, 'fc.weight'), [0.75, 0], '0.5 + 0.25·1, 0.5 + 0.25·(−2)');
  near(t, valuesOf(updates, 'fc.bias'), [2], '1 + 0.25·4');
  t.end();
});

test('addWeightDecay: the mask leaves unselected parameters as they are', (t) => {
  const d = addWeightDecay(0.25, { mask: (name) => name.endsWith('.weight') });
  const { updates } = d.update(grads, undefined, params, at(0));
  near(t, valuesOf(updates, 'fc.weight'), [0.75, 0], 'weight decayed');
  t.equal(updates.get('fc.bias'), grads.get('fc.bias'), 'bias passed through as the same tensor');
  t.end();
});

test('addWeightDecay: λ = 0 passes the gradients through; a negative λ is an error', (t) => {
  const d = addWeightDecay(0);
  t.equal(d.update(grads, undefined, params, at(0)).updates, grads, 'the same map comes back');
  throwsLine(t, () => addWeightDecay(-1), /addWeightDecay: weight decay must be a finite number >= 0, got -1/, 'λ = −1');
  t.end();
});

test('sgd with weight decay and zero gradient shrinks w by (1 − ηλ) per step', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.5, weightDecay: 0.1 }), named({ w: [1] }));
  const zero = named({ w: [0] });
  near(t, valuesOf(opt.step(zero), 'w'), [0.95], 'w₁ = 1 − 0.5·0.1·1');
  near(t, valuesOf(opt.step(zero), 'w'), [0.9025], 'w₂ = 0.95²');
  t.end();
});
