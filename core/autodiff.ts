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
 * Values computed from substituted tensors alone (such as `W1ᵀ`, a view of the weight)
 * are recomputed from the substitutes before the reverse walk, so the substitution
 * reaches every op that consumes the weight, however it was reshaped. Values that also
 * depend on other inputs (activations) are the forward's, as stored: that is exactly
 * the mix of weight versions Pipelined Backpropagation computes with.
 *
 * @module
 */
import { keep } from './device-scope.js';
import { kernels, operand, wrap } from './ops/kernels.js';
import { getOp, type Vjp } from './registry.js';
import { fmtShape, Tensor } from './tensor.js';

/** One entry of the tape: an op application that may need differentiating. */
export interface TapeNode {
  /** Position in execution order; later ops have larger ids. */
  readonly id: number;
  /** The op's registered name. */
  readonly op: string;
  /** The op's inputs, as the forward saw them. */
  readonly inputs: Tensor[];
  /** The op's attributes. */
  readonly attrs: unknown;
  /** Values the forward saved for the VJPs. */
  readonly saved: unknown;
  /** The tensor the op produced. */
  readonly output: Tensor;
  /** One VJP per input (null: not differentiable in that input). */
  readonly vjp: Vjp<unknown>[];
}

let gradEnabled = true;
let nodeCounter = 0;

/** Whether ops currently record tape nodes. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** The next node id (execution order). */
export function nextNodeId(): number {
  return nodeCounter++;
}

/**
 * Run `fn` with tape recording off (for evaluation, optimizer updates and VJPs
 * themselves) and return its result.
 *
 * @example
 * const logits = noGrad(() => model.forward(x)); // no tape, no gradient
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Options of {@link backward} and {@link gradients}. */
export interface BackwardOptions {
  /**
   * Tensors to use in place of others when computing VJPs (weight versions, DESIGN §3).
   * Each substitute must have its original's shape.
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
  const substitute = options.substitute ? replayWithSubstitutes(tape, options.substitute) : undefined;
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    for (let n = tape.length - 1; n >= 0; n--) {
      const node = tape[n];
      const g = grads.get(node.output);
      if (g === undefined) continue;
      grads.delete(node.output);
      const inputs = substitute ? node.inputs.map((x) => substitute.get(x) ?? x) : node.inputs;
      const out = node.output.detach();
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        if (!input.requiresGrad) continue;
        const vjp = node.vjp[i];
        if (!vjp) throw new Error(`backward: op '${node.op}' has no gradient with respect to input ${i}; detach that input or use a differentiable op`);
        const gi = vjp({ g, inputs, out, attrs: node.attrs, saved: node.saved, index: i });
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`backward: the VJP of '${node.op}' gave shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(input.shape)}`);
        }
        accumulate(grads, input, gi);
      }
    }
  } finally {
    gradEnabled = previous;
  }
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

/**
 * Extend a substitution to every tape value computed from substituted tensors (and
 * constants) alone, by running those ops' forwards again on the substitutes.
 */
function replayWithSubstitutes(tape: TapeNode[], given: ReadonlyMap<Tensor, Tensor>): Map<Tensor, Tensor> {
  const substitute = new Map(given);
  for (const [original, replacement] of given) {
    if (!sameShape(original.shape, replacement.shape)) {
      throw new Error(`backward: substitute for ${original.name ?? 'a tensor'} has shape ${fmtShape(replacement.shape)}, expected ${fmtShape(original.shape)}`);
    }
  }
  for (const node of tape) {
    let touched = false;
    let pure = true;
    for (const x of node.inputs) {
      if (substitute.has(x)) touched = true;
      else if (x.requiresGrad) pure = false;
    }
    if (!touched || !pure) continue;
    const inputs = node.inputs.map((x) => substitute.get(x) ?? x);
    const replayed = noGrad(() => getOp(node.op).forward(inputs, node.attrs));
    substitute.set(node.output, replayed instanceof Tensor ? replayed : replayed.out);
  }
  return substitute;
}

/** The nodes that lead to `outputs`, in execution order (the flat tape). */
export function collectTape(outputs: Tensor[]): TapeNode[] {
  const seen = new Set<TapeNode>();
  const stack: Tensor[] = [...outputs];
  const nodes: TapeNode[] = [];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const node = t.node;
    if (node === null || seen.has(node)) continue;
    seen.add(node);
    nodes.push(node);
    for (const x of node.inputs) if (x.requiresGrad) stack.push(x);
  }
  return nodes.sort((a, b) => a.id - b.id);
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

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
