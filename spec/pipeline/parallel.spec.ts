/**
 * The parallel pipeline held to the single-thread engine, bit for bit: final weights,
 * optimizer state, per-sample losses and recorded versions, for every method and for
 * 1..W workers, across runs (what a resumed checkpoint does) and across a change of the
 * worker count; failures in a worker reach the main thread as the engine's errors.
 * Plus the balanced worker assignment against a brute-force search, and the FLOP count
 * of a product and a convolution against the formula.
 */
import test from 'tape';
import { collectTape, conv2d, matmul, randn, relu, Rng, type Data } from '../../core/index.js';
import {
  assignWorkers,
  configFromRecipe,
  methodNames,
  NonFiniteLossError,
  opCost,
  opFlops,
  ParallelPipeline,
  Pipeline,
  type Example,
  type PipelineRecipe,
  type StageState,
} from '../../pipeline/index.js';
import { nodeWorkerHost } from '../../pipeline/node.js';
import type { RecipeOptions } from './parallel-recipe.js';
import { difference, outcome, SHAPES, stream, type Outcome } from './run-outcome.js';

const host = nodeWorkerHost();
const recipeModule = new URL('./parallel-recipe.ts', import.meta.url).href;

function recipe(options: RecipeOptions): PipelineRecipe {
  return { module: recipeModule, options };
}

/** Train with the single-thread engine: `runs` runs of `samples` samples each. */
async function single(options: RecipeOptions, runs: number[]): Promise<Outcome> {
  const pipe = new Pipeline(await configFromRecipe(recipe(options)));
  const data = stream(runs.reduce((a, b) => a + b, 0), SHAPES[options.model]);
  const losses: number[] = [];
  let offset = 0;
  for (const n of runs) {
    const base = offset;
    pipe.run(n, (j) => data[base + j], (r) => losses.push(r.loss));
    offset += n;
  }
  return outcome(pipe, losses);
}

/** Train the same on workers: run `k` of `runs` on `workers[k]` workers (a new parallel pipeline whenever the count changes). */
async function parallel(options: RecipeOptions, runs: number[], workers: number[]): Promise<Outcome> {
  const pipe = new Pipeline(await configFromRecipe(recipe(options)));
  const data = stream(runs.reduce((a, b) => a + b, 0), SHAPES[options.model]);
  const losses: number[] = [];
  let offset = 0;
  let running: ParallelPipeline | null = null;
  try {
    for (let k = 0; k < runs.length; k++) {
      if (running === null || running.assignment.ranges.length !== workers[k]) {
        running?.close();
        running = await ParallelPipeline.start(pipe, { recipe: recipe(options), workers: workers[k], host });
      }
      const base = offset;
      await running.run(runs[k], (j) => data[base + j], (r) => losses.push(r.loss));
      offset += runs[k];
    }
  } finally {
    running?.close();
  }
  return outcome(pipe, losses);
}

/** `outcome` with its recorded versions sorted by sample, stage and phase: the same records whatever order the schedule ran them in. */
function sortVersions(o: Outcome): Outcome {
  const records = JSON.parse(o.versions) as { sample: number; stage: number; phase: string }[];
  records.sort((a, b) => a.sample - b.sample || a.stage - b.stage || a.phase.localeCompare(b.phase));
  return { ...o, versions: JSON.stringify(records) };
}

for (const method of methodNames) {
  test(`parallel: ${method} on 2 workers equals the single-thread engine bit for bit (weights, optimizer state, losses, versions)`, async (t) => {
    const options: RecipeOptions = { model: 'mlp', method };
    const expected = await single(options, [30]);
    const received = await parallel(options, [30], [2]);
    t.equal(difference(expected, received), '', 'no difference from the single-thread run');
  });
}

test('parallel: a split-residual ResNet-20 (bundles of two tensors) on 2 and 4 workers equals the single-thread engine', async (t) => {
  const options: RecipeOptions = { model: 'resnet20', method: 'pb+sc+lwp' };
  const expected = await single(options, [24]);
  for (const workers of [2, 4]) {
    const received = await parallel(options, [24], [workers]);
    t.equal(difference(expected, received), '', `${workers} workers: no difference from the single-thread run`);
  }
});

test('parallel: forwards listed after the tick\'s updates still see the tick\'s start, in one thread and on 2 and 3 workers', async (t) => {
  // Independent of the workers: the tick model says a forward sees its stage as the tick
  // began, so where a tick lists it cannot change a number, only the versions' order.
  const expected = await single({ model: 'mlp', method: 'pb+sc+lwp' }, [30]);
  const options: RecipeOptions = { model: 'mlp', method: 'pb+sc+lwp', forwardsLast: true };
  const reordered = await single(options, [30]);
  t.equal(difference(sortVersions(expected), sortVersions(reordered)), '', 'one thread: the same weights, state, losses and versions as pb+sc+lwp');
  for (const workers of [2, 3]) {
    const received = await parallel(options, [30], [workers]);
    t.equal(difference(reordered, received), '', `${workers} workers: no difference from the single-thread run of the same schedule`);
  }
});

test('parallel: runs continue across worker counts as one single-thread run continues (the state a checkpoint holds goes back and forth)', async (t) => {
  const options: RecipeOptions = { model: 'mlp', method: 'pipemare' };
  const expected = await single(options, [17, 12, 9]);
  const received = await parallel(options, [17, 12, 9], [1, 3, 3]);
  t.equal(difference(expected, received), '', '1, 3, then 3 workers again: no difference from three single-thread runs');
});

test('parallel: a state restored into the main pipeline (a resumed checkpoint) is what the workers continue from', async (t) => {
  const options: RecipeOptions = { model: 'mlp', method: 'pb+sc+lwp' };
  const data = stream(40, SHAPES.mlp);
  const whole = new Pipeline(await configFromRecipe(recipe(options)));
  whole.run(25, (j) => data[j]);
  const saved: StageState[] = whole.stages.map((s) => s.save());
  whole.run(15, (j) => data[25 + j]);
  const resumed = new Pipeline(await configFromRecipe(recipe(options)));
  resumed.stages.forEach((stage, i) => stage.restore(saved[i]));
  const running = await ParallelPipeline.start(resumed, { recipe: recipe(options), workers: 2, host });
  try {
    await running.run(15, (j) => data[25 + j]);
  } finally {
    running.close();
  }
  t.equal(difference(outcome(whole, []), outcome(resumed, [])).replace('the recorded versions differ', ''), '', 'weights and optimizer state equal the uninterrupted run');
});

/** The weights of a pipeline, copied. */
function weights(pipe: Pipeline): Map<string, Data> {
  return new Map([...pipe.params()].map(([k, v]) => [k, v.data.slice()]));
}

/** Run on 2 workers and return the error it rejects with, the single-thread error, and whether the main pipeline kept its weights. */
async function failures(options: RecipeOptions, samples: number, data: (j: number) => Example): Promise<{ parallelError: Error; singleError: Error; kept: boolean; closedMessage: string }> {
  const reference = new Pipeline(await configFromRecipe(recipe(options)));
  let singleError = new Error('the single-thread run did not fail');
  try {
    reference.run(samples, data);
  } catch (e) {
    singleError = e as Error;
  }
  const pipe = new Pipeline(await configFromRecipe(recipe(options)));
  const before = weights(pipe);
  const running = await ParallelPipeline.start(pipe, { recipe: recipe(options), workers: 2, host });
  let parallelError = new Error('the parallel run did not fail');
  try {
    await running.run(samples, data);
  } catch (e) {
    parallelError = e as Error;
  }
  let closedMessage = '';
  try {
    await running.run(1, data);
  } catch (e) {
    closedMessage = (e as Error).message;
  }
  running.close();
  const after = weights(pipe);
  const kept = [...before].every(([k, v]) => after.get(k)!.every((x, i) => Object.is(x, v[i])));
  return { parallelError, singleError, kept, closedMessage };
}

test('parallel: a NaN loss in a worker rejects with the engine\'s NonFiniteLossError, naming the same sample', async (t) => {
  const data = stream(30, SHAPES.mlp);
  const { parallelError, singleError, kept, closedMessage } = await failures({ model: 'mlp', method: 'pb', lr: 1e30 }, 30, (j) => data[j]);
  t.ok(singleError instanceof NonFiniteLossError, `the single-thread run diverges (${singleError.message})`);
  t.ok(parallelError instanceof NonFiniteLossError, `the parallel run rejects with a NonFiniteLossError, received ${parallelError.name}`);
  t.equal(parallelError.message, singleError.message, 'with the same one-line message');
  t.ok(kept, 'the main pipeline keeps the weights it had before the failed run');
  t.match(closedMessage, /closed/, 'and the parallel pipeline is closed afterwards');
});

test('parallel: an exception in a layer of a worker rejects with the same one-line error', async (t) => {
  const data = stream(20, SHAPES.mlp);
  const { parallelError, singleError, kept } = await failures({ model: 'mlp', method: 'pb+sc+lwp', failAt: 11 }, 20, (j) => data[j]);
  t.match(singleError.message, /^layer \S+: cannot run sample 11 \(test failure\)$/, `the single-thread run fails in the layer (${singleError.message})`);
  t.equal(parallelError.message, singleError.message, 'the parallel run rejects with the same message');
  t.ok(kept, 'the main pipeline keeps its weights');
});

test('parallel: bad input from the data source (a wrong shape) rejects with the same error as the single-thread engine', async (t) => {
  const data = stream(20, SHAPES.mlp);
  const bad = (j: number): Example => (j === 5 ? stream(1, [5, 1, 1])[0] : data[j]);
  const { parallelError, singleError } = await failures({ model: 'mlp', method: 'pb' }, 20, bad);
  t.notEqual(singleError.message, 'the single-thread run did not fail', `the single-thread run fails (${singleError.message})`);
  t.equal(parallelError.message, singleError.message, 'the parallel run rejects with the same message');
});

test('parallel: more workers than stages, and a recipe that builds another model, are refused with one-line errors', async (t) => {
  const options: RecipeOptions = { model: 'mlp', method: 'pb' };
  const pipe = new Pipeline(await configFromRecipe(recipe(options)));
  await ParallelPipeline.start(pipe, { recipe: recipe(options), workers: 7, host }).then(
    (p) => {
      p.close();
      t.fail('7 workers for 6 stages were accepted');
    },
    (e: Error) => t.equal(e.message, 'workers must be at most the number of stages (6), got 7; each worker runs at least one stage', 'names the limit'),
  );
  await ParallelPipeline.start(pipe, { recipe: recipe({ model: 'resnet20', method: 'pb' }), workers: 2, host }).then(
    (p) => {
      p.close();
      t.fail('a recipe of another model was accepted');
    },
    (e: Error) => t.match(e.message, /^parallel pipeline: the recipe builds another pipeline in worker 1 than the main thread's: /, `says the structures differ (${e.message.slice(0, 120)}…)`),
  );
});

/** The smallest largest worker cost over every contiguous cut, by trying them all (an independent check of the dynamic programme). */
function bruteForce(costs: number[], workers: number): number {
  let best = Infinity;
  const cut = (from: number, left: number, worst: number): void => {
    if (left === 1) {
      best = Math.min(best, Math.max(worst, costs.slice(from).reduce((a, b) => a + b, 0)));
      return;
    }
    for (let end = from + 1; end <= costs.length - (left - 1); end++) cut(end, left - 1, Math.max(worst, costs.slice(from, end).reduce((a, b) => a + b, 0)));
  };
  cut(0, workers, 0);
  return best;
}

test('assignWorkers: contiguous ranges covering every stage whose largest cost is the smallest any cut achieves', (t) => {
  t.deepEqual(assignWorkers([1, 1, 1, 1], 2).ranges, [[1, 2], [3, 4]], 'four equal stages: two each');
  const skewed = assignWorkers([4, 1, 1, 1, 1], 2);
  t.deepEqual(skewed.ranges, [[1, 1], [2, 5]], 'a heavy first stage gets a worker of its own');
  t.equal(skewed.predictedSpeedup, 2, 'predicted speed-up 8 / 4 = 2');
  t.deepEqual(assignWorkers([5, 3], 1), { ranges: [[1, 2]], costs: [8], total: 8, predictedSpeedup: 1 }, 'one worker runs everything, speed-up 1');
  const rng = new Rng(5);
  let mismatches = 0;
  for (let trial = 0; trial < 60; trial++) {
    const S = 2 + Math.floor(rng.uniform() * 8);
    const W = 1 + Math.floor(rng.uniform() * S);
    const costs = Array.from({ length: S }, () => Math.floor(rng.uniform() * 20));
    const a = assignWorkers(costs, W);
    const contiguous = a.ranges[0][0] === 1 && a.ranges[W - 1][1] === S && a.ranges.every(([f, l], w) => f <= l && (w === 0 || f === a.ranges[w - 1][1] + 1));
    if (!contiguous || Math.max(...a.costs) !== bruteForce(costs, W)) mismatches++;
  }
  t.equal(mismatches, 0, '60 random cost vectors: the largest cost equals the brute-force optimum, every range contiguous and non-empty');
  t.throws(() => assignWorkers([1, 2], 0), /workers must be an integer ≥ 1, got 0/, 'zero workers is refused');
  t.end();
});

test('opFlops: a product [M, K]·[K, N] counts 2·M·N·K and a convolution 2·outputs·C_in·k_h·k_w; opCost weighs any other op 10 per element', (t) => {
  const rng = new Rng(2);
  const product = matmul(randn([3, 5], rng).requireGrad(), randn([5, 4], rng));
  t.equal(opFlops(collectTape([product])[0]), 2 * 3 * 4 * 5, 'matmul [3,5]·[5,4]: 120');
  const x = randn([1, 2, 6, 6], rng).requireGrad();
  const y = conv2d(x, randn([4, 2, 3, 3], rng), undefined, { padding: 1 });
  const node = collectTape([y]).find((n) => n.op === 'conv2d')!;
  t.equal(opFlops(node), 2 * (4 * 6 * 6) * (2 * 3 * 3), 'conv 2→4 channels, 3×3, 6×6 output: 5184');
  const r = relu(randn([2, 3], rng).requireGrad());
  t.equal(opCost(collectTape([r])[0]), 10 * 6, 'relu of 6 elements: weight 10 per element, 60');
  t.equal(opCost(collectTape([product])[0]), 120, 'a product costs its FLOPs');
  t.end();
});
