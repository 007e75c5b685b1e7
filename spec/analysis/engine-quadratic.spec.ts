/**
 * The real pipeline reproduces the quadratic recurrences: a network of one scalar
 * weight per stage, each stage with its own term of the loss, trained by the tick
 * engine, ends at the weights `weightTrajectory` predicts for each stage's delay
 * `D_s = 2(S − s)` (float32 against float64, so to a relative 1e-4).
 *
 * Stage `s` computes `y₁ = w·x` and `y₂ = w·(w·x)` from the input `x = 1` and appends
 * them to the bundle (earlier stages' terms travel along unchanged); the last stage's
 * loss is `Σ_s ½λ_s·[(1 − 2ρ_s)·y₁² + 2ρ_s·y₂]`. The weight gradient the engine builds is
 * `λ_s·[(1 − ρ_s)·w_fwd + ρ_s·w_bwd]` (see analysis/quadratic-recurrence.ts).
 */
import test from 'tape';
import { add, mul, square, sum, Tensor } from '../../core/index.js';
import { Module, type PipelineUnit } from '../../nn/index.js';
import { methodFor, Pipeline, pipemareMitigation, resolveMethod, sgdForMethod, type MethodSpec } from '../../pipeline/index.js';
import { quadraticMethodNames, quadraticRecurrence } from '../../analysis/quadratic-methods.js';
import { weightTrajectory } from '../../analysis/quadratic-recurrence.js';

/** A module holding one scalar weight `w`. */
class ScalarWeight extends Module {
  w: Tensor;
  constructor(w0: number) {
    super();
    this.w = this.registerParameter('w', new Tensor(new Float32Array([w0]), [1]));
  }
  forward(x: Tensor): Tensor {
    return mul(this.w, x);
  }
}

/** Stage `k` (0-based): `[x, …terms] → [x, …terms, w·x, w·(w·x)]`. */
function scalarStage(k: number, w0: number): PipelineUnit {
  const module = new ScalarWeight(w0);
  return {
    name: `scalar${k}`,
    module,
    parameterNames: ['w'],
    members: [[`scalar${k}`, module]],
    bundleSize: 1 + 2 * k,
    forward([x, ...terms]: Tensor[]): Tensor[] {
      const wx = mul(module.w, x);
      return [x, ...terms.map((t) => mul(t, 1)), wx, mul(module.w, wx)];
    },
  };
}

/** Trains `S` scalar stages for `samples` samples and returns each stage's final weight. */
function trainScalarPipeline(method: MethodSpec, lambdas: number[], rhos: number[], eta: number, momentum: number, samples: number): number[] {
  const S = lambdas.length;
  const units = lambdas.map((_, k) => scalarStage(k, 1));
  const loss = (outputs: Tensor[]): Tensor => {
    let total: Tensor | null = null;
    for (let s = 0; s < S; s++) {
      const term = add(mul(square(outputs[1 + 2 * s]), 0.5 * lambdas[s] * (1 - 2 * rhos[s])), mul(outputs[2 + 2 * s], lambdas[s] * rhos[s]));
      total = total === null ? term : add(total, term);
    }
    return sum(total!);
  };
  const pipe = new Pipeline({ units, method, optimizer: sgdForMethod(method, { lr: eta, momentum }), loss });
  const x = new Tensor(new Float32Array([1]), [1]);
  pipe.run(samples, () => ({ input: x, target: x }));
  return pipe.stages.map((stage) => stage.params.get('w')!.data[0]);
}

/** The method as the engine runs it; PipeMare without its warm-up, a transient the steady-state analysis leaves out. */
function engineMethod(name: string): MethodSpec {
  return name === 'pipemare' ? methodFor('pb', pipemareMitigation({ warmupSamples: 0 })) : resolveMethod(name);
}

const lambdas = [1.0, 0.7, 0.5, 0.3];
const eta = 0.02;
const momentum = 0.9;
const samples = 150;

for (const [label, rhos] of [
  ['a purely delayed gradient (ρ = 0)', [0, 0, 0, 0]],
  // Stage 1 too: its w·x is the forward's stored value (DESIGN §5), though its input is data.
  ['half the curvature at the backward’s weights (ρ = 0.5 at every stage)', [0.5, 0.5, 0.5, 0.5]],
] as const) {
  test(`engine: one scalar weight per stage follows the quadratic recurrence of its delay, every method, ${label}`, (t) => {
    for (const name of quadraticMethodNames) {
      const got = trainScalarPipeline(engineMethod(name), lambdas, [...rhos], eta, momentum, samples);
      lambdas.forEach((lambda, s) => {
        const delay = 2 * (lambdas.length - 1 - s);
        const expected = weightTrajectory(quadraticRecurrence(name, { h: eta * lambda, momentum, delay, inconsistency: rhos[s] }), 1, samples)[samples];
        t.ok(
          Math.abs(got[s] - expected) <= 1e-4 * Math.abs(expected),
          `${name}, stage ${s + 1} (D = ${delay}, ρ = ${rhos[s]}): recurrence ${expected.toExponential(6)}, engine ${got[s].toExponential(6)}`,
        );
      });
    }
    t.end();
  });
}
