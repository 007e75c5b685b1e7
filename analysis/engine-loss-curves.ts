/**
 * The quadratic run through the real engine: loss curves of each method on a small
 * ill-conditioned quadratic, trained by the tick-by-tick pipeline exactly as a network
 * is, so that the pictures of the analysis can be checked against real training.
 *
 * The network has `S` stages; stage `s` holds a weight vector `w_s` with one component
 * per curvature `λ_i` and passes `w_s ⊙ x` (with `x = 1`) down the pipeline, where the
 * loss is
 *
 * ```
 * f = Σ_s Σ_i ½·λ_i·w_{s,i}²
 * ```
 *
 * so each component is the one-dimensional problem `½·λ_i·w²` with the gradient delay of
 * its stage, `D_s = 2(S − s)`. The curve is the loss of the first stage,
 * `f_1 = Σ_i ½·λ_i·w_{1,i}²`, read after each of the first stage's updates; its gradient
 * is the most stale (`D = 2(S − 1)`), and the analysis predicts its slowest component's
 * rate.
 *
 * Unlike the rest of `analysis`, this file uses tensors and the pipeline.
 *
 * @module
 */
import { add, mul, square, sum, Tensor } from '../core/index.js';
import { Module, type PipelineUnit } from '../nn/index.js';
import { NonFiniteLossError, Pipeline, resolveMethod, sgdForMethod } from '../pipeline/index.js';

/** A module holding one weight vector `w`. */
class QuadraticWeights extends Module {
  w: Tensor;
  constructor(size: number) {
    super();
    this.w = this.registerParameter('w', new Tensor(new Float32Array(size).fill(1), [size]));
  }
  forward(x: Tensor): Tensor {
    return mul(this.w, x);
  }
}

/** Stage `k` (0-based): `[x, …terms] → [x, …terms, w·x]`. */
function quadraticStage(k: number, size: number): PipelineUnit {
  const module = new QuadraticWeights(size);
  return {
    name: `quadratic${k}`,
    module,
    parameterNames: ['w'],
    members: [[`quadratic${k}`, module]],
    bundleSize: 1 + k,
    forward([x, ...terms]: Tensor[]): Tensor[] {
      return [x, ...terms.map((t) => mul(t, 1)), mul(module.w, x)];
    },
  };
}

/** A problem and the training of {@link engineLossCurve}. */
export interface EngineQuadratic {
  /** The curvatures `λ_i`, one weight component each (e.g. `[1, 0.1, 0.01]`). */
  lambdas: readonly number[];
  /** Pipeline stages `S` (the first stage's delay is `2(S − 1)`). */
  stages: number;
  /** Learning rate `η`. */
  lr: number;
  /** Momentum `m`. */
  momentum: number;
  /** Updates to run. */
  samples: number;
}

/** The loss of the first stage after each update, and where the run stopped. */
export interface EngineLossCurve {
  /** The method, e.g. `pb+sc+lwp`. */
  method: string;
  /** `losses[t]`: `f_1` after the first stage's `t`-th update (`losses[0]`: the start). */
  losses: number[];
  /** True when the loss overflowed and the run stopped early. */
  diverged: boolean;
}

/**
 * Train the quadratic of `problem` with `method` on the real pipeline and return the
 * first stage's loss after each of its updates (all weights start at 1). It drives the
 * pipeline tick by tick as `Pipeline.run` does.
 *
 * @example
 * engineLossCurve('pb+sc+lwp', { lambdas: [1, 0.1, 0.01], stages: 5, lr: 0.001, momentum: 0.9967, samples: 3000 });
 * @throws when the method is unknown, or a setting is not a positive number.
 */
export function engineLossCurve(method: string, problem: EngineQuadratic): EngineLossCurve {
  const { lambdas, stages, lr, momentum, samples } = problem;
  if (!(lambdas.length > 0 && lambdas.every((l) => l > 0))) throw new Error('engineLossCurve: lambdas must be positive numbers, at least one');
  if (!(Number.isInteger(stages) && stages >= 1 && Number.isInteger(samples) && samples >= 1)) throw new Error(`engineLossCurve: stages and samples must be positive integers, got ${stages}, ${samples}`);
  const spec = resolveMethod(method);
  const size = lambdas.length;
  const half = new Tensor(new Float32Array(lambdas.map((l) => 0.5 * l)), [size]);
  const units = Array.from({ length: stages }, (_, k) => quadraticStage(k, size));
  const loss = (outputs: Tensor[]): Tensor => {
    let total: Tensor | null = null;
    for (let s = 0; s < stages; s++) {
      const term = sum(mul(square(outputs[1 + s]), half));
      total = total === null ? term : add(total, term);
    }
    return total!;
  };
  const pipe = new Pipeline({ units, method: spec, optimizer: sgdForMethod(spec, { lr, momentum }), loss });
  const f1 = (): number => {
    const w = pipe.stages[0].params.get('w')!.data;
    return lambdas.reduce((a, l, i) => a + 0.5 * l * w[i] ** 2, 0);
  };
  const losses = [f1()];
  const x = new Tensor(new Float32Array(size).fill(1), [size]);
  // Pipeline.run, tick by tick, to read the first stage's loss after each of its updates.
  pipe.begin(() => ({ input: x, target: x }));
  try {
    for (const tick of pipe.schedule(samples).ticks()) {
      // Forwards in a tick see the weights of the tick's start (DESIGN §5).
      const start = new Map<number, ReturnType<(typeof pipe.stages)[number]['snapshot']>>();
      for (const ins of tick) if (ins.kind === 'F' && !start.has(ins.stage)) start.set(ins.stage, pipe.stages[ins.stage - 1].snapshot());
      for (const ins of tick) {
        pipe.execute(ins, start.get(ins.stage));
        if (ins.kind === 'U' && ins.stage === 1) losses.push(f1());
      }
    }
    pipe.end();
  } catch (e) {
    if (e instanceof NonFiniteLossError) return { method, losses: losses.filter(Number.isFinite), diverged: true };
    throw e;
  }
  return { method, losses, diverged: !Number.isFinite(losses[losses.length - 1]) };
}
