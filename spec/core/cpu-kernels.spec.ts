/**
 * The CPU kernels against naive reference implementations written here, one obvious
 * loop per definition. Each case is one assertion whose message names the kernel and
 * the case and, on failure, the first differing element: index, expected, received.
 */
import test from 'tape';
import type { BinaryOp, Conv2dGeometry, Data, GemmArgs, UnaryOp } from '../../core/backend/backend.js';
import { cpuBackend as cpu } from '../../core/backend/cpu.js';
import { hostKernels } from '../../core/backend/host-kernels.js';
import { Rng } from '../../core/random.js';

const rng = new Rng(20240607);

function randomData(n: number, type: 'float32' | 'float64' = 'float64'): Data {
  const data = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal();
  return data;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}

/** Flat position of a multi-index in `shape`. */
function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let axis = 0; axis < shape.length; axis++) flat = flat * shape[axis] + index[axis];
  return flat;
}

/**
 * One assertion: `received` equals `expected` elementwise within a relative tolerance
 * (NaN matches NaN; equal infinities match). On failure the message names the first bad
 * element.
 */
function assertClose(t: test.Test, what: string, received: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  if (received.length !== expected.length) {
    t.fail(`${what}: expected ${expected.length} elements, received ${received.length}`);
    return;
  }
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const r = received[i];
    const same = (Number.isNaN(e) && Number.isNaN(r)) || e === r || Math.abs(r - e) <= tol * (1 + Math.abs(e));
    if (!same) {
      t.fail(`${what}: element ${i} expected ${e}, received ${r}`);
      return;
    }
  }
  t.pass(what);
}

// ---------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------

const unaryReference: Record<UnaryOp, (x: number, p: number) => number> = {
  neg: (x) => -x,
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  abs: (x) => Math.abs(x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  relu: (x) => (x > 0 ? x : 0),
  reluGrad: (x) => (x > 0 ? 1 : 0),
  tanh: (x) => Math.tanh(x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  pow: (x, p) => x ** p,
  scale: (x, p) => x * p,
  shift: (x, p) => x + p,
  copy: (x) => x,
};

test('cpu.unary: every op matches its definition, in the input element type', (t) => {
  for (const type of ['float64', 'float32'] as const) {
    const x = randomData(37, type);
    x[0] = 0;
    x[1] = -800; // sigmoid's exp(-x) overflows here; the limit 0 must come out, not NaN
    for (const op of Object.keys(unaryReference) as UnaryOp[]) {
      for (const p of op === 'pow' ? [2, 3, 0.5] : [1.5]) {
        const out = cpu.unary(op, x, p);
        const expected = Array.from(x, (v) => unaryReference[op](v, p));
        if (type === 'float32') for (let i = 0; i < expected.length; i++) expected[i] = Math.fround(expected[i]);
        t.equal(out.constructor, x.constructor, `unary ${op}: output type follows the ${type} input`);
        assertClose(t, `unary ${op}${op === 'pow' ? ` ${p}` : ''} (${type})`, out, expected, type === 'float32' ? 1e-6 : 1e-14);
      }
    }
  }
  t.throws(() => cpu.unary('scale', new Float64Array(2)), /cpu\.unary: 'scale' needs a numeric param/, 'unary scale without a param is an error');
  t.end();
});

const binaryReference: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: (a, b) => Math.max(a, b),
  eq: (a, b) => (a === b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
};

/** NumPy broadcasting by definition: each output index, right-aligned, clamped to size-1 axes. */
function binaryNaive(op: BinaryOp, a: Data, aShape: number[], b: Data, bShape: number[], outShape: number[]): number[] {
  const source = (data: Data, shape: number[], index: number[]): number => {
    const lead = index.length - shape.length;
    return data[ravel(shape.map((d, axis) => (d === 1 ? 0 : index[axis + lead])), shape)];
  };
  return Array.from({ length: sizeOf(outShape) }, (_, flat) => {
    const index = unravel(flat, outShape);
    return binaryReference[op](source(a, aShape, index), source(b, bShape, index));
  });
}

const broadcastCases: { name: string; a: number[]; b: number[]; out: number[] }[] = [
  { name: 'same shape', a: [3, 5], b: [3, 5], out: [3, 5] },
  { name: 'scalar b of rank 0', a: [4, 3], b: [], out: [4, 3] },
  { name: 'scalar a of shape [1]', a: [1], b: [2, 7], out: [2, 7] },
  { name: 'bias [N,C] + [C]', a: [6, 5], b: [5], out: [6, 5] },
  { name: 'bias [N,C,H,W] + [1,C,1,1]', a: [2, 3, 4, 5], b: [1, 3, 1, 1], out: [2, 3, 4, 5] },
  { name: 'leading axis [1,C,H,W] + [N,C,H,W]', a: [1, 3, 2, 2], b: [4, 3, 2, 2], out: [4, 3, 2, 2] },
  { name: 'column × row [3,1] with [1,4]', a: [3, 1], b: [1, 4], out: [3, 4] },
  { name: 'both stretched [2,1,3] with [4,1]', a: [2, 1, 3], b: [4, 1], out: [2, 4, 3] },
  { name: 'middle axis [2,3,4] with [2,1,4]', a: [2, 3, 4], b: [2, 1, 4], out: [2, 3, 4] },
  { name: 'rank 0 with rank 0', a: [], b: [], out: [] },
  { name: 'an empty axis [0,3] + [3]', a: [0, 3], b: [3], out: [0, 3] },
];

test('cpu.binary: every op under every broadcasting pattern matches NumPy broadcasting', (t) => {
  for (const c of broadcastCases) {
    const a = randomData(sizeOf(c.a));
    const b = randomData(sizeOf(c.b));
    if (b.length > 1) b[0] = a[0]; // so eq sees a true case
    for (const op of Object.keys(binaryReference) as BinaryOp[]) {
      const out = cpu.binary(op, a, c.a, b, c.b, c.out);
      assertClose(t, `binary ${op}, ${c.name} [${c.a}] op [${c.b}] -> [${c.out}]`, out, binaryNaive(op, a, c.a, b, c.b, c.out), 0);
    }
  }
  const a32 = randomData(6, 'float32');
  const out = cpu.binary('mul', a32, [2, 3], new Float64Array([2]), [1], [2, 3]);
  t.ok(out instanceof Float32Array, 'binary: float32 a with float64 b gives a Float32Array (the type of the first input)');
  t.throws(() => cpu.binary('add', new Float64Array(6), [2, 3], new Float64Array(2), [2], [2, 3]), /cpu\.binary: cannot broadcast \[2\] to \[2,3\]/, 'binary: incompatible shapes name both shapes');
  t.throws(() => cpu.binary('add', new Float64Array(5), [2, 3], new Float64Array(1), [], [2, 3]), /cpu\.binary: a \(add\) has 5 elements but shape \[2,3\] needs 6/, 'binary: a buffer of the wrong length is an error');
  t.end();
});

// ---------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------

function reduceNaive(op: 'sum' | 'max', x: Data, shape: number[], axes: number[]): number[] {
  const norm = axes.map((a) => (a < 0 ? a + shape.length : a));
  const outShape = shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const out = new Array<number>(sizeOf(outShape)).fill(op === 'sum' ? 0 : -Infinity);
  for (let flat = 0; flat < x.length; flat++) {
    const o = ravel(unravel(flat, shape).map((v, i) => (norm.includes(i) ? 0 : v)), outShape);
    out[o] = op === 'sum' ? out[o] + x[flat] : Math.max(out[o], x[flat]);
  }
  return out;
}

test('cpu.reduce: sum and max over any set of axes match the definition (keepDims layout)', (t) => {
  const shape = [2, 3, 4, 5];
  const axisSets = [[], [3], [2, 3], [0], [1], [0, 2], [1, 3], [0, 3], [0, 1, 2, 3], [-1], [0, -2]];
  for (const type of ['float64', 'float32'] as const) {
    const x = randomData(sizeOf(shape), type);
    for (const op of ['sum', 'max'] as const) {
      for (const axes of axisSets) {
        const out = cpu.reduce(op, x, shape, axes);
        t.equal(out.constructor, x.constructor, `reduce ${op} axes [${axes}]: output type follows the ${type} input`);
        assertClose(t, `reduce ${op} of [${shape}] over axes [${axes}] (${type})`, out, reduceNaive(op, x, shape, axes), type === 'float32' ? 1e-6 : 1e-12);
      }
    }
  }
  for (const [shape2, axes] of [[[7], [0]], [[1, 1, 4], [2]], [[4, 1, 3], [0, 2]], [[0, 3], [0]], [[3, 0], [1]]] as [number[], number[]][]) {
    const x = randomData(sizeOf(shape2));
    for (const op of ['sum', 'max'] as const) {
      assertClose(t, `reduce ${op} of [${shape2}] over [${axes}]`, cpu.reduce(op, x, shape2, axes), reduceNaive(op, x, shape2, axes));
    }
  }
  t.end();
});

test('cpu.reduce: a float32 sum is accumulated in float64 and rounded once', (t) => {
  const n = 100_000;
  const x = new Float32Array(n).fill(0.1);
  let exact = 0;
  for (let i = 0; i < n; i++) exact += x[i];
  t.equal(cpu.reduce('sum', x, [n], [0])[0], Math.fround(exact), 'reduce sum of 100000 × float32(0.1): the float64 sum, rounded once');
  const rows = cpu.reduce('sum', x, [10, n / 10], [0]);
  t.equal(rows[0], Math.fround(exact / (n / 10)), 'reduce sum over a leading axis is also accumulated in float64');
  t.throws(() => cpu.reduce('sum', x, [n], [1]), /cpu\.reduce: axis 1 is out of range for shape \[100000\]/, 'reduce: an axis out of range is an error');
  t.end();
});

// ---------------------------------------------------------------------------------
// Gather
// ---------------------------------------------------------------------------------

function gatherNaive(x: Data, shape: number[], strides: number[], offset: number): number[] {
  return Array.from({ length: sizeOf(shape) }, (_, flat) => x[unravel(flat, shape).reduce((o, v, i) => o + v * strides[i], offset)]);
}

test('cpu.gather: strided views of any rank become the right contiguous copy', (t) => {
  const x = randomData(200);
  const cases: { name: string; shape: number[]; strides: number[]; offset: number }[] = [
    { name: 'contiguous', shape: [4, 5], strides: [5, 1], offset: 0 },
    { name: 'transpose of [4,5]', shape: [5, 4], strides: [1, 5], offset: 0 },
    { name: 'slice with an offset', shape: [3, 2], strides: [5, 1], offset: 7 },
    { name: 'every other column', shape: [4, 3], strides: [10, 2], offset: 1 },
    { name: 'flipped rows (negative stride)', shape: [4, 5], strides: [-5, 1], offset: 15 },
    { name: 'broadcast (stride 0)', shape: [3, 4], strides: [0, 1], offset: 2 },
    { name: 'rank-4 permutation', shape: [3, 2, 4, 5], strides: [5, 60, 15, 1], offset: 0 },
    { name: 'rank-5 with a size-1 axis', shape: [2, 1, 3, 2, 2], strides: [48, 7, 12, 2, 1], offset: 3 },
    { name: 'rank 0', shape: [], strides: [], offset: 9 },
    { name: 'empty', shape: [0, 4], strides: [4, 1], offset: 0 },
  ];
  for (const c of cases) assertClose(t, `gather ${c.name}`, cpu.gather(x, c.shape, c.strides, c.offset), gatherNaive(x, c.shape, c.strides, c.offset), 0);
  t.ok(cpu.gather(new Float32Array(4), [2, 2], [1, 2], 0) instanceof Float32Array, 'gather keeps the element type');
  t.end();
});

// ---------------------------------------------------------------------------------
// Pad
// ---------------------------------------------------------------------------------

/** Every output element by definition: x's element when its index falls inside the region at `starts`, else `value`. */
function padNaive(x: Data, shape: number[], outShape: number[], starts: number[], value: number): number[] {
  return Array.from({ length: sizeOf(outShape) }, (_, flat) => {
    const index = unravel(flat, outShape);
    const inside = index.every((c, axis) => c >= starts[axis] && c < starts[axis] + shape[axis]);
    return inside ? x[ravel(index.map((c, axis) => c - starts[axis]), shape)] : value;
  });
}

test('cpu.pad: x written at starts into a constant of outShape matches the definition, ranks 0 to 4', (t) => {
  const cases: { name: string; shape: number[]; out: number[]; starts: number[] }[] = [
    { name: 'rank 0', shape: [], out: [], starts: [] },
    { name: 'rank 1 inside', shape: [3], out: [7], starts: [2] },
    { name: 'rank 1 whole (a copy)', shape: [4], out: [4], starts: [0] },
    { name: 'rank 2 inside', shape: [2, 3], out: [5, 6], starts: [1, 2] },
    { name: 'rank 2 whole rows', shape: [2, 6], out: [5, 6], starts: [3, 0] },
    { name: 'rank 3 with a size-1 axis', shape: [1, 3, 2], out: [2, 5, 4], starts: [1, 0, 2] },
    { name: 'rank 4 channels of NCHW (the zero-pad shortcut)', shape: [2, 3, 2, 2], out: [2, 8, 2, 2], starts: [0, 2, 0, 0] },
    { name: 'rank 4 on every axis', shape: [2, 2, 3, 1], out: [3, 4, 5, 2], starts: [1, 1, 2, 1] },
    { name: 'an empty x', shape: [0, 3], out: [2, 3], starts: [1, 0] },
    { name: 'an empty output', shape: [0, 3], out: [0, 3], starts: [0, 0] },
  ];
  for (const type of ['float64', 'float32'] as const) {
    for (const c of cases) {
      const x = randomData(sizeOf(c.shape), type);
      for (const value of [0, 2.5, -Infinity]) {
        const out = cpu.pad(x, c.shape, c.out, c.starts, value);
        if (out.constructor !== x.constructor) t.fail(`pad ${c.name}: output type differs from x's (${type})`);
        assertClose(t, `pad ${c.name}: [${c.shape}] at [${c.starts}] in [${c.out}] filled with ${value} (${type})`, out, padNaive(x, c.shape, c.out, c.starts, value), 0);
      }
    }
  }
  const zeros = cpu.pad(new Float32Array([-0, 0]), [2], [4], [1], -0);
  t.deepEqual(Array.from(zeros, (v) => (Object.is(v, -0) ? '-0' : String(v))), ['-0', '-0', '0', '-0'], 'pad keeps the sign of zeros, in x and in a fill of −0');
  const k = hostKernels(cpu);
  const x = randomData(6);
  assertClose(t, 'hostKernels(cpu).pad is cpu.pad', k.pad(x, [2, 3], [4, 4], [1, 0], 1) as Data, cpu.pad(x, [2, 3], [4, 4], [1, 0], 1), 0);
  t.throws(() => cpu.pad(new Float64Array(2), [2], [2, 2], [0, 0], 0), /^Error: cpu\.pad: shape \[2\], outShape \[2,2\] and starts \[0,0\] must have the same rank$/, 'pad: shapes of different rank are an error');
  t.throws(() => cpu.pad(new Float64Array(5), [2, 3], [3, 4], [0, 0], 0), /^Error: cpu\.pad: x has 5 elements but shape \[2,3\] needs 6$/, 'pad: a buffer of the wrong length is an error');
  t.throws(() => cpu.pad(new Float64Array(6), [2, 3], [3, 4], [1, 2], 0), /^Error: cpu\.pad: x of shape \[2,3\] at starts \[1,2\] does not fit in \[3,4\] \(axis 1: 2 \+ 3 > 4\)$/, 'pad: a region reaching past the output names the axis');
  t.throws(() => cpu.pad(new Float64Array(6), [2, 3], [3, 4], [-1, 0], 0), /^Error: cpu\.pad: starts \[-1,0\] must be non-negative integers \(axis 0: -1\)$/, 'pad: a negative start is an error');
  t.end();
});

// ---------------------------------------------------------------------------------
// GEMM
// ---------------------------------------------------------------------------------

/** A GEMM case is exactly the kernel's arguments. */
type GemmCase = GemmArgs;

/** C[b][i][j] = Σ_p op(A[b])[i][p] · op(B[b])[p][j], straight from the definition. */
function gemmNaive(a: Data, b: Data, g: GemmCase): number[] {
  const out: number[] = [];
  for (let bi = 0; bi < g.batch; bi++) {
    const ao = bi * g.strideA;
    const bo = bi * g.strideB;
    for (let i = 0; i < g.m; i++) {
      for (let j = 0; j < g.n; j++) {
        let s = 0;
        for (let p = 0; p < g.k; p++) {
          const av = g.transA ? a[ao + p * g.m + i] : a[ao + i * g.k + p];
          const bv = g.transB ? b[bo + j * g.k + p] : b[bo + p * g.n + j];
          s += av * bv;
        }
        out.push(s);
      }
    }
  }
  return out;
}

function gemmName(g: GemmCase): string {
  return `gemm batch=${g.batch} m=${g.m} n=${g.n} k=${g.k}${g.transA ? ' transA' : ''}${g.transB ? ' transB' : ''} strideA=${g.strideA} strideB=${g.strideB}`;
}

function checkGemm(t: test.Test, g: GemmCase, type: 'float32' | 'float64' = 'float64'): void {
  const a = randomData(g.strideA * (g.batch - 1) + g.m * g.k, type);
  const b = randomData(g.strideB * (g.batch - 1) + g.k * g.n, type);
  const expected = gemmNaive(a, b, g);
  const received = cpu.gemm(a, b, g);
  if (received.constructor !== a.constructor) t.fail(`${gemmName(g)}: output type differs from A's (${type})`);
  // float32 outputs are the float64 sums rounded once, so only the rounding of the output separates them.
  assertClose(t, `${gemmName(g)} (${type})`, received, type === 'float32' ? expected.map(Math.fround) : expected, type === 'float32' ? 1e-6 : 1e-12);
}

test('cpu.gemm: odd sizes in {1,3,5,17,33}³ and all four transpose combinations', (t) => {
  const sizes = [1, 3, 5, 17, 33];
  for (const m of sizes) for (const n of sizes) for (const k of sizes) {
    for (const transA of [false, true]) for (const transB of [false, true]) {
      checkGemm(t, { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 });
    }
  }
  t.end();
});

test('cpu.gemm: batches, with and without stride-0 broadcast of either operand', (t) => {
  for (const [m, n, k] of [[5, 3, 7], [17, 9, 4], [2, 33, 6], [8, 8, 8]]) {
    for (const transA of [false, true]) for (const transB of [false, true]) {
      checkGemm(t, { batch: 3, m, n, k, transA, transB, strideA: m * k, strideB: k * n });
      checkGemm(t, { batch: 3, m, n, k, transA, transB, strideA: 0, strideB: k * n });
      checkGemm(t, { batch: 3, m, n, k, transA, transB, strideA: m * k, strideB: 0 });
      checkGemm(t, { batch: 2, m, n, k, transA, transB, strideA: 0, strideB: 0 });
      // Matrices further apart than their size (a view with gaps between them).
      checkGemm(t, { batch: 2, m, n, k, transA, transB, strideA: m * k + 3, strideB: k * n + 5 });
    }
  }
  t.end();
});

test('cpu.gemm: float32, cache-block boundaries, batch-1 training shapes and empty products', (t) => {
  for (const transA of [false, true]) for (const transB of [false, true]) {
    checkGemm(t, { batch: 1, m: 37, n: 41, k: 29, transA, transB, strideA: 0, strideB: 0 }, 'float32');
    // k = 4096 makes the packed blocks 64 rows of A and 16 columns of B, so both block loops run several times.
    checkGemm(t, { batch: 1, m: 70, n: 70, k: 4096, transA, transB, strideA: 0, strideB: 0 });
  }
  checkGemm(t, { batch: 1, m: 1, n: 100, k: 784, transA: false, transB: false, strideA: 0, strideB: 0 }, 'float32');
  checkGemm(t, { batch: 1, m: 1, n: 100, k: 784, transA: false, transB: true, strideA: 0, strideB: 0 }, 'float32');
  checkGemm(t, { batch: 1, m: 784, n: 100, k: 1, transA: true, transB: false, strideA: 0, strideB: 0 }, 'float32');
  checkGemm(t, { batch: 1, m: 32, n: 1024, k: 288, transA: false, transB: false, strideA: 0, strideB: 0 }, 'float32');
  checkGemm(t, { batch: 1, m: 784, n: 2, k: 10, transA: false, transB: true, strideA: 0, strideB: 0 });
  for (const [m, n, k] of [[0, 3, 4], [3, 0, 4], [3, 4, 0]]) {
    const out = cpu.gemm(new Float64Array(m * k), new Float64Array(k * n), { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 });
    assertClose(t, `gemm m=${m} n=${n} k=${k}: an empty product gives zeros`, out, new Array(m * n).fill(0), 0);
  }
  t.throws(
    () => cpu.gemm(new Float64Array(5), new Float64Array(6), { batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, strideA: 0, strideB: 0 }),
    /cpu\.gemm: A has 5 elements; batch 1 of \[2,3\] with strideA 0 needs 6/,
    'gemm: a too-short A names its shape and the size it needs',
  );
  t.end();
});

// ---------------------------------------------------------------------------------
// Convolution
// ---------------------------------------------------------------------------------

function geometry(channels: number, height: number, width: number, kernelH: number, kernelW: number, stride = [1, 1], pad = [0, 0], dilation = [1, 1]): Conv2dGeometry {
  const [strideH, strideW] = stride;
  const [padH, padW] = pad;
  const [dilationH, dilationW] = dilation;
  return {
    channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
    outH: Math.floor((height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH) + 1,
    outW: Math.floor((width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW) + 1,
  };
}

function describe(g: Conv2dGeometry): string {
  return `C=${g.channels} ${g.height}×${g.width} kernel ${g.kernelH}×${g.kernelW} stride ${g.strideH},${g.strideW} pad ${g.padH},${g.padW} dilation ${g.dilationH},${g.dilationW}`;
}

/** The input value under column row (c, ki, kj) at output position (oh, ow), or 0 in the padding. */
function patchValue(x: Data, xOffset: number, g: Conv2dGeometry, c: number, ki: number, kj: number, oh: number, ow: number): number {
  const ih = oh * g.strideH - g.padH + ki * g.dilationH;
  const iw = ow * g.strideW - g.padW + kj * g.dilationW;
  if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) return 0;
  return x[xOffset + (c * g.height + ih) * g.width + iw];
}

function im2colNaive(x: Data, xOffset: number, g: Conv2dGeometry): number[] {
  const out: number[] = [];
  for (let c = 0; c < g.channels; c++) for (let ki = 0; ki < g.kernelH; ki++) for (let kj = 0; kj < g.kernelW; kj++) {
    for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++) out.push(patchValue(x, xOffset, g, c, ki, kj, oh, ow));
  }
  return out;
}

function col2imNaive(cols: Data, g: Conv2dGeometry, out: number[], outOffset: number): void {
  let r = 0;
  for (let c = 0; c < g.channels; c++) for (let ki = 0; ki < g.kernelH; ki++) for (let kj = 0; kj < g.kernelW; kj++) {
    for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++, r++) {
      const ih = oh * g.strideH - g.padH + ki * g.dilationH;
      const iw = ow * g.strideW - g.padW + kj * g.dilationW;
      if (ih >= 0 && ih < g.height && iw >= 0 && iw < g.width) out[outOffset + (c * g.height + ih) * g.width + iw] += cols[r];
    }
  }
}

const convGeometries = [
  geometry(2, 5, 6, 3, 3, [1, 1], [1, 1]),
  geometry(3, 7, 8, 3, 3, [2, 2], [1, 1], [2, 2]),
  geometry(2, 9, 7, 3, 2, [2, 1], [1, 2], [2, 1]),
  geometry(4, 4, 4, 1, 1),
  geometry(1, 6, 5, 5, 5, [1, 2], [2, 2]),
  geometry(2, 3, 3, 2, 2, [3, 3], [1, 1]),
];

test('cpu.im2col / col2im: unfold and fold match the definition, with offsets for grouped convolution', (t) => {
  for (const g of convGeometries) {
    const plane = g.channels * g.height * g.width;
    const x = randomData(3 * plane);
    for (const xOffset of [0, plane + 5]) {
      assertClose(t, `im2col ${describe(g)} at xOffset ${xOffset}`, cpu.im2col(x, xOffset, g), im2colNaive(x, xOffset, g), 0);
    }
    const cols = randomData(g.channels * g.kernelH * g.kernelW * g.outH * g.outW);
    const start = randomData(2 * plane + 3);
    const expected = Array.from(start);
    col2imNaive(cols, g, expected, plane + 3);
    const out = start.slice();
    cpu.col2im(cols, g, out, plane + 3);
    assertClose(t, `col2im ${describe(g)}: adds into out at outOffset ${plane + 3} and leaves the rest alone`, out, expected, 1e-12);
  }
  const g = convGeometries[1];
  t.throws(() => cpu.im2col(new Float64Array(10), 0, g), /cpu\.im2col: x has 10 elements/, 'im2col: a too-short input is an error');
  t.throws(() => cpu.im2col(new Float64Array(1000), 0, { ...g, outH: g.outH + 1 }), /cpu\.im2col: geometry says output/, 'im2col: an inconsistent geometry is an error');
  t.end();
});

test('hostKernels(cpu): batched im2col / col2im stack the images, fold into a zeroed batch, and reject device arrays', (t) => {
  const k = hostKernels(cpu);
  for (const g of convGeometries) {
    const plane = g.channels * g.height * g.width;
    const block = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    for (const n of [1, 3]) {
      const x = randomData(n * plane);
      const expectedCols: number[] = [];
      for (let i = 0; i < n; i++) expectedCols.push(...im2colNaive(x, i * plane, g));
      assertClose(t, `im2col of ${n} images ${describe(g)}`, k.im2col(x, n, g) as Data, expectedCols, 0);
      const cols = randomData(n * block);
      const expected = new Array<number>(n * plane).fill(0);
      for (let i = 0; i < n; i++) col2imNaive(cols.subarray(i * block, (i + 1) * block), g, expected, i * plane);
      assertClose(t, `col2im of ${n} images ${describe(g)}`, k.col2im(cols, n, g) as Data, expected, 1e-12);
    }
  }
  const g = convGeometries[1];
  t.throws(() => k.col2im(new Float64Array(7), 2, g), /cpu\.col2im: cols has 7 elements; 2 images of/, 'col2im: a wrong column count is an error naming both');
  const foreign = { length: 4, owner: cpu, released: false, download: () => new Float32Array(4), release: () => {} };
  t.throws(() => k.unary('neg', foreign), /cpu\.unary: got a device array of cpu; read it back to the host first/, 'a device array is refused with one line');
  t.notOk(k.owns(foreign), 'host kernels own no device array');
  t.end();
});

// ---------------------------------------------------------------------------------
// Pooling
// ---------------------------------------------------------------------------------

/** For each output cell of each image, the flat input indices of the real (non-padding) cells of its window, in window order. */
function windows(n: number, g: Conv2dGeometry): number[][] {
  const result: number[][] = [];
  for (let plane = 0; plane < n * g.channels; plane++) {
    for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++) {
      const cells: number[] = [];
      for (let ki = 0; ki < g.kernelH; ki++) for (let kj = 0; kj < g.kernelW; kj++) {
        const ih = oh * g.strideH - g.padH + ki * g.dilationH;
        const iw = ow * g.strideW - g.padW + kj * g.dilationW;
        if (ih >= 0 && ih < g.height && iw >= 0 && iw < g.width) cells.push((plane * g.height + ih) * g.width + iw);
      }
      result.push(cells);
    }
  }
  return result;
}

const poolGeometries = [
  geometry(3, 7, 6, 3, 3, [2, 2], [1, 1]),
  geometry(2, 4, 4, 2, 2, [2, 2]),
  geometry(2, 5, 5, 3, 3, [1, 1], [1, 1]),
  geometry(1, 8, 7, 3, 2, [2, 3], [1, 1], [2, 2]),
];

test('cpu.maxPool2d: padding never wins, argmax is the flat index into [n,C,H,W], backward scatter-adds', (t) => {
  const n = 2;
  for (const g of poolGeometries) {
    const size = n * g.channels * g.height * g.width;
    // All inputs negative: a padding cell counted as 0 would win every edge window.
    const x = randomData(size).map((v) => -Math.abs(v) - 0.1);
    const wins = windows(n, g);
    const argmaxExpected = wins.map((cells) => cells.reduce((best, i) => (x[i] > x[best] ? i : best), cells[0]));
    const { out, argmax } = cpu.maxPool2d(x, n, g);
    assertClose(t, `maxPool2d ${describe(g)} n=${n}: values`, out, argmaxExpected.map((i) => x[i]), 0);
    assertClose(t, `maxPool2d ${describe(g)} n=${n}: argmax`, argmax, argmaxExpected, 0);
    const grad = randomData(out.length);
    const dx = new Array<number>(size).fill(0);
    argmaxExpected.forEach((i, o) => { dx[i] += grad[o]; });
    assertClose(t, `maxPool2dBackward ${describe(g)} n=${n}: overlapping windows add up`, cpu.maxPool2dBackward(grad, argmax, size), dx, 1e-12);
  }
  const { out } = cpu.maxPool2d(new Float32Array([1, 3, 3, 2]), 1, geometry(1, 2, 2, 2, 2));
  t.ok(out instanceof Float32Array && out[0] === 3, 'maxPool2d keeps float32 and finds the maximum');
  t.end();
});

test('cpu.avgPool2d: divisor is always kH·kW (padding counts as zeros); backward spreads the same shares', (t) => {
  const n = 2;
  for (const g of poolGeometries) {
    const size = n * g.channels * g.height * g.width;
    const x = randomData(size);
    const wins = windows(n, g);
    const divisor = g.kernelH * g.kernelW;
    const expected = wins.map((cells) => cells.reduce((s, i) => s + x[i], 0) / divisor);
    const out = cpu.avgPool2d(x, n, g);
    assertClose(t, `avgPool2d ${describe(g)} n=${n}`, out, expected, 1e-12);
    const grad = randomData(out.length);
    const dx = new Array<number>(size).fill(0);
    wins.forEach((cells, o) => cells.forEach((i) => { dx[i] += grad[o] / divisor; }));
    assertClose(t, `avgPool2dBackward ${describe(g)} n=${n}`, cpu.avgPool2dBackward(grad, n, g), dx, 1e-12);
  }
  t.end();
});
