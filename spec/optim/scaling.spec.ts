import test, { type Test } from 'tape';
import { Tensor } from '../../core/index.js';
import { constant, multiStep, Optimizer, scaleHyperparameters, sgd, type HyperParameters, type Params } from '../../optim/index.js';
import { near, throwsLine } from './helpers.js';

const reference = { batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

/** Assert every value is within `tol·|expected|` of the expected one (relative, for small values too). */
function nearRelative(t: Test, received: readonly number[], expected: readonly number[], what: string, tol: number): void {
  const ok = received.length === expected.length && received.every((x, i) => Math.abs(x - expected[i]) <= tol * Math.abs(expected[i]));
  t.ok(ok, `${what}: expected [${expected.join(', ')}] within ${tol} relative, received [${received.join(', ')}]`);
}

test('scaleHyperparameters: the same batch size is the identity', (t) => {
  const schedule = constant(0.1);
  const same = scaleHyperparameters({ ...reference, schedule }, 128);
  t.deepEqual(same, { ...reference, schedule }, 'every field unchanged');
  t.equal(same.schedule, schedule, 'the schedule is the same function');
  t.end();
});

test('scaleHyperparameters: 128 → 1 gives m = 0.9^(1/128) ≈ 0.999177, η = 0.1·(1/128)·(1 − m)/0.1 ≈ 6.43e-6, λ unchanged', (t) => {
  const one = scaleHyperparameters(reference, 1);
  t.equal(one.batchSize, 1, 'batch size 1');
  near(t, [one.momentum], [0.999177], 'm = 0.9^(1/128)', 1e-6);
  // By hand: 1 − 0.9^(1/128) = 8.2279035e-4, so η = 0.1/128 · 8.2279035e-4/0.1 = 6.42805e-6.
  nearRelative(t, [one.lr], [6.42805e-6], 'η_1 ≈ 6.43e-6 (not 0.1/128 = 7.8e-4)', 1e-6);
  t.equal(one.weightDecay, 5e-4, 'λ unchanged');
  t.end();
});

test('scaleHyperparameters: a schedule keeps its shape in samples and scales its values like η', (t) => {
  const one = scaleHyperparameters({ ...reference, schedule: multiStep(0.1, [1000]) }, 1);
  const c = one.lr / reference.lr;
  nearRelative(t, [one.schedule!(999), one.schedule!(1000)], [0.1 * c, 0.01 * c], 'the milestone is still at sample 1000, the values scaled by η_1/η0', 1e-12);
  // 128 → 256: r = 2, m = 0.81, η = 0.1·2·0.19/0.1 = 0.38.
  const up = scaleHyperparameters({ ...reference, schedule: constant(0.1) }, 256);
  near(t, [up.lr, up.momentum, up.schedule!(0)], [0.38, 0.81, 0.38], '128 → 256: η = 0.38, m = 0.81, schedule 0.38', 1e-12);
  t.end();
});

/** Float64 weights `w = 0` for a vector of `n` values. */
function zeros64(n: number): Params {
  return new Map([['w', new Tensor(new Float64Array(n), [n])]]);
}

/**
 * The impulse response of one sample: train `sgd({lr, momentum})` at batch size `B` on
 * a stream where one batch holds a sample with gradient `g` (so the batch's mean
 * gradient is `g/B`) and every later batch has gradient 0. Runs until `m^k < 1e-13`, so
 * the steps left out move the weights by less than 1e-12 of the total. Returns the
 * displacement after every step.
 */
function impulseResponse(hp: HyperParameters, g: readonly number[]): number[][] {
  const opt = new Optimizer(sgd({ lr: hp.lr, momentum: hp.momentum }), zeros64(g.length));
  const steps = Math.ceil(Math.log(1e-13) / Math.log(hp.momentum));
  const zero = new Map([['w', new Tensor(new Float64Array(g.length), [g.length])]]);
  const path: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const grad = k === 0 ? new Map([['w', new Tensor(Float64Array.from(g, (x) => x / hp.batchSize), [g.length])]]) : zero;
    path.push(Array.from(opt.step(grad, { batchSize: hp.batchSize }).get('w')!.data));
  }
  return path;
}

const g = [1, -2, 0.5];

for (const B of [1, 16, 256]) {
  test(`scaleHyperparameters: one sample's gradient moves the weights by η0/(B0·(1 − m0))·g in all, at B0 = 128 and at B = ${B}`, (t) => {
    const expected = g.map((x) => (-reference.lr / (reference.batchSize * (1 - reference.momentum))) * x); // −7.8125e-3·g
    for (const hp of [reference, scaleHyperparameters(reference, B)]) {
      const path = impulseResponse(hp, g);
      nearRelative(t, path[path.length - 1], expected, `batch ${hp.batchSize}: total displacement after ${path.length} steps (momentum ${hp.momentum.toFixed(6)})`, 1e-9);
    }
    t.end();
  });

  test(`scaleHyperparameters: the momentum's half-life in samples is the same at B0 = 128 and at B = ${B}`, (t) => {
    const halfLife = (hp: HyperParameters): number => {
      // The weights' steps after the impulse shrink by m each; in samples, by m every B samples.
      const path = impulseResponse(hp, g);
      const step = (k: number): number => path[k][0] - (k === 0 ? 0 : path[k - 1][0]);
      const ratio = step(2) / step(1);
      return (hp.batchSize * Math.log(2)) / -Math.log(ratio);
    };
    const ref = halfLife(reference);
    nearRelative(t, [halfLife(scaleHyperparameters(reference, B))], [ref], `half-life ${ref.toFixed(3)} samples at B0 (128·ln 2/ln(1/0.9) = 842.1)`, 1e-9);
    nearRelative(t, [ref], [(128 * Math.log(2)) / -Math.log(0.9)], 'and it is 128·ln 2/ln(1/0.9) samples', 1e-9);
    t.end();
  });
}

test('scaleHyperparameters: bad batch sizes and momenta are errors', (t) => {
  throwsLine(t, () => scaleHyperparameters(reference, 0), /scaleHyperparameters: batch size must be a finite number > 0, got 0/, 'B = 0');
  throwsLine(t, () => scaleHyperparameters({ ...reference, momentum: 1 }, 1), /scaleHyperparameters: momentum must be in \[0, 1\), got 1/, 'm0 = 1');
  t.end();
});
