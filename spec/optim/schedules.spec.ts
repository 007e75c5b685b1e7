import test from 'tape';
import { constant, cosine, linearWarmup, multiStep, sequence } from '../../optim/index.js';
import { near, throwsLine } from './helpers.js';

const at = (schedule: (s: number) => number, points: number[]): number[] => points.map(schedule);

test('constant: η at every sample count', (t) => {
  t.deepEqual(at(constant(0.1), [0, 1, 1e9]), [0.1, 0.1, 0.1], '0.1 everywhere');
  t.end();
});

test('multiStep: η·γ^k, k = milestones reached (a milestone counts from its own sample on)', (t) => {
  near(t, at(multiStep(0.1, [1000, 2000]), [0, 999, 1000, 1999, 2000, 5000]), [0.1, 0.1, 0.01, 0.01, 0.001, 0.001], 'γ = 0.1 by default');
  near(t, at(multiStep(1, [10], 0.5), [9, 10]), [1, 0.5], 'γ = 0.5');
  throwsLine(t, () => multiStep(0.1, [2000, 1000]), /multiStep: milestones must be strictly ascending, got \[2000, 1000\]/, 'descending milestones');
  t.end();
});

test('cosine: η_f + (η − η_f)·(1 + cos(π·s/T))/2, then η_f', (t) => {
  near(t, at(cosine(1, 100), [0, 25, 50, 100, 150]), [1, 0.8535533905932737, 0.5, 0, 0], '(1 + cos(π/4))/2 at a quarter');
  near(t, at(cosine(1, 100, { final: 0.1 }), [0, 50, 200]), [1, 0.55, 0.1], 'with final 0.1: 0.1 + 0.9·0.5 halfway');
  throwsLine(t, () => cosine(1, 0), /cosine: totalSamples must be > 0, got 0/, 'T = 0');
  t.end();
});

test('linearWarmup: a straight line from start to schedule(W), then the schedule on its own clock', (t) => {
  near(t, at(linearWarmup(100, constant(0.1)), [0, 25, 99, 100, 1000]), [0, 0.025, 0.099, 0.1, 0.1], 'from 0');
  near(t, at(linearWarmup(100, constant(0.1), { start: 0.01 }), [0, 50]), [0.01, 0.055], 'from start 0.01: 0.01 + 0.09·0.5');
  // cosine(1, 1000)(100) = (1 + cos(0.1π))/2 = 0.9755282581475768; at 500 the cosine is at its own halfway point
  near(t, at(linearWarmup(100, cosine(1, 1000)), [50, 100, 500]), [0.4877641290737884, 0.9755282581475768, 0.5], 'into a cosine');
  near(t, at(linearWarmup(0, constant(0.1)), [0]), [0.1], 'W = 0 is no warm-up');
  t.end();
});

test('sequence: each schedule runs on its own clock from its boundary', (t) => {
  const lr = sequence([constant(0.01), cosine(0.1, 900)], [100]);
  near(t, at(lr, [0, 99, 100, 550, 1000, 2000]), [0.01, 0.01, 0.1, 0.05, 0, 0], 'constant, then cosine from 0.1 over 900 samples');
  const three = sequence([constant(3), constant(2), constant(1)], [10, 20]);
  t.deepEqual(at(three, [9, 10, 19, 20]), [3, 2, 2, 1], 'three pieces');
  throwsLine(t, () => sequence([constant(1), constant(2)], []), /sequence: 2 schedules need 1 boundaries, got 0/, 'too few boundaries');
  throwsLine(t, () => sequence([constant(1), constant(2), constant(3)], [5, 5]), /sequence: boundaries must be strictly ascending/, 'equal boundaries');
  t.end();
});
