/**
 * Mitigations are objects: the worked example of docs/pipelined-backprop.md ("Writing a
 * mitigation") runs here as written, and composition takes each hook from the one part
 * that sets it.
 *
 * The example, difference prediction, runs the forward of stage `s` on
 * `ŵ = w + T·(w − w_prev)` with `T = D_s`, where `w_prev` is the stage's weights before
 * its last update. For momentum SGD the last update is `w − w_prev = −η·v`, so in exact
 * arithmetic `ŵ = w − T·η·v`: LWP. The tests hold it to LWP (computed by the built-in
 * `lwp`, from the velocity) up to float32 rounding, to plain PB where `T = 0`, and its
 * first prediction to one computed by hand.
 */
import { readFileSync } from 'node:fs';
import test from 'tape';
import { randn, Rng, Tensor, type Data } from '../../core/index.js';
import { createModel, type PipelineUnit } from '../../nn/index.js';
import { allocateLike, mapTensors, type Params } from '../../optim/index.js';
import {
  composeMitigations,
  lwp,
  methodFor,
  mitigationNames,
  none,
  Pipeline,
  resolveMitigation,
  sc,
  sgdForMethod,
  stash,
  type Example,
  type Mitigation,
} from '../../pipeline/index.js';

// ---- the example, as in docs/pipelined-backprop.md (a test below holds the two equal) ----

export const differencePrediction: Mitigation = {
  ...none,
  name: 'dp',
  forwardWeights(at, ctx) {
    const previous = at.state as Params | undefined;
    if (ctx.horizon === 0 || previous === undefined) return at.params;
    return mapTensors((w, p) => {
      const [wd, pd] = [w.data, p.data];
      const out = allocateLike(w);
      for (let i = 0; i < out.length; i++) out[i] = wd[i] + ctx.horizon * (wd[i] - pd[i]);
      return new Tensor(out, w.shape).requireGrad();
    }, at.params, previous);
  },
  nextState: (_previous, before) => before,   // w_prev: the weights before the last update
  weightCopies: () => 1,                      // it holds w_prev
};

// ---- the tests ----

const hp = { lr: 0.02, momentum: 0.9, weightDecay: 1e-4 };

function setup(n: number): { units: () => PipelineUnit[]; data: Example[] } {
  const rng = new Rng(21);
  const data = Array.from({ length: n }, () => {
    const input = randn([1, 6, 1, 1], rng);
    return { input, target: Int32Array.from([input.data[0] > 0 ? 1 : input.data[1] > 0 ? 2 : 0]) };
  });
  return { units: () => createModel('mlp', { inputShape: [6, 1, 1], numClasses: 3, depth: 5, hidden: 12, seed: 4 }).pipelineUnits(), data };
}

function train(schedule: string, mitigation: Mitigation | string, n: number, extra: { recordVersions?: boolean } = {}): Pipeline {
  const { units, data } = setup(n);
  const method = methodFor(schedule, mitigation);
  const pipe = new Pipeline({ units: units(), method, optimizer: sgdForMethod(method, hp), microBatches: 4, ...extra });
  pipe.run(n, (j) => data[j]);
  return pipe;
}

function weights(pipe: Pipeline): Data[] {
  return [...pipe.params().values()].map((w) => w.data.slice());
}

/** The largest |a − b| / (1e-3 + |a|) over all weights. */
function worst(a: Data[], b: Data[]): number {
  let most = 0;
  a.forEach((x, k) => x.forEach((v, i) => (most = Math.max(most, Math.abs(v - b[k][i]) / (1e-3 + Math.abs(v))))));
  return most;
}

test('difference prediction (a user-written mitigation) runs on pb and agrees with LWP up to float32 rounding, as w − w_prev = −η·v says', (t) => {
  const n = 120;
  const dp = weights(train('pb', differencePrediction, n));
  const viaLwp = weights(train('pb', lwp, n));
  const plain = weights(train('pb', 'none', n));
  const gap = worst(viaLwp, dp);
  const effect = worst(plain, viaLwp);
  t.ok(gap < 1e-4, `pb+dp weights = pb+lwp weights to ${gap.toExponential(2)} (expected < 1e-4)`);
  t.ok(effect > 100 * gap, `while LWP moves them ${effect.toExponential(2)} away from plain pb (expected > 100 × ${gap.toExponential(2)})`);
  t.end();
});

test('difference prediction: the forward of sample 1 at stage 1 runs on w1 + T·(w1 − w0), computed here by hand', (t) => {
  const { units, data } = setup(2);
  const make = (mitigation: Mitigation): Pipeline =>
    new Pipeline({ units: units(), method: methodFor('sgd', mitigation), optimizer: sgdForMethod('sgd', hp), horizon: () => 3 });
  // w0: the initial weights; w1: the weights after sample 0, from a separate one-sample run.
  const w0 = [...make(none).stages[0].params.values()].map((w) => w.data.slice());
  const one = make(none);
  one.run(1, (j) => data[j]);
  const w1 = [...one.stages[0].params.values()].map((w) => w.data.slice());
  const seen: Data[][] = [];
  const spy: Mitigation = {
    ...differencePrediction,
    forwardWeights: (at, ctx) => {
      const w = differencePrediction.forwardWeights(at, ctx);
      if (ctx.stage.index === 1) seen.push([...w.values()].map((x) => x.data.slice()));
      return w;
    },
  };
  make(spy).run(2, (j) => data[j]);
  t.equal(seen.length, 2, 'two forwards at stage 1');
  t.deepEqual(seen[0], w0, 'sample 0: no update yet, so no w_prev: the forward runs on w0');
  const expected = w1.map((x, k) => x.map((v, i) => Math.fround(v + 3 * (v - w0[k][i]))));
  t.deepEqual(seen[1], expected, 'sample 1: w1 + 3·(w1 − w0), with T = 3 from the horizon option');
  t.ok(expected.some((x, k) => x.some((v, i) => v !== w1[k][i])), 'and that differs from w1 (the test can fail)');
  t.end();
});

test('difference prediction is a no-op where T = 0 (gpipe), bit for bit, and holds one weight copy', (t) => {
  const a = weights(train('gpipe', differencePrediction, 24));
  const b = weights(train('gpipe', 'none', 24));
  t.ok(a.every((x, k) => x.every((v, i) => Object.is(v, b[k][i]))), 'gpipe+dp final weights === gpipe final weights');
  const pipe = train('pb', differencePrediction, 8);
  t.deepEqual(pipe.memory.map((m) => m.peakWeightVersionBytes), pipe.stages.map((s) => s.parameterCount * 4), 'every stage holds w_prev: one copy of its weights');
  t.end();
});

test('composition takes each hook from the one part that sets it, and refuses two parts that set the same hook', (t) => {
  const scDp = composeMitigations('sc+dp', sc, differencePrediction);
  t.equal(scDp.forwardWeights, differencePrediction.forwardWeights, 'the forward comes from dp');
  t.equal(scDp.nextState, differencePrediction.nextState, 'the state comes from dp');
  t.equal(scDp.backwardWeights, none.backwardWeights, 'the backward is plain PB\'s');
  t.equal(scDp.optimizer.spikeCompensation, true, 'the optimizer change comes from SC');
  t.throws(
    () => composeMitigations('lwp+dp', lwp, differencePrediction),
    (e: Error) => e.message === 'composeMitigations: lwp and dp both set forwardWeights; lwp+dp can take it from one of them only',
    'lwp and dp both choose the forward weights: a one-line error',
  );
  t.throws(() => composeMitigations('stash+stash', stash, stash), /stash and stash both set backwardWeights/, 'two backward policies: an error');
  t.end();
});

test('the registry: names resolve to their objects, and an unknown name lists the valid ones', (t) => {
  t.deepEqual([...mitigationNames], ['none', 'sc', 'lwp', 'sc+lwp', 'stash', 'spectrain', 'pipemare']);
  t.equal(resolveMitigation('stash'), stash, 'stash resolves to the stash object');
  t.equal(resolveMitigation(differencePrediction), differencePrediction, 'an object is taken as it is');
  t.throws(() => resolveMitigation('magic'), /^Error: unknown mitigation 'magic'; valid mitigations: none, sc, lwp, sc\+lwp, stash, spectrain, pipemare$/);
  t.end();
});

/** The body of the docs' code block that contains `marker`, without its import lines. */
function docsExample(marker: string): string {
  const doc = readFileSync(new URL('../../docs/pipelined-backprop.md', import.meta.url), 'utf8');
  const block = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(marker));
  if (block === undefined) throw new Error(`docs/pipelined-backprop.md has no ts block with ${marker}`);
  return block.split('\n').filter((line) => !line.startsWith('import ')).join('\n').trim();
}

test('the docs show the code this spec runs: the difference-prediction block is in this file verbatim', (t) => {
  const example = docsExample('export const differencePrediction');
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  t.ok(source.includes(example), 'docs/pipelined-backprop.md section 8 = the definition above');
  t.end();
});
