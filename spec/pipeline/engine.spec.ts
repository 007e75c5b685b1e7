/**
 * The engine held to DESIGN §5, §6 and §8: transparency, recorded versions, the
 * sequential cross-check, and each mitigation's defining property.
 */
import test from 'tape';
import { crossEntropy, gradients, randn, Rng, Tensor, type Data } from '../../core/index.js';
import { createModel, type Model } from '../../nn/index.js';
import { Optimizer, sgd, type Params } from '../../optim/index.js';
import { delayOf, mitigationNames, Pipeline, resolveMethod, sgdForMethod, simulate, type Example, type VersionRecord } from '../../pipeline/index.js';

const hp = { lr: 0.02, momentum: 0.9, weightDecay: 1e-4 };

/** An 8-stage MLP (7 hidden layers + classifier) on 6 inputs, 3 classes. */
function mlp8(seed = 1): Model {
  return createModel('mlp', { inputShape: [6, 1, 1], numClasses: 3, depth: 7, hidden: 12, seed });
}

/** A fixed stream of examples: x ~ N(0, 1), label from the signs of two inputs. */
function stream(n: number, shape = [1, 6, 1, 1], seed = 7): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const input = randn(shape, rng);
    const d = input.data;
    return { input, target: Int32Array.from([d[0] > 0 ? 1 : d[1] > 0 ? 2 : 0]) };
  });
}

function snapshotParams(p: Params): Map<string, Data> {
  return new Map([...p].map(([k, v]) => [k, v.data.slice()]));
}

function identical(a: Map<string, Data>, b: Map<string, Data>): { ok: boolean; where: string } {
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || y.length !== x.length) return { ok: false, where: `${name}: missing or resized` };
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return { ok: false, where: `${name}[${i}]: received ${y[i]}, expected ${x[i]}` };
    }
  }
  return { ok: true, where: '' };
}

function train(method: string, samples: number, data: Example[], options: { simulate?: boolean; horizon?: (d: number) => number; seed?: number } = {}): Pipeline {
  const model = mlp8(options.seed);
  const spec = resolveMethod(method);
  const pipe = new Pipeline({ units: model.pipelineUnits(), method: spec, optimizer: sgdForMethod(spec, hp), recordVersions: true, horizon: options.horizon, microBatches: 4 });
  const feed = (j: number): Example => data[j];
  if (options.simulate) simulate(pipe, samples, feed);
  else pipe.run(samples, feed);
  return pipe;
}

/** The plain optimizer loop: forward the whole model, backward, one update. */
function plainSgd(samples: number, data: Example[]): Map<string, Data> {
  const model = mlp8();
  const opt = new Optimizer(sgd(hp), new Map(model.namedParameters()));
  for (let j = 0; j < samples; j++) {
    const loss = crossEntropy(model.forward(data[j].input), data[j].target as Int32Array);
    const g = gradients(loss);
    const grads: Params = new Map(model.namedParameters().map(([n, w]) => [n, g.get(w)!]));
    for (const [n, w] of opt.step(grads)) model.setParameter(n, w);
  }
  return snapshotParams(new Map(model.namedParameters()));
}

test('transparency: the sequential schedule and a one-stage pb pipeline equal plain SGD bit for bit (100 samples)', (t) => {
  const data = stream(100);
  const reference = plainSgd(100, data);
  const seq = train('sgd', 100, data);
  t.equal(seq.stages.length, 8, 'the MLP is cut into 8 stages');
  const r1 = identical(reference, snapshotParams(seq.params()));
  t.ok(r1.ok, `sequential schedule = plain SGD ${r1.where}`);

  const model = mlp8();
  const spec = resolveMethod('pb');
  const one = new Pipeline({ units: model.pipelineUnits(), method: spec, optimizer: sgdForMethod(spec, hp), partition: 1 });
  t.equal(one.stages.length, 1, 'partition 1 gives one stage');
  t.equal(one.stages[0].delay, 0, 'its delay is 0');
  one.run(100, (j) => data[j]);
  const r2 = identical(reference, snapshotParams(one.params()));
  t.ok(r2.ok, `one-stage pb = plain SGD ${r2.where}`);
  t.end();
});

function checkVersions(t: test.Test, records: VersionRecord[], stages: number, samples: number, label: string): void {
  let bad = '';
  let count = 0;
  for (const r of records) {
    const D = delayOf(r.stage, stages);
    const expected = r.phase === 'B' ? r.sample : Math.max(0, r.sample - D);
    count++;
    if (r.version !== expected && bad === '') bad = ` — sample ${r.sample} stage ${r.stage} ${r.phase}: received version ${r.version}, expected ${expected}`;
  }
  t.equal(count, 2 * stages * samples, `${label}: one forward and one backward record per sample and stage`);
  t.ok(bad === '', `${label}: forward of j at s used version max(0, j − 2(S − s)), backward used version j${bad}`);
}

test('versions: every pass of an 8-stage MLP uses the version of DESIGN §5, fill included', (t) => {
  const data = stream(40);
  const pipe = train('pb', 40, data);
  checkVersions(t, pipe.versions, 8, 40, 'mlp, 8 stages');
  t.deepEqual(pipe.memory.map((m) => m.peakInFlight), pipe.stages.map((s) => s.delay + 1), 'stage s holds at most D_s + 1 samples in flight');
  t.end();
});

test('versions: a fine-grained resnet20 uses the versions of DESIGN §5', (t) => {
  const model = createModel('resnet20', { width: 0.25, inputShape: [3, 8, 8], seed: 3 });
  const spec = resolveMethod('pb');
  const pipe = new Pipeline({ units: model.pipelineUnits(), method: spec, optimizer: sgdForMethod(spec, hp), recordVersions: true });
  const S = pipe.stages.length;
  t.equal(S, 20, 'resnet20 has 19 convolutions and one classifier: 20 stages');
  const n = 2 * S + 2;
  const data = stream(n, [1, 3, 8, 8]).map((e) => ({ input: e.input, target: e.target }));
  pipe.run(n, (j) => data[j]);
  checkVersions(t, pipe.versions, S, n, 'resnet20, 20 stages');
  t.end();
});

test('the tick engine equals the sequential simulator bit for bit (200 samples)', (t) => {
  const data = stream(200);
  for (const method of ['pb', 'pb+sc', 'pb+lwp', 'pb+sc+lwp']) {
    const ticked = train(method, 200, data);
    const simulated = train(method, 200, data, { simulate: true });
    const r = identical(snapshotParams(ticked.params()), snapshotParams(simulated.params()));
    t.ok(r.ok, `${method}: engine = simulator ${r.where}`);
  }
  t.end();
});

test('the mitigations change training, and their special cases reduce as DESIGN §6 says', (t) => {
  const data = stream(120);
  const pb = snapshotParams(train('pb', 120, data).params());
  const lwp0 = snapshotParams(train('pb+lwp', 120, data, { horizon: () => 0 }).params());
  const r0 = identical(pb, lwp0);
  t.ok(r0.ok, `LWP with horizon 0 equals plain pb ${r0.where}`);
  const lwp = snapshotParams(train('pb+lwp', 120, data).params());
  t.notOk(identical(pb, lwp).ok, 'LWP with horizon D_s differs from pb');
  const spectrain = snapshotParams(train('spectrain', 120, data).params());
  const r1 = identical(lwp, spectrain);
  t.ok(r1.ok, `SpecTrain equals LWP in the PB schedule (backward horizon 0) ${r1.where}`);
  const sc = snapshotParams(train('pb+sc', 120, data).params());
  t.notOk(identical(pb, sc).ok, 'SC differs from pb');
  for (const method of ['stash', 'pipemare']) {
    t.notOk(identical(pb, snapshotParams(train(method, 120, data).params())).ok, `${method} differs from pb`);
  }
  t.end();
});

test('SC, LWP and every other mitigation are exact no-ops where the schedule has no delay: sgd, gpipe and 1f1b, bit for bit (40 samples)', (t) => {
  const data = stream(40);
  for (const schedule of ['sgd', 'gpipe', '1f1b']) {
    const plain = train(schedule, 40, data);
    t.deepEqual(plain.stages.map((s) => s.delay), [0, 0, 0, 0, 0, 0, 0, 0], `${schedule}: every stage's delay, read off the stream, is 0`);
    const reference = snapshotParams(plain.params());
    for (const mitigation of mitigationNames.filter((m) => m !== 'none')) {
      const r = identical(reference, snapshotParams(train(`${schedule}+${mitigation}`, 40, data).params()));
      t.ok(r.ok, `${schedule}+${mitigation} final weights === ${schedule} final weights ${r.where}`);
    }
  }
  t.end();
});

test('stashing: the backward of every sample uses the version its forward used', (t) => {
  const data = stream(30);
  const pipe = train('stash', 30, data);
  const forward = new Map(pipe.versions.filter((r) => r.phase === 'F').map((r) => [`${r.stage}:${r.sample}`, r.version]));
  const mismatches = pipe.versions.filter((r) => r.phase === 'B' && forward.get(`${r.stage}:${r.sample}`) !== r.version);
  t.equal(mismatches.length, 0, 'forward version = backward version at every stage');
  t.ok(pipe.memory[0].peakWeightVersionBytes > 0, 'stage 1 holds stashed weight versions');
  t.equal(pipe.memory[7].peakWeightVersionBytes, 0, 'the last stage (D = 0) holds none');
  t.end();
});

test('the stages get the delay of their schedule, 2(S − s) for pb, and pass it to the optimizer context', (t) => {
  const pipe = train('pb+sc', 1, stream(1));
  t.deepEqual(pipe.stages.map((s) => s.delay), [14, 12, 10, 8, 6, 4, 2, 0], 'D_s = 2(S − s) for S = 8');
  const seen: (number | undefined)[] = [];
  const spy = new Pipeline({
    units: mlp8().pipelineUnits(),
    method: 'pb',
    optimizer: { init: () => null, update: (grads, state, _params, ctx) => (seen.push(ctx.delay), { updates: new Map(), state }) },
  });
  spy.run(1, (j) => stream(1)[j]);
  t.deepEqual(seen, [0, 2, 4, 6, 8, 10, 12, 14], 'the updates of sample 0, from stage 8 down to stage 1, carry D_s in their context');
  t.end();
});

test('gpipe with M micro-batches equals SGD with batch M (float32 tolerance)', (t) => {
  const M = 4;
  const single = stream(32);
  // Micro-batch k holds one sample; a round of M micro-batches is one batch of M.
  const model = mlp8();
  const spec = resolveMethod('gpipe');
  const pipe = new Pipeline({ units: model.pipelineUnits(), method: spec, optimizer: sgdForMethod(spec, hp), microBatches: M });
  pipe.run(32, (j) => single[j]);

  const ref = mlp8();
  const opt = new Optimizer(sgd(hp), new Map(ref.namedParameters()));
  for (let b = 0; b < 32 / M; b++) {
    const xs = single.slice(b * M, b * M + M);
    const input = new Tensor(Float32Array.from(xs.flatMap((e) => Array.from(e.input.data))), [M, 6, 1, 1]);
    const labels = Int32Array.from(xs.map((e) => (e.target as Int32Array)[0]));
    const g = gradients(crossEntropy(ref.forward(input), labels));
    const grads: Params = new Map(ref.namedParameters().map(([n, w]) => [n, g.get(w)!]));
    for (const [n, w] of opt.step(grads, { batchSize: M })) ref.setParameter(n, w);
  }
  let worst = 0;
  for (const [name, w] of ref.namedParameters()) {
    const a = w.data;
    const b = pipe.params().get(name)!.data;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(a[i])));
  }
  t.ok(worst < 1e-4, `gpipe(M=4) weights = batch-4 SGD weights (worst relative difference ${worst.toExponential(2)})`);
  t.end();
});

test('1f1b applies the same updates as gpipe (float32 tolerance) with fewer samples in flight', (t) => {
  const data = stream(32);
  const run = (method: string): Pipeline => {
    const spec = resolveMethod(method);
    const pipe = new Pipeline({ units: mlp8().pipelineUnits(), method: spec, optimizer: sgdForMethod(spec, hp), microBatches: 4, recordVersions: true });
    pipe.run(32, (j) => data[j]);
    return pipe;
  };
  const gpipe = run('gpipe');
  const oneF = run('1f1b');
  let worst = 0;
  for (const [name, w] of gpipe.params()) {
    const a = w.data;
    const b = oneF.params().get(name)!.data;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(a[i])));
  }
  t.ok(worst < 1e-5, `same weights after 8 rounds (worst relative difference ${worst.toExponential(2)})`);
  const key = (r: VersionRecord): string => `${r.stage}:${r.sample}:${r.phase}:${r.version}`;
  t.deepEqual(oneF.versions.map(key).sort(), gpipe.versions.map(key).sort(), 'every pass uses the same weight version under both schedules');
  t.ok(oneF.memory.every((m, i) => m.peakInFlight <= Math.min(8 - i, 4)), `1f1b holds at most min(S − s + 1, M) samples per stage (${oneF.memory.map((m) => m.peakInFlight).join(',')})`);
  t.ok(gpipe.memory.every((m) => m.peakInFlight === 4), 'gpipe holds all M micro-batches at every stage');
  t.end();
});
