/**
 * An independent float64 reference of DESIGN §5–§6, for a ReLU MLP, in plain numbers.
 *
 * It shares no code with pipegrad: no tensors, ops, autodiff, optimizer, engine,
 * schedules or accounting. Everything below is written from DESIGN's formulas, so the
 * suite can hold the engine to the design rather than to another path through the same
 * code (the lesson of issue 10).
 *
 * The network: stages `s = 1..S`, each one linear layer `z = W·h + b` (`W` stored
 * `[out][in]`, row-major, as pipegrad stores it); stages `1..S−1` apply ReLU, the last
 * stage's `z` are the logits of a softmax cross-entropy loss `L = logΣexp(z) − z_y`, whose
 * gradient is `softmax(z) − onehot(y)`. Cross-entropy because it is the loss pipegrad's
 * pipelines train classifiers with, and its gradient is one line.
 *
 * Training follows DESIGN §5's sequential order, sample by sample (`j = 0, 1, …`):
 *
 * 1. Forward through every stage `s` with the weights the method's forward policy derives
 *    from version `k = max(0, j − D_s)`, storing the input, the pre-activation and the
 *    ReLU mask (`D_s = 2(S − s)` for the PB schedule, `0` for sgd, gpipe and 1f1b).
 * 2. Backward from the last stage down: `gz = gOut ⊙ mask` with the STORED mask,
 *    `∂W = gz ⊗ input` with the STORED input, `∂b = gz`, and the input gradient
 *    `Wᴮᵀ·gz` with the method's backward weights `Wᴮ` — only the weights change.
 * 3. Update every stage: `g ← ∂ + λ·w`, `v ← m·v + g`, `w ← w − η·v` (PyTorch form), or
 *    with Spike Compensation `w ← w − η·(a·v + b·g)`, `a = m^D`, `b = (1 − m^D)/(1 − m)`.
 *
 * GPipe and 1F1B are SGD with batch `M`: every sample of a round of `M` uses the same
 * weights and one update applies the mean gradient.
 *
 * @module
 */

/** One stage's weights: `weight[o·in + i]` is `W[o][i]`; `bias[o]` is `b[o]`. */
export interface ReferenceLayer {
  /** Input features. */
  inFeatures: number;
  /** Output features. */
  outFeatures: number;
  /** `W`, `[out][in]` row-major. */
  weight: number[];
  /** `b`, `[out]`. */
  bias: number[];
}

/** One training example: input features and a class label. */
export interface ReferenceSample {
  /** The input `x`. */
  x: number[];
  /** The class label `y`. */
  y: number;
}

/** PipeMare's settings (DESIGN §6). */
export interface ReferencePipeMare {
  /** `γ` of the weight-change average `δ`. */
  gamma: number;
  /** Samples over which the warm-up exponent `p` falls from 1 to 0. */
  warmupSamples: number;
}

/** What to train and how. */
export interface ReferenceConfig {
  /** A method name: `sgd`, `pb`, `stash`, `spectrain`, `pipemare`, `gpipe`, `1f1b`, optionally `+sc`, `+lwp`, `+sc+lwp`. */
  method: string;
  /** The initial weights of stages 1..S. */
  layers: ReferenceLayer[];
  /** Learning rate `η` (constant). */
  lr: number;
  /** Momentum `m`. */
  momentum: number;
  /** Weight decay `λ`, added to the gradient before momentum. */
  weightDecay: number;
  /** Micro-batches `M` per update for gpipe and 1f1b. */
  microBatches?: number;
  /** PipeMare's settings (for `pipemare`). */
  pipemare?: ReferencePipeMare;
}

/** The weight version one pass used. */
export interface ReferenceVersion {
  /** Sample index. */
  sample: number;
  /** Stage, 1-based. */
  stage: number;
  /** `F` or `B`. */
  phase: 'F' | 'B';
  /** Updates the weights (or the state they were predicted from) had absorbed. */
  version: number;
}

/** What a reference run produces. */
export interface ReferenceResult {
  /** The loss of every sample, at its forward. */
  losses: number[];
  /** The final weights of every stage. */
  layers: ReferenceLayer[];
  /** The version of every pass. */
  versions: ReferenceVersion[];
  /**
   * How many (sample, unit) pairs of stage 1 have a ReLU mask at the forward that differs
   * from the mask the backward's weights would give: the cases where recomputing the
   * mask in the backward would be wrong.
   */
  stage1MaskFlips: number;
}

/** A method as DESIGN §6 describes it. */
interface Policy {
  /** PB's delays `D_s = 2(S − s)`, or none (sgd, gpipe, 1f1b). */
  pipelined: boolean;
  /** Samples per update (1, or `M` for gpipe and 1f1b). */
  batch: number;
  /** Forward weights: the version's own, or `w − D·η·v` (LWP, SpecTrain's forward). */
  forward: 'current' | 'predicted';
  /** Backward weights: current, the forward's (stash), `w − 0·η·v` (SpecTrain), or `w − D·δ` (PipeMare). */
  backward: 'current' | 'stashed' | 'predicted' | 'corrected';
  /** Spike Compensation in place of plain momentum. */
  spikeCompensation: boolean;
  /** PipeMare's warm-up and `δ`. */
  pipemare: boolean;
}

function policyOf(config: ReferenceConfig): Policy {
  const [base, ...rest] = config.method.split('+');
  const mitigation = rest.join('+');
  const flush = base === 'gpipe' || base === '1f1b';
  if (flush && !(config.microBatches! >= 1)) throw new Error(`reference: ${config.method} needs microBatches`);
  const policy: Policy = {
    pipelined: !(base === 'sgd' || flush),
    batch: flush ? config.microBatches! : 1,
    forward: 'current',
    backward: 'current',
    spikeCompensation: false,
    pipemare: false,
  };
  const standalone = base === 'stash' || base === 'spectrain' || base === 'pipemare';
  if (standalone && mitigation !== '') throw new Error(`reference: ${base} takes no mitigation, got ${config.method}`);
  if (base === 'pipemare' && config.pipemare === undefined) throw new Error('reference: pipemare needs its settings (gamma, warmupSamples)');
  if (base === 'stash') return { ...policy, backward: 'stashed' };
  if (base === 'spectrain') return { ...policy, forward: 'predicted', backward: 'predicted' };
  if (base === 'pipemare') return { ...policy, backward: 'corrected', pipemare: true };
  if (!['sgd', 'pb', 'gpipe', '1f1b'].includes(base)) throw new Error(`reference: unknown method ${config.method}`);
  if (!['', 'sc', 'lwp', 'sc+lwp'].includes(mitigation)) throw new Error(`reference: unknown mitigation in ${config.method}`);
  return { ...policy, spikeCompensation: mitigation.includes('sc'), forward: mitigation.includes('lwp') ? 'predicted' : 'current' };
}

/** A stage's weights as one flat vector `[W row-major, b]`, so updates are plain vector arithmetic. */
type Vector = number[];

/** A stage's state after some number of updates (its version). */
interface StageState {
  w: Vector;
  /** Momentum buffer `v` (`v₀ = 0`). */
  v: Vector;
  /** PipeMare's average weight change `δ` (`δ₀ = 0`). */
  delta: Vector;
}

/** What the forward of one sample stored at one stage. */
interface Stored {
  input: number[];
  /** Pre-activation `z`. */
  z: number[];
  /** The weights the forward used. */
  w: Vector;
  /** The version they derive from. */
  version: number;
}

const axpy = (x: Vector, a: number, y: Vector): Vector => x.map((xi, i) => xi + a * y[i]);

/** `z = W·h + b` for a stage of shape `out × in`. */
function linear(w: Vector, shape: ReferenceLayer, h: number[]): number[] {
  const z: number[] = [];
  for (let o = 0; o < shape.outFeatures; o++) {
    let acc = 0;
    for (let i = 0; i < shape.inFeatures; i++) acc += w[o * shape.inFeatures + i] * h[i];
    z.push(acc + w[shape.outFeatures * shape.inFeatures + o]);
  }
  return z;
}

/** `Wᵀ·gz`: the gradient with respect to the stage's input. */
function inputGradient(w: Vector, shape: ReferenceLayer, gz: number[]): number[] {
  const gx = new Array<number>(shape.inFeatures).fill(0);
  for (let o = 0; o < shape.outFeatures; o++) for (let i = 0; i < shape.inFeatures; i++) gx[i] += w[o * shape.inFeatures + i] * gz[o];
  return gx;
}

/** `[gz ⊗ input, gz]`: the gradient with respect to `[W, b]`. */
function weightGradient(shape: ReferenceLayer, gz: number[], input: number[]): Vector {
  const g: Vector = [];
  for (let o = 0; o < shape.outFeatures; o++) for (let i = 0; i < shape.inFeatures; i++) g.push(gz[o] * input[i]);
  return [...g, ...gz];
}

/** Loss `logΣexp(z) − z_y` and its gradient `softmax(z) − onehot(y)`. */
function softmaxCrossEntropy(z: number[], y: number): { loss: number; grad: number[] } {
  const max = Math.max(...z);
  const exps = z.map((zi) => Math.exp(zi - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return { loss: Math.log(total) + max - z[y], grad: exps.map((e, i) => e / total - (i === y ? 1 : 0)) };
}

/**
 * Train `samples` in DESIGN §5's sequential order with the method of `config`.
 *
 * @throws on an unknown method, or gpipe/1f1b without `microBatches`.
 */
export function runReference(config: ReferenceConfig, samples: readonly ReferenceSample[]): ReferenceResult {
  const policy = policyOf(config);
  const { lr, momentum: m, weightDecay: lambda } = config;
  const shapes = config.layers;
  const S = shapes.length;
  const delay = (s: number): number => (policy.pipelined ? 2 * (S - s) : 0);
  // history[s − 1][k]: stage s after k updates. Kept whole: the reference favours plainness over memory.
  const history: StageState[][] = shapes.map((layer) => {
    const w = [...layer.weight, ...layer.bias];
    const zero = w.map(() => 0);
    return [{ w, v: zero, delta: zero }];
  });
  const current = (s: number): StageState => history[s - 1][history[s - 1].length - 1];
  const predicted = (state: StageState, horizon: number): Vector => axpy(state.w, -horizon * lr, state.v);

  const losses: number[] = [];
  const versions: ReferenceVersion[] = [];
  let stage1MaskFlips = 0;
  let samplesSeen = 0;

  for (let first = 0; first < samples.length; first += policy.batch) {
    const round = samples.slice(first, first + policy.batch);
    const sums: Vector[] = shapes.map((_, i) => current(i + 1).w.map(() => 0));
    round.forEach((sample, r) => {
      const j = first + r;
      // 1. Forward with the weights of version max(0, j − D_s), storing what the backward needs.
      const stored: Stored[] = [];
      let h = sample.x;
      for (let s = 1; s <= S; s++) {
        const version = policy.pipelined ? Math.max(0, j - delay(s)) : history[s - 1].length - 1;
        const state = history[s - 1][version];
        const w = policy.forward === 'predicted' ? predicted(state, delay(s)) : state.w;
        const z = linear(w, shapes[s - 1], h);
        stored.push({ input: h, z, w, version });
        versions.push({ sample: j, stage: s, phase: 'F', version });
        h = s < S ? z.map((zi) => Math.max(0, zi)) : z;
      }
      const { loss, grad } = softmaxCrossEntropy(h, sample.y);
      losses.push(loss);
      // 2. Backward: stored input and mask, the method's backward weights for the input gradient.
      let gOut = grad;
      for (let s = S; s >= 1; s--) {
        const { input, z, w: forwardWeights, version: forwardVersion } = stored[s - 1];
        const state = current(s);
        let backwardWeights = state.w;
        let version = history[s - 1].length - 1;
        if (policy.backward === 'stashed') {
          backwardWeights = forwardWeights;
          version = forwardVersion;
        } else if (policy.backward === 'predicted') {
          backwardWeights = predicted(state, 0);
        } else if (policy.backward === 'corrected') {
          backwardWeights = axpy(state.w, -delay(s), state.delta);
        }
        versions.push({ sample: j, stage: s, phase: 'B', version });
        const gz = s < S ? gOut.map((gi, o) => (z[o] > 0 ? gi : 0)) : gOut;
        if (s === 1) {
          const recomputed = linear(backwardWeights, shapes[0], input);
          stage1MaskFlips += z.filter((zi, o) => zi > 0 !== recomputed[o] > 0).length;
        }
        sums[s - 1] = axpy(sums[s - 1], 1, weightGradient(shapes[s - 1], gz, input));
        gOut = inputGradient(backwardWeights, shapes[s - 1], gz);
      }
    });
    // 3. Update every stage with the mean gradient of the round.
    for (let s = 1; s <= S; s++) {
      const state = current(s);
      const D = delay(s);
      const g = sums[s - 1].map((gi, i) => gi / round.length + lambda * state.w[i]);
      const v = axpy(g, m, state.v);
      const a = m ** D;
      const b = (1 - a) / (1 - m);
      const step = policy.spikeCompensation ? v.map((vi, i) => a * vi + b * g[i]) : v;
      let eta = lr;
      if (policy.pipemare) {
        const warmup = config.pipemare!.warmupSamples;
        const p = Math.max(0, 1 - samplesSeen / warmup);
        eta = lr * Math.max(D, 1) ** -p;
      }
      const w = axpy(state.w, -eta, step);
      // δ ← γ·δ + (1 − γ)·(w_t − w_(t−1)), tracked for PipeMare only.
      const gamma = config.pipemare?.gamma ?? 0;
      const delta = policy.pipemare ? state.delta.map((di, i) => gamma * di + (1 - gamma) * (w[i] - state.w[i])) : state.delta;
      history[s - 1].push({ w, v, delta });
    }
    samplesSeen += round.length;
  }

  const layers = shapes.map((shape, i) => {
    const { w } = current(i + 1);
    const n = shape.outFeatures * shape.inFeatures;
    return { ...shape, weight: w.slice(0, n), bias: w.slice(n) };
  });
  return { losses, layers, versions, stage1MaskFlips };
}
