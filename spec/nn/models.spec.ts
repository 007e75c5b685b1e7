/**
 * The model families: each builds and trains a step (forward and backward at batch
 * size one), parameter counts match the literature, and the pipeline units compose to
 * the model bit for bit while owning disjoint parameters that cover the model.
 */
import test from 'tape';
import { backward, crossEntropy, randn, Rng, type Tensor } from '../../core/index.js';
import { createModel, modelNames, runUnits, type Model, type ModelOptions } from '../../nn/index.js';

/** The input shape each family expects (small where the family allows it). */
const FAMILIES: [string, ModelOptions, number[]][] = [
  ['mlp', { hidden: 32 }, [1, 1, 28, 28]],
  ['lenet5', {}, [1, 1, 28, 28]],
  ['smallcnn', {}, [1, 1, 28, 28]],
  ['vgg11', { width: 0.125 }, [1, 3, 32, 32]],
  ['vgg13', { width: 0.0625 }, [1, 3, 32, 32]],
  ['vgg16', { width: 0.0625 }, [1, 3, 32, 32]],
  ['resnet20', { width: 0.25 }, [1, 3, 32, 32]],
  ['resnet32', { width: 0.25 }, [1, 3, 32, 32]],
  ['resnet44', { width: 0.25 }, [1, 3, 16, 16]],
  ['resnet56', { width: 0.25 }, [1, 3, 16, 16]],
  ['resnet110', { width: 0.125 }, [1, 3, 8, 8]],
];

function bitsEqual(a: Tensor, b: Tensor): boolean {
  const x = new Uint32Array(Float32Array.from(a.data).buffer);
  const y = new Uint32Array(Float32Array.from(b.data).buffer);
  return a.shape.join() === b.shape.join() && x.every((v, i) => v === y[i]);
}

test('every family builds, runs forward and backward at batch size one, and gives every parameter a gradient', (t) => {
  for (const [name, options, shape] of FAMILIES) {
    const inputShape = shape.slice(1) as [number, number, number];
    const model = createModel(name, { ...options, inputShape, seed: 1 });
    const x = randn(shape, new Rng(2));
    const logits = model.forward(x);
    t.deepEqual(logits.shape, [1, 10], `${name}: logits [1, 10]`);
    backward(crossEntropy(logits, [3]));
    const missing = model.namedParameters().filter(([, p]) => p.grad === null).map(([n]) => n);
    t.deepEqual(missing, [], `${name}: every parameter received a gradient`);
  }
  t.end();
});

test('every norm option builds a working resnet20; LayerNorm has per-element parameters', (t) => {
  for (const norm of ['group', 'batch', 'layer', 'none'] as const) {
    const model = createModel('resnet20', { width: 0.25, norm, inputShape: [3, 8, 8] });
    const logits = model.forward(randn([2, 3, 8, 8], new Rng(1)));
    t.deepEqual(logits.shape, [2, 10], `norm '${norm}': logits [2, 10]`);
  }
  const layer = createModel('resnet20', { width: 0.25, norm: 'layer', inputShape: [3, 8, 8] });
  const stemNorm = layer.namedParameters().find(([n]) => n === 'norm1.weight')![1];
  t.deepEqual(stemNorm.shape, [4, 8, 8], "norm 'layer': γ of the stem is [C, H, W]");
  const plain = createModel('resnet20', { width: 0.25, norm: 'none' });
  t.ok(plain.namedParameters().some(([n]) => n === 'layer1.0.conv1.bias'), "norm 'none': convolutions get a bias");
  t.end();
});

test('parameter counts match the literature (per-channel normalization)', (t) => {
  const counts: [string, ModelOptions, number][] = [
    ['resnet20', {}, 269_722],
    ['resnet56', {}, 853_018],
    ['resnet110', {}, 1_727_962],
    ['resnet20', { norm: 'batch' }, 269_722],
    ['resnet50', {}, 25_557_032],
    ['lenet5', {}, 61_706],
    ['smallcnn', {}, 7_018],
  ];
  for (const [name, options, want] of counts) {
    t.equal(createModel(name, options).parameterCount(), want, `${name} ${JSON.stringify(options)}: ${want.toLocaleString('en')} parameters`);
  }
  t.end();
});

test('units compose to the model bit for bit, and own disjoint parameters covering the model', (t) => {
  const cases: [string, ModelOptions, number[]][] = [
    ['mlp', { hidden: 16, norm: 'group' }, [1, 1, 28, 28]],
    ['lenet5', { norm: 'layer' }, [1, 1, 28, 28]],
    ['smallcnn', {}, [1, 1, 28, 28]],
    ['vgg11', { width: 0.125 }, [1, 3, 32, 32]],
    ['resnet20', { width: 0.25 }, [1, 3, 32, 32]],
    ['resnet20', { width: 0.25, norm: 'batch' }, [2, 3, 32, 32]],
    ['resnet50', { width: 0.0625, numClasses: 10 }, [1, 3, 32, 32]],
  ];
  for (const [name, options, shape] of cases) {
    const label = `${name} ${JSON.stringify(options)}`;
    const inputShape = shape.slice(1) as [number, number, number];
    const model: Model = createModel(name, { ...options, inputShape, seed: 3 });
    const x = randn(shape, new Rng(4));
    const units = model.pipelineUnits();
    const whole = model.forward(x);
    t.ok(bitsEqual(runUnits(units, x), whole), `${label}: ${units.length} units, run in order, equal forward(x) bit for bit`);

    const owned = units.flatMap((u) => u.module.namedParameters());
    t.deepEqual(owned.map(([n]) => n), model.namedParameters().map(([n]) => n), `${label}: the units' parameter paths, in order, are the model's`);
    t.ok(owned.every(([n, p], i) => p === model.namedParameters()[i][1] && n === model.namedParameters()[i][0]), `${label}: they are the model's tensors`);
    t.equal(new Set(owned.map(([, p]) => p)).size, owned.length, `${label}: no parameter belongs to two units`);
    t.ok(units.every((u) => u.parameterNames.join() === u.module.namedParameters().map(([n]) => n).join()), `${label}: parameterNames lists each unit's module parameters`);
    t.ok(units.every((u) => u.parameterNames.length > 0), `${label}: every unit owns parameters`);
  }
  t.end();
});

test('units: the default granularity', (t) => {
  const names = (name: string, options: ModelOptions = {}): string[] => createModel(name, options).pipelineUnits().map((u) => u.name);
  t.deepEqual(names('smallcnn'), ['conv1', 'conv2', 'fc'], 'smallcnn: one unit per conv or linear layer');
  t.deepEqual(names('mlp', { depth: 2 }), ['fc1', 'fc2', 'fc3'], 'mlp: one unit per linear layer (flatten joins the first)');
  const resnet = names('resnet20', { width: 0.25 });
  t.equal(resnet.length, 1 + 9 * 2 + 1, 'resnet20: stem, two units per block, head = 20 units');
  t.deepEqual(resnet.slice(0, 4), ['conv1', 'layer1.0:1', 'layer1.0:2', 'layer1.1:1'], 'block units are named after the block');
  t.equal(resnet[resnet.length - 1], 'fc', 'the pool joins the classifier');
  t.equal(names('vgg11', { width: 0.125 }).length, 9, 'vgg11: 8 convolution units and the classifier');

  const model = createModel('resnet20', { width: 0.25 });
  const units = model.pipelineUnits();
  const blockA = units[1];
  const blockB = units[2];
  t.deepEqual(blockA.parameterNames, ['layer1.0.conv1.weight', 'layer1.0.norm1.weight', 'layer1.0.norm1.bias'], 'block unit 1: conv1 and norm1, by model path');
  t.deepEqual(blockB.bundleSize, 2, 'block unit 2 takes [h, skip]');
  const x = randn([1, 4, 32, 32], new Rng(1));
  const out = blockA.forward([x]);
  t.equal(out.length, 2, 'block unit 1 returns [h, skip]');
  t.equal(out[1], x, 'the skip is the block input itself');
  t.throws(() => blockB.forward([x]), /unit 'layer1\.0:2': expects a bundle of 2/, 'a wrong bundle size names the unit');

  const w = blockA.module.namedParameters()[0][1];
  const replacement = randn(w.shape, new Rng(9));
  blockA.module.setParameter('layer1.0.conv1.weight', replacement);
  t.equal(model.namedParameters().find(([n]) => n === 'layer1.0.conv1.weight')![1], replacement, 'rebinding through a unit rebinds the model');

  const r50 = createModel('resnet50', { width: 0.0625, inputShape: [3, 32, 32] }).pipelineUnits();
  const down = r50.find((u) => u.name === 'layer1.0:3')!;
  t.deepEqual(down.parameterNames.filter((n) => n.includes('downsample')), ['layer1.0.downsample.0.weight', 'layer1.0.downsample.1.weight', 'layer1.0.downsample.1.bias'], 'bottleneck: the projection shortcut belongs to the last unit');
  t.equal(r50.length, 1 + 16 * 3 + 1, 'resnet50: stem, three units per bottleneck, head');
  t.end();
});

test('createModel: unknown names and options are errors that list the valid ones', (t) => {
  t.throws(() => createModel('resnet19'), /unknown model 'resnet19'; valid names: mlp, lenet5, smallcnn, vgg11, vgg13, vgg16, resnet20, resnet32, resnet44, resnet56, resnet110, resnet50/, 'unknown name');
  t.throws(() => createModel('resnet20', { widht: 2 } as ModelOptions), /^Error: createModel\('resnet20'\): unknown option 'widht' \(did you mean 'width'\?\); valid options: norm, width/, 'misspelt option');
  t.throws(() => createModel('vgg11', { norm: 'instance' as 'group' }), /vgg11: unknown norm 'instance'; valid: group, batch, layer, none/, 'unknown norm');
  t.throws(() => createModel('resnet20', { seed: 1, rng: new Rng(1) }), /rng or seed/, 'rng and seed together');
  t.throws(() => createModel('vgg11', { inputShape: [3, 16, 16] }), /too small/, 'an input too small for five pools');
  t.ok(modelNames().length >= 12, 'modelNames lists the families');
  const a = createModel('resnet20', { width: 0.25, seed: 5 }).parameters()[0].data;
  const b = createModel('resnet20', { width: 0.25, seed: 5 }).parameters()[0].data;
  t.deepEqual(Array.from(a), Array.from(b), 'the same seed builds the same model');
  t.end();
});
