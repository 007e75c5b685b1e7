/**
 * Weight substitution: a backward pass that uses other weights than its forward did,
 * and nothing else that is different (DESIGN §3, §5).
 *
 * In Pipelined Backpropagation the backward of a sample at stage `s` runs with the
 * stage's current weights (version `j`), while its forward ran with version `j − D_s`.
 * `gradients(outputs, seeds, { substitute })` is given a map `W_fwd → W_bwd` from the
 * weights the forward used to the weights the backward must use; this module decides
 * what every VJP on the tape then sees.
 *
 * **The rule.** Only the weights themselves are the backward's version. A tape node is
 * *recomputed* from the substitutes when every one of its inputs is
 * - a substituted tensor (a key of the map),
 * - the output of a node already recomputed by this rule, or
 * - a number literal (a scalar an op made from a plain number, `mul(w, 0.5)`; see
 *   `isNumberLiteral` in `core/ops/shape-utils.ts`),
 *
 * and at least one input is of the first two kinds. These are the values computed from
 * the weights alone: `Wᵀ`, a reshaped `γ`, `0.5·W`, any weight-only function. Every
 * other node keeps the forward's stored output and saved values, because one of its
 * inputs depends on the sample: the stored input of the stage (data at stage 1, an
 * activation later), a pre-activation, a normalization statistic. So in `relu(x·Wᵀ + b)`
 * the node `Wᵀ` is recomputed with the backward's `W`, while `x·Wᵀ`, `+ b` and the ReLU
 * (with its mask) stay as the forward computed them — at every stage, including stage 1
 * where `x` is data that needs no gradient. The VJP of a kept node sees its stored
 * output and saved values with its weight inputs replaced: the matmul's VJP gives the
 * input gradient `δ·W_bwd` and the weight gradient `δᵀ·x`, with `x` and the ReLU mask
 * from the forward.
 *
 * **Constants.** A tensor that is neither substituted nor a number literal cannot be
 * told apart from data (both are leaves that need no gradient), so a node with such an
 * input is never recomputed. A weight transform that needs a constant must therefore
 * take it as a number (`mul(w, 0.5)`) or as an op attribute (`pow(w, 2)`, `reshape(w,
 * shape)`); one written with a constant tensor (`mul(w, scalar(0.5))`) would keep the
 * forward's weights in that value. pipegrad's layers only transpose and reshape their
 * weights, so none is affected.
 *
 * A recomputed node's VJPs see its recomputed output and saved values, so a
 * weight-only function whose VJP reads them (`sqrt(w)`) differentiates at the
 * backward's weights too. Recomputing runs the op's `forward` again, which relies on
 * every forward being a pure function of its inputs and attributes (randomness, such as
 * dropout's mask, is drawn before the op and passed in as an attribute).
 *
 * @module
 */
import { noGrad } from './grad-mode.js';
import { isNumberLiteral, sameShape } from './ops/shape-utils.js';
import { getOp } from './registry.js';
import type { TapeNode } from './tape.js';
import { fmtShape, Tensor } from './tensor.js';

/** What the VJPs of one tape node see during a backward pass. */
export interface VjpView {
  /** The node's inputs, with substituted and recomputed values in place. */
  readonly inputs: Tensor[];
  /** The node's output: recomputed, or the forward's (detached). */
  readonly out: Tensor;
  /** The values the VJPs read: recomputed, or the forward's. */
  readonly saved: unknown;
}

/** A recomputed node's output and saved values at the backward's weights. */
interface Replayed {
  readonly out: Tensor;
  readonly saved: unknown;
}

/**
 * A weight substitution applied to one tape: which values the backward sees in place of
 * the forward's, following the rule in this module's comment.
 */
export class WeightSubstitution {
  /** Each substituted or recomputed tensor, mapped to the value the backward uses. */
  readonly #values: Map<Tensor, Tensor>;
  /** The recomputed nodes, with their new outputs and saved values. */
  readonly #replayed = new Map<TapeNode, Replayed>();

  /**
   * Recompute, in execution order, every node of `tape` that is a function of the
   * substitutes alone (and number literals).
   *
   * @param tape the flat tape, in execution order
   * @param substitute the weights the backward uses, keyed by the ones the forward used
   * @throws when a substitute's shape differs from its original's
   */
  constructor(tape: readonly TapeNode[], substitute: ReadonlyMap<Tensor, Tensor>) {
    for (const [original, replacement] of substitute) {
      if (!sameShape(original.shape, replacement.shape)) {
        throw new Error(`backward: substitute for ${original.name ?? 'a tensor'} has shape ${fmtShape(replacement.shape)}, expected ${fmtShape(original.shape)}; give the weights of the same layer`);
      }
    }
    this.#values = new Map(substitute);
    for (const node of tape) {
      if (this.#values.has(node.output) || !this.#isWeightOnly(node)) continue;
      const inputs = node.inputs.map((x) => this.#values.get(x) ?? x);
      const result = noGrad(() => getOp(node.op).forward(inputs, node.attrs));
      const replayed = result instanceof Tensor ? { out: result, saved: undefined } : { out: result.out, saved: result.saved };
      this.#replayed.set(node, replayed);
      this.#values.set(node.output, replayed.out);
    }
  }

  /** Whether every input of `node` comes from the substitutes (or is a number literal), and one does. */
  #isWeightOnly(node: TapeNode): boolean {
    let fromWeights = false;
    for (const x of node.inputs) {
      if (this.#values.has(x)) fromWeights = true;
      else if (!isNumberLiteral(x)) return false;
    }
    return fromWeights;
  }

  /** What the VJPs of `node` see: its inputs under the substitution, and its output and saved values (recomputed or stored). */
  view(node: TapeNode): VjpView {
    const inputs = node.inputs.map((x) => this.#values.get(x) ?? x);
    const replayed = this.#replayed.get(node);
    return replayed ? { inputs, out: replayed.out, saved: replayed.saved } : { inputs, out: node.output.detach(), saved: node.saved };
  }
}
