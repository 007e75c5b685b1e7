import test from 'tape';
import { Optimizer, chain, multiStep, scaleByLearningRate } from '../../optim/index.js';
import { named, near, valuesOf } from './helpers.js';

const g = named({ w: [1] });

test('scaleByLearningRate: u = −η(s)·g with s the samples seen before the update', (t) => {
  const opt = new Optimizer(scaleByLearningRate(multiStep(1, [2], 0.5)), named({ w: [0] }));
  const ws = [0, 1, 2].map(() => valuesOf(opt.step(g), 'w')[0]);
  near(t, ws, [-1, -2, -2.5], 'η = 1 at s = 0 and 1, 0.5 from s = 2');
  t.end();
});

test('scaleByLearningRate: a batch counts all its samples', (t) => {
  const opt = new Optimizer(scaleByLearningRate(multiStep(1, [2], 0.5)), named({ w: [0] }));
  near(t, valuesOf(opt.step(g, { batchSize: 2 }), 'w'), [-1], 'first batch at s = 0: η = 1');
  near(t, valuesOf(opt.step(g, { batchSize: 2 }), 'w'), [-1.5], 'second batch at s = 2: η = 0.5');
  t.equal(opt.samples, 4, 'four samples seen');
  t.end();
});

test('scaleByLearningRate: learningRate(ctx) reports η at ctx.samples; a number is a constant schedule', (t) => {
  const s = scaleByLearningRate(multiStep(1, [2], 0.5));
  t.deepEqual([s.learningRate!({ step: 0, samples: 1 }), s.learningRate!({ step: 0, samples: 2 })], [1, 0.5], 'η(1) = 1, η(2) = 0.5');
  t.equal(chain(scaleByLearningRate(0.3)).learningRate!({ step: 7, samples: 700 }), 0.3, 'constant 0.3');
  t.end();
});
