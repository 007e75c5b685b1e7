/**
 * Recycling result buffers (`PipelineConfig.recycleBuffers`, on by default) changes
 * where the engine's results live, never their values: for every method, two
 * identical pipelines on a split-residual ResNet-20 (conv + GroupNorm + ReLU stages,
 * bundles of two tensors across the residual blocks) — one recycling, one with
 * `recycleBuffers: false` — give the same per-sample losses, final weights, optimizer
 * state and versions, bit for bit. The recycled run must actually reuse buffers (so the
 * comparison cannot pass vacuously), and the pool must not grow from run to run: a
 * second identical run allocates only what the first left out of the pool (what the
 * stages keep after each update — weights, optimizer and mitigation state — the sample
 * outputs, and kernel scratch never wrapped in a tensor),
 * and leaves the same idle bytes.
 *
 * The float64 reference specs (`spec/pipeline/reference*`) hold the engine with
 * recycling on (its default) to an independent float64 implementation as well; this
 * file isolates the recycling itself.
 */
import test from 'tape';
import { bufferPoolStats, clearBufferPool, DeviceScope, type BufferPoolStats } from '../../core/index.js';
import { methodNames, Pipeline, type Example } from '../../pipeline/index.js';
import build, { type RecipeOptions } from './parallel-recipe.js';
import { difference, outcome, SHAPES, stream } from './run-outcome.js';

/** Samples (or micro-batches) per run. */
const SAMPLES = 30;

/** Buffers lent during the interval between two snapshots that did not come back to the pool. */
function notGivenBack(before: BufferPoolStats, after: BufferPoolStats): number {
  const lent = after.reused - before.reused + after.allocated - before.allocated;
  const back = after.returned - before.returned + after.dropped - before.dropped;
  return lent - back;
}

/** Run `pipe` on `data`, appending each sample's loss to `losses`; returns the pool counters after the run. */
function train(pipe: Pipeline, data: Example[], losses: number[]): BufferPoolStats {
  pipe.run(data.length, (j) => data[j], (r) => losses.push(r.loss));
  return bufferPoolStats();
}

for (const method of methodNames) {
  test(`recycling: ${method} on a split-residual ResNet-20 gives the same bits with and without pooled buffers, reuses buffers and does not grow the pool`, (t) => {
    // A smaller step than the recipe's default: PipeMare diverges within 60 samples at 0.05.
    const options: RecipeOptions = { model: 'resnet20', method, lr: 0.02 };
    const data = stream(2 * SAMPLES, SHAPES.resnet20);
    const [first, second] = [data.slice(0, SAMPLES), data.slice(SAMPLES)];
    const recycled = new Pipeline(build(options));
    const fresh = new Pipeline({ ...build(options), recycleBuffers: false });
    const [recycledLosses, freshLosses]: number[][] = [[], []];

    clearBufferPool();
    const start = bufferPoolStats();
    const afterFirst = train(recycled, first, recycledLosses);
    t.ok(afterFirst.reused > 0, `the recycled run reused pooled buffers: received ${afterFirst.reused} reuses, expected more than 0`);
    t.equal(afterFirst.dropped, 0, 'no buffer given back was dropped');
    t.deepEqual(train(fresh, first, freshLosses), afterFirst, 'the run with recycleBuffers: false neither took from nor gave to the pool');

    const afterSecond = train(recycled, second, recycledLosses);
    train(fresh, second, freshLosses);
    const allocatedFirst = afterFirst.allocated - start.allocated;
    const allocatedSecond = afterSecond.allocated - afterFirst.allocated;
    const kept = notGivenBack(start, afterFirst);
    t.ok(kept > 0, `the first run kept what the stages hold after it (weights, optimizer state) and the sample outputs: ${kept} buffers not given back, expected more than 0`);
    t.ok(allocatedSecond <= kept, `the second run allocated only to replace what the first kept: ${allocatedSecond} allocations, expected at most ${kept}`);
    t.ok(allocatedSecond < allocatedFirst, `the second run allocated fewer buffers than the first: ${allocatedSecond}, expected fewer than ${allocatedFirst}`);
    t.equal(afterSecond.idleBytes, afterFirst.idleBytes, `the pool holds as many idle bytes after the second run as after the first (${afterFirst.idleBytes}): it does not grow from run to run`);

    t.equal(difference(outcome(fresh, freshLosses), outcome(recycled, recycledLosses)), '', 'losses, weights, optimizer state and versions are bit for bit those of the run without recycling');
    t.end();
  });
}

test('recycling: keepOnDevice: false runs outside scopes, so it leaves the pool untouched and gives the default run\'s bits', (t) => {
  const options: RecipeOptions = { model: 'mlp', method: 'pb+sc+lwp' };
  const data = stream(SAMPLES, SHAPES.mlp);
  const direct = new Pipeline({ ...build(options), keepOnDevice: false });
  const recycled = new Pipeline(build(options));
  const [directLosses, recycledLosses]: number[][] = [[], []];
  clearBufferPool();
  const start = bufferPoolStats();
  t.deepEqual(train(direct, data, directLosses), start, 'the pool counters did not move');
  t.ok(train(recycled, data, recycledLosses).reused > 0, 'the default run on the same data did reuse buffers');
  t.equal(difference(outcome(direct, directLosses), outcome(recycled, recycledLosses)), '', 'the two runs agree bit for bit');
  t.end();
});

test('recycling: a run inside a caller\'s scope leaves the stages their own weights when that scope closes (the engine\'s scopes are standalone)', (t) => {
  const options: RecipeOptions = { model: 'mlp', method: 'pb+sc+lwp' };
  const data = stream(2 * SAMPLES, SHAPES.mlp);
  const [first, second] = [data.slice(0, SAMPLES), data.slice(SAMPLES)];
  const inside = new Pipeline(build(options));
  const outside = new Pipeline(build(options));
  const [insideLosses, outsideLosses]: number[][] = [[], []];
  for (const recycle of [true, false]) {
    const caller = new DeviceScope(`caller's scope (recycle: ${recycle})`, { recycle });
    caller.run(() => train(inside, first, insideLosses));
    caller.close();
    t.doesNotThrow(() => [...inside.params().values()].forEach((w) => w.data), `after the caller's scope (recycle: ${recycle}) closed, every weight is still readable`);
    train(inside, second, insideLosses);
    train(outside, first, outsideLosses);
    train(outside, second, outsideLosses);
  }
  t.equal(difference(outcome(outside, outsideLosses), outcome(inside, insideLosses)), '', 'the runs inside callers\' scopes agree bit for bit with the runs outside any scope');
  t.end();
});
