/**
 * Library misuse: every wrong call a user can make with an option object or a size is
 * a one-line Error that names the function, the option and what was expected — never a
 * bare RangeError, never a silent default. One table, one expected message per row.
 */
import test from 'tape';
import { avgPool2d, conv2d, full, maxPool2d, randn, Rng, zeros, type Pool2dOptions } from '../../core/index.js';
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  createModel,
  GroupNorm,
  LayerNorm,
  Linear,
  MaxPool2d,
  normFactory,
  type Conv2dLayerOptions,
  type LinearOptions,
  type ModelOptions,
  type NormalizationOptions,
  type PoolOptions,
} from '../../nn/index.js';

const rng = new Rng(0);
const image = randn([1, 2, 4, 4], rng);
const filters = randn([3, 2, 3, 3], rng);

/** [what, the misuse, the exact message expected]. */
const MISUSES: Array<[string, () => unknown, string]> = [
  ['a tensor larger than memory can index', () => zeros([2 ** 31, 2 ** 31]), 'zeros: shape [2147483648,2147483648] has 4.61e+18 elements, more than the 2147483647 (2^31 − 1) a tensor can hold'],
  ['a tensor one element over the limit', () => full([2 ** 31], 1), 'full: shape [2147483648] has 2147483648 elements, more than the 2147483647 (2^31 − 1) a tensor can hold'],
  ['a random tensor over the limit', () => randn([65536, 65536], rng), 'random: shape [65536,65536] has 4294967296 elements, more than the 2147483647 (2^31 − 1) a tensor can hold'],
  ['a negative size', () => zeros([2, -1]), 'zeros: invalid shape [2,-1]: sizes must be non-negative integers'],
  ['maxPool2d with a misspelt window', () => maxPool2d(image, { kernel: 4 } as unknown as Pool2dOptions), "maxPool2d: unknown option 'kernel' (did you mean 'kernelSize'?); valid options: kernelSize, stride, padding"],
  ['maxPool2d without a window', () => maxPool2d(image, {} as Pool2dOptions), 'maxPool2d: the option kernelSize (the window, a number or [height, width]) is required'],
  ['avgPool2d with a misspelt stride', () => avgPool2d(image, { kernelSize: 2, strides: 2 } as unknown as Pool2dOptions), "avgPool2d: unknown option 'strides' (did you mean 'stride'?); valid options: kernelSize, stride, padding"],
  ['avgPool2d with a zero window', () => avgPool2d(image, { kernelSize: 0 }), 'avgPool2d: kernelSize must be integers >= 1, got 0'],
  ['conv2d with a misspelt option', () => conv2d(image, filters, null, { pad: 1 } as never), "conv2d: unknown option 'pad' (did you mean 'padding'?); valid options: stride, padding, dilation, groups"],
  ['conv2d with a negative padding', () => conv2d(image, filters, null, { padding: -1 }), 'conv2d: padding must be integers >= 0, got -1'],
  ['conv2d with options that are not an object', () => conv2d(image, filters, null, 3 as never), 'conv2d: options must be an object, got 3'],
  ['the MaxPool2d layer with a misspelt option', () => new MaxPool2d(2, { strid: 2 } as unknown as PoolOptions), "MaxPool2d: unknown option 'strid' (did you mean 'stride'?); valid options: stride, padding"],
  ['the MaxPool2d layer given its window as an option', () => new MaxPool2d(2, { kernelSize: 3 } as unknown as PoolOptions), "MaxPool2d: unknown option 'kernelSize'; valid options: stride, padding"],
  ['the AvgPool2d layer with a negative window', () => new AvgPool2d(-2), 'AvgPool2d: kernelSize must be a positive integer or [height, width] of them, got -2'],
  ['the MaxPool2d layer with a zero stride', () => new MaxPool2d(2, { stride: [2, 0] }), 'MaxPool2d: stride must be a positive integer or [height, width] of them, got [2,0]'],
  ['the AvgPool2d layer with a fractional padding', () => new AvgPool2d(3, { padding: 0.5 }), 'AvgPool2d: padding must be a non-negative integer or [height, width] of them, got 0.5'],
  ['Linear with a misspelt option', () => new Linear(4, 2, { rng, biass: false } as unknown as LinearOptions), "Linear: unknown option 'biass' (did you mean 'bias'?); valid options: rng, bias, init"],
  ['Linear without a generator', () => new Linear(4, 2, {} as LinearOptions), 'Linear: the option rng (the generator for the initial weights) is required'],
  ['Linear with no width', () => new Linear(4, 0, { rng }), 'Linear: outFeatures must be a positive integer, got 0'],
  ['Conv2d with a misspelt option', () => new Conv2d(2, 3, 3, { rng, paddding: 1 } as unknown as Conv2dLayerOptions), "Conv2d: unknown option 'paddding' (did you mean 'padding'?); valid options: rng, stride, padding, dilation, groups, bias, init"],
  ['Conv2d without a generator', () => new Conv2d(2, 3, 3, undefined as unknown as Conv2dLayerOptions), 'Conv2d: the option rng (the generator for the initial weights) is required'],
  ['Conv2d with a zero-sized kernel', () => new Conv2d(2, 3, [3, 0], { rng }), 'Conv2d: kernelSize must be a positive integer or [height, width] of them, got [3,0]'],
  ['Conv2d with a negative padding', () => new Conv2d(2, 3, 3, { rng, padding: -1 }), 'Conv2d: padding must be a non-negative integer or [height, width] of them, got -1'],
  ['Conv2d with a zero dilation', () => new Conv2d(2, 3, 3, { rng, dilation: 0 }), 'Conv2d: dilation must be a positive integer or [height, width] of them, got 0'],
  ['GroupNorm with a misspelt option', () => new GroupNorm(2, 4, { epsilon: 1e-3 } as unknown as NormalizationOptions), "GroupNorm: unknown option 'epsilon' (did you mean 'eps'?); valid options: eps, affine"],
  ['LayerNorm with an option it does not read', () => new LayerNorm(4, { momentum: 0.1 } as unknown as NormalizationOptions), "LayerNorm: unknown option 'momentum'; valid options: eps, affine"],
  ['BatchNorm2d with a misspelt option', () => new BatchNorm2d(4, { momentun: 0.1 } as never), "BatchNorm2d: unknown option 'momentun' (did you mean 'momentum'?); valid options: eps, affine, momentum"],
  ['normFactory with a misspelt option', () => normFactory('group', { group: 4 } as never), "normFactory: unknown option 'group' (did you mean 'groups'?); valid options: groups"],
  ['createModel with a negative hidden width', () => createModel('mlp', { hidden: -3 }), 'mlp: hidden must be a positive integer (the width of each hidden layer), got -3'],
  ['createModel with a fractional hidden width', () => createModel('mlp', { hidden: 2.5 }), 'mlp: hidden must be a positive integer (the width of each hidden layer), got 2.5'],
  ['createModel with a misspelt option', () => createModel('mlp', { hiden: 8 } as unknown as ModelOptions), "createModel('mlp'): unknown option 'hiden' (did you mean 'hidden'?); valid options: norm, width, numClasses, inputShape, rng, seed, groups, zeroInitResidual, depth, hidden"],
  ['createModel with an option another family reads', () => createModel('smallcnn', { depth: 3 }), "createModel('smallcnn'): unknown option 'depth'; valid options: norm, width, numClasses, inputShape, rng, seed, groups, zeroInitResidual"],
  ['createModel with a zero width', () => createModel('smallcnn', { width: 0 }), 'smallcnn: width must be a positive number, got 0'],
  ['createModel with a negative depth', () => createModel('mlp', { depth: -1 }), 'mlp: depth must be a non-negative integer, got -1'],
];

test('misuse: each misuse of an option or a size throws its own one-line Error naming the option', (t) => {
  for (const [what, misuse, expected] of MISUSES) {
    let thrown: unknown;
    try {
      misuse();
    } catch (err) {
      thrown = err;
    }
    const got = thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}` : `no error (${String(thrown)})`;
    t.equal(got, `Error: ${expected}`, `${what}: expected "Error: ${expected}"`);
  }
  t.equal(new Set(MISUSES.map(([, , message]) => message)).size, MISUSES.length, 'no two misuses share a message');
  t.end();
});

test('misuse: the correct spellings of the same calls work', (t) => {
  t.deepEqual(maxPool2d(image, { kernelSize: 4 }).shape, [1, 2, 1, 1], 'maxPool2d with kernelSize 4 pools the 4×4 image to 1×1');
  t.deepEqual(new MaxPool2d(2, { stride: 2 }).forward(image).shape, [1, 2, 2, 2], 'the MaxPool2d layer with stride 2');
  t.equal(createModel('mlp', { hidden: 3, depth: 1, inputShape: [1, 2, 2] }).parameterCount(), 4 * 3 + 3 + 3 * 10 + 10, 'an mlp with hidden 3 has 4·3 + 3 + 3·10 + 10 parameters');
  t.end();
});
