/**
 * 2-D convolution (NCHW) through im2col and GEMM, and 2-D pooling.
 *
 * `im2col` unfolds the input patches of each image into a matrix `cols` of shape
 * `[C·kH·kW, outH·outW]`; the convolution is then a GEMM, `out = W · cols`, with `W` the
 * filters as a `[O, C·kH·kW]` matrix. The VJPs are GEMMs too: `dcols = Wᵀ · G` folded
 * back by `col2im` gives the input gradient, and `dW = Σ_images G · colsᵀ` the weight
 * gradient. An ungrouped convolution does this for the whole batch at once, through
 * the kernels that may keep results on a device (`core/ops/kernels.ts`; the unfold and
 * the product are one kernel there, `core/backend/unfolded-conv.ts`, which a backend
 * may fuse so the columns never leave its memory); a grouped one
 * (`groups > 1`) runs per image and group on the host kernels. The weight VJP
 * recomputes `cols` from the saved input rather than keeping it, so an activation in
 * flight in a pipeline costs its input, not nine times its input.
 *
 * @module
 */
import { getBackend } from '../backend/index.js';
import { checkOptions } from '../check-options.js';
import type { Conv2dGeometry } from '../backend/backend.js';
import { defineOp } from '../registry.js';
import { allocate, fmtShape, Tensor } from '../tensor.js';
import { mean } from './reduce.js';
import { kernels, operand, wrap } from './kernels.js';

/** A size given once for both spatial axes, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups: input and output channels are split into this many independent convolutions (default 1). */
  groups?: number;
}

const CONV2D_OPTIONS = ['stride', 'padding', 'dilation', 'groups'];
const POOL2D_OPTIONS = ['kernelSize', 'stride', 'padding'];

interface ConvAttrs {
  geometry: Conv2dGeometry;
  groups: number;
  outChannels: number;
}

/** The sizes every conv2d kernel loop needs: images, channels, per-group blocks. */
function blockSizes(x: Tensor, { geometry: geo, groups, outChannels }: ConvAttrs) {
  const [n, c, h, w] = x.shape;
  const cg = c / groups;
  return { n, c, h, w, cg, og: outChannels / groups, kdim: cg * geo.kernelH * geo.kernelW, plane: geo.outH * geo.outW };
}

function pair(v: Size2 | undefined, fallback: number, what: string, op: string): [number, number] {
  const p: [number, number] = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  const min = what === 'padding' ? 0 : 1;
  if (!Number.isInteger(p[0]) || !Number.isInteger(p[1]) || p[0] < min || p[1] < min) {
    throw new Error(`${op}: ${what} must be integers >= ${min}, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** The window geometry for an input of `[C, H, W]` and a `kH × kW` kernel. */
export function windowGeometry(
  op: string,
  channels: number,
  height: number,
  width: number,
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
): Conv2dGeometry {
  const outH = Math.floor((height + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) / stride[0]) + 1;
  const outW = Math.floor((width + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) / stride[1]) + 1;
  if (outH < 1 || outW < 1) {
    throw new Error(`${op}: a ${kernel[0]}×${kernel[1]} window (dilation ${dilation.join('×')}) does not fit a ${height}×${width} input with padding ${padding.join('×')}`);
  }
  return {
    channels, height, width,
    kernelH: kernel[0], kernelW: kernel[1],
    strideH: stride[0], strideW: stride[1],
    padH: padding[0], padW: padding[1],
    dilationH: dilation[0], dilationW: dilation[1],
    outH, outW,
  };
}

/**
 * Ungrouped convolution, batched: `out[i] = W · im2col(x[i])`, `[n, O, outH, outW]`,
 * then the bias. The kernel set does the unfold and the product (`conv2d` of
 * `core/backend/unfolded-conv.ts`, or a backend's fused form); inside a device scope
 * nothing is read back between the convolution and the bias.
 */
function denseForward(x: Tensor, w: Tensor, bias: Tensor | undefined, attrs: ConvAttrs): Tensor {
  const { geometry: geo, outChannels } = attrs;
  const k = kernels();
  const shape = [x.shape[0], outChannels, geo.outH, geo.outW];
  // Wrapped as a tensor, so a device scope owns (and releases) it.
  const out = wrap(k.conv2d(operand(x, k), operand(w, k), x.shape[0], outChannels, geo), shape);
  return bias ? wrap(k.binary('add', operand(out, k), shape, operand(bias, k), [outChannels, 1, 1], shape), shape) : out;
}

/** `dx = col2im(Wᵀ · G)` over the batch, ungrouped. */
function denseInputGrad(g: Tensor, x: Tensor, w: Tensor, attrs: ConvAttrs): Tensor {
  const k = kernels();
  return wrap(k.conv2dInputGrad(operand(g, k), operand(w, k), x.shape[0], attrs.outChannels, attrs.geometry), x.shape);
}

/** `dW = Σ_images G · colsᵀ`, ungrouped, with `cols` unfolded again from the saved input. */
function denseWeightGrad(g: Tensor, x: Tensor, w: Tensor, attrs: ConvAttrs): Tensor {
  const k = kernels();
  return wrap(k.conv2dWeightGrad(operand(g, k), operand(x, k), x.shape[0], attrs.outChannels, attrs.geometry), w.shape);
}

/** Grouped convolution (`groups > 1`) on the host kernels: per image and group, one unfold and one GEMM. */
function groupedForward(x: Tensor, w: Tensor, bias: Tensor | undefined, attrs: ConvAttrs): Tensor {
  const { geometry: geo, groups, outChannels } = attrs;
  const { n, c, cg, og, kdim, plane } = blockSizes(x, attrs);
  const backend = getBackend();
  const xd = x.data;
  const wd = w.data;
  const out = allocate(x.dtype, n * outChannels * plane);
  for (let img = 0; img < n; img++) {
    for (let gi = 0; gi < groups; gi++) {
      const cols = backend.im2col(xd, (img * c + gi * cg) * geo.height * geo.width, geo);
      const filters = wd.subarray(gi * og * kdim, (gi + 1) * og * kdim);
      const y = backend.gemm(filters, cols, { batch: 1, m: og, n: plane, k: kdim, transA: false, transB: false, strideA: 0, strideB: 0 });
      out.set(y, (img * outChannels + gi * og) * plane);
    }
  }
  const shape = [n, outChannels, geo.outH, geo.outW];
  return new Tensor(bias ? backend.binary('add', out, shape, bias.data, [outChannels, 1, 1], shape) : out, shape);
}

/** Grouped `dx`, per image and group. */
function groupedInputGrad(g: Tensor, x: Tensor, w: Tensor, attrs: ConvAttrs): Tensor {
  const { n, c, h, w: width, cg, og, kdim, plane } = blockSizes(x, attrs);
  const backend = getBackend();
  const gd = g.data;
  const wd = w.data;
  const dx = allocate(x.dtype, x.size);
  for (let img = 0; img < n; img++) {
    for (let gi = 0; gi < attrs.groups; gi++) {
      const filters = wd.subarray(gi * og * kdim, (gi + 1) * og * kdim);
      const gBlock = gd.subarray((img * attrs.outChannels + gi * og) * plane, (img * attrs.outChannels + (gi + 1) * og) * plane);
      const dcols = backend.gemm(filters, gBlock, { batch: 1, m: kdim, n: plane, k: og, transA: true, transB: false, strideA: 0, strideB: 0 });
      backend.col2im(dcols, attrs.geometry, dx, (img * c + gi * cg) * h * width);
    }
  }
  return new Tensor(dx, x.shape);
}

/** Grouped `dW`, summed over the images in order. */
function groupedWeightGrad(g: Tensor, x: Tensor, w: Tensor, attrs: ConvAttrs): Tensor {
  const { n, c, h, w: width, cg, og, kdim, plane } = blockSizes(x, attrs);
  const backend = getBackend();
  const gd = g.data;
  const xd = x.data;
  const dw = allocate(w.dtype, w.size);
  for (let img = 0; img < n; img++) {
    for (let gi = 0; gi < attrs.groups; gi++) {
      const cols = backend.im2col(xd, (img * c + gi * cg) * h * width, attrs.geometry);
      const gBlock = gd.subarray((img * attrs.outChannels + gi * og) * plane, (img * attrs.outChannels + (gi + 1) * og) * plane);
      const part = backend.gemm(gBlock, cols, { batch: 1, m: og, n: kdim, k: plane, transA: false, transB: true, strideA: 0, strideB: 0 });
      const base = gi * og * kdim;
      for (let i = 0; i < part.length; i++) dw[base + i] += part[i];
    }
  }
  return new Tensor(dw, w.shape);
}

const conv2dOp = defineOp<ConvAttrs>({
  name: 'conv2d',
  forward: ([x, w, bias], attrs) => (attrs.groups === 1 ? denseForward : groupedForward)(x, w, bias, attrs),
  vjp: [
    // dx = col2im(Wᵀ · G), with the weights the backward is given.
    ({ g, inputs: [x, w], attrs }) => (attrs.groups === 1 ? denseInputGrad : groupedInputGrad)(g, x, w, attrs),
    // dW = Σ_images G · colsᵀ, with cols recomputed from the forward's input.
    ({ g, inputs: [x, w], attrs }) => (attrs.groups === 1 ? denseWeightGrad : groupedWeightGrad)(g, x, w, attrs),
    // dbias = Σ over images and positions of G.
    ({ g, inputs }) => {
      const k = kernels();
      return wrap(k.reduce('sum', operand(g, k), g.shape, [0, 2, 3]), inputs[2].shape);
    },
  ],
});

/**
 * 2-D convolution (cross-correlation, as in every deep learning library) of NCHW input
 * `x` with filters `w` of shape `[outChannels, inChannels/groups, kH, kW]` and an
 * optional `bias` of shape `[outChannels]`.
 *
 * Output size per axis: `floor((H + 2·padding − dilation·(k − 1) − 1) / stride) + 1`.
 *
 * @example
 * conv2d(x, w, b, { stride: 1, padding: 1 }); // [1,3,32,32] * [16,3,3,3] → [1,16,32,32]
 */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', options, CONV2D_OPTIONS);
  if (x.ndim !== 4) throw new Error(`conv2d: input must be NCHW (4 axes), got shape ${fmtShape(x.shape)}`);
  if (w.ndim !== 4) throw new Error(`conv2d: weight must be [outChannels, inChannels/groups, kH, kW], got shape ${fmtShape(w.shape)}`);
  const groups = options.groups ?? 1;
  const [, c, h, wd] = x.shape;
  const [o, cg, kh, kw] = w.shape;
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || o % groups !== 0) {
    throw new Error(`conv2d: groups=${groups} must divide both the input channels (${c}) and the output channels (${o})`);
  }
  if (cg * groups !== c) {
    throw new Error(`conv2d: input ${fmtShape(x.shape)} has ${c} channels but weight ${fmtShape(w.shape)} expects ${cg * groups} (${cg} per group × ${groups} groups)`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== o)) {
    throw new Error(`conv2d: bias must have shape [${o}], got ${fmtShape(bias.shape)}`);
  }
  if (x.dtype !== w.dtype) throw new Error(`conv2d: dtypes ${x.dtype} and ${w.dtype} differ`);
  const geometry = windowGeometry(
    'conv2d', cg, h, wd, [kh, kw],
    pair(options.stride, 1, 'stride', 'conv2d'),
    pair(options.padding, 0, 'padding', 'conv2d'),
    pair(options.dilation, 1, 'dilation', 'conv2d'),
  );
  return conv2dOp(bias ? [x, w, bias] : [x, w], { geometry, groups, outChannels: o });
}

/** Options of the pooling ops. */
export interface Pool2dOptions {
  /** Window size. */
  kernelSize: Size2;
  /** Step between windows (default: the window size). */
  stride?: Size2;
  /** Padding on each side (default 0); padded cells never win a max and count as zeros in an average. */
  padding?: Size2;
}

function poolGeometry(op: string, x: Tensor, options: Pool2dOptions): Conv2dGeometry {
  checkOptions(op, options, POOL2D_OPTIONS);
  if (options?.kernelSize === undefined) throw new Error(`${op}: the option kernelSize (the window, a number or [height, width]) is required`);
  if (x.ndim !== 4) throw new Error(`${op}: input must be NCHW (4 axes), got shape ${fmtShape(x.shape)}`);
  const kernel = pair(options.kernelSize, 1, 'kernelSize', op);
  const stride = options.stride === undefined ? kernel : pair(options.stride, 1, 'stride', op);
  const padding = pair(options.padding, 0, 'padding', op);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new Error(`${op}: padding ${padding.join('×')} must be at most half the window ${kernel.join('×')}`);
  }
  const [, c, h, w] = x.shape;
  return windowGeometry(op, c, h, w, kernel, stride, padding, [1, 1]);
}

const maxPoolOp = defineOp<{ geometry: Conv2dGeometry }>({
  name: 'maxPool2d',
  forward: ([x], { geometry }) => {
    const k = kernels();
    const { out, argmax } = k.maxPool2d(operand(x, k), x.shape[0], geometry);
    return { out: wrap(out, [x.shape[0], geometry.channels, geometry.outH, geometry.outW]), saved: argmax };
  },
  vjp: [
    ({ g, inputs, saved }) => {
      const k = kernels();
      return wrap(k.maxPool2dBackward(operand(g, k), saved as Int32Array, inputs[0].size), inputs[0].shape);
    },
  ],
});

/** Max pooling over NCHW windows; the gradient goes to each window's (first) maximum. */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  return maxPoolOp([x], { geometry: poolGeometry('maxPool2d', x, options) });
}

const avgPoolOp = defineOp<{ geometry: Conv2dGeometry }>({
  name: 'avgPool2d',
  forward: ([x], { geometry }) => {
    const k = kernels();
    return wrap(k.avgPool2d(operand(x, k), x.shape[0], geometry), [x.shape[0], geometry.channels, geometry.outH, geometry.outW]);
  },
  vjp: [
    ({ g, inputs, attrs }) => {
      const k = kernels();
      return wrap(k.avgPool2dBackward(operand(g, k), inputs[0].shape[0], attrs.geometry), inputs[0].shape);
    },
  ],
});

/** Average pooling over NCHW windows; the divisor is always `kH·kW` (padding counts as zeros). */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  return avgPoolOp([x], { geometry: poolGeometry('avgPool2d', x, options) });
}

/** Global average pooling: `[N, C, H, W] → [N, C]`, the mean of each channel. */
export function globalAvgPool2d(x: Tensor): Tensor {
  if (x.ndim !== 4) throw new Error(`globalAvgPool2d: input must be NCHW (4 axes), got shape ${fmtShape(x.shape)}`);
  return mean(x, [2, 3]);
}
