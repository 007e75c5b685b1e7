/**
 * The tape: the nodes ops leave on their outputs, and the flat list of them that a
 * backward pass walks.
 *
 * Every op applied while grad mode is on (`core/grad-mode.ts`) to an input that
 * requires a gradient leaves a {@link TapeNode} on its output (`core/registry.ts`
 * records it). There is no global list: the tape of a backward pass is collected
 * from its outputs by {@link collectTape}, and is exactly the nodes that lead to them.
 *
 * @module
 */
import type { Vjp } from './registry.js';
import type { Tensor } from './tensor.js';

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

/**
 * The nodes that lead to `outputs`, in execution order (the flat tape). Collected with
 * an explicit stack, so a chain of any depth needs no recursion.
 */
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
