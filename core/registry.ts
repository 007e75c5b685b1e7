/**
 * The op registry: every differentiable op is defined once, its forward and its
 * vector–Jacobian products (VJPs) side by side.
 *
 * ```ts
 * export const exp = defineOp({
 *   name: 'exp',
 *   forward: ([x]) => unaryKernel('exp', x),
 *   vjp: [({ g, out }) => mul(g, out)],       // d exp(x) = exp(x) dx
 * });
 * ```
 *
 * Calling the op runs `forward` on the current backend. When gradients are enabled
 * and an input requires one, the result gets a {@link TapeNode} that records the op,
 * its inputs, its attributes and whatever `forward` chose to save; `backward()` later
 * calls the VJP of each input that needs a gradient — lazily, one input at a time.
 *
 * @module
 */
import { isGradEnabled, nextNodeId, noGrad } from './grad-mode.js';
import type { TapeNode } from './tape.js';
import { Tensor } from './tensor.js';

/** What a VJP is given: the upstream gradient and everything recorded at forward time. */
export interface VjpContext<A> {
  /** Gradient of the loss with respect to the op's output. */
  g: Tensor;
  /**
   * The op's inputs, as the backward pass is told to see them: a tensor listed in the
   * backward's `substitute` map appears here as its substitute (DESIGN §3).
   */
  inputs: Tensor[];
  /** The op's output (detached). */
  out: Tensor;
  /** The op's attributes (axes, strides, ...). */
  attrs: A;
  /** Whatever `forward` saved for the backward pass. */
  saved: unknown;
  /** Which input's gradient is wanted (used by variadic ops such as `concat`). */
  index: number;
}

/** The result of a forward: the output tensor, plus anything the VJPs need. */
export interface ForwardResult {
  /** The output (a fresh tensor without tape information). */
  out: Tensor;
  /** Values saved for the VJPs (e.g. max-pool argmax indices). */
  saved?: unknown;
}

/** A VJP for one input; `null` marks an input the op is not differentiable in. */
export type Vjp<A> = ((ctx: VjpContext<A>) => Tensor) | null;

/** How an op is defined: its name, its forward, and one VJP per input. */
export interface OpDefinition<A> {
  /** The op's name, used in the tape and in every error message. */
  name: string;
  /** Compute the output from the inputs; runs with gradient recording off. */
  forward(inputs: Tensor[], attrs: A): Tensor | ForwardResult;
  /**
   * One VJP per input, in input order; or, for ops with any number of inputs
   * (`concat`), one function that serves every input and reads `ctx.index`.
   */
  vjp: Vjp<A>[] | ((ctx: VjpContext<A>) => Tensor);
}

/** A registered op, callable with its inputs and attributes. */
export type Op<A> = (inputs: Tensor[], attrs: A) => Tensor;

const ops = new Map<string, OpDefinition<any>>();

/**
 * Register an op and return the function that applies it.
 *
 * @throws if an op of that name is already registered.
 */
export function defineOp<A = undefined>(def: OpDefinition<A>): Op<A> {
  if (ops.has(def.name)) throw new Error(`defineOp: an op named '${def.name}' is already registered`);
  ops.set(def.name, def);
  return (inputs, attrs) => applyOp(def, inputs, attrs);
}

/** The definition of a registered op, by name. */
export function getOp(name: string): OpDefinition<unknown> {
  const def = ops.get(name);
  if (!def) throw new Error(`getOp: no op named '${name}'; registered: ${[...ops.keys()].join(', ')}`);
  return def;
}

/** Names of all registered ops. */
export function listOps(): string[] {
  return [...ops.keys()];
}

function applyOp<A>(def: OpDefinition<A>, inputs: Tensor[], attrs: A): Tensor {
  for (let i = 0; i < inputs.length; i++) {
    if (!(inputs[i] instanceof Tensor)) throw new Error(`${def.name}: input ${i} is not a Tensor (got ${typeof inputs[i]})`);
  }
  const result = noGrad(() => def.forward(inputs, attrs));
  const out = result instanceof Tensor ? result : result.out;
  if (!isGradEnabled()) return out;
  let needsGrad = false;
  for (const x of inputs) if (x.requiresGrad) needsGrad = true;
  if (!needsGrad) return out;
  const node: TapeNode = {
    id: nextNodeId(),
    op: def.name,
    inputs,
    attrs,
    saved: result instanceof Tensor ? undefined : result.saved,
    output: out,
    vjp: (Array.isArray(def.vjp) ? def.vjp : inputs.map(() => def.vjp)) as Vjp<unknown>[],
  };
  out.node = node;
  out.requiresGrad = true;
  return out;
}
