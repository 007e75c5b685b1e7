/**
 * pipegrad as a library: fine-grained PB + SC + LWP on two spirals, through the public
 * API of core, nn, datasets and pipeline. Run it with `npx tsx examples/library.ts`.
 *
 * @module
 */
import { Tensor } from '../core/index.js';
import { spirals } from '../datasets/index.js';
import { createModel } from '../nn/index.js';
import { Pipeline, resolveMethod, sgdForMethod, type SampleResult } from '../pipeline/index.js';

/** Train an MLP on spirals for `epochs` passes and return the mean loss of each. */
export function trainSpirals(epochs = 20, log: (line: string) => void = console.log): number[] {
  const data = spirals({ n: 400, seed: 0 });
  const model = createModel('mlp', { inputShape: [2, 1, 1], numClasses: 2, hidden: 64, depth: 3, seed: 0 });
  const method = resolveMethod('pb+sc+lwp');
  const pipe = new Pipeline({
    units: model.pipelineUnits(), // one stage per layer: 4 stages, delays 6, 4, 2, 0
    method,
    optimizer: sgdForMethod(method, { lr: 0.002, momentum: 0.9 }),
  });
  const example = (i: number) => ({
    input: new Tensor(data.inputs.subarray(2 * i, 2 * i + 2), [1, 2, 1, 1]),
    target: data.labels!.subarray(i, i + 1),
  });
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let sum = 0;
    pipe.run(data.length, example, (r: SampleResult) => (sum += r.loss));
    losses.push(sum / data.length);
    log(`epoch ${epoch + 1}: mean loss ${losses[epoch].toFixed(4)}`);
  }
  return losses;
}

if (import.meta.url === `file://${process.argv[1]}`) trainSpirals();
