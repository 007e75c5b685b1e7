/**
 * `pb` on a 2-stage ReLU MLP agrees with an independent float64 reference of DESIGN §5.
 *
 * The reference below is plain JavaScript arithmetic, written from DESIGN §5 and not
 * from the engine: sample `j` runs stage 1's forward with the weights of version
 * `max(0, j − 2)` (`D_1 = 2`) and stage 2's with version `j` (`D_2 = 0`); the backward
 * uses each stage's current weights and every value the forward stored (at stage 1, the
 * pre-activation and its ReLU mask); each stage then takes one SGD step. The learning
 * rate is large enough that stage-1 ReLU units flip sign within the two updates between
 * forward and backward, which the test checks, together with a variant of the reference
 * that recomputes the mask at the backward's weights (which must disagree).
 */
import test from 'tape';
import { cast, fromArray, Rng, type Tensor } from '../../core/index.js';
import { Linear, ReLU, Sequential } from '../../nn/index.js';
import { sgd } from '../../optim/index.js';
import { Pipeline } from '../../pipeline/index.js';

const IN = 3, HID = 4, OUT = 2;
const SAMPLES = 12;
const LR = 0.4;

interface Weights {
  w1: number[]; // [HID, IN]
  b1: number[];
  w2: number[]; // [OUT, HID]
  b2: number[];
}

interface Sample {
  x: number[];
  target: number[];
}

/** `W·v + b` for a row-major `[rows, cols]` matrix. */
function affine(w: readonly number[], b: readonly number[], v: readonly number[]): number[] {
  return b.map((bias, r) => v.reduce((acc, vi, c) => acc + w[r * v.length + c] * vi, bias));
}

/**
 * The reference run. `maskFrom` says which stage-1 pre-activation decides the ReLU
 * mask in the backward: `'stored'` (DESIGN §5) or `'current'` (recomputed at the
 * backward's weights, the behaviour to rule out).
 */
function reference(start: Weights, data: readonly Sample[], maskFrom: 'stored' | 'current') {
  const history: Weights[] = [start]; // stage-1 versions 0, 1, 2, …
  let w1 = start.w1.slice(), b1 = start.b1.slice(), w2 = start.w2.slice(), b2 = start.b2.slice();
  const losses: number[] = [];
  let flips = 0;
  data.forEach(({ x, target }, j) => {
    const old = history[Math.max(0, j - 2)];
    const z = affine(old.w1, old.b1, x); // stored at stage 1's forward
    const h = z.map((v) => Math.max(v, 0));
    const y = affine(w2, b2, h); // stage 2: no delay
    losses.push(y.reduce((acc, yi, o) => acc + (yi - target[o]) ** 2, 0) / OUT);
    const dy = y.map((yi, o) => (2 * (yi - target[o])) / OUT); // d mean((y − t)²) / dy
    const dh = h.map((_, k) => dy.reduce((acc, g, o) => acc + g * w2[o * HID + k], 0)); // W2ᵀ·dy, current W2
    w2 = w2.map((w, i) => w - LR * dy[Math.floor(i / HID)] * h[i % HID]);
    b2 = b2.map((b, o) => b - LR * dy[o]);
    const zNow = affine(w1, b1, x);
    flips += z.filter((v, k) => v > 0 !== zNow[k] > 0).length;
    const mask = maskFrom === 'stored' ? z : zNow;
    const dz = dh.map((g, k) => (mask[k] > 0 ? g : 0));
    w1 = w1.map((w, i) => w - LR * dz[Math.floor(i / IN)] * x[i % IN]);
    b1 = b1.map((b, k) => b - LR * dz[k]);
    history.push({ w1: w1.slice(), b1: b1.slice(), w2, b2 });
  });
  return { losses, final: { w1, b1, w2, b2 }, flips };
}

const maxAbsDiff = (a: ArrayLike<number>, b: readonly number[]): number => {
  let worst = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

test('pb on a 2-stage ReLU MLP equals the float64 reference of DESIGN §5, ReLU flips included', (t) => {
  const rng = new Rng(31);
  const model = Sequential.fromEntries([
    ['fc1', new Linear(IN, HID, { rng })],
    ['relu1', new ReLU()],
    ['fc2', new Linear(HID, OUT, { rng })],
  ]);
  for (const [name, w] of model.namedParameters()) model.setParameter(name, cast(w, 'float64').requireGrad());
  const p = new Map(model.namedParameters());
  const values = (name: string): number[] => Array.from(p.get(name)!.data);
  const start: Weights = { w1: values('fc1.weight'), b1: values('fc1.bias'), w2: values('fc2.weight'), b2: values('fc2.bias') };
  const data: Sample[] = Array.from({ length: SAMPLES }, () => ({
    x: Array.from({ length: IN }, () => rng.normal()),
    target: Array.from({ length: OUT }, () => rng.normal()),
  }));

  const pipe = new Pipeline({ units: model.pipelineUnits(), method: 'pb', optimizer: sgd({ lr: LR }) });
  t.deepEqual(pipe.stages.map((s) => s.delay), [2, 0], 'two stages, D_1 = 2 and D_2 = 0');
  const losses: number[] = [];
  const asTensor = (v: number[], shape: number[]): Tensor => fromArray(v, shape, 'float64');
  pipe.run(SAMPLES, (j) => ({ input: asTensor(data[j].x, [1, IN]), target: asTensor(data[j].target, [1, OUT]) }), (r) => (losses[r.sample] = r.loss));

  const want = reference(start, data, 'stored');
  t.ok(want.flips > 0, `stage-1 ReLU units flip sign between forward and backward weights (${want.flips} times in ${SAMPLES} samples)`);
  const lossGap = maxAbsDiff(losses, want.losses);
  t.ok(lossGap < 1e-12, `every sample's loss equals the reference (max |Δ| ${lossGap.toExponential(1)}, expected < 1e-12)`);
  const got = pipe.params();
  for (const [name, key] of [['fc1.weight', 'w1'], ['fc1.bias', 'b1'], ['fc2.weight', 'w2'], ['fc2.bias', 'b2']] as const) {
    const gap = maxAbsDiff(got.get(name)!.data, want.final[key]);
    t.ok(gap < 1e-12, `final ${name} equals the reference (max |Δ| ${gap.toExponential(1)})`);
  }

  const recomputed = reference(start, data, 'current');
  const apart = maxAbsDiff(recomputed.final.w1, want.final.w1);
  t.ok(apart > 1e-3, `a run with the mask recomputed at the backward's weights ends ${apart.toFixed(4)} away in fc1.weight (must be > 1e-3)`);
  t.end();
});
