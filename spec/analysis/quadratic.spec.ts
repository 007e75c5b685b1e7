/**
 * The quadratic recurrences (analysis/quadratic-recurrence.ts, quadratic-methods.ts),
 * each held to something derived apart from the code under test:
 * - the step equals a direct simulation of the methods written from DESIGN §6 with
 *   `η`, `λ` and the unscaled velocity, weight versions kept as a list;
 * - the characteristic polynomial equals `det(zI − A)` (up to roots at 0), with the
 *   determinant by complex Gaussian elimination;
 * - the rate from the roots equals the rate measured by running the recurrence;
 * - closed forms worked out by hand: heavy-ball momentum (D = 0), Nesterov, delayed
 *   GD with m = 0.
 */
import test from 'tape';
import { evaluatePolynomial } from '../../analysis/polynomial.js';
import { quadraticMethodNames, quadraticRecurrence, type QuadraticSetting } from '../../analysis/quadratic-methods.js';
import {
  characteristicPolynomial,
  convergenceRate,
  initialState,
  stateLayout,
  stepRecurrence,
  transitionMatrix,
  weightTrajectory,
  type Recurrence,
} from '../../analysis/quadratic-recurrence.js';

/** DESIGN §6 by the letter, on one scalar weight: returns w_0 … w_steps. */
function directSimulation(method: string, eta: number, lambda: number, s: Omit<QuadraticSetting, 'h'>, w0: number, steps: number): number[] {
  const { momentum: m, delay: D } = s;
  const rho = s.inconsistency ?? 0;
  const gamma = s.gamma ?? 0.9;
  const sc = method === 'pb+sc' || method === 'pb+sc+lwp';
  const predicts = method === 'pb+lwp' || method === 'pb+sc+lwp' || method === 'spectrain';
  const versions = [w0]; // weights after k updates
  const velocities = [0]; // velocity after k updates
  let w = w0;
  let v = 0;
  let delta = 0;
  for (let t = 0; t < steps; t++) {
    const k = Math.max(0, t - D); // the forward's version, clamped during the fill
    const forward = versions[k] - (predicts ? D * eta * velocities[k] : 0);
    const backward = method === 'pipemare' ? w - D * delta : w;
    const g = lambda * ((1 - rho) * forward + rho * backward);
    v = m * v + g;
    const a = sc ? m ** D : 1;
    const b = sc && D > 0 ? (1 - m ** D) / (1 - m) : 0;
    const next = w - eta * (a * v + b * g);
    delta = gamma * delta + (1 - gamma) * (next - w);
    w = next;
    versions.push(w);
    velocities.push(v);
  }
  return versions;
}

/** det(M) of a complex matrix by Gaussian elimination with partial pivoting. */
function complexDeterminant(re: number[][], im: number[][]): [number, number] {
  const n = re.length;
  const a = re.map((row) => [...row]);
  const b = im.map((row) => [...row]);
  let dr = 1;
  let di = 0;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.hypot(a[r][c], b[r][c]) > Math.hypot(a[pivot][c], b[pivot][c])) pivot = r;
    if (pivot !== c) {
      [a[c], a[pivot]] = [a[pivot], a[c]];
      [b[c], b[pivot]] = [b[pivot], b[c]];
      dr = -dr;
      di = -di;
    }
    const pr = a[c][c];
    const pi = b[c][c];
    [dr, di] = [dr * pr - di * pi, dr * pi + di * pr];
    const pp = pr * pr + pi * pi;
    if (pp === 0) return [0, 0];
    for (let r = c + 1; r < n; r++) {
      // f = M[r][c] / M[c][c]
      const fr = (a[r][c] * pr + b[r][c] * pi) / pp;
      const fi = (b[r][c] * pr - a[r][c] * pi) / pp;
      for (let k = c; k < n; k++) {
        a[r][k] -= fr * a[c][k] - fi * b[c][k];
        b[r][k] -= fr * b[c][k] + fi * a[c][k];
      }
    }
  }
  return [dr, di];
}

/**
 * The rate measured by running the recurrence: the least-squares slope of log‖z_t‖ over
 * the second half of `steps` updates (renormalizing every step), from a generic start.
 */
function measuredRate(r: Recurrence, steps = 40_000): number {
  let z = initialState(r, 1);
  for (let i = 0; i < z.length; i++) z[i] += 0.3 * Math.sin(7.3 * i + 1);
  let logNorm = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let count = 0;
  for (let t = 1; t <= steps; t++) {
    z = stepRecurrence(r, z);
    const norm = Math.max(...z.map(Math.abs));
    logNorm += Math.log(norm);
    for (let i = 0; i < z.length; i++) z[i] /= norm;
    if (t > steps / 2) {
      sx += t;
      sy += logNorm;
      sxx += t * t;
      sxy += t * logNorm;
      count++;
    }
  }
  return Math.exp((count * sxy - sx * sy) / (count * sxx - sx * sx));
}

test('quadratic: the recurrence step reproduces DESIGN §6 simulated directly (η, λ and v unscaled), every method, with and without inconsistency', (t) => {
  const eta = 0.05;
  const lambda = 0.4; // h = 0.02
  for (const method of quadraticMethodNames) {
    for (const delay of [0, 1, 3, 6]) {
      for (const inconsistency of [0, 0.5]) {
        const s = { momentum: 0.9, delay, inconsistency };
        const expected = directSimulation(method, eta, lambda, s, 1, 300);
        const got = weightTrajectory(quadraticRecurrence(method, { ...s, h: eta * lambda }), 1, 300);
        const worst = Math.max(...expected.map((w, k) => Math.abs(w - got[k])));
        t.ok(worst < 1e-12, `${method}, D = ${delay}, ρ = ${inconsistency}: w_0..w_300 agree within 1e-12 (worst ${worst.toExponential(2)})`);
      }
    }
  }
  t.end();
});

test('quadratic: det(zI − A) = z^k·χ(z) at complex points, every method (A from the step, χ from the derivation)', (t) => {
  const points = [
    [0.3, 0.8],
    [-1.1, 0.2],
    [0.95, -0.4],
  ];
  for (const method of quadraticMethodNames) {
    for (const delay of [0, 1, 3, 8]) {
      for (const inconsistency of [0, 0.5]) {
        const r = quadraticRecurrence(method, { h: 0.03, momentum: 0.8, delay, inconsistency, gamma: 0.7 });
        const A = transitionMatrix(r);
        const chi = characteristicPolynomial(r);
        const k = A.length - (chi.length - 1);
        t.equal(A.length, stateLayout(r).size, `${method}, D = ${delay}: A is ${A.length}×${A.length}`);
        let worst = 0;
        for (const [zr, zi] of points) {
          const re = A.map((row, i) => row.map((x, j) => (i === j ? zr : 0) - x));
          const im = A.map((row, i) => row.map((_, j) => (i === j ? zi : 0)));
          const [dr, di] = complexDeterminant(re, im);
          const [cr, ci] = evaluatePolynomial(chi, zr, zi);
          // z^k·χ(z)
          const mod = Math.pow(Math.hypot(zr, zi), k);
          const arg = k * Math.atan2(zi, zr);
          const er = mod * (Math.cos(arg) * cr - Math.sin(arg) * ci);
          const ei = mod * (Math.cos(arg) * ci + Math.sin(arg) * cr);
          worst = Math.max(worst, Math.hypot(dr - er, di - ei) / Math.max(1e-300, Math.hypot(er, ei)));
        }
        t.ok(k >= 0 && worst < 1e-10, `${method}, D = ${delay}, ρ = ${inconsistency}: det(zI − A) = z^${k}·χ(z) (relative error ${worst.toExponential(2)})`);
      }
    }
  }
  t.end();
});

test('quadratic: the rate from the roots equals the rate measured by running the recurrence (converging and diverging cases)', (t) => {
  const cases: [string, QuadraticSetting][] = [
    ['pb', { h: 0.02, momentum: 0.9, delay: 4 }],
    ['pb', { h: 0.01, momentum: 0.9, delay: 16 }],
    ['pb+sc', { h: 0.02, momentum: 0.9, delay: 4 }],
    ['pb+lwp', { h: 0.01, momentum: 0.9, delay: 8 }],
    ['pb+sc+lwp', { h: 0.001, momentum: 0.99, delay: 8 }],
    ['pb+sc+lwp', { h: 0.02, momentum: 0.9, delay: 16 }],
    ['spectrain', { h: 0.02, momentum: 0.9, delay: 2 }],
    ['pipemare', { h: 0.01, momentum: 0.9, delay: 6, inconsistency: 0.5 }],
    ['pb+sc', { h: 0.05, momentum: 0.95, delay: 12, inconsistency: -0.3 }],
  ];
  for (const [method, setting] of cases) {
    const r = quadraticRecurrence(method, setting);
    const fromRoots = convergenceRate(r);
    const measured = measuredRate(r);
    t.ok(
      Math.abs(fromRoots - measured) < 2e-6,
      `${method} at h = ${setting.h}, m = ${setting.momentum}, D = ${setting.delay}: roots give ${fromRoots.toFixed(7)}, running gives ${measured.toFixed(7)}`,
    );
  }
  t.end();
});

test('quadratic: D = 0 is heavy-ball momentum, χ = z² − (1 + m − h)·z + m, for every method', (t) => {
  for (const method of quadraticMethodNames) {
    for (const [h, m] of [
      [0.5, 0.9],
      [3.9, 0.99],
      [0.01, 0],
    ]) {
      const chi = characteristicPolynomial(quadraticRecurrence(method, { h, momentum: m, delay: 0 }));
      t.deepEqual(chi.map((c) => +c.toPrecision(12)), [m, -(1 + m - h), 1].map((c) => +c.toPrecision(12)), `${method}, h = ${h}, m = ${m}`);
    }
  }
  t.end();
});

test('quadratic: the rate at D = 0 is the larger root modulus of the heavy-ball quadratic, worked by hand', (t) => {
  // z² − (1 + m − h)z + m: complex roots of modulus √m when (1 + m − h)² < 4m, else real.
  for (const [h, m] of [
    [0.5, 0.9],
    [0.001, 0.9],
    [3.7, 0.9],
    [0.3, 0],
  ]) {
    const p = 1 + m - h;
    const disc = p * p - 4 * m;
    const expected = disc < 0 ? Math.sqrt(m) : (Math.abs(p) + Math.sqrt(disc)) / 2;
    const got = convergenceRate(quadraticRecurrence('pb', { h, momentum: m, delay: 0 }));
    t.ok(Math.abs(got - expected) < 1e-12, `h = ${h}, m = ${m}: ${expected}, got ${got}`);
  }
  t.end();
});

test('quadratic: with m = 0, delayed GD w_{t+1} = w_t − h·w_{t−1} converges at the rate of z² − z + h', (t) => {
  for (const h of [0.1, 0.25, 0.5, 0.99, 1.01]) {
    const expected = h <= 0.25 ? (1 + Math.sqrt(1 - 4 * h)) / 2 : Math.sqrt(h);
    const got = convergenceRate(quadraticRecurrence('pb', { h, momentum: 0, delay: 1 }));
    t.ok(Math.abs(got - expected) < 1e-7, `h = ${h}: ${expected.toFixed(9)}, got ${got.toFixed(9)}`);
  }
  t.end();
});

test('quadratic: SC and LWP at D = 0 are plain momentum; SC at m = 0 is plain delayed GD; SpecTrain is LWP; PipeMare is PB when ρ = 0', (t) => {
  const same = (a: Recurrence, b: Recurrence, what: string) => {
    const wa = weightTrajectory(a, 1, 200);
    const wb = weightTrajectory(b, 1, 200);
    t.deepEqual([...wa], [...wb], what);
  };
  for (const method of ['pb+sc', 'pb+lwp', 'pb+sc+lwp']) {
    same(quadraticRecurrence(method, { h: 0.3, momentum: 0.9, delay: 0 }), quadraticRecurrence('pb', { h: 0.3, momentum: 0.9, delay: 0 }), `${method} at D = 0: the same weights as pb, bit for bit`);
  }
  same(quadraticRecurrence('pb+sc', { h: 0.2, momentum: 0, delay: 3 }), quadraticRecurrence('pb', { h: 0.2, momentum: 0, delay: 3 }), 'pb+sc at m = 0, D = 3: the same as pb');
  same(quadraticRecurrence('spectrain', { h: 0.02, momentum: 0.9, delay: 6, inconsistency: 0.5 }), quadraticRecurrence('pb+lwp', { h: 0.02, momentum: 0.9, delay: 6, inconsistency: 0.5 }), 'spectrain is pb+lwp (its backward horizon is 0 in PB)');
  same(quadraticRecurrence('pipemare', { h: 0.02, momentum: 0.9, delay: 6 }), quadraticRecurrence('pb', { h: 0.02, momentum: 0.9, delay: 6 }), 'pipemare is pb at ρ = 0: the backward weights do not reach the gradient');
  const pipemare = weightTrajectory(quadraticRecurrence('pipemare', { h: 0.02, momentum: 0.9, delay: 6, inconsistency: 0.5 }), 1, 50);
  const pb = weightTrajectory(quadraticRecurrence('pb', { h: 0.02, momentum: 0.9, delay: 6, inconsistency: 0.5 }), 1, 50);
  t.notEqual(pipemare[50], pb[50], 'at ρ = 0.5 the correction changes the weights');
  t.end();
});

test('quadratic: SC at D = 1 mixes like Nesterov (a = m, b = 1), and with an undelayed gradient has Nesterov’s limit h < 2(1 + m)/(1 + 2m)', (t) => {
  const m = 0.9;
  t.deepEqual(quadraticRecurrence('pb+sc', { h: 0.1, momentum: m, delay: 1 }).mix, { a: m, b: 1 }, 'a = m, b = 1');
  // Nesterov without delay: χ = z² − (1 + m)(1 − h)z + m(1 − h); χ(−1) > 0 ⇔ h < 2(1 + m)/(1 + 2m).
  const limit = (2 * (1 + m)) / (1 + 2 * m);
  const nesterov = (h: number): Recurrence => ({ ...quadraticRecurrence('pb', { h, momentum: m, delay: 0 }), mix: { a: m, b: 1 } });
  t.ok(convergenceRate(nesterov(limit * (1 - 1e-9))) < 1, `stable just below ${limit}`);
  t.ok(convergenceRate(nesterov(limit * (1 + 1e-9))) > 1, `unstable just above ${limit}`);
  t.end();
});

test('quadratic: ρ = 1 (the whole gradient at the backward’s weights) removes the staleness: PB at any D converges as at D = 0', (t) => {
  for (const delay of [1, 5, 20]) {
    const got = convergenceRate(quadraticRecurrence('pb', { h: 0.5, momentum: 0.9, delay, inconsistency: 1 }));
    t.ok(Math.abs(got - Math.sqrt(0.9)) < 1e-7, `D = ${delay}: rate √0.9, got ${got}`);
  }
  t.end();
});

test('quadratic: bad settings are refused with a message naming the input', (t) => {
  t.throws(() => quadraticRecurrence('pb+stash', { h: 0.1, momentum: 0.9, delay: 1 }), /unknown method 'pb\+stash'.*valid methods: pb, pb\+sc/, 'unknown method');
  t.throws(() => convergenceRate(quadraticRecurrence('pb', { h: 0.1, momentum: 1, delay: 1 })), /momentum must be in \[0, 1\)/, 'momentum 1');
  t.throws(() => convergenceRate(quadraticRecurrence('pb', { h: 0.1, momentum: 0.9, delay: -1 })), /delay must be an integer >= 0/, 'negative delay');
  t.throws(() => convergenceRate(quadraticRecurrence('pb', { h: NaN, momentum: 0.9, delay: 1 })), /h = η·λ must be/, 'NaN h');
  t.end();
});
