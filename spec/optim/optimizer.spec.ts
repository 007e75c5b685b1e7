import test from 'tape';
import { Tensor } from '../../core/index.js';
import { Optimizer, adam, gradsOf, paramsOf, sgd, stepModule, type ModuleLike, type Params } from '../../optim/index.js';
import { named, near, throwsLine, valuesOf } from './helpers.js';

const grads = (k: number): Params => named({ 'layer1.weight': [1 + k, -k], 'layer1.bias': [0.5 * k] });
const start = (): Params => named({ 'layer1.weight': [1, 2], 'layer1.bias': [0] });

test('Optimizer.step: returns new weights and leaves the old ones as they were', (t) => {
  const params = start();
  const opt = new Optimizer(sgd({ lr: 0.5, momentum: 0.9 }), params);
  const next = opt.step(grads(1));
  near(t, valuesOf(next, 'layer1.weight'), [0, 2.5], 'w − 0.5·g');
  t.deepEqual(valuesOf(params, 'layer1.weight'), [1, 2], 'the weights passed in are unchanged');
  t.equal(opt.params, next, 'params is the latest version');
  t.end();
});

test('Optimizer: counts steps and samples; a context value replaces the count and the clock continues from it', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1 }), start());
  opt.step(grads(0));
  opt.step(grads(1), { batchSize: 8 });
  t.deepEqual([opt.steps, opt.samples], [2, 9], '2 updates, 1 + 8 samples');
  opt.step(grads(2), { samples: 100 });
  t.deepEqual([opt.steps, opt.samples], [3, 101], 'samples continue from 100 + 1');
  throwsLine(t, () => opt.step(grads(0), { batchSize: 0 }), /Optimizer.step: batchSize must be a positive integer, got 0/, 'batch size 0');
  t.end();
});

test('Optimizer.step: unknown, missing or misshapen gradients are one-line errors naming the parameter', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1 }), start());
  throwsLine(t, () => opt.step(named({ 'layer1.weight': [1, 1], 'layer1.bias': [1], 'layer2.weight': [1] })), /Optimizer.step: gradient for unknown parameter 'layer2.weight'/, 'unknown');
  throwsLine(t, () => opt.step(named({ 'layer1.weight': [1, 1] })), /Optimizer.step: no gradient for parameter 'layer1.bias'/, 'missing');
  throwsLine(t, () => opt.step(named({ 'layer1.weight': [1, 1, 1], 'layer1.bias': [1] })), /Optimizer.step: gradient for 'layer1.weight' has shape \[3\] but the parameter has shape \[2\]/, 'shape');
  t.end();
});

test('Optimizer: velocity() and learningRate() for weight prediction', (t) => {
  const opt = new Optimizer(sgd({ lr: (s) => 1 / (1 + s), momentum: 0.5 }), start());
  t.equal(opt.learningRate(), 1, 'η(0) = 1 before the first update');
  opt.step(grads(1));
  t.equal(opt.learningRate(), 0.5, 'η(1) = 0.5 for the next update');
  near(t, valuesOf(opt.velocity()!, 'layer1.weight'), [2, -1], 'v = g after one step');
  t.end();
});

test('Optimizer: stateDict names the velocity chain.1.velocity.<param> and carries the clock', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }), start());
  opt.step(grads(1), { batchSize: 4 });
  const dict = opt.stateDict();
  t.deepEqual([...dict.state.keys()].sort(), ['chain.1.velocity.layer1.bias', 'chain.1.velocity.layer1.weight'], 'one entry per velocity tensor');
  t.deepEqual([dict.step, dict.samples], [1, 4], 'step 1, 4 samples');
  t.deepEqual([...new Optimizer(adam({ lr: 1e-3 }), start()).stateDict().state.keys()].sort(), [
    'chain.1.mu.layer1.bias', 'chain.1.mu.layer1.weight', 'chain.1.nu.layer1.bias', 'chain.1.nu.layer1.weight',
  ], 'Adam: both moments');
  t.end();
});

for (const [name, make] of [
  ['sgd + momentum + decay', () => sgd({ lr: (s: number) => 0.1 / (1 + s), momentum: 0.9, weightDecay: 1e-2 })],
  ['adam', () => adam({ lr: 1e-2 })],
] as const) {
  test(`Optimizer: a stateDict round trip continues ${name} bit for bit`, (t) => {
    const a = new Optimizer(make(), start());
    a.step(grads(1));
    a.step(grads(2), { batchSize: 3 });
    const b = new Optimizer(make(), a.params);
    b.loadStateDict(a.stateDict());
    t.deepEqual([b.steps, b.samples], [2, 4], 'clock restored');
    for (const k of [3, 4]) {
      const wa = a.step(grads(k));
      const wb = b.step(grads(k));
      t.deepEqual(valuesOf(wb, 'layer1.weight'), valuesOf(wa, 'layer1.weight'), `step ${k}: same weights`);
    }
    t.end();
  });
}

test('Optimizer.loadStateDict: missing, unexpected or misshapen entries are errors', (t) => {
  const opt = new Optimizer(sgd({ lr: 0.1, momentum: 0.9 }), start());
  const good = opt.stateDict();
  const without = new Map(good.state);
  without.delete('chain.1.velocity.layer1.bias');
  throwsLine(t, () => opt.loadStateDict({ ...good, state: without }), /loadStateDict: missing state entry 'chain.1.velocity.layer1.bias'/, 'missing');
  const extra = new Map(good.state).set('chain.2.velocity.x', new Tensor(new Float32Array(1), [1]));
  throwsLine(t, () => opt.loadStateDict({ ...good, state: extra }), /loadStateDict: unexpected state entry 'chain.2.velocity.x'/, 'unexpected');
  const wrong = new Map(good.state).set('chain.1.velocity.layer1.bias', new Tensor(new Float32Array(2), [2]));
  throwsLine(t, () => opt.loadStateDict({ ...good, state: wrong }), /state entry 'chain.1.velocity.layer1.bias' has shape \[2\] but the optimizer expects \[1\]/, 'shape');
  throwsLine(t, () => opt.loadStateDict({ ...good, step: -1 }), /loadStateDict: step must be a non-negative integer, got -1/, 'step');
  t.end();
});

/** A stand-in for an nn module: parameters by dotted path. */
class FakeModule implements ModuleLike {
  readonly params = start();
  readonly replaced: string[] = [];
  constructor() {
    for (const w of this.params.values()) w.requireGrad();
  }
  namedParameters(): [string, Tensor][] {
    return [...this.params];
  }
  setParameter(path: string, tensor: Tensor): void {
    this.params.set(path, tensor);
    this.replaced.push(path);
  }
}

test('stepModule: steps from the module\'s weights and writes the new ones back', (t) => {
  const model = new FakeModule();
  const opt = new Optimizer(sgd({ lr: 0.5 }), paramsOf(model));
  stepModule(opt, model, grads(1));
  near(t, valuesOf(model.params, 'layer1.weight'), [0, 2.5], 'w − 0.5·g written back');
  t.deepEqual(model.replaced.sort(), ['layer1.bias', 'layer1.weight'], 'every changed parameter set once');
  t.equal(model.params.get('layer1.weight')!.requiresGrad, true, 'the new weights still require gradients');
  model.setParameter('layer1.weight', new Tensor(Float32Array.from([10, 10]), [2]));
  stepModule(opt, model, grads(0));
  near(t, valuesOf(model.params, 'layer1.weight'), [9.5, 10], 'a weight replaced in the module is where the next step starts');
  t.end();
});

test('gradsOf: the .grad of each parameter, or an error naming the one without', (t) => {
  const model = new FakeModule();
  throwsLine(t, () => gradsOf(model), /gradsOf: parameter 'layer1.weight' has no gradient/, 'no backward yet');
  for (const [name, g] of grads(1)) model.params.get(name)!.grad = g;
  t.deepEqual(valuesOf(gradsOf(model), 'layer1.weight'), [2, -1], 'reads w.grad');
  t.end();
});
