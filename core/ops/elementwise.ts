/**
 * Elementwise ops with NumPy broadcasting, each with its VJP beside it.
 *
 * Binary ops broadcast their operands; their VJPs hand each operand the part of the
 * gradient that belongs to it through {@link unbroadcast}. Unary VJPs reuse the
 * forward's output where the derivative is a function of it (`exp`, `tanh`,
 * `sigmoid`, `sqrt`).
 *
 * @module
 */
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { defineOp } from '../registry.js';
import { Tensor } from '../tensor.js';
import { kernels, operand, wrap } from './kernels.js';
import { asTensor, broadcastShapes, resultDType, type TensorLike } from './shape-utils.js';
import { unbroadcast } from './unbroadcast.js';

function zip(op: BinaryOp, name: string, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, name);
  const k = kernels();
  if (a.dtype !== b.dtype) {
    // Mixed precision computes in float64, on the host.
    return wrap(k.binary(op, Float64Array.from(a.data), a.shape, Float64Array.from(b.data), b.shape, shape), shape);
  }
  return wrap(k.binary(op, operand(a, k), a.shape, operand(b, k), b.shape, shape), shape);
}

function map(op: UnaryOp, x: Tensor, param?: number): Tensor {
  const k = kernels();
  return wrap(k.unary(op, operand(x, k), param), x.shape);
}

const addOp = defineOp({
  name: 'add',
  forward: ([a, b]) => zip('add', 'add', a, b),
  vjp: [({ g, inputs }) => unbroadcast(g, inputs[0].shape), ({ g, inputs }) => unbroadcast(g, inputs[1].shape)],
});

const subOp = defineOp({
  name: 'sub',
  forward: ([a, b]) => zip('sub', 'sub', a, b),
  vjp: [({ g, inputs }) => unbroadcast(g, inputs[0].shape), ({ g, inputs }) => unbroadcast(neg(g), inputs[1].shape)],
});

const mulOp = defineOp({
  name: 'mul',
  forward: ([a, b]) => zip('mul', 'mul', a, b),
  vjp: [
    ({ g, inputs }) => unbroadcast(mul(g, inputs[1]), inputs[0].shape),
    ({ g, inputs }) => unbroadcast(mul(g, inputs[0]), inputs[1].shape),
  ],
});

const divOp = defineOp({
  name: 'div',
  forward: ([a, b]) => zip('div', 'div', a, b),
  vjp: [
    // d(a/b)/da = 1/b
    ({ g, inputs }) => unbroadcast(div(g, inputs[1]), inputs[0].shape),
    // d(a/b)/db = -a/b²
    ({ g, inputs }) => unbroadcast(neg(div(mul(g, inputs[0]), mul(inputs[1], inputs[1]))), inputs[1].shape),
  ],
});

const maximumOp = defineOp({
  name: 'maximum',
  forward: ([a, b]) => zip('max', 'maximum', a, b),
  vjp: [
    // Ties send the gradient to the first operand.
    ({ g, inputs }) => unbroadcast(mul(g, zip('eq', 'maximum', maximum(inputs[0], inputs[1]), inputs[0])), inputs[0].shape),
    ({ g, inputs }) => unbroadcast(mul(g, zip('gt', 'maximum', inputs[1], inputs[0])), inputs[1].shape),
  ],
});

/** `a + b`, broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryCall(addOp, a, b);
}
/** `a − b`, broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryCall(subOp, a, b);
}
/** `a · b` elementwise, broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryCall(mulOp, a, b);
}
/** `a / b` elementwise, broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryCall(divOp, a, b);
}
/** Elementwise maximum, broadcasting; at ties the gradient goes to `a`. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryCall(maximumOp, a, b);
}

function binaryCall(op: (inputs: Tensor[], attrs: undefined) => Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ref = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
  const dtype = ref ? resultDType(ref, a instanceof Tensor && b instanceof Tensor ? b : undefined) : 'float32';
  return op([asTensor(a, dtype), asTensor(b, dtype)], undefined);
}

const negOp = defineOp({ name: 'neg', forward: ([x]) => map('neg', x), vjp: [({ g }) => neg(g)] });
/** `−x`. */
export function neg(x: Tensor): Tensor {
  return negOp([x], undefined);
}

const expOp = defineOp({ name: 'exp', forward: ([x]) => map('exp', x), vjp: [({ g, out }) => mul(g, out)] });
/** `eˣ`; its VJP is `g·eˣ`, reusing the output. */
export function exp(x: Tensor): Tensor {
  return expOp([x], undefined);
}

const logOp = defineOp({ name: 'log', forward: ([x]) => map('log', x), vjp: [({ g, inputs }) => div(g, inputs[0])] });
/** Natural logarithm; `log(0) = −∞` and negative inputs give NaN, as in IEEE arithmetic. */
export function log(x: Tensor): Tensor {
  return logOp([x], undefined);
}

const sqrtOp = defineOp({
  name: 'sqrt',
  forward: ([x]) => map('sqrt', x),
  vjp: [({ g, out }) => div(mul(g, 0.5), out)],
});
/** `√x`; its VJP is `g / (2√x)`. */
export function sqrt(x: Tensor): Tensor {
  return sqrtOp([x], undefined);
}

const powOp = defineOp<{ exponent: number }>({
  name: 'pow',
  forward: ([x], { exponent }) => map('pow', x, exponent),
  vjp: [({ g, inputs, attrs }) => mul(g, mul(map('pow', inputs[0], attrs.exponent - 1), attrs.exponent))],
});
/** `xᵖ` for a scalar exponent `p`; its VJP is `g·p·xᵖ⁻¹`. */
export function pow(x: Tensor, exponent: number): Tensor {
  if (!Number.isFinite(exponent)) throw new Error(`pow: exponent must be a finite number, got ${exponent}`);
  return powOp([x], { exponent });
}

const absOp = defineOp({ name: 'abs', forward: ([x]) => map('abs', x), vjp: [({ g, inputs }) => mul(g, map('sign', inputs[0]))] });
/** `|x|`; the gradient at 0 is 0 (the sign function's value there). */
export function abs(x: Tensor): Tensor {
  return absOp([x], undefined);
}

const reluOp = defineOp({
  name: 'relu',
  forward: ([x]) => map('relu', x),
  vjp: [({ g, inputs }) => mul(g, map('reluGrad', inputs[0]))],
});
/** `max(x, 0)`; the gradient at 0 is 0. */
export function relu(x: Tensor): Tensor {
  return reluOp([x], undefined);
}

const tanhOp = defineOp({
  name: 'tanh',
  forward: ([x]) => map('tanh', x),
  vjp: [({ g, out }) => mul(g, sub(1, mul(out, out)))],
});
/** Hyperbolic tangent; its VJP is `g·(1 − tanh²x)`. */
export function tanh(x: Tensor): Tensor {
  return tanhOp([x], undefined);
}

const sigmoidOp = defineOp({
  name: 'sigmoid',
  forward: ([x]) => map('sigmoid', x),
  vjp: [({ g, out }) => mul(g, mul(out, sub(1, out)))],
});
/** `1 / (1 + e⁻ˣ)`; its VJP is `g·σ(x)(1 − σ(x))`. */
export function sigmoid(x: Tensor): Tensor {
  return sigmoidOp([x], undefined);
}

/** `x²`, the same as `pow(x, 2)`. */
export function square(x: Tensor): Tensor {
  return pow(x, 2);
}
