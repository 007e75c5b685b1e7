/**
 * Module: named parameters, buffers and children; rebinding instead of writing in
 * place; state dicts and their strict loading.
 */
import test from 'tape';
import { add, fromArray, mul, noGrad, ones, Rng, zeros, type Tensor } from '../../core/index.js';
import { BatchNorm2d, Conv2d, Linear, Module, ReLU, Sequential } from '../../nn/index.js';

/** A two-level model whose paths look like a ResNet's: `layer3.1.conv2.weight`. */
function nested(seed = 0): Sequential {
  const rng = new Rng(seed);
  const block = (): Sequential =>
    Sequential.fromEntries([
      ['conv1', new Conv2d(2, 2, 3, { padding: 1, bias: false, rng })],
      ['norm1', new BatchNorm2d(2)],
      ['relu', new ReLU()],
      ['conv2', new Conv2d(2, 2, 3, { padding: 1, rng })],
    ]);
  return Sequential.fromEntries([
    ['stem', new Conv2d(1, 2, 1, { rng })],
    ['layer3', new Sequential(block(), block())],
  ]);
}

test('Module: dotted parameter paths in registration order, parents first', (t) => {
  const model = nested();
  const names = model.namedParameters().map(([n]) => n);
  t.deepEqual(
    names,
    [
      'stem.weight', 'stem.bias',
      'layer3.0.conv1.weight', 'layer3.0.norm1.weight', 'layer3.0.norm1.bias', 'layer3.0.conv2.weight', 'layer3.0.conv2.bias',
      'layer3.1.conv1.weight', 'layer3.1.norm1.weight', 'layer3.1.norm1.bias', 'layer3.1.conv2.weight', 'layer3.1.conv2.bias',
    ],
    'paths such as layer3.1.conv2.weight, in registration order',
  );
  t.deepEqual(model.namedBuffers().map(([n]) => n), ['layer3.0.norm1.runningMean', 'layer3.0.norm1.runningVar', 'layer3.1.norm1.runningMean', 'layer3.1.norm1.runningVar'], 'buffers by path');
  t.ok(model.parameters().every((p) => p.requiresGrad), 'every parameter requires a gradient');
  t.ok(model.namedBuffers().every(([, b]) => !b.requiresGrad), 'no buffer requires a gradient');
  t.equal(model.parameterCount(), 2 * 1 + 2 + 2 * (2 * 2 * 9 + 2 + 2 + 2 * 2 * 9 + 2), 'parameterCount sums the sizes');
  t.deepEqual(model.namedModules().map(([n]) => n).slice(0, 4), ['', 'stem', 'layer3', 'layer3.0'], 'namedModules lists the model first, then depth first');
  t.end();
});

test('Module: registering checks names', (t) => {
  class Bad extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  const m = new Bad();
  m.registerParameter('w', ones([2]));
  t.throws(() => m.registerParameter('w', ones([2])), /'w' is already used/, 'a name cannot be registered twice');
  t.throws(() => m.registerBuffer('a.b', ones([2])), /not a valid name/, 'names cannot contain dots');
  t.throws(() => m.registerModule('forward', new ReLU()), /already used/, 'a name cannot shadow a method');
  const w = ones([2]).requireGrad();
  const computed = mul(w, 2);
  t.throws(() => m.registerParameter('v', computed), /recorded op 'mul'.*leaf/, 'a parameter must be a leaf');
  t.equal((m as unknown as Record<string, Tensor>).w.shape[0], 2, 'a registered parameter is a property');
  t.end();
});

test('Module: setParameter rebinds the reference and leaves the old tensor untouched', (t) => {
  const model = nested();
  const path = 'layer3.1.conv2.weight';
  const old = model.namedParameters().find(([n]) => n === path)![1];
  const oldValues = Float32Array.from(old.data);
  const replacement = zeros(old.shape);
  model.setParameter(path, replacement);
  const conv2 = (model.namedModules().find(([n]) => n === 'layer3.1.conv2')![1]) as Conv2d;
  t.equal(conv2.weight, replacement, 'the layer now reads the new tensor');
  t.equal(model.namedParameters().find(([n]) => n === path)![1], replacement, 'namedParameters sees it');
  t.ok(replacement.requiresGrad, 'the new tensor is marked requiresGrad');
  t.deepEqual(Array.from(old.data), Array.from(oldValues), 'the old tensor keeps its values');
  t.throws(() => model.setParameter(path, zeros([2, 2, 3, 4])), /layer3\.1\.conv2\.weight.*\[2,2,3,3\].*\[2,2,3,4\]/, 'a wrong shape names the path and both shapes');
  t.throws(() => model.setParameter('layer3.7.conv2.weight', replacement), /no module '7' in 'layer3'/, 'a wrong path says where it went wrong');
  t.throws(() => model.setParameter('layer3.1.conv2.gamma', replacement), /no parameter 'layer3\.1\.conv2\.gamma'.*weight, bias/, 'an unknown parameter lists the ones that exist');
  t.throws(() => model.setParameter('layer3.1.norm1.runningMean', zeros([2])), /no parameter/, 'a buffer is not a parameter');
  const w = ones(old.shape).requireGrad();
  t.throws(() => model.setParameter(path, add(w, 1)), /recorded op 'add'/, 'a tensor on the tape is refused');
  model.setParameter(path, noGrad(() => add(w, 1)));
  t.pass('a tensor computed under noGrad is accepted');
  model.setBuffer('layer3.1.norm1.runningMean', fromArray([1, 2]));
  t.deepEqual(Array.from((model.namedModules().find(([n]) => n === 'layer3.1.norm1')![1] as BatchNorm2d).runningMean.data), [1, 2], 'setBuffer rebinds a buffer');
  t.end();
});

test('Module: train() and eval() reach every module', (t) => {
  const model = nested();
  model.eval();
  t.ok(model.namedModules().every(([, m]) => !m.training), 'eval sets every module to evaluation');
  model.train();
  t.ok(model.namedModules().every(([, m]) => m.training), 'train sets every module back');
  t.end();
});

test('Module: stateDict round trip into a fresh model reproduces its outputs', (t) => {
  const a = nested(1);
  const b = nested(2);
  const x = fromArray(Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i)), [2, 1, 4, 4]);
  a.forward(x); // one training step moves the BatchNorm running statistics
  const state = a.stateDict();
  t.equal(state.size, 12 + 4, 'the state holds every parameter and buffer');
  b.loadStateDict(state);
  a.eval();
  b.eval();
  t.deepEqual(Array.from(b.forward(x).data), Array.from(a.forward(x).data), 'the loaded model computes the same outputs');
  const [name, tensor] = [...b.stateDict()][0];
  t.notEqual(tensor, state.get(name), 'loading copies: the models share no tensors');
  t.end();
});

test('Module: a strict load names every missing, unexpected and mis-shaped entry in one error', (t) => {
  const model = nested();
  const state = new Map(model.stateDict());
  state.delete('stem.bias');
  state.delete('layer3.0.norm1.runningVar');
  state.set('head.weight', zeros([3]));
  state.set('layer3.1.conv2.bias', zeros([5]));
  const before = model.stateDict();
  let message = '';
  try {
    model.loadStateDict(state);
  } catch (err) {
    message = (err as Error).message;
  }
  t.ok(/1 mis-shaped: layer3\.1\.conv2\.bias is \[5\] in the state but \[2\] in the model/.test(message), `mis-shaped entry named (${message})`);
  t.ok(/2 missing.*stem\.bias, layer3\.0\.norm1\.runningVar/.test(message), 'missing entries named');
  t.ok(/1 unexpected.*head\.weight/.test(message), 'unexpected entry named');
  t.ok([...model.stateDict()].every(([n, v]) => before.get(n) === v), 'nothing was loaded');

  state.set('layer3.1.conv2.bias', zeros([2]));
  const result = model.loadStateDict(state, { strict: false });
  t.deepEqual(result, { missing: ['stem.bias', 'layer3.0.norm1.runningVar'], unexpected: ['head.weight'] }, 'a non-strict load reports what it skipped');
  t.deepEqual(Array.from((model.namedParameters().find(([n]) => n === 'layer3.1.conv2.bias')![1]).data), [0, 0], 'and loads the rest');
  t.throws(() => model.loadStateDict(new Map([['stem.weight', zeros([9])]]), { strict: false }), /mis-shaped/, 'a mis-shaped entry is an error even when not strict');
  t.end();
});

test('Linear: y = x·Wᵀ + b with W stored [out, in]', (t) => {
  const fc = new Linear(3, 2, { rng: new Rng(0) });
  fc.setParameter('weight', fromArray([[1, 2, 3], [4, 5, 6]]));
  fc.setParameter('bias', fromArray([0.5, -1]));
  t.deepEqual(fc.forward(fromArray([[1, 0, -1], [2, 1, 0]])).toArray(), [[-1.5, -3], [4.5, 12]], 'hand-computed outputs');
  t.throws(() => fc.forward(zeros([1, 4])), /Linear\(3→2\).*\[1,4\]/, 'a wrong input size names the layer');
  const noBias = new Linear(3, 2, { rng: new Rng(0), bias: false });
  t.deepEqual(noBias.namedParameters().map(([n]) => n), ['weight'], 'bias: false registers no bias');
  t.end();
});
