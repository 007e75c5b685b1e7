/**
 * What the pipeline specs compare two training runs by: a seeded stream of examples
 * for the test models of `parallel-recipe.ts`, and a run's outcome (every weight and
 * optimizer-state value, the per-sample losses, the recorded versions) with the first
 * difference between two outcomes, compared bit for bit (`Object.is`).
 */
import { randn, Rng, type Data } from '../../core/index.js';
import type { Example, Pipeline } from '../../pipeline/index.js';
import type { RecipeOptions } from './parallel-recipe.js';

/** The input shape of each test model of `parallel-recipe.ts`. */
export const SHAPES: Record<RecipeOptions['model'], number[]> = { mlp: [6, 1, 1], resnet20: [3, 8, 8] };

/** A fixed stream of examples for a model's input shape: x ~ N(0, 1), label from the signs of two inputs. */
export function stream(n: number, shape: number[], seed = 7): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const input = randn([1, ...shape], rng);
    const d = input.data;
    return { input, target: Int32Array.from([d[0] > 0 ? 1 : d[1] > 0 ? 2 : 0]) };
  });
}

/** What a run leaves: every weight and optimizer-state value, the losses, the versions. */
export interface Outcome {
  values: Map<string, Data>;
  losses: number[];
  versions: string;
}

/** The outcome of the runs `pipe` made, whose per-sample losses were `losses`. */
export function outcome(pipe: Pipeline, losses: number[]): Outcome {
  const values = new Map<string, Data>();
  for (const [name, w] of pipe.params()) values.set(`weight ${name}`, w.data.slice());
  pipe.stages.forEach((stage) => {
    const dict = stage.optimizer.stateDict();
    values.set(`clock of stage ${stage.index}`, Float64Array.of(dict.step, dict.samples));
    for (const [name, t] of dict.state) values.set(`optimizer state ${stage.index}.${name}`, t.data.slice());
  });
  return { values, losses, versions: JSON.stringify(pipe.versions) };
}

/** The first difference between two outcomes, or '' when they are bit for bit equal. */
export function difference(expected: Outcome, received: Outcome): string {
  if (expected.values.size !== received.values.size) return `received ${received.values.size} tensors, expected ${expected.values.size}`;
  for (const [name, x] of expected.values) {
    const y = received.values.get(name);
    if (!y || y.length !== x.length) return `${name}: missing or resized`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${name}[${i}]: received ${y[i]}, expected ${x[i]}`;
  }
  if (received.losses.length !== expected.losses.length) return `received ${received.losses.length} losses, expected ${expected.losses.length}`;
  const k = expected.losses.findIndex((l, i) => !Object.is(l, received.losses[i]));
  if (k >= 0) return `loss of sample ${k}: received ${received.losses[k]}, expected ${expected.losses[k]}`;
  if (received.versions !== expected.versions) return 'the recorded versions differ';
  return '';
}
