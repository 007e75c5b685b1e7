/**
 * The worked example of `docs/custom-layer.md`: a learnable activation with its own
 * op and hand-written VJPs, a layer that owns its parameter, and a model registered
 * with the factory. `custom-layer.spec.ts` runs it.
 *
 * swish(x, β) = x · σ(β·x), with one β per feature (the last axis of x).
 *
 *   ∂y/∂x = σ(βx) + βx·σ(βx)·(1 − σ(βx))
 *   ∂y/∂β = x²·σ(βx)·(1 − σ(βx))        (summed over every row that shares the β)
 */
import { defineOp, type Tensor, ones, zeros } from '../../core/index.js';
import { Flatten, Linear, Module, registerModel, resolveOptions, Sequential, type ModelOptions } from '../../nn/index.js';

/** The op: forward and one VJP per input, side by side. Kernels read contiguous `.data`. */
const swishOp = defineOp({
  name: 'example.swish',
  forward: ([x, beta]) => {
    const out = zeros(x.shape, x.dtype);
    const [xd, bd, od] = [x.data, beta.data, out.data];
    for (let i = 0; i < xd.length; i++) od[i] = xd[i] * sigmoid(bd[i % bd.length] * xd[i]);
    return out;
  },
  vjp: [
    // d/dx: g · (σ + βx·σ(1 − σ))
    ({ g, inputs: [x, beta] }) => {
      const dx = zeros(x.shape, x.dtype);
      const [gd, xd, bd, out] = [g.data, x.data, beta.data, dx.data];
      for (let i = 0; i < xd.length; i++) {
        const b = bd[i % bd.length];
        const s = sigmoid(b * xd[i]);
        out[i] = gd[i] * (s + b * xd[i] * s * (1 - s));
      }
      return dx;
    },
    // d/dβ: g · x²·σ(1 − σ), summed over the rows that broadcast β
    ({ g, inputs: [x, beta] }) => {
      const dbeta = zeros(beta.shape, beta.dtype);
      const [gd, xd, bd, out] = [g.data, x.data, beta.data, dbeta.data];
      for (let i = 0; i < xd.length; i++) {
        const j = i % bd.length;
        const s = sigmoid(bd[j] * xd[i]);
        out[j] += gd[i] * xd[i] * xd[i] * s * (1 - s);
      }
      return dbeta;
    },
  ],
});

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** `x · σ(β·x)` with β of shape `[F]` for `x` of shape `[..., F]`. */
export function swish(x: Tensor, beta: Tensor): Tensor {
  if (beta.ndim !== 1 || x.shape[x.ndim - 1] !== beta.shape[0]) {
    throw new Error(`swish: β [${beta.shape.join(',')}] must be [F] for x [${x.shape.join(',')}] ending in F`);
  }
  return swishOp([x, beta], undefined);
}

/** A learnable swish: one β per feature, initialized to 1. */
export class Swish extends Module {
  /** The per-feature slope, `[F]`. */
  beta: Tensor;

  constructor(features: number) {
    super();
    this.beta = this.registerParameter('beta', ones([features]));
  }

  /** An activation belongs in the pipeline unit of the layer before it. */
  override get joinsPrecedingUnit(): boolean {
    return true;
  }

  /** Apply swish with this layer's β. */
  forward(x: Tensor): Tensor {
    return swish(x, this.beta);
  }
}

/** `flatten → fc1 → swish → fc2`: a model family built from the custom layer. */
export function swishMlp(options: ModelOptions = {}): Sequential {
  const o = resolveOptions('swish-mlp', options, { norm: 'none', inputShape: [1, 2, 2], numClasses: 3 });
  const hidden = options.hidden ?? 16;
  const inputs = o.inputShape[0] * o.inputShape[1] * o.inputShape[2];
  return Sequential.fromEntries([
    ['flatten', new Flatten()],
    ['fc1', new Linear(inputs, hidden, { rng: o.rng })],
    ['act', new Swish(hidden)],
    ['fc2', new Linear(hidden, o.numClasses, { rng: o.rng })],
  ]);
}

registerModel('swish-mlp', swishMlp, { options: ['hidden'] });
