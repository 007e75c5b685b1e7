/**
 * The weight-substitution rule (`core/weight-substitution.ts`): a node is recomputed
 * from the substitutes only when all its inputs come from them (or are number
 * literals); every other value is the forward's. Expected values are worked out by
 * hand for 2×2 weights in float64.
 */
import test from 'tape';
import { fromArray, gradients, matmul, mul, relu, scalar, sqrt, transpose, type Tensor } from '../../core/index.js';

const t64 = (values: number[], shape: number[]): Tensor => fromArray(values, shape, 'float64');
const close = (a: ArrayLike<number>, b: readonly number[]): boolean =>
  a.length === b.length && b.every((v, i) => Math.abs(a[i] - v) <= 1e-14 * (1 + Math.abs(v)));

// x = [1, 2], δ = [1, −1]; W1 (forward) and W2 (backward) are 2×2, row-major [w00, w01, w10, w11].
const X = [1, 2];
const DELTA = [1, -1];
const W1 = [0.5, 1, 2, 4];
const W2 = [1, 9, 16, 0.25];

/** `δ·M` for a row vector δ and a 2×2 `M`: the input gradient of `y = x·Mᵀ`. */
const deltaTimes = (m: number[]): number[] => [DELTA[0] * m[0] + DELTA[1] * m[2], DELTA[0] * m[1] + DELTA[1] * m[3]];
/** `δᵀ·x`: the gradient of `y = x·Mᵀ` with respect to `M`. */
const outer = (): number[] => [DELTA[0] * X[0], DELTA[0] * X[1], DELTA[1] * X[0], DELTA[1] * X[1]];

test('weight substitution: a weight scaled by a number is recomputed from the substitute', (t) => {
  const x = t64(X, [1, 2]).requireGrad();
  const w1 = t64(W1, [2, 2]).requireGrad();
  const y = matmul(x, transpose(mul(w1, 0.5)));
  const g = gradients(y, t64(DELTA, [1, 2]), { substitute: new Map([[w1, t64(W2, [2, 2])]]) });
  t.ok(close(g.get(x)!.data, deltaTimes(W2.map((w) => 0.5 * w))), 'dx = δ·(0.5·W2): the literal 0.5 is part of the op');
  t.ok(close(g.get(w1)!.data, outer().map((v) => 0.5 * v)), 'dW1 = 0.5·δᵀx');
  t.end();
});

test('weight substitution: a weight combined with a constant tensor keeps the forward value (the conservative rule)', (t) => {
  const x = t64(X, [1, 2]).requireGrad();
  const w1 = t64(W1, [2, 2]).requireGrad();
  // A constant tensor cannot be told from data, so w·c is treated as sample-dependent.
  const y = matmul(x, transpose(mul(w1, scalar(0.5, 'float64'))));
  const g = gradients(y, t64(DELTA, [1, 2]), { substitute: new Map([[w1, t64(W2, [2, 2])]]) });
  t.ok(close(g.get(x)!.data, deltaTimes(W1.map((w) => 0.5 * w))), 'dx = δ·(0.5·W1), the stored value (pass the constant as a number to have it recomputed)');
  t.end();
});

test('weight substitution: a recomputed node gives its VJP the recomputed output', (t) => {
  const x = t64(X, [1, 2]).requireGrad();
  const w1 = t64(W1, [2, 2]).requireGrad();
  // sqrt's VJP reads its output: d√w = dw / (2√w), which must be √W2 here.
  const y = matmul(x, transpose(sqrt(w1)));
  const g = gradients(y, t64(DELTA, [1, 2]), { substitute: new Map([[w1, t64(W2, [2, 2])]]) });
  t.ok(close(g.get(x)!.data, deltaTimes(W2.map(Math.sqrt))), 'dx = δ·√W2');
  t.ok(close(g.get(w1)!.data, outer().map((v, i) => v / (2 * Math.sqrt(W2[i])))), 'dW1 = δᵀx / (2√W2), at the backward\'s weights');
  t.end();
});

test('weight substitution: data times a weight is not recomputed, so the ReLU mask is the forward\'s', (t) => {
  const x = t64(X, [1, 2]); // data: needs no gradient
  const w1 = t64([1, 0, 0, 1], [2, 2]).requireGrad(); // z_fwd = x·W1ᵀ = [1, 2]: both units on
  const w2 = t64([-1, 0, 0, 1], [2, 2]); // z_bwd would be [−1, 2]: unit 0 off
  const y = relu(matmul(x, transpose(w1)));
  const g = gradients(y, t64(DELTA, [1, 2]), { substitute: new Map([[w1, w2]]) });
  t.ok(close(g.get(w1)!.data, outer()), 'dW1 = (δ ⊙ [z_fwd > 0])ᵀx = δᵀx, with unit 0 still on');
  t.end();
});

test('weight substitution: a substitute of another shape is an error that names both shapes', (t) => {
  const w1 = t64(W1, [2, 2]).requireGrad();
  const y = mul(w1, 2);
  t.throws(
    () => gradients(y, t64([1, 1, 1, 1], [2, 2]), { substitute: new Map([[w1, t64([1, 2], [1, 2])]]) }),
    /substitute for a tensor has shape \[1,2\], expected \[2,2\]/,
    'the message gives the substitute\'s shape and the expected one',
  );
  t.end();
});
