/**
 * Short seeded training runs for holding a backend to the CPU backend: an MLP and a
 * small CNN trained by fine-grained Pipelined Backpropagation with Spike Compensation
 * and Linear Weight Prediction (`pb+sc+lwp`), batch size one, on a synthetic stream
 * whose label depends on the input (so the losses move).
 */
import { randn, Rng, type Tensor } from '../../core/index.js';
import { createModel } from '../../nn/index.js';
import { Pipeline, resolveMethod, sgdForMethod, type Example } from '../../pipeline/index.js';

/** The two models of the agreement test, sized so a slow software GL renderer gets through 200 samples. */
export const TRAINING_MODELS = {
  mlp: { inputShape: [1, 8, 8] as const, build: (seed: number) => createModel('mlp', { inputShape: [1, 8, 8], numClasses: 4, depth: 2, hidden: 32, seed }) },
  smallcnn: { inputShape: [1, 16, 16] as const, build: (seed: number) => createModel('smallcnn', { inputShape: [1, 16, 16], numClasses: 4, seed }) },
};

/** A name of {@link TRAINING_MODELS}. */
export type TrainingModel = keyof typeof TRAINING_MODELS;

/** `n` examples of `shape` drawn from `seed`; the label is the quadrant of the signs of two input sums. */
export function syntheticStream(n: number, shape: readonly number[], seed: number): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const input: Tensor = randn([1, ...shape], rng);
    const d = input.data;
    const half = d.length >> 1;
    let first = 0;
    let second = 0;
    for (let i = 0; i < half; i++) first += d[i];
    for (let i = half; i < d.length; i++) second += d[i];
    return { input, target: Int32Array.from([(first > 0 ? 1 : 0) + (second > 0 ? 2 : 0)]) };
  });
}

/**
 * Train `model` for `samples` samples on the current backend; the loss of every sample,
 * in order. `keepOnDevice` is the pipeline option (default true).
 */
export function trainingLosses(model: TrainingModel, samples: number, seed = 5, keepOnDevice = true): number[] {
  const { inputShape, build } = TRAINING_MODELS[model];
  const data = syntheticStream(samples, inputShape, seed + 1);
  const method = resolveMethod('pb+sc+lwp');
  const pipe = new Pipeline({ units: build(seed).pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }), keepOnDevice });
  const losses: number[] = [];
  pipe.run(samples, (j) => data[j], (r) => losses.push(r.loss));
  return losses;
}
