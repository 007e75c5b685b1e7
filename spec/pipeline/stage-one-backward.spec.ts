/**
 * The backward of stage 1 substitutes the weights and nothing else (DESIGN §5).
 *
 * Stage 1's input is data, which needs no gradient. Its backward must still use the
 * forward's stored values — the pre-activation, the ReLU mask, the normalization
 * statistics — and only the weights of the backward's version. Each test writes the
 * network out by hand in float64 plain JavaScript (no pipegrad ops), computes the
 * expected gradients from the stored mask, checks that a ReLU unit really flips sign
 * between the forward's and the backward's weights, and checks that the gradient
 * recomputed at the backward's weights differs, so the test cannot pass by accident.
 */
import test from 'tape';
import { crossEntropy, fromArray, Rng, Tensor } from '../../core/index.js';
import { Conv2d, GroupNorm, Linear, ReLU, Sequential } from '../../nn/index.js';
import { sgd, type Params } from '../../optim/index.js';
import { Pipeline, type InFlight, type PipelineStage } from '../../pipeline/index.js';

const TOL = 1e-12;

const t64 = (values: readonly number[], shape: readonly number[]): Tensor => fromArray(values, shape, 'float64');
const normals = (rng: Rng, n: number, std = 1): number[] => Array.from({ length: n }, () => std * rng.normal());
const params = (entries: Record<string, Tensor>): Params => new Map(Object.entries(entries));

/** Largest |a_i − b_i| / (1 + |b_i|). */
function maxRelError(a: ArrayLike<number>, b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** How many entries are positive in one array and not in the other (ReLU units that flip). */
function flips(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0 !== b[i] > 0) n++;
  return n;
}

/** The stages of a pipeline cut one unit per stage; the tests hand each pass its weights. */
function stagesOf(model: Sequential): PipelineStage[] {
  return new Pipeline({ units: model.pipelineUnits(), method: 'sgd', optimizer: sgd({ lr: 0 }) }).stages;
}

// ---------------------------------------------------------------------------------
// (a) A two-stage ReLU MLP: stage 1 = Linear(3→4) + ReLU, stage 2 = Linear(4→2) + CE.
// ---------------------------------------------------------------------------------

const N = 2, IN = 3, HID = 4, OUT = 2;
const LABELS = [1, 0];

/** Stage 1's pre-activation `z = x·Wᵀ + b`, `[N, HID]` row-major. */
function linearForward(x: readonly number[], w: readonly number[], b: readonly number[], n: number, inF: number, outF: number): number[] {
  const z = new Array<number>(n * outF).fill(0);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outF; o++) {
      let acc = b[o];
      for (let k = 0; k < inF; k++) acc += x[i * inF + k] * w[o * inF + k];
      z[i * outF + o] = acc;
    }
  }
  return z;
}

/** Gradient of the mean cross-entropy with respect to the hidden activation `h`: `((softmax(h·W2ᵀ + b2) − onehot) / N)·W2`. */
function hiddenGradient(h: readonly number[], w2: readonly number[], b2: readonly number[]): number[] {
  const logits = linearForward(h, w2, b2, N, HID, OUT);
  const dh = new Array<number>(N * HID).fill(0);
  for (let i = 0; i < N; i++) {
    const row = logits.slice(i * OUT, (i + 1) * OUT);
    const top = Math.max(...row);
    const e = row.map((v) => Math.exp(v - top));
    const total = e.reduce((a, v) => a + v, 0);
    for (let o = 0; o < OUT; o++) {
      const dlogit = (e[o] / total - (o === LABELS[i] ? 1 : 0)) / N;
      for (let k = 0; k < HID; k++) dh[i * HID + k] += dlogit * w2[o * HID + k];
    }
  }
  return dh;
}

interface MlpStageOneGradients {
  weight: number[];
  bias: number[];
  input: number[];
}

/**
 * Stage 1's backward by hand, given the gradient `dh` stage 2 sent back, the
 * pre-activation `z` whose sign decides the ReLU mask, and the backward's `W1`:
 * `dz = dh ⊙ [z > 0]`, `dW1 = dzᵀ·x`, `db1 = Σ_n dz`, `dx = dz·W1`.
 */
function mlpStageOne(x: readonly number[], dh: readonly number[], z: readonly number[], w1: readonly number[]): MlpStageOneGradients {
  const dz = dh.map((g, i) => (z[i] > 0 ? g : 0));
  const weight = new Array<number>(HID * IN).fill(0);
  const bias = new Array<number>(HID).fill(0);
  const input = new Array<number>(N * IN).fill(0);
  for (let i = 0; i < N; i++) {
    for (let o = 0; o < HID; o++) {
      const g = dz[i * HID + o];
      bias[o] += g;
      for (let k = 0; k < IN; k++) {
        weight[o * IN + k] += g * x[i * IN + k];
        input[i * IN + k] += g * w1[o * IN + k];
      }
    }
  }
  return { weight, bias, input };
}

/**
 * The expected PB values: stage 1's forward ran with (`w1f`, `b1f`) and stored `z_fwd`;
 * stage 2 (no delay) sends back `dh` computed from the stored `h = relu(z_fwd)`; the
 * backward uses the stored mask `[z_fwd > 0]` and the backward's `W1`.
 */
function mlpExpected(v: ReturnType<typeof mlpWeights>) {
  const zFwd = linearForward(v.x, v.w1f, v.b1f, N, IN, HID);
  const dh = hiddenGradient(zFwd.map((z) => Math.max(z, 0)), v.w2, v.b2);
  return { zFwd, dh, grads: mlpStageOne(v.x, dh, zFwd, v.w1b) };
}

/** Data and weights of the 2-stage MLP; stage 1's backward weights are its forward weights plus a random step (the `D_1 = 2` updates in between). */
function mlpWeights() {
  const rng = new Rng(2026);
  const x = normals(rng, N * IN);
  const w1f = normals(rng, HID * IN, 0.8);
  const b1f = normals(rng, HID, 0.3);
  // A step large enough to move some pre-activation across 0 (the test checks that one does).
  const w1b = w1f.map((w) => w + normals(rng, 1, 0.4)[0]);
  const b1b = b1f.map((b) => b + normals(rng, 1, 0.2)[0]);
  const w2 = normals(rng, OUT * HID, 0.8);
  const b2 = normals(rng, OUT, 0.3);
  return { x, w1f, b1f, w1b, b1b, w2, b2 };
}

/** Run the 2-stage MLP through `PipelineStage`: stage 1 forward with (`w1f`, `b1f`), backward with (`w1b`, `b1b`). */
function runMlp(inputRequiresGrad: boolean) {
  const v = mlpWeights();
  const model = Sequential.fromEntries([
    ['fc1', new Linear(IN, HID, { rng: new Rng(0) })],
    ['relu1', new ReLU()],
    ['fc2', new Linear(HID, OUT, { rng: new Rng(0) })],
  ]);
  const [s1, s2] = stagesOf(model);
  const forward1 = params({ 'fc1.weight': t64(v.w1f, [HID, IN]), 'fc1.bias': t64(v.b1f, [HID]) });
  const backward1 = params({ 'fc1.weight': t64(v.w1b, [HID, IN]), 'fc1.bias': t64(v.b1b, [HID]) });
  const weights2 = params({ 'fc2.weight': t64(v.w2, [OUT, HID]), 'fc2.bias': t64(v.b2, [OUT]) });

  const x = t64(v.x, [N, IN]);
  if (inputRequiresGrad) x.requireGrad();
  const out1 = s1.forward([x], forward1);
  const sent = out1.map((o) => o.detach().requireGrad());
  const loss = crossEntropy(s2.forward(sent, weights2)[0], LABELS);
  const rec2: InFlight = { sample: 0, inputs: sent, outputs: [loss], weights: weights2, version: 0 };
  const rec1: InFlight = { sample: 0, inputs: [x], outputs: out1, weights: forward1, version: 0 };
  const b2 = s2.backward(rec2, [t64([1], [])], weights2);
  const b1 = s1.backward(rec1, b2.inputGrads, backward1);
  return { v, b1, b2 };
}

test('stage 1 of a ReLU MLP: the weight gradient uses the stored mask, with data as input', (t) => {
  const { v, b1, b2 } = runMlp(false);
  const { zFwd, dh, grads: expected } = mlpExpected(v);
  const zNow = linearForward(v.x, v.w1b, v.b1b, N, IN, HID);
  t.ok(flips(zFwd, zNow) > 0, `a ReLU unit flips sign between the forward's and the backward's weights (${flips(zFwd, zNow)} of ${N * HID})`);
  t.ok(maxRelError(b2.inputGrads[0]!.data, dh) < TOL, 'stage 2 sends back dh = ((softmax − onehot)/N)·W2');
  const dW = b1.paramGrads.get('fc1.weight')!.data;
  const db = b1.paramGrads.get('fc1.bias')!.data;
  t.ok(maxRelError(dW, expected.weight) < TOL, `dW1 = (dh ⊙ [z_fwd > 0])ᵀ·x (max rel. error ${maxRelError(dW, expected.weight).toExponential(1)}, expected < ${TOL})`);
  t.ok(maxRelError(db, expected.bias) < TOL, `db1 = Σ_n dh ⊙ [z_fwd > 0] (max rel. error ${maxRelError(db, expected.bias).toExponential(1)})`);
  t.equal(b1.inputGrads[0], null, 'data receives no gradient');

  // Stage 1's forward recomputed at the backward's weights (the mask from z_bwd): what must NOT come out.
  const recomputed = mlpStageOne(v.x, dh, zNow, v.w1b);
  const gap = maxAbsDiff(expected.weight, recomputed.weight);
  t.ok(gap > 1e-3, `the gradient from the mask at the backward's weights differs from the stored-mask one by ${gap.toFixed(4)} (must be > 1e-3)`);
  t.ok(maxAbsDiff(Array.from(dW), recomputed.weight) > 1e-3, 'and stage 1 does not return the recomputed-mask gradient');
  t.end();
});

test('stage 1 of a ReLU MLP: with an input that requires a gradient, dx = (dh ⊙ stored mask)·W_bwd', (t) => {
  const { v, b1 } = runMlp(true);
  const expected = mlpExpected(v).grads;
  const dx = b1.inputGrads[0]!.data;
  t.ok(maxRelError(dx, expected.input) < TOL, `dx uses the stored mask and the backward's W1 (max rel. error ${maxRelError(dx, expected.input).toExponential(1)})`);
  const dW = b1.paramGrads.get('fc1.weight')!.data;
  t.ok(maxRelError(dW, expected.weight) < TOL, 'dW1 is the same as with data as input');
  t.end();
});

// ---------------------------------------------------------------------------------
// (b) A conv + GroupNorm + ReLU first stage, backward written out by hand.
// ---------------------------------------------------------------------------------

const CN = 2, CIN = 1, COUT = 2, H = 4, W = 4, K = 3, PAD = 1, EPS = 1e-5;
const IMG = COUT * H * W;

interface ConvStageWeights {
  conv: number[];
  convBias: number[];
  gamma: number[];
  beta: number[];
}

/** `y[n,o,i,j] = b[o] + Σ_{c,a,e} W[o,c,a,e]·x[n,c,i+a−PAD,j+e−PAD]` (zero padding), `[CN, COUT, H, W]`. */
function convForward(x: readonly number[], w: readonly number[], b: readonly number[]): number[] {
  const y = new Array<number>(CN * IMG).fill(0);
  for (let n = 0; n < CN; n++) {
    for (let o = 0; o < COUT; o++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          let acc = b[o];
          for (let c = 0; c < CIN; c++) {
            for (let a = 0; a < K; a++) {
              for (let e = 0; e < K; e++) {
                const p = i + a - PAD, q = j + e - PAD;
                if (p < 0 || p >= H || q < 0 || q >= W) continue;
                acc += w[((o * CIN + c) * K + a) * K + e] * x[((n * CIN + c) * H + p) * W + q];
              }
            }
          }
          y[((n * COUT + o) * H + i) * W + j] = acc;
        }
      }
    }
  }
  return y;
}

/** One group over all channels: per sample, `x̂ = (y − μ)/√(σ² + ε)` with the biased variance; returns `x̂` and `1/√(σ² + ε)`. */
function groupNormalize(y: readonly number[]): { xhat: number[]; invStd: number[] } {
  const xhat = new Array<number>(y.length);
  const invStd: number[] = [];
  for (let n = 0; n < CN; n++) {
    const part = y.slice(n * IMG, (n + 1) * IMG);
    const mu = part.reduce((a, v) => a + v, 0) / IMG;
    const variance = part.reduce((a, v) => a + (v - mu) ** 2, 0) / IMG;
    const s = 1 / Math.sqrt(variance + EPS);
    invStd.push(s);
    part.forEach((v, k) => (xhat[n * IMG + k] = (v - mu) * s));
  }
  return { xhat, invStd };
}

const channelOf = (index: number): number => Math.floor(index / (H * W)) % COUT;

/** The pre-activation `z = γ[o]·x̂ + β[o]` of the stage at `weights`. */
function convStagePreActivation(x: readonly number[], weights: ConvStageWeights): number[] {
  const { xhat } = groupNormalize(convForward(x, weights.conv, weights.convBias));
  return xhat.map((v, k) => weights.gamma[channelOf(k)] * v + weights.beta[channelOf(k)]);
}

/**
 * The PB gradients of the stage for the output gradient `delta`, by hand: forward at
 * `fwd`, backward at `bwd`, every sample-dependent value from the forward.
 * - ReLU: `dz = δ ⊙ [z_fwd > 0]`
 * - affine: `dγ[o] = Σ dz·x̂_fwd`, `dβ[o] = Σ dz`, `dx̂ = dz·γ_bwd[o]`
 * - GroupNorm: `dy = s_fwd·(dx̂ − mean(dx̂) − x̂_fwd·mean(dx̂·x̂_fwd))` over each sample's group
 * - conv: `dW[o,c,a,e] = Σ dy[n,o,i,j]·x[n,c,i+a−1,j+e−1]`, `db[o] = Σ dy`,
 *   `dx[n,c,p,q] = Σ dy[n,o,p−a+1,q−e+1]·W_bwd[o,c,a,e]`
 */
function convStageOne(x: readonly number[], delta: readonly number[], fwd: ConvStageWeights, bwd: ConvStageWeights) {
  const { xhat, invStd } = groupNormalize(convForward(x, fwd.conv, fwd.convBias));
  const z = xhat.map((v, k) => fwd.gamma[channelOf(k)] * v + fwd.beta[channelOf(k)]);
  const dz = delta.map((g, k) => (z[k] > 0 ? g : 0));
  const gamma = new Array<number>(COUT).fill(0);
  const beta = new Array<number>(COUT).fill(0);
  dz.forEach((g, k) => {
    gamma[channelOf(k)] += g * xhat[k];
    beta[channelOf(k)] += g;
  });
  const dxhat = dz.map((g, k) => g * bwd.gamma[channelOf(k)]);
  const dy = new Array<number>(dz.length);
  for (let n = 0; n < CN; n++) {
    let meanD = 0, meanDX = 0;
    for (let k = n * IMG; k < (n + 1) * IMG; k++) {
      meanD += dxhat[k] / IMG;
      meanDX += (dxhat[k] * xhat[k]) / IMG;
    }
    for (let k = n * IMG; k < (n + 1) * IMG; k++) dy[k] = invStd[n] * (dxhat[k] - meanD - xhat[k] * meanDX);
  }
  const conv = new Array<number>(COUT * CIN * K * K).fill(0);
  const convBias = new Array<number>(COUT).fill(0);
  const input = new Array<number>(CN * CIN * H * W).fill(0);
  for (let n = 0; n < CN; n++) {
    for (let o = 0; o < COUT; o++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          const g = dy[((n * COUT + o) * H + i) * W + j];
          convBias[o] += g;
          for (let c = 0; c < CIN; c++) {
            for (let a = 0; a < K; a++) {
              for (let e = 0; e < K; e++) {
                const p = i + a - PAD, q = j + e - PAD;
                if (p < 0 || p >= H || q < 0 || q >= W) continue;
                const wi = ((o * CIN + c) * K + a) * K + e, xi = ((n * CIN + c) * H + p) * W + q;
                conv[wi] += g * x[xi];
                input[xi] += g * bwd.conv[wi];
              }
            }
          }
        }
      }
    }
  }
  return { conv, convBias, gamma, beta, input, preActivation: z };
}

function convParams(w: ConvStageWeights): Params {
  return params({
    'conv.weight': t64(w.conv, [COUT, CIN, K, K]),
    'conv.bias': t64(w.convBias, [COUT]),
    'norm.weight': t64(w.gamma, [COUT]),
    'norm.bias': t64(w.beta, [COUT]),
  });
}

test('stage 1 = conv + GroupNorm + ReLU: weight and input gradients use the stored conv output, statistics and mask', (t) => {
  const rng = new Rng(77);
  const x = normals(rng, CN * CIN * H * W);
  const delta = normals(rng, CN * IMG);
  const fwd: ConvStageWeights = { conv: normals(rng, COUT * CIN * K * K, 0.5), convBias: normals(rng, COUT, 0.2), gamma: normals(rng, COUT, 0.3).map((g) => 1 + g), beta: normals(rng, COUT, 0.3) };
  const step = (values: number[], std: number): number[] => values.map((w) => w + normals(rng, 1, std)[0]);
  const bwd: ConvStageWeights = { conv: step(fwd.conv, 0.3), convBias: step(fwd.convBias, 0.2), gamma: step(fwd.gamma, 0.2), beta: step(fwd.beta, 0.3) };

  const model = Sequential.fromEntries([
    ['conv', new Conv2d(CIN, COUT, K, { padding: PAD, rng: new Rng(0) })],
    ['norm', new GroupNorm(1, COUT, { eps: EPS })],
    ['relu', new ReLU()],
    ['fc', new Linear(IMG, 1, { rng: new Rng(0) })],
  ]);
  const [s1] = stagesOf(model);
  t.equal(s1.units.length, 1, 'conv, norm and relu form stage 1');

  for (const inputRequiresGrad of [false, true]) {
    const input = t64(x, [CN, CIN, H, W]);
    if (inputRequiresGrad) input.requireGrad();
    const forward = convParams(fwd);
    const out = s1.forward([input], forward);
    const rec: InFlight = { sample: 0, inputs: [input], outputs: out, weights: forward, version: 0 };
    const got = s1.backward(rec, [t64(delta, [CN, COUT, H, W])], convParams(bwd));
    const expected = convStageOne(x, delta, fwd, bwd);
    const label = inputRequiresGrad ? 'input with a gradient' : 'data as input';
    const check = (name: string, want: number[]): void => {
      const err = maxRelError(got.paramGrads.get(name)!.data, want);
      t.ok(err < TOL, `${label}: ${name} gradient by hand from the stored values (max rel. error ${err.toExponential(1)}, expected < ${TOL})`);
    };
    check('conv.weight', expected.conv);
    check('conv.bias', expected.convBias);
    check('norm.weight', expected.gamma);
    check('norm.bias', expected.beta);
    if (inputRequiresGrad) {
      const err = maxRelError(got.inputGrads[0]!.data, expected.input);
      t.ok(err < TOL, `${label}: dx through the stored statistics and the backward's conv weights (max rel. error ${err.toExponential(1)})`);
    } else {
      t.equal(got.inputGrads[0], null, 'data receives no gradient');
      const zNow = convStagePreActivation(x, bwd);
      const flipped = flips(expected.preActivation, zNow);
      t.ok(flipped > 0, `ReLU units flip sign between the forward's and the backward's weights (${flipped} of ${zNow.length})`);
      const recomputed = convStageOne(x, delta, bwd, bwd);
      const gap = maxAbsDiff(Array.from(got.paramGrads.get('conv.weight')!.data), recomputed.conv);
      t.ok(gap > 1e-3, `the conv weight gradient differs by ${gap.toFixed(4)} from the one recomputed at the backward's weights (must be > 1e-3)`);
    }
  }
  t.end();
});
