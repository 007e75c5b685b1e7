/**
 * What one sample costs each stage, counted on the tape.
 *
 * The cost of a stage is counted on the ops its forward records for one sample, in
 * FLOPs of a product: a matrix product `[M, K] × [K, N]` is `2·M·N·K`, a convolution
 * `2 · output elements · (C_in / groups) · k_h · k_w`, and every other op (elementwise,
 * normalization, pooling, reductions) {@link ELEMENTWISE_WEIGHT} per element of its
 * largest operand. The backward of a product or convolution is two more products of the
 * same size, and of an elementwise op about as much again, so forward plus backward is
 * about three times the forward for every stage alike; the count is the forward's.
 *
 * Counted, not timed: the count is the same on every machine and every run, so the
 * worker assignment built on it — and `pipegrad inspect --workers` — is reproducible,
 * and a busy machine cannot skew it.
 *
 * @module
 */
import { collectTape, noGrad, type Tensor, type TapeNode } from '../../core/index.js';
import type { Pipeline } from '../engine.js';

/**
 * An elementwise operation costs about as much time on the host backend as ten FLOPs of
 * a product: it reads and writes memory for every element, where the GEMM reuses each
 * loaded value (`core/backend/cpu.ts`, the ts backend). Measured from the CPU time of ResNet-20's two
 * halves on 2 workers (`bench/workers.ts`): with plain FLOPs the first half (more
 * elementwise work at 32×32) used 24% more CPU than the second, which a weight of 11
 * explains; 10 is the round figure.
 */
export const ELEMENTWISE_WEIGHT = 10;

/**
 * The forward cost of one sample at each stage (index `s − 1` for stage `s`), with
 * `input` as the sample's input batch. The units run in evaluation mode, so counting
 * changes nothing a training run depends on (no running statistics move, no dropout
 * draws a random number); each module's mode is restored, and the units are left bound
 * to the stages' current weights.
 *
 * @example
 * stageCosts(pipe, zeros([1, 3, 32, 32])); // one cost per stage of resnet20, the stem's first
 */
export function stageCosts(pipe: Pipeline, input: Tensor): number[] {
  const costs: number[] = [];
  let bundle = [input];
  for (const stage of pipe.stages) {
    const leaves = bundle.map((t) => t.detach().requireGrad());
    const modes = stage.units.map((unit) => unit.module.training);
    for (const unit of stage.units) unit.module.eval();
    const outputs = stage.forward(leaves, stage.params);
    stage.units.forEach((unit, i) => (modes[i] ? unit.module.train() : unit.module.eval()));
    costs.push(collectTape(outputs).reduce((sum, node) => sum + opCost(node), 0));
    bundle = noGrad(() => outputs.map((t) => t.detach()));
  }
  pipe.bindCurrent();
  return costs;
}

/** The cost of one recorded op: its FLOPs if it is a product or a convolution, else {@link ELEMENTWISE_WEIGHT} per element of its largest operand. */
export function opCost(node: TapeNode): number {
  return node.op === 'matmul' || node.op === 'conv2d' ? opFlops(node) : ELEMENTWISE_WEIGHT * opFlops(node);
}

/** The forward FLOPs of one recorded op: `2·M·N·K` for a product, `2 · outputs · C_in/groups · k_h · k_w` for a convolution, one per element of the largest operand for any other. */
export function opFlops(node: TapeNode): number {
  const out = node.output.size;
  if (node.op === 'matmul') {
    const a = node.inputs[0].shape;
    return 2 * out * a[a.length - 1];
  }
  if (node.op === 'conv2d') {
    const w = node.inputs[1].shape;
    return 2 * out * (w[1] * w[2] * w[3]);
  }
  return Math.max(out, ...node.inputs.map((x) => x.size));
}
