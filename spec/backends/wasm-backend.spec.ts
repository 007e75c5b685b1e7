/**
 * The wasm backend: its binary encoder, its SIMD kernels, and the backend as a whole.
 *
 * - The encoder writes LEB128 and a module that WebAssembly accepts and runs.
 * - GEMM (every transpose combination, edge tiles, several k blocks, broadcast batches)
 *   agrees with a naive float64 triple loop within float32 rounding; im2col is exact
 *   against the plain-TS kernel and col2im is its adjoint; elementwise kernels give the
 *   plain-TS results bit for bit, NaN, ±∞ and −0 included.
 * - With the wasm backend current: the whole op suite agrees with the plain-TS backend,
 *   float64 gradient checks pass, pb+sc+lwp training gives the plain-TS losses and is
 *   deterministic, and the module's memory stops growing after the first steps.
 * - Selection: `wasm` is the default where WebAssembly SIMD runs, `ts` names the plain-TS kernels.
 */
import test from 'tape';
import * as pg from '../../core/index.js';
import { cpuBackend, setBackend } from '../../core/index.js';
import { createWasmBackend, defaultBackendName, listBackends, useBackend, wasmSimdSupported, type WasmBackend } from '../../core/backend/index.js';
import { F32, ModuleBuilder, s32, u32, V128, I32 } from '../../core/backend/wasm-encoder.js';
import { checkGradients, leaf as leaf64, values } from '../core/gradcheck.js';
import { agree, EPS32 } from './agreement.js';
import { opCases, runCase } from './op-cases.js';
import { trainingLosses } from './training-runs.js';
import { seeded } from './seeded.js';

/** Samples of the training-agreement runs. */
const TRAINING_SAMPLES = 200;
/** Allowed relative difference of a sample's loss from the plain-TS backend's, `|Δ| ≤ tol·(1 + |loss|)`. */
const LOSS_TOLERANCE = 1e-5;

/** Run `fn` with `backend` current, restoring the previous backend afterwards. */
function withBackend<T>(backend: pg.Backend, fn: () => T): T {
  const previous = setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

const supported = wasmSimdSupported();
const wasm: WasmBackend | null = supported ? createWasmBackend() : null;

test('wasm encoder: LEB128 integers match the format’s worked examples', (t) => {
  t.deepEqual(u32(0), [0x00], 'u32(0) is one zero byte');
  t.deepEqual(u32(127), [0x7f], 'u32(127) fits in one byte');
  t.deepEqual(u32(128), [0x80, 0x01], 'u32(128) takes two bytes, low seven bits first');
  t.deepEqual(u32(624485), [0xe5, 0x8e, 0x26], 'u32(624485) is E5 8E 26');
  t.deepEqual(s32(-1), [0x7f], 's32(−1) is 7F');
  t.deepEqual(s32(63), [0x3f], 's32(63) fits in one byte (sign bit clear)');
  t.deepEqual(s32(64), [0xc0, 0x00], 's32(64) needs a second byte so the sign bit reads 0');
  t.deepEqual(s32(-123456), [0xc0, 0xbb, 0x78], 's32(−123456) is C0 BB 78');
  t.end();
});

test('wasm encoder: a scalar function and a SIMD function it writes are accepted and compute what they say', (t) => {
  const m = new ModuleBuilder(1);
  m.func('double', [F32], [F32]).get(0).get(0).f32_add();
  // addVectors(a, b, out): out[0..3] = a[0..3] + b[0..3] (byte addresses)
  const f = m.func('addVectors', [I32, I32, I32], []);
  const v = f.local(V128);
  f.get(0).v128_load().set(v);
  f.get(2).get(v).get(1).v128_load().f32x4_add().v128_store();
  const bytes = m.encode();
  t.deepEqual([...bytes.subarray(0, 8)], [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], 'the module starts with "\\0asm" and version 1');
  if (!supported) {
    t.pass('SKIPPED running it: this engine has no WebAssembly SIMD');
    t.end();
    return;
  }
  t.ok(WebAssembly.validate(bytes), 'WebAssembly validates the module');
  const memory = new WebAssembly.Memory({ initial: 1 });
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as { double(x: number): number; addVectors(a: number, b: number, out: number): void };
  t.equal(ex.double(1.5), 3, 'double(1.5) = 3');
  const mem = new Float32Array(memory.buffer);
  mem.set([1, 2, 3, 4], 0);
  mem.set([10, 20, 30, 40], 4);
  ex.addVectors(0, 16, 32);
  t.deepEqual([...mem.subarray(8, 12)], [11, 22, 33, 44], 'addVectors adds four lanes: [1,2,3,4] + [10,20,30,40]');
  t.end();
});

/** `C[b] = op(A[b])·op(B[b])` by the textbook triple loop in float64. */
function naiveGemm(a: Float32Array, b: Float32Array, args: pg.GemmArgs): Float64Array {
  const { batch, m, n, k, transA, transB, strideA, strideB } = args;
  const c = new Float64Array(batch * m * n);
  for (let q = 0; q < batch; q++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[q * strideA + (transA ? p * m + i : i * k + p)] * b[q * strideB + (transB ? j * k + p : p * n + j)];
        c[(q * m + i) * n + j] = s;
      }
    }
  }
  return c;
}

if (wasm) {
  test('wasm gemm: every transpose combination, edge tiles, several k blocks and broadcast batches agree with a float64 triple loop', (t) => {
    // All above the size below which gemm hands the product to the plain-TS kernel.
    const shapes = [[4, 8, 128], [5, 9, 100], [37, 61, 517], [64, 64, 64], [17, 130, 40], [130, 5, 300]];
    let seed = 1;
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [batch, strideA, strideB] of [[1, 0, 0], [3, m * k, n * k], [3, 0, n * k], [2, m * k, 0]]) {
            const a = seeded((batch - 1) * strideA + m * k, seed++);
            const b = seeded((batch - 1) * strideB + k * n, seed++);
            const args = { batch, m, n, k, transA, transB, strideA, strideB };
            const got = wasm.gemm(a, b, args);
            const r = agree(got, naiveGemm(a, b, args), k);
            t.ok(r.ok, `[${m}×${k}]${transA ? 'ᵀ' : ''}·[${k}×${n}]${transB ? 'ᵀ' : ''}, batch ${batch} (strides ${strideA}, ${strideB}): within float32 rounding of k = ${k} terms` + (r.ok ? '' : ` — ${r.detail}`));
          }
        }
      }
    }
    const a = seeded(20 * 30, 60), b = seeded(30 * 37, 61);
    a[3 * 30 + 7] = NaN;
    b[5 * 37 + 2] = Infinity;
    const special = { batch: 1, m: 20, n: 37, k: 30, transA: false, transB: false, strideA: 0, strideB: 0 };
    const r = agree(wasm.gemm(a, b, special), naiveGemm(a, b, special), 30);
    t.ok(r.ok, 'a NaN in row 3 of A and an ∞ in row 5 of B give the NaNs and ±∞ of the float64 loop, and nothing else changes' + (r.ok ? '' : ` — ${r.detail}`));
    t.equal(wasm.gemm(new Float32Array(0), new Float32Array(0), { ...special, batch: 0 }).length, 0, 'a batch of 0 products is empty');
    t.throws(() => wasm.gemm(new Float32Array(3), new Float32Array(4), { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 }), /wasm\.gemm: A has 3 elements; batch 1 of \[2,2\] with strideA 0 needs 4/, 'a short A is named with the size it needs');
    t.end();
  });

  test('wasm gemm: a 256×256 product is within float32 rounding of the float64 loop (the benchmark size)', (t) => {
    const n = 256;
    const a = seeded(n * n, 91), b = seeded(n * n, 92);
    const args = { batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 };
    const r = agree(wasm.gemm(a, b, args), naiveGemm(a, b, args), n);
    t.ok(r.ok, `256³: worst error ${(100 * r.worstRatio).toFixed(1)} % of the float32 allowance ${EPS32.toExponential(2)}·(32 + 4·256)·scale` + (r.ok ? '' : ` — ${r.detail}`));
    t.end();
  });

  const geometries: pg.Conv2dGeometry[] = [
    { channels: 3, height: 9, width: 11, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: 9, outW: 11 },
    { channels: 2, height: 10, width: 13, kernelH: 3, kernelW: 2, strideH: 2, strideW: 3, padH: 2, padW: 1, dilationH: 2, dilationW: 1, outH: 5, outW: 5 },
    { channels: 4, height: 8, width: 8, kernelH: 1, kernelW: 1, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 4, outW: 4 },
  ];

  test('wasm im2col equals the plain-TS unfold, and col2im is its adjoint: <im2col(x), c> = <x, col2im(c)>', (t) => {
    geometries.forEach((g, gi) => {
      const size = g.channels * g.height * g.width;
      const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
      const x = seeded(3 + size, 10 + gi);
      const cols = wasm.im2col(x, 3, g);
      t.deepEqual([...cols], [...cpuBackend.im2col(x, 3, g)], `geometry ${gi}: im2col of the image at offset 3 is the plain-TS result exactly`);
      const c = seeded(colsSize, 20 + gi);
      const folded = new Float32Array(5 + size);
      wasm.col2im(c, g, folded, 5);
      let lhs = 0, rhs = 0;
      for (let i = 0; i < colsSize; i++) lhs += cols[i] * c[i];
      for (let i = 0; i < size; i++) rhs += x[3 + i] * folded[5 + i];
      t.ok(Math.abs(lhs - rhs) <= 1e-5 * (1 + Math.abs(lhs)), `geometry ${gi}: <im2col(x), c> = ${lhs.toFixed(6)} equals <x, col2im(c)> = ${rhs.toFixed(6)}`);
      t.deepEqual([...folded.subarray(0, 5)], [0, 0, 0, 0, 0], `geometry ${gi}: col2im writes nothing before its offset`);
      const into = seeded(size, 30 + gi), reference = into.slice();
      wasm.col2im(c, g, into, 0);
      cpuBackend.col2im(c, g, reference, 0);
      t.deepEqual([...into], [...reference], `geometry ${gi}: col2im adds into existing values exactly as the plain-TS fold does`);
    });
    t.end();
  });

  test('wasm max pooling: a NaN wins its window, ties go to the first maximum, empty windows give −∞ and −1, and any geometry equals the plain-TS kernel', (t) => {
    const g = { channels: 1, height: 2, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 2 };
    const pooled = wasm.maxPool2d(Float32Array.from([1, NaN, 5, 7, 3, 2, 9, 9]), 1, g);
    t.deepEqual([...pooled.out], [NaN, 9], 'windows [1, NaN, 3, 2] and [5, 7, 9, 9] give NaN and 9');
    t.deepEqual([...pooled.argmax], [1, 6], '… from input cells 1 and 6 (the first 9)');
    // Padding 2 with a 1×1 kernel: the border outputs see only padding.
    const empty = { channels: 1, height: 2, width: 2, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 2, padW: 0, dilationH: 1, dilationW: 1, outH: 6, outW: 2 };
    const e = wasm.maxPool2d(Float32Array.from([4, 3, 2, 1]), 1, empty);
    t.deepEqual([[...e.out.subarray(0, 2)], [...e.argmax.subarray(0, 2)], [...e.out.subarray(4, 8)]], [[-Infinity, -Infinity], [-1, -1], [4, 3, 2, 1]], 'rows of padding only give −∞ and −1; the real rows copy the input');
    const geometries = [
      { channels: 3, height: 9, width: 11, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 2, outH: 5, outW: 11 },
      { channels: 2, height: 8, width: 8, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 4, outW: 4 },
    ];
    geometries.forEach((geo, gi) => {
      const x = seeded(2 * geo.channels * geo.height * geo.width, 40 + gi);
      x[5] = NaN;
      const got = wasm.maxPool2d(x, 2, geo), want = cpuBackend.maxPool2d(x, 2, geo);
      t.deepEqual([[...got.out].map(String), [...got.argmax]], [[...want.out].map(String), [...want.argmax]], `geometry ${gi}, two images: values and argmax equal the plain-TS kernel`);
    });
    t.end();
  });

  test('wasm reduce: sums over every axis pattern are within float32 rounding of a float64 sum; max equals the plain-TS kernel, NaN included', (t) => {
    const shape = [3, 5, 7, 9];
    const x = seeded(3 * 5 * 7 * 9, 50);
    /** The float64 sum over `axes` by direct index arithmetic, keepDims layout. */
    const naiveSum = (axes: number[]): Float64Array => {
      const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < x.length; i++) {
        let rest = i, o = 0, stride = 1;
        const idx = [0, 0, 0, 0];
        for (let a = 3; a >= 0; a--) { idx[a] = rest % shape[a]; rest = Math.floor(rest / shape[a]); }
        for (let a = 3; a >= 0; a--) { o += (axes.includes(a) ? 0 : idx[a]) * stride; stride *= outShape[a]; }
        out[o] += x[i];
      }
      return out;
    };
    for (const axes of [[0, 1, 2, 3], [3], [2, 3], [0], [0, 1], [1], [1, 3], [0, 2]]) {
      const length = axes.reduce((n, a) => n * shape[a], 1);
      const r = agree(wasm.reduce('sum', x, shape, axes), naiveSum(axes), length);
      t.ok(r.ok, `sum over axes [${axes}] of [${shape}]: within float32 rounding of ${length} terms` + (r.ok ? '' : ` — ${r.detail}`));
      const y = x.slice();
      y[17] = NaN;
      const [got, want] = [wasm.reduce('max', y, shape, axes), cpuBackend.reduce('max', y, shape, axes)];
      t.deepEqual([...got].map(String), [...want].map(String), `max over axes [${axes}] with a NaN at 17 equals the plain-TS kernel`);
    }
    t.deepEqual([...wasm.reduce('max', Float32Array.from([1, -0, 0, 7, 3, NaN, 2]), [7], [0])].map(String), ['NaN'], 'a NaN anywhere in a max gives NaN');
    t.deepEqual([...wasm.reduce('sum', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [9], [0])], [45], '1 + … + 9 = 45 (two vectors and a tail)');
    t.end();
  });

  test('wasm elementwise kernels give the plain-TS results bit for bit, with NaN, ±∞, ±0 and broadcasting', (t) => {
    const special = [0, -0, -1, 1, 100, -100, NaN, Infinity, -Infinity, 0.5, 3e-39];
    const x = Float32Array.from({ length: 41 }, (_, i) => (i < special.length ? special[i] : Math.sin(i) * 7));
    const same = (what: string, got: pg.Data, want: pg.Data): void => {
      const bad = got.length !== want.length ? 0 : want.findIndex((w, i) => !Object.is(w, got[i]));
      t.ok(got.length === want.length && bad < 0, `${what}: bit for bit the plain-TS result` + (bad < 0 ? '' : ` — at ${bad} received ${got[bad]}, expected ${want[bad]}`));
    };
    for (const op of ['neg', 'abs', 'sqrt', 'relu', 'reluGrad', 'exp', 'sign'] as const) same(`unary ${op}`, wasm.unary(op, x), cpuBackend.unary(op, x));
    for (const [op, p] of [['pow', 2], ['pow', 1], ['pow', 3], ['scale', -2.5], ['shift', 0.25]] as const) same(`unary ${op} ${p}`, wasm.unary(op, x, p), cpuBackend.unary(op, x, p));
    const y = x.slice().reverse();
    const m = seeded(2 * 3 * 20, 7), bias = seeded(3, 8);
    // [a, aShape, b, bShape, outShape]: same shape, a scalar on either side, a per-channel operand, an outer product.
    const zips: [Float32Array, number[], Float32Array, number[], number[]][] = [
      [x, [41], y, [41], [41]],
      [x, [41], y.subarray(0, 1), [1], [41]],
      [y.subarray(0, 1), [1], x, [41], [41]],
      [m, [2, 3, 20], bias, [3, 1], [2, 3, 20]],
      [m.subarray(0, 20), [20, 1], y.subarray(0, 6), [1, 6], [20, 6]],
    ];
    for (const op of ['add', 'sub', 'mul', 'div', 'max', 'eq', 'gt'] as const) {
      for (const [a, as, b, bs, os] of zips) same(`binary ${op} [${as}]·[${bs}]`, wasm.binary(op, a, as, b, bs, os), cpuBackend.binary(op, a, as, b, bs, os));
    }
    t.end();
  });

  const cases = opCases();

  test('wasm backend: every op’s value and VJPs agree with the plain-TS backend (float32 tolerance scaled by the reduction length)', (t) => {
    const want = withBackend(cpuBackend, () => cases.map(runCase));
    const got = withBackend(wasm, () => cases.map(runCase));
    cases.forEach((c, i) => {
      const parts = [{ what: 'value', a: agree(got[i].out, want[i].out, c.length) }, ...got[i].grads.map((g, j) => ({ what: `d/d input ${j}`, a: agree(g, want[i].grads[j], c.length) }))];
      const bad = parts.find((p) => !p.a.ok);
      t.ok(!bad, `${c.name}: value and VJPs agree with ts` + (bad ? ` — ${bad.what}: ${bad.a.detail}` : ''));
    });
    t.end();
  });

  test('wasm backend: float64 gradient checks pass with it current (float64 calls run the plain-TS kernels)', (t) => {
    const rng = new pg.Rng(11);
    withBackend(wasm, () => {
      checkGradients(t, 'wasm conv2d stride 2 pad 1 +bias', (x, w, b) => pg.conv2d(x, w, b, { stride: 2, padding: 1 }), [
        leaf64(values(rng, 2 * 2 * 5 * 5), [2, 2, 5, 5]), leaf64(values(rng, 3 * 2 * 3 * 3), [3, 2, 3, 3]), leaf64(values(rng, 3), [3]),
      ]);
      checkGradients(t, 'wasm matmul transposed', pg.matmul, [leaf64(values(rng, 12), [3, 4], 'transposed'), leaf64(values(rng, 20), [4, 5])]);
    });
    t.end();
  });

  for (const model of ['mlp', 'smallcnn'] as const) {
    test(`wasm backend: ${model} trained with pb+sc+lwp on ${TRAINING_SAMPLES} samples gives the plain-TS loss at every step, and a second run repeats it bit for bit`, (t) => {
      const want = withBackend(cpuBackend, () => trainingLosses(model, TRAINING_SAMPLES));
      const got = withBackend(wasm, () => trainingLosses(model, TRAINING_SAMPLES));
      let worst = 0, at = 0;
      want.forEach((w, i) => {
        const e = Math.abs(got[i] - w) / (1 + Math.abs(w));
        if (!(e <= worst)) [worst, at] = [e, i];
      });
      t.equal(got.length, TRAINING_SAMPLES, `${model}: a loss for each of the ${TRAINING_SAMPLES} samples`);
      t.ok(worst <= LOSS_TOLERANCE, `${model}: every loss within ${LOSS_TOLERANCE}·(1 + |loss|) of ts (largest ${worst.toExponential(2)} at sample ${at})` + (worst <= LOSS_TOLERANCE ? '' : ` — received ${got[at]}, expected ${want[at]}`));
      t.deepEqual(withBackend(wasm, () => trainingLosses(model, TRAINING_SAMPLES)), got, `${model}: a second run on wasm gives the same losses bit for bit`);
      t.end();
    });
  }

  test('wasm backend: the module memory stops growing — 300 more training samples leave it the size it had after the first 20', (t) => {
    const fresh = createWasmBackend();
    withBackend(fresh, () => trainingLosses('smallcnn', 20));
    const after20 = fresh.memoryBytes();
    withBackend(fresh, () => trainingLosses('smallcnn', 300));
    t.equal(fresh.memoryBytes(), after20, `the arena stays at ${after20} bytes (its size after the first 20 samples)`);
    t.end();
  });
}

test('backend selection: wasm is the default where WebAssembly SIMD runs (unless PIPEGRAD_BACKEND says otherwise) and ts names the plain-TS kernels', async (t) => {
  const env = process.env.PIPEGRAD_BACKEND;
  const expected = env !== undefined && env !== '' ? env : supported ? 'wasm' : 'cpu';
  t.equal(defaultBackendName(), expected, `the default backend is ${expected} (PIPEGRAD_BACKEND=${env ?? 'unset'}, SIMD ${supported ? 'supported' : 'missing'})`);
  t.ok(listBackends().includes('ts') && listBackends().includes(supported ? 'wasm' : 'cpu'), `registered: ${listBackends().join(', ')}`);
  const before = pg.getBackend();
  try {
    t.equal(await useBackend('ts'), cpuBackend, "useBackend('ts') makes the plain-TS kernels current");
    if (supported) t.equal((await useBackend('wasm')).name, 'wasm', "useBackend('wasm') makes the wasm backend current");
  } finally {
    setBackend(before);
  }
  t.end();
});
