/**
 * Reverse-mode automatic differentiation over a flat tape.
 *
 * Every recorded op leaves a {@link TapeNode} on its output, numbered in execution
 * order. `backward` collects the nodes that lead to the outputs (an explicit stack, no
 * recursion), sorts them by that number — which is the flat tape, in execution order —
 * and walks it in reverse. Each node's VJPs turn the gradient of its output into
 * gradients of its inputs; a tensor used twice receives the sum (`+=`, never `=`).
 * Gradients of leaves that require one are added into their `.grad` (and, inside a
 * device scope, kept: they survive its close, see `core/device-scope.ts`).
 *
 * **Weight versions are values** (DESIGN §3): `backward` can be given a `substitute`
 * map from tensors to other tensors of the same shape. Wherever a substituted tensor
 * was an input of an op, its VJPs see the substitute instead, while the gradient is
 * still credited to the original tensor. A pipeline stage runs its forward with one
 * weight version and its backward with another this way, with no tensor mutated in
 * place: for `y = x·W1ᵀ` and `substitute = {W1 → W2}`, the input gradient is `δ·W2`
 * and the weight gradient is `δᵀ·x`, with `x` from the forward.
 *
 * Only the weights change: values computed from the substitutes alone (such as `W1ᵀ`)
 * are recomputed from them, and every value that also depends on anything else — the
 * stored input, pre-activations, ReLU masks, normalization statistics — is the
 * forward's, as stored. The rule and its reasons are in `core/weight-substitution.ts`.
 *
 * Grad mode and node ids live in `core/grad-mode.ts`, the tape node and its collection
 * in `core/tape.ts`.
 *
 * @module
 */
import { keep } from './device-scope.js';
import { noGrad } from './grad-mode.js';
import { kernels, operand, wrap } from './ops/kernels.js';
import { sameShape } from './ops/shape-utils.js';
import { collectTape, type TapeNode } from './tape.js';
import { fmtShape, Tensor } from './tensor.js';
import { WeightSubstitution, type VjpView } from './weight-substitution.js';

/** Options of {@link backward} and {@link gradients}. */
export interface BackwardOptions {
  /**
   * Tensors to use in place of others when computing VJPs (weight versions, DESIGN §3):
   * the weights the backward uses, keyed by the ones the forward used. Each substitute
   * must have its original's shape. Values computed from the substitutes alone are
   * recomputed; every other value is the forward's (`core/weight-substitution.ts`).
   */
  substitute?: ReadonlyMap<Tensor, Tensor>;
}

/**
 * Gradients of `outputs` (weighted by `seeds`) with respect to every leaf that
 * requires a gradient, returned in a map and not written to `.grad`.
 *
 * @param outputs tensors to differentiate
 * @param seeds gradient of the objective with respect to each output; may be omitted
 *   for a single one-element output (seed 1)
 * @throws when an output is not on the tape, a seed is missing or has the wrong shape,
 *   or an op on the path has no VJP for an input that needs a gradient
 */
export function gradients(
  outputs: Tensor | Tensor[],
  seeds?: Tensor | Tensor[],
  options: BackwardOptions = {},
): Map<Tensor, Tensor> {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const seedList = seeds === undefined ? undefined : Array.isArray(seeds) ? seeds : [seeds];
  if (seedList !== undefined && seedList.length !== outs.length) {
    throw new Error(`backward: ${outs.length} outputs but ${seedList.length} seed gradients`);
  }
  const grads = new Map<Tensor, Tensor>();
  outs.forEach((out, i) => {
    if (!out.requiresGrad) {
      throw new Error(`backward: output ${i} ${fmtShape(out.shape)} does not require a gradient (no input of the ops that made it required one)`);
    }
    let seed = seedList?.[i];
    if (seed === undefined) {
      if (out.size !== 1) {
        throw new Error(`backward: output has shape ${fmtShape(out.shape)}, not a scalar; give a seed gradient of that shape or reduce it to a scalar first`);
      }
      seed = new Tensor(out.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), out.shape);
    } else if (!sameShape(seed.shape, out.shape)) {
      throw new Error(`backward: seed gradient has shape ${fmtShape(seed.shape)} but output ${i} has shape ${fmtShape(out.shape)}`);
    }
    accumulate(grads, out, seed);
  });

  const tape = collectTape(outs);
  const substitution = options.substitute ? new WeightSubstitution(tape, options.substitute) : undefined;
  // The VJPs are ops too; they run with recording off.
  noGrad(() => {
    for (let n = tape.length - 1; n >= 0; n--) {
      const node = tape[n];
      const g = grads.get(node.output);
      if (g === undefined) continue;
      grads.delete(node.output);
      const { inputs, out, saved } = substitution ? substitution.view(node) : storedView(node);
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        if (!input.requiresGrad) continue;
        const vjp = node.vjp[i];
        if (!vjp) throw new Error(`backward: op '${node.op}' has no gradient with respect to input ${i}; detach that input or use a differentiable op`);
        const gi = vjp({ g, inputs, out, attrs: node.attrs, saved, index: i });
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`backward: the VJP of '${node.op}' gave shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(input.shape)}`);
        }
        accumulate(grads, input, gi);
      }
    }
  });
  return grads;
}

/**
 * Backpropagate from `outputs` and add the gradients into `.grad` of every leaf that
 * requires one (gradients accumulate across calls, as in PyTorch; zero them between
 * steps).
 *
 * @example
 * const w = randn([3, 2], rng).requireGrad();
 * const loss = sum(mul(matmul(x, w), matmul(x, w)));
 * backward(loss);          // w.grad now holds d loss / d w
 */
export function backward(outputs: Tensor | Tensor[], seeds?: Tensor | Tensor[], options: BackwardOptions = {}): void {
  const grads = gradients(outputs, seeds, options);
  for (const [leaf, g] of grads) {
    if (leaf.node !== null) continue;
    // A leaf's gradient outlives the step: it survives the device scope it was made in.
    leaf.grad = keep(leaf.grad === null ? g : addSameShape(leaf.grad, g));
  }
}

/** What a node's VJPs see without a substitution: everything as the forward stored it. */
function storedView(node: TapeNode): VjpView {
  return { inputs: node.inputs, out: node.output.detach(), saved: node.saved };
}

function accumulate(grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const existing = grads.get(t);
  grads.set(t, existing === undefined ? g : addSameShape(existing, g));
}

function addSameShape(a: Tensor, b: Tensor): Tensor {
  const shape = a.shape;
  const k = kernels();
  return wrap(k.binary('add', operand(a, k), shape, operand(b, k), shape, shape), shape);
}
