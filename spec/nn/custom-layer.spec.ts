/**
 * The custom-layer guide runs: the op's VJPs match central differences in float64,
 * and the registered model trains, cuts into units and survives a checkpoint.
 */
import test from 'tape';
import { backward, crossEntropy, matmul, mul, noGrad, randn, reshape, Rng, sub, type Tensor } from '../../core/index.js';
import { createModel, decodeCheckpoint, encodeCheckpoint, modelNames, runUnits, type Model } from '../../nn/index.js';
import { checkGradients, leaf, values } from '../core/gradcheck.js';
import { swish } from './custom-layer-example.js';

test('custom op swish: both VJPs match central differences in float64', (t) => {
  const rng = new Rng(3);
  const x = leaf(values(rng, 12), [3, 4]);
  const beta = leaf(values(rng, 4, 0.5, 1.5), [4]);
  checkGradients(t, 'swish', swish, [x, beta]);
  t.end();
});

interface Batch {
  x: Tensor;
  labels: number[];
}

/** A teacher task: 4 features, 3 classes, labels = argmax of a fixed random linear map. */
function teacherBatch(rng: Rng, n: number): Batch {
  const x = randn([n, 1, 2, 2], rng);
  const scores = matmul(reshape(x, [n, 4]), randn([4, 3], new Rng(99))).data;
  const labels = Array.from({ length: n }, (_, i) => [1, 2].reduce((best, c) => (scores[i * 3 + c] > scores[i * 3 + best] ? c : best), 0));
  return { x, labels };
}

/** Plain SGD by rebinding: `w ← w − η·g`. */
function sgdStep(model: Model, lr: number): void {
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) model.setParameter(name, sub(p, mul(p.grad!, lr)));
  });
}

test('a registered custom model: paths, units, training, checkpoint', (t) => {
  t.ok(modelNames().includes('swish-mlp'), 'the factory lists swish-mlp');
  const model = createModel('swish-mlp', { seed: 1, hidden: 8 });
  t.deepEqual(
    model.namedParameters().map(([n]) => n),
    ['fc1.weight', 'fc1.bias', 'act.beta', 'fc2.weight', 'fc2.bias'],
    'the custom parameter has a model path',
  );

  const units = model.pipelineUnits();
  t.deepEqual(units.map((u) => u.name), ['fc1', 'fc2'], 'swish joins the unit of the linear layer before it');
  t.deepEqual(units[0].parameterNames, ['fc1.weight', 'fc1.bias', 'act.beta'], 'that unit owns β');

  const held = teacherBatch(new Rng(6), 64);
  const lossOn = (batch: Batch): number => noGrad(() => crossEntropy(model.forward(batch.x), batch.labels).item());
  const before = lossOn(held);
  const betaBefore = Array.from(model.namedParameters()[2][1].data);
  const rng = new Rng(5);
  for (let step = 0; step < 60; step++) {
    const batch = teacherBatch(rng, 16);
    model.zeroGrad();
    backward(crossEntropy(model.forward(batch.x), batch.labels));
    sgdStep(model, 0.5);
  }
  const after = lossOn(held);
  t.ok(after < 0.7 * before, `60 SGD steps lower the held-out loss by 30 % or more (from ${before.toFixed(3)} to ${after.toFixed(3)})`);
  t.notDeepEqual(Array.from(model.namedParameters()[2][1].data), betaBefore, 'β was trained');
  t.deepEqual(Array.from(runUnits(units, held.x).data), Array.from(model.forward(held.x).data), 'the units still compute the model after training');

  const restored = createModel('swish-mlp', { seed: 2, hidden: 8 });
  decodeCheckpoint(encodeCheckpoint(model, { step: 60 }), restored);
  t.deepEqual(Array.from(restored.forward(held.x).data), Array.from(model.forward(held.x).data), 'a checkpoint restores the custom layer with the rest');
  t.end();
});
