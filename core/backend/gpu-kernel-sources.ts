/**
 * The source of every gpu.js kernel of the GPU backend, one generator per kernel family.
 *
 * A generator takes the shapes of one call and returns a {@link KernelSpec}: a
 * JavaScript function in the subset gpu.js translates (to GLSL for headless-gl, to
 * WebAssembly for `webasm`, to a JS loop for `cpu`), with every size, stride and loop
 * bound written in as a literal. One output element per thread, `this.thread.x` its
 * flat index; index arithmetic comes from `gpu-index-code.ts`.
 *
 * What GLSL needs and the generators take care of:
 * - loop bounds are literals (GLSL ES 1.0 allows no other);
 * - no value relies on IEEE infinities or NaN, which GLSL leaves undefined: `tanh`
 *   and `sigmoid` use forms that cannot overflow, a max starts from a real element;
 * - scatters (col2im, pooling backward) are written as gathers, since a fragment
 *   shader writes only its own output element.
 *
 * @module
 */
import type { BinaryOp, Conv2dGeometry, GemmArgs, ReduceOp, UnaryOp } from './backend.js';
import type { KernelSpec } from './gpu-kernel-cache.js';
import { coordinatesCode, divmodCode, literal, offsetExpression } from './gpu-index-code.js';
import { contiguousStrides, type Nest } from './loop-nest.js';

/** `function (args) { body }` as gpu.js wants it. */
function kernel(args: readonly string[], body: string): string {
  return `function (${args.join(', ')}) {\n${body}}`;
}

/**
 * The expression of a unary op on `v`, with `p` the op's parameter. `tanh` uses
 * `1 − 2/(e^{2|v|} + 1)` written with `e^{−2|v|}` (no overflow) and, below |v| = 1/8,
 * its Taylor series to x⁹ (no cancellation); `sigmoid` divides by `1 + e^{−|v|}` only.
 */
const UNARY_BODY: Record<UnaryOp, string> = {
  neg: 'return -v;\n',
  exp: 'return Math.exp(v);\n',
  log: 'return Math.log(v);\n',
  sqrt: 'return Math.sqrt(v);\n',
  abs: 'return Math.abs(v);\n',
  // y starts as v, so a zero keeps its sign and a NaN stays NaN, as Math.sign does.
  sign: 'let y = v;\nif (v > 0) { y = 1; }\nif (v < 0) { y = -1; }\nreturn y;\n',
  relu: 'let y = 0;\nif (v > 0) { y = v; }\nreturn y;\n',
  reluGrad: 'let y = 0;\nif (v > 0) { y = 1; }\nreturn y;\n',
  tanh:
    'const a = Math.abs(v);\nlet t = 0;\n' +
    'if (a < 0.125) { const a2 = a * a; t = a * (1 + a2 * (-0.3333333333333333 + a2 * (0.13333333333333333 + a2 * (-0.05396825396825397 + a2 * 0.021869488536155203)))); }\n' +
    'else { const e = Math.exp(-2 * a); t = (1 - e) / (1 + e); }\n' +
    'if (v < 0) { t = -t; }\nreturn t;\n',
  sigmoid: 'const e = Math.exp(-Math.abs(v));\nlet y = 1 / (1 + e);\nif (v < 0) { y = e / (1 + e); }\nreturn y;\n',
  // GLSL's pow is undefined for a negative or zero base: |v| is raised instead and the sign
  // fixed by the parity of an integer exponent; a non-integer power of a finite negative
  // number is NaN (the square root of a negative), 0 to a negative power is ±∞ (1/0), and
  // NaN stays NaN except to the power 0 — as Math.pow does.
  pow:
    'let y = 0;\n' +
    'if (p == 2) { y = v * v; }\n' +
    'else {\n' +
    'y = Math.pow(Math.abs(v), p);\n' +
    'if (v < 0) { if (Math.floor(p) != p) { if (v >= -3.4028234663852886e38) { y = Math.sqrt(v); } } else { if (Math.floor(p / 2) * 2 != p) { y = -y; } } }\n' +
    'if (v == 0 && p < 0) { y = 1 / v; }\n' +
    'if (v != v && p != 0) { y = v; }\n' +
    '}\n' +
    'return y;\n',
  scale: 'return v * p;\n',
  shift: 'return v + p;\n',
  copy: 'return v;\n',
};

/** Ops that take the numeric parameter `p`. */
export const PARAMETRIC_UNARY: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['pow', 'scale', 'shift']);

/** Elementwise `op(x)`; parametric ops take `p` as a runtime argument, so one kernel serves every value. */
export function unarySource(op: UnaryOp, size: number): KernelSpec {
  const body = UNARY_BODY[op];
  if (body === undefined) throw new Error(`gpu.unary: unknown op '${op as string}'`);
  const parametric = PARAMETRIC_UNARY.has(op);
  const source = kernel(parametric ? ['x', 'p'] : ['x'], `const v = x[this.thread.x];\n${body}`);
  return { source, output: size, argumentSizes: parametric ? [size, 1] : [size] };
}

const BINARY_BODY: Record<BinaryOp, string> = {
  add: 'return u + w;\n',
  sub: 'return u - w;\n',
  mul: 'return u * w;\n',
  div: 'return u / w;\n',
  // GLSL's max may drop a NaN; Math.max (and the CPU backend) keep it.
  max: 'let y = Math.max(u, w);\nif (u != u || w != w) { y = u + w; }\nreturn y;\n',
  eq: 'let y = 0;\nif (u == w) { y = 1; }\nreturn y;\n',
  gt: 'let y = 0;\nif (u > w) { y = 1; }\nreturn y;\n',
};

/** Elementwise `a op b` over a collapsed broadcast nest (operand 0: a, operand 1: b). */
export function binarySource(op: BinaryOp, nest: Nest, output: number, aSize: number, bSize: number): KernelSpec {
  const body = BINARY_BODY[op];
  if (body === undefined) throw new Error(`gpu.binary: unknown op '${op as string}'`);
  const source = kernel(['a', 'b'],
    coordinatesCode('this.thread.x', nest.dims, 'c') +
    `const u = a[${offsetExpression('c', nest.strides[0])}];\n` +
    `const w = b[${offsetExpression('c', nest.strides[1])}];\n` +
    body);
  return { source, output, argumentSizes: [aSize, bSize] };
}

/** A reduction split into the kept axes (one output per index) and the reduced axes (looped over). */
export interface ReducePlan {
  /** Sizes of the kept axes, outermost first. */
  keptDims: number[];
  /** Input strides along the kept axes. */
  keptStrides: number[];
  /** Sizes of the reduced axes, outermost first. */
  reducedDims: number[];
  /** Input strides along the reduced axes. */
  reducedStrides: number[];
}

/** `s = s + v`, or `s = max(s, v)` with a NaN kept once it appears (GLSL's max may drop it). */
function fold(op: ReduceOp, s: string, v: string): string {
  if (op === 'sum') return `${s} = ${s} + ${v};`;
  return `const e = ${v};\nif (e != e || ${s} != ${s}) { ${s} = ${s} + e; } else { ${s} = Math.max(${s}, e); }`;
}

/**
 * One pass over all of each output's reduced elements: nested loops with literal
 * bounds, no division inside. A max starts from the first element (GLSL has no −∞).
 */
export function reduceSource(op: ReduceOp, plan: ReducePlan, output: number, xSize: number): KernelSpec {
  const { reducedDims, reducedStrides } = plan;
  let loops = '';
  let close = '';
  reducedDims.forEach((d, axis) => {
    loops += `for (let r${axis} = 0; r${axis} < ${d}; r${axis}++) {\n`;
    close += '}\n';
  });
  const at = ['base', ...reducedStrides.map((s, axis) => `r${axis} * ${literal(s)}`)].join(' + ');
  const source = kernel(['x'],
    coordinatesCode('this.thread.x', plan.keptDims, 'c') +
    `const base = ${offsetExpression('c', plan.keptStrides)};\n` +
    `let s = ${op === 'sum' ? '0' : 'x[base]'};\n` +
    loops + `${fold(op, 's', `x[${at}]`)}\n` + close +
    'return s;\n');
  return { source, output, argumentSizes: [xSize] };
}

/**
 * First pass of a long reduction: thread `(o, j)` folds the reduced elements
 * `j·chunk … (j+1)·chunk − 1` (in the reduced axes' row-major order) of output `o`.
 * The backend keeps the `chunks` partial results per output on the device for {@link reduceFinishSource}.
 * Splitting a length-R reduction into √R chunks of √R keeps every thread's serial loop
 * short and the float32 rounding error of a sum near √R ulps instead of R.
 */
export function reducePartialSource(op: ReduceOp, plan: ReducePlan, chunks: number, chunk: number, xSize: number): KernelSpec {
  const outputs = plan.keptDims.reduce((a, b) => a * b, 1);
  const length = plan.reducedDims.reduce((a, b) => a * b, 1);
  const source = kernel(['x'],
    divmodCode('this.thread.x', chunks, 'o', 'j') +
    coordinatesCode('o', plan.keptDims, 'c') +
    `const base = ${offsetExpression('c', plan.keptStrides)};\n` +
    `const first = j * ${chunk};\n` +
    coordinatesCode('first', plan.reducedDims, 'f') +
    `let s = ${op === 'sum' ? '0' : `x[base + ${offsetExpression('f', plan.reducedStrides)}]`};\n` +
    `for (let u = 0; u < ${chunk}; u++) {\n` +
    `const k = first + u;\n` +
    `if (k < ${length}) {\n` +
    coordinatesCode('k', plan.reducedDims, 'k') +
    `${fold(op, 's', `x[base + ${offsetExpression('k', plan.reducedStrides)}]`)}\n` +
    '}\n}\nreturn s;\n');
  return { source, output: outputs * chunks, argumentSizes: [xSize] };
}

/** Second pass of a long reduction: fold each output's `chunks` partial results. */
export function reduceFinishSource(op: ReduceOp, outputs: number, chunks: number): KernelSpec {
  const source = kernel(['partial'],
    `const base = this.thread.x * ${chunks};\n` +
    'let s = partial[base];\n' +
    `for (let j = 1; j < ${chunks}; j++) {\n${fold(op, 's', 'partial[base + j]')}\n}\n` +
    'return s;\n');
  return { source, output: outputs, argumentSizes: [outputs * chunks] };
}

/** `C[b] = op(A[b])·op(B[b])`, one thread per element of C, a literal-bound loop over k. */
export function gemmSource(args: GemmArgs, aSize: number, bSize: number): KernelSpec {
  const { batch, m, n, k, transA, transB, strideA, strideB } = args;
  // op(A)[i, p] = a[i·rsA + p·csA]; op(B)[p, j] = b[p·rsB + j·csB].
  const rsA = transA ? 1 : k, csA = transA ? m : 1;
  const rsB = transB ? 1 : n, csB = transB ? k : 1;
  const source = kernel(['a', 'b'],
    coordinatesCode('this.thread.x', [batch, m, n], 'c') +
    `const ra = ${offsetExpression('c', [strideA, rsA, 0])};\n` +
    `const rb = ${offsetExpression('c', [strideB, 0, csB])};\n` +
    'let s = 0;\n' +
    `for (let p = 0; p < ${k}; p++) {\ns = s + a[ra + p * ${csA}] * b[rb + p * ${rsB}];\n}\n` +
    'return s;\n');
  return { source, output: batch * m * n, argumentSizes: [aSize, bSize] };
}

/** Copy of a strided view: each output element reads `x[base + Σ coordinate·stride]`. */
export function gatherSource(nest: Nest, base: number, output: number, xSize: number): KernelSpec {
  const source = kernel(['x'],
    coordinatesCode('this.thread.x', nest.dims, 'c') +
    `return x[${offsetExpression('c', nest.strides[0], base)}];\n`);
  return { source, output, argumentSizes: [xSize] };
}

/** One axis of a pad: the output's size, and where x's run along it starts and how long it is. */
interface RegionAxis {
  out: number;
  start: number;
  size: number;
}

/**
 * The axes of a pad with size-1 output axes dropped, and an axis merged into the one
 * before it when x spans it whole (starts at 0, as long as the output): the merged
 * region is then still one run along the merged axis, `[start·out, (start + size)·out)`,
 * and x's index along it is the output's minus `start·out`. A channel pad of NCHW
 * images becomes `[N, C·H·W]`.
 */
function regionAxes(outShape: readonly number[], shape: readonly number[], starts: readonly number[]): RegionAxis[] {
  const axes: RegionAxis[] = [];
  outShape.forEach((out, axis) => {
    if (out === 1) return;
    const start = starts[axis];
    const size = shape[axis];
    const last = axes[axes.length - 1];
    if (last !== undefined && start === 0 && size === out) {
      axes[axes.length - 1] = { out: last.out * out, start: last.start * out, size: last.size * out };
    } else axes.push({ out, start, size });
  });
  return axes;
}

/**
 * A pad as a gather: each output element finds its coordinates, reads x when they fall
 * inside the region (`start ≤ c < start + size` on every axis x does not span) and is
 * `value` otherwise. `value` is a runtime argument, so one kernel serves every fill;
 * x must not be empty (a constant output needs no kernel).
 */
export function padSource(outShape: readonly number[], shape: readonly number[], starts: readonly number[], xSize: number): KernelSpec {
  const axes = regionAxes(outShape, shape, starts);
  const xStrides = contiguousStrides(axes.map((a) => a.size));
  const base = -axes.reduce((o, a, axis) => o + a.start * xStrides[axis], 0);
  const inside = axes.flatMap((a, axis) => [
    ...(a.start > 0 ? [`c${axis} >= ${literal(a.start)}`] : []),
    ...(a.start + a.size < a.out ? [`c${axis} < ${literal(a.start + a.size)}`] : []),
  ]);
  const read = `x[${offsetExpression('c', xStrides, base)}]`;
  const source = kernel(['x', 'value'],
    coordinatesCode('this.thread.x', axes.map((a) => a.out), 'c') +
    (inside.length === 0 ? `return ${read};\n` : `let v = value;\nif (${inside.join(' && ')}) { v = ${read}; }\nreturn v;\n`));
  return { source, output: axes.reduce((n, a) => n * a.out, 1), argumentSizes: [xSize, 1] };
}

/**
 * Unfold `n` images `[n, C, H, W]` into columns `[n, C·kH·kW, outH·outW]`; padding reads 0.
 * Image `b`'s channel `c` is plane `b·C + c` of both the input and the output (the
 * columns of one image are its channels' rows back to back), so `n` images unfold as
 * one image of `n·C` channels.
 */
export function im2colSource(n: number, g: Conv2dGeometry): KernelSpec {
  const { height: H, width: W, kernelH, kernelW, outH, outW } = g;
  const planes = n * g.channels;
  const source = kernel(['x'],
    coordinatesCode('this.thread.x', [planes, kernelH, kernelW, outH, outW], 'c') +
    `const ih = c3 * ${g.strideH} + c1 * ${g.dilationH} - ${g.padH};\n` +
    `const iw = c4 * ${g.strideW} + c2 * ${g.dilationW} - ${g.padW};\n` +
    'let v = 0;\n' +
    `if (ih >= 0 && ih < ${H} && iw >= 0 && iw < ${W}) { v = x[(c0 * ${H} + ih) * ${W} + iw]; }\n` +
    'return v;\n');
  return { source, output: planes * kernelH * kernelW * outH * outW, argumentSizes: [planes * H * W] };
}

/**
 * The loops of a gather over the windows that cover input cell `(ih, iw)`: for each
 * tap `(ki, kj)`, the window `(oh, ow)` whose tap lands on the cell, when it exists
 * (`ih + pad − ki·dilation` must be a non-negative multiple of the stride, and the
 * window inside the output). `inner` runs with `oh`, `ow` set.
 */
function coveringWindows(g: Conv2dGeometry, inner: string): string {
  const axis = (name: string, tap: string, taps: number, coordinate: string, pad: number, dilation: number, stride: number, size: number, body: string): string =>
    `for (let ${tap} = 0; ${tap} < ${taps}; ${tap}++) {\n` +
    `const t${name} = ${coordinate} + ${pad} - ${tap} * ${dilation};\n` +
    `const ${name} = Math.floor((t${name} + 0.5) / ${stride});\n` +
    `if (t${name} >= 0 && ${name} * ${stride} == t${name} && ${name} < ${size}) {\n${body}}\n}\n`;
  return axis('oh', 'ki', g.kernelH, 'ih', g.padH, g.dilationH, g.strideH, g.outH,
    axis('ow', 'kj', g.kernelW, 'iw', g.padW, g.dilationW, g.strideW, g.outW, inner));
}

/**
 * Fold columns `[n, C·kH·kW, outH·outW]` back into images `[n, C, H, W]` (planes as in
 * {@link im2colSource}): each cell is the sum of the column entries that unfolded it,
 * added to `previous` (the image folded into) when `accumulate`, else to zero.
 */
export function col2imSource(n: number, g: Conv2dGeometry, accumulate: boolean): KernelSpec {
  const { height: H, width: W, kernelH, kernelW, outH, outW } = g;
  const planes = n * g.channels;
  const plane = outH * outW;
  const source = kernel(accumulate ? ['cols', 'previous'] : ['cols'],
    coordinatesCode('this.thread.x', [planes, H, W], 'c') +
    'const ih = c1;\nconst iw = c2;\nlet s = 0;\n' +
    coveringWindows(g, `s = s + cols[((c0 * ${kernelH} + ki) * ${kernelW} + kj) * ${plane} + oh * ${outW} + ow];\n`) +
    (accumulate ? 'return previous[this.thread.x] + s;\n' : 'return s;\n'));
  const cols = planes * kernelH * kernelW * plane;
  return { source, output: planes * H * W, argumentSizes: accumulate ? [cols, planes * H * W] : [cols] };
}

/**
 * Max pooling, first kernel: the flat input index of each window's maximum (first
 * one in window order on ties, a NaN wins where the shader keeps NaN), −1 for a
 * window of padding only. Indices are exact in float32 below 2^24.
 */
export function maxPoolArgmaxSource(n: number, g: Conv2dGeometry): KernelSpec {
  const { channels: C, height: H, width: W, outH, outW } = g;
  const source = kernel(['x'],
    coordinatesCode('this.thread.x', [n * C, outH, outW], 'c') +
    'let best = 0;\nlet at = -1;\n' +
    `for (let ki = 0; ki < ${g.kernelH}; ki++) {\n` +
    `const ih = c1 * ${g.strideH} - ${g.padH} + ki * ${g.dilationH};\n` +
    `for (let kj = 0; kj < ${g.kernelW}; kj++) {\n` +
    `const iw = c2 * ${g.strideW} - ${g.padW} + kj * ${g.dilationW};\n` +
    `if (ih >= 0 && ih < ${H} && iw >= 0 && iw < ${W}) {\n` +
    `const i = (c0 * ${H} + ih) * ${W} + iw;\nconst v = x[i];\n` +
    'if (at < 0 || v > best || (v != v && best == best)) { best = v; at = i; }\n' +
    '}\n}\n}\nreturn at;\n');
  return { source, output: n * C * outH * outW, argumentSizes: [n * C * H * W] };
}

/** Max pooling, second kernel: the value at each recorded maximum (0 where there is none; the backend writes −∞ there). */
export function maxPoolValuesSource(outputs: number, xSize: number): KernelSpec {
  const source = kernel(['x', 'argmax'],
    'const at = argmax[this.thread.x];\nlet v = 0;\nif (at >= 0) { v = x[at]; }\nreturn v;\n');
  return { source, output: outputs, argumentSizes: [xSize, outputs] };
}

/** Max pooling backward as a gather: each input cell sums the gradients of the covering windows whose maximum it was. */
export function maxPoolBackwardSource(n: number, g: Conv2dGeometry): KernelSpec {
  const { channels: C, height: H, width: W, outH, outW } = g;
  const outputs = n * C * outH * outW;
  const source = kernel(['grad', 'argmax'],
    coordinatesCode('this.thread.x', [n * C, H, W], 'c') +
    'const ih = c1;\nconst iw = c2;\nlet s = 0;\n' +
    coveringWindows(g, `const o = (c0 * ${outH} + oh) * ${outW} + ow;\nif (argmax[o] == this.thread.x) { s = s + grad[o]; }\n`) +
    'return s;\n');
  return { source, output: n * C * H * W, argumentSizes: [outputs, outputs] };
}

/** Average pooling: the sum of the window's real cells times `1/(kH·kW)` (padding counts as zeros). */
export function avgPoolSource(n: number, g: Conv2dGeometry): KernelSpec {
  const { channels: C, height: H, width: W, outH, outW } = g;
  const source = kernel(['x'],
    coordinatesCode('this.thread.x', [n * C, outH, outW], 'c') +
    'let s = 0;\n' +
    `for (let ki = 0; ki < ${g.kernelH}; ki++) {\n` +
    `const ih = c1 * ${g.strideH} - ${g.padH} + ki * ${g.dilationH};\n` +
    `for (let kj = 0; kj < ${g.kernelW}; kj++) {\n` +
    `const iw = c2 * ${g.strideW} - ${g.padW} + kj * ${g.dilationW};\n` +
    `if (ih >= 0 && ih < ${H} && iw >= 0 && iw < ${W}) { s = s + x[(c0 * ${H} + ih) * ${W} + iw]; }\n` +
    '}\n}\n' +
    `return s * ${literal(1 / (g.kernelH * g.kernelW))};\n`);
  return { source, output: n * C * outH * outW, argumentSizes: [n * C * H * W] };
}

/** Average pooling backward as a gather: each input cell sums the gradients of the windows covering it, times `1/(kH·kW)`. */
export function avgPoolBackwardSource(n: number, g: Conv2dGeometry): KernelSpec {
  const { channels: C, height: H, width: W, outH, outW } = g;
  const source = kernel(['grad'],
    coordinatesCode('this.thread.x', [n * C, H, W], 'c') +
    'const ih = c1;\nconst iw = c2;\nlet s = 0;\n' +
    coveringWindows(g, `s = s + grad[(c0 * ${outH} + oh) * ${outW} + ow];\n`) +
    `return s * ${literal(1 / (g.kernelH * g.kernelW))};\n`);
  return { source, output: n * C * H * W, argumentSizes: [n * C * outH * outW] };
}
