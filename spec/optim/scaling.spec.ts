import test from 'tape';
import { constant, multiStep, scaleHyperparameters } from '../../optim/index.js';
import { near, throwsLine } from './helpers.js';

const reference = { batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

test('scaleHyperparameters: the same batch size is the identity', (t) => {
  const schedule = constant(0.1);
  const same = scaleHyperparameters({ ...reference, schedule }, 128);
  t.deepEqual(same, { ...reference, schedule }, 'every field unchanged');
  t.equal(same.schedule, schedule, 'the schedule is the same function');
  t.end();
});

test('scaleHyperparameters: 128 → 1 gives η/128, m^(1/128) ≈ 0.999177, λ unchanged', (t) => {
  const one = scaleHyperparameters(reference, 1);
  t.equal(one.batchSize, 1, 'batch size 1');
  near(t, [one.lr], [0.00078125], 'η = 0.1/128');
  near(t, [one.momentum], [0.999177], 'm = 0.9^(1/128)', 1e-6);
  t.equal(one.weightDecay, 5e-4, 'λ unchanged');
  near(t, [one.momentum ** 128], [0.9], 'over 128 samples the momentum decays as much as one reference step: the half-life in samples is kept');
  t.end();
});

test('scaleHyperparameters: a schedule keeps its shape in samples and scales its values by B/B0', (t) => {
  const scaled = scaleHyperparameters({ ...reference, schedule: multiStep(0.1, [1000]) }, 1).schedule!;
  near(t, [scaled(999), scaled(1000)], [0.1 / 128, 0.01 / 128], 'the milestone is still at sample 1000');
  const up = scaleHyperparameters({ ...reference, schedule: constant(0.1) }, 256);
  near(t, [up.lr, up.momentum, up.schedule!(0)], [0.2, 0.81, 0.2], '128 → 256: η·2, m², schedule·2');
  t.end();
});

test('scaleHyperparameters: bad batch sizes and momenta are errors', (t) => {
  throwsLine(t, () => scaleHyperparameters(reference, 0), /scaleHyperparameters: batch size must be a finite number > 0, got 0/, 'B = 0');
  throwsLine(t, () => scaleHyperparameters({ ...reference, momentum: 1 }, 1), /scaleHyperparameters: momentum must be in \[0, 1\), got 1/, 'm0 = 1');
  t.end();
});
