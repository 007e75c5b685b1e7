import test from 'tape';
import { Tensor } from '../../core/index.js';
import { applyUpdates, checkGradients, momentum, scaleByAdam } from '../../optim/index.js';
import { named, near, throwsLine, valuesOf } from './helpers.js';

test('applyUpdates: w + u, in new tensors; the old weights are untouched', (t) => {
  const params = named({ w: [1, 2], b: [3] });
  const oldW = params.get('w')!;
  const next = applyUpdates(params, named({ w: [0.5, -1] }));
  near(t, valuesOf(next, 'w'), [1.5, 1], 'new w = w + u');
  t.deepEqual(Array.from(oldW.data), [1, 2], 'the old w still holds [1, 2]');
  t.notEqual(next.get('w'), oldW, 'w is a new tensor');
  t.equal(next.get('b'), params.get('b'), 'a parameter without an update is carried over as the same tensor');
  t.notEqual(next, params, 'the map is new too');
  t.end();
});

test('applyUpdates: the new tensor keeps the name and requiresGrad of the old', (t) => {
  const w = new Tensor(Float32Array.from([1]), [1]).requireGrad();
  w.name = 'layer1.weight';
  const next = applyUpdates(new Map([['layer1.weight', w]]), named({ 'layer1.weight': [1] })).get('layer1.weight')!;
  t.equal(next.requiresGrad, true, 'requiresGrad kept');
  t.equal(next.name, 'layer1.weight', 'name kept');
  t.end();
});

test('applyUpdates: a float64 parameter stays float64', (t) => {
  const w = new Tensor(Float64Array.from([0.1]), [1]);
  const next = applyUpdates(new Map([['w', w]]), named({ w: [0.25] })).get('w')!;
  t.equal(next.dtype, 'float64', 'dtype follows the parameter');
  t.end();
});

test('applyUpdates and checkGradients: unknown, missing and misshapen names are one-line errors naming the parameter', (t) => {
  const params = named({ w: [1, 2], b: [3] });
  throwsLine(t, () => applyUpdates(params, named({ v: [1] })), /applyUpdates: update for unknown parameter 'v'/, 'unknown update');
  throwsLine(t, () => applyUpdates(params, named({ w: [1] })), /applyUpdates: update for 'w' has shape \[1\] but the parameter has shape \[2\]/, 'shape mismatch');
  throwsLine(t, () => checkGradients('momentum', named({ w: [1, 1] }), params), /momentum: no gradient for parameter 'b'/, 'missing gradient');
  throwsLine(t, () => checkGradients('momentum', named({ w: [1, 1], b: [1], c: [1] }), params), /momentum: gradient for unknown parameter 'c'/, 'unknown gradient');
  t.end();
});

test('checkState: momentum and scaleByAdam given state made for other parameters fail with one line naming the transform', (t) => {
  const params = named({ w: [0], b: [0] });
  const grads = named({ w: [1], b: [1] });
  const ctx = { step: 0, samples: 0 };
  throwsLine(t, () => momentum(0.9).update(grads, { velocity: named({ w: [0] }) }, params, ctx), /^momentum: no state for parameter 'b'; was init\(\) called with these parameters\?$/, 'momentum');
  throwsLine(t, () => scaleByAdam().update(grads, { mu: named({ w: [0], b: [0] }), nu: named({ w: [0] }) }, params, ctx), /^scaleByAdam: no state for parameter 'b'/, 'scaleByAdam');
  t.end();
});
