/**
 * The kernels added for speed, held to independent expectations on every host backend:
 *
 * - `axpby(a, x, b, y)`: each element equals `a·x + b·y` evaluated in float64 and
 *   rounded once to float32 (`Math.fround`), bit for bit, on cpu.ts and on the wasm
 *   backend (its SIMD float64 lanes, and its scalar tail), NaN, ±∞, −0 and subnormals
 *   included; float64 buffers stay float64; mismatched lengths are a one-line error.
 * - The convolution kernels (`conv2d`, `conv2dInputGrad`, `conv2dWeightGrad`): on the
 *   plain-TS kernels and the wasm backend's fused ones they agree with a direct float64
 *   convolution loop within float32 rounding; and the wasm backend's fused kernels give
 *   the bits of its own unfolded path (im2col, GEMM, col2im as separate calls), so fusing
 *   changed no result.
 */
import test from 'tape';
import { cpuBackend, hostKernels, type Backend, type Conv2dGeometry, type DeviceKernels } from '../../core/index.js';
import { createWasmBackend, wasmSimdSupported } from '../../core/backend/index.js';
import { unfoldedConv } from '../../core/backend/unfolded-conv.js';
import { windowGeometry } from '../../core/ops/conv.js';
import { seeded } from './seeded.js';

const wasm = wasmSimdSupported() ? createWasmBackend() : null;
const hostBackends: Backend[] = wasm ? [cpuBackend, wasm] : [cpuBackend];

/** Values that exercise rounding and IEEE special cases, then seeded values of mixed magnitudes. */
function awkward(n: number, seed: number): Float32Array {
  const specials = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-45, 3.4e38, -3.4e38, 1.1754942e-38, 0.1, 1 / 3];
  const base = seeded(n, seed);
  return base.map((v, i) => (i < specials.length ? specials[(i * (seed % 5 + 1)) % specials.length] : v * 10 ** ((i % 9) - 4)));
}

test('axpby: every element is a·x + b·y computed in float64 and rounded once, on every host backend', (t) => {
  // 255 and 257: below and above the wasm backend's plain-TS cutoff; odd lengths reach the scalar tail.
  for (const n of [1, 255, 257, 1000, 4097]) {
    const x = awkward(n, 7), y = awkward(n, 11);
    for (const [a, b] of [[0.9, 1], [1, 1], [1, -0.001], [0.729, 2.71], [-0.001, 0], [1e30, 1e-30]]) {
      for (const backend of hostBackends) {
        const withY = backend.axpby(a, x, b, y);
        const withoutY = backend.axpby(a, x, b, null);
        let wrong = -1;
        for (let i = 0; i < n && wrong < 0; i++) {
          if (!Object.is(withY[i], Math.fround(a * x[i] + b * y[i])) || !Object.is(withoutY[i], Math.fround(a * x[i]))) wrong = i;
        }
        t.ok(withY instanceof Float32Array && wrong < 0, `${backend.name}, n=${n}, a=${a}, b=${b}: ${wrong < 0 ? 'all' : `element ${wrong} not`} equal to fround(a·x + b·y)`);
      }
    }
  }
  t.end();
});

test('axpby: float64 buffers give float64 results; mismatched lengths are a one-line error', (t) => {
  const x = Float64Array.from([0.1, 0.2, 1e-300]), y = Float64Array.from([0.3, -0.2, 1e-300]);
  for (const backend of hostBackends) {
    const out = backend.axpby(0.5, x, 2, y);
    t.ok(out instanceof Float64Array, `${backend.name}: a float64 result`);
    t.deepEqual([...out], [0.5 * 0.1 + 2 * 0.3, 0.5 * 0.2 + 2 * -0.2, 0.5 * 1e-300 + 2 * 1e-300], `${backend.name}: float64 arithmetic, not rounded to float32`);
    t.throws(() => backend.axpby(1, new Float32Array(300), 1, new Float32Array(299)), /x has 300 elements but y has 299/, `${backend.name}: lengths must match`);
  }
  t.end();
});

/** A direct float64 convolution of `n` images (no unfolding), the forward `[n, O, outH, outW]`. */
function directConv(x: Float32Array, w: Float32Array, n: number, o: number, g: Conv2dGeometry): Float64Array {
  const out = new Float64Array(n * o * g.outH * g.outW);
  for (let img = 0; img < n; img++) {
    for (let oc = 0; oc < o; oc++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          let sum = 0;
          for (let c = 0; c < g.channels; c++) {
            for (let ki = 0; ki < g.kernelH; ki++) {
              for (let kj = 0; kj < g.kernelW; kj++) {
                const ih = oh * g.strideH - g.padH + ki * g.dilationH;
                const iw = ow * g.strideW - g.padW + kj * g.dilationW;
                if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
                sum += x[((img * g.channels + c) * g.height + ih) * g.width + iw] * w[((oc * g.channels + c) * g.kernelH + ki) * g.kernelW + kj];
              }
            }
          }
          out[((img * o + oc) * g.outH + oh) * g.outW + ow] = sum;
        }
      }
    }
  }
  return out;
}

/**
 * The gradients of `Σ seed ⊙ conv(x, w)` by the chain rule written out directly: every
 * product `x[..]·w[..]` of the forward sends `seed·w` to x and `seed·x` to w.
 */
function directConvGrads(x: Float32Array, w: Float32Array, seed: Float32Array, n: number, o: number, g: Conv2dGeometry): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(x.length), dw = new Float64Array(w.length);
  for (let img = 0; img < n; img++) {
    for (let oc = 0; oc < o; oc++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          const s = seed[((img * o + oc) * g.outH + oh) * g.outW + ow];
          for (let c = 0; c < g.channels; c++) {
            for (let ki = 0; ki < g.kernelH; ki++) {
              for (let kj = 0; kj < g.kernelW; kj++) {
                const ih = oh * g.strideH - g.padH + ki * g.dilationH;
                const iw = ow * g.strideW - g.padW + kj * g.dilationW;
                if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
                const xi = ((img * g.channels + c) * g.height + ih) * g.width + iw;
                const wi = ((oc * g.channels + c) * g.kernelH + ki) * g.kernelW + kj;
                dx[xi] += s * w[wi];
                dw[wi] += s * x[xi];
              }
            }
          }
        }
      }
    }
  }
  return { dx, dw };
}

/** Largest |got − want| relative to the largest |want| (and 1). */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0, scale = 1;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return got.length === want.length ? diff / scale : Infinity;
}

/** [images, channels, height, width, out channels, kernel, stride, padding, dilation]: resnet20's and smallcnn's layers, a batch, odd sizes. */
const layers = [
  [1, 16, 32, 32, 16, 3, 1, 1, 1],
  [1, 16, 32, 32, 32, 3, 2, 1, 1],
  [1, 1, 28, 28, 8, 3, 1, 1, 1],
  [1, 8, 14, 14, 16, 3, 1, 0, 1],
  [3, 5, 9, 7, 6, 3, 1, 0, 1],
  [2, 4, 11, 10, 8, 3, 2, 2, 2],
];

test('conv kernels agree with a direct float64 convolution, on the plain-TS kernels and the wasm backend', (t) => {
  for (const [n, c, h, wd, o, k, s, p, d] of layers) {
    const g = windowGeometry('spec', c, h, wd, [k, k], [s, s], [p, p], [d, d]);
    const x = seeded(n * c * h * wd, 1), w = seeded(o * c * k * k, 2), seed = seeded(n * o * g.outH * g.outW, 3);
    const want = directConv(x, w, n, o, g);
    const grads = directConvGrads(x, w, seed, n, o, g);
    // float32 sums of c·k·k (forward, dx) or outH·outW·n (dw) terms.
    const tol = 4e-7 * Math.max(c * k * k, o * k * k, n * g.outH * g.outW);
    for (const backend of hostBackends) {
      const kernels: DeviceKernels = hostKernels(backend);
      const what = `${backend.name}, ${n}×[${c},${h},${wd}] → ${o}, ${k}×${k} s${s} p${p} d${d}`;
      t.ok(relativeError(kernels.conv2d(x, w, n, o, g) as Float32Array, want) <= tol, `${what}: forward`);
      t.ok(relativeError(kernels.conv2dInputGrad(seed, w, n, o, g) as Float32Array, grads.dx) <= tol, `${what}: input gradient`);
      t.ok(relativeError(kernels.conv2dWeightGrad(seed, x, n, o, g) as Float32Array, grads.dw) <= tol, `${what}: filter gradient`);
    }
  }
  t.end();
});

test('the wasm backend fuses the conv kernels without changing a bit of its unfolded results', { skip: wasm === null }, (t) => {
  const { fusedConv, ...kernelsOneByOne } = wasm!;
  t.ok(fusedConv !== undefined, 'the wasm backend has fused conv kernels');
  const unfolded = unfoldedConv(hostKernels(kernelsOneByOne));
  const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
  for (const [n, c, h, wd, o, k, s, p, d] of layers) {
    const g = windowGeometry('spec', c, h, wd, [k, k], [s, s], [p, p], [d, d]);
    const x = seeded(n * c * h * wd, 4), w = seeded(o * c * k * k, 5), seed = seeded(n * o * g.outH * g.outW, 6);
    const what = `${n}×[${c},${h},${wd}] → ${o}, ${k}×${k} s${s} p${p} d${d}`;
    t.ok(same(fusedConv!.conv2d(x, w, n, o, g), unfolded.conv2d(x, w, n, o, g) as Float32Array), `${what}: forward, bit for bit`);
    t.ok(same(fusedConv!.conv2dInputGrad(seed, w, n, o, g), unfolded.conv2dInputGrad(seed, w, n, o, g) as Float32Array), `${what}: input gradient, bit for bit`);
    t.ok(same(fusedConv!.conv2dWeightGrad(seed, x, n, o, g), unfolded.conv2dWeightGrad(seed, x, n, o, g) as Float32Array), `${what}: filter gradient, bit for bit`);
  }
  t.throws(() => fusedConv!.conv2d(new Float32Array(10), new Float32Array(9), 1, 1, windowGeometry('spec', 1, 3, 3, [3, 3], [1, 1], [0, 0], [1, 1])), /x has 10 elements, expected 1 images of 9/, 'a wrong input size is a one-line error');
  t.end();
});
