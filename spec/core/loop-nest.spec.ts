/**
 * The shape arithmetic every kernel shares (`core/backend/loop-nest.ts`), held to loop
 * nests worked out by hand: which axes merge, which strides each operand gets, and the
 * errors for shapes that do not fit. The kernels' values are checked elsewhere against
 * naive references; this file pins the layouts those kernels walk.
 */
import test from 'tape';
import { broadcastStrides, collapse, contiguousStrides, reductionNest } from '../../core/backend/loop-nest.js';

test('contiguousStrides: row-major strides, 1 on the last axis, none for a scalar', (t) => {
  t.deepEqual(contiguousStrides([2, 3, 4]), [12, 4, 1]);
  t.deepEqual(contiguousStrides([5]), [1]);
  t.deepEqual(contiguousStrides([]), []);
  t.end();
});

test('broadcastStrides: right-aligned, 0 on stretched and leading axes, own strides elsewhere', (t) => {
  // [3,1] inside [2,3,4]: the leading axis is new (0), 3 keeps its stride 1, the 1 stretches (0).
  t.deepEqual(broadcastStrides('k', [3, 1], [2, 3, 4]), [0, 1, 0]);
  // [1,3,1,1] (a per-channel bias) inside [2,3,5,5].
  t.deepEqual(broadcastStrides('k', [1, 3, 1, 1], [2, 3, 5, 5]), [0, 1, 0, 0]);
  // Same shape: the input's own row-major strides.
  t.deepEqual(broadcastStrides('k', [2, 3, 4], [2, 3, 4]), [12, 4, 1]);
  // A scalar stretches over everything.
  t.deepEqual(broadcastStrides('k', [], [2, 2]), [0, 0]);
  t.throws(() => broadcastStrides('k', [2, 3], [2, 4]), /^Error: k: cannot broadcast \[2,3\] to \[2,4\] \(axis 1: 3 vs 4\)$/, 'a size that is neither equal nor 1 is an error naming the axis');
  t.throws(() => broadcastStrides('k', [2, 3, 4], [3, 4]), /^Error: k: cannot broadcast \[2,3,4\] to the smaller rank of \[3,4\]$/, 'a larger rank is an error');
  t.end();
});

test('collapse: size-1 axes drop out and axes merge only where every operand steps evenly', (t) => {
  // x [2,3,4,5] plus a per-channel [1,3,1,1]: H and W merge (x: 5·1 = 5, bias: 0·5 = 0);
  // C does not merge into H·W for the bias (its stride 1 is not 0·20) and N does not
  // merge into C (the bias' 0 is not 1·3).
  t.deepEqual(collapse([2, 3, 4, 5], [[60, 20, 5, 1], [0, 1, 0, 0]]), { dims: [2, 3, 20], strides: [[60, 20, 1], [0, 1, 0]] });
  // Two contiguous operands of one shape are one run.
  t.deepEqual(collapse([2, 3, 4], [[12, 4, 1], [12, 4, 1]]), { dims: [24], strides: [[1], [1]] });
  // A transposed operand breaks the merge: [[2,3]] read with strides [1,2].
  t.deepEqual(collapse([2, 3], [[3, 1], [1, 2]]), { dims: [2, 3], strides: [[3, 1], [1, 2]] });
  // Size-1 axes vanish wherever they sit; a nest of only ones has no axes left.
  t.deepEqual(collapse([1, 4, 1, 2], [[8, 2, 2, 1]]), { dims: [8], strides: [[1]] });
  t.deepEqual(collapse([1, 1], [[1, 1], [0, 0]]), { dims: [], strides: [[], []] });
  t.end();
});

test('reductionNest: keepDims output shape, output strides 0 on the reduced axes, collapsed over x', (t) => {
  // Sum [2,3,4] over axis 1: the output is [2,1,4] with strides [4,·,1]; x's N and C do
  // not merge for the output (4 ≠ 0·3), C and W do not either (0 ≠ 1·4).
  t.deepEqual(reductionNest('k', 'sum', [2, 3, 4], [1]), { outShape: [2, 1, 4], nest: { dims: [2, 3, 4], strides: [[12, 4, 1], [4, 0, 1]] } });
  // Mean over H and W of [2,3,4,5] (GroupNorm's statistics): H·W merges into one reduced run.
  t.deepEqual(reductionNest('k', 'max', [2, 3, 4, 5], [-2, -1]), { outShape: [2, 3, 1, 1], nest: { dims: [6, 20], strides: [[20, 1], [1, 0]] } });
  // Every axis: one run, one output.
  t.deepEqual(reductionNest('k', 'sum', [3, 4], [0, 1]), { outShape: [1, 1], nest: { dims: [12], strides: [[1], [0]] } });
  t.throws(() => reductionNest('k', 'mean', [3], [0]), /^Error: k: unknown op 'mean'$/);
  t.throws(() => reductionNest('k', 'sum', [3, 4], [2]), /^Error: k: axis 2 is out of range for shape \[3,4\]$/);
  t.end();
});
