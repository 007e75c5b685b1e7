/**
 * What one sample costs each stage, in floating-point operations, from the tape.
 *
 * The cost of a stage is counted on the ops its forward records for one sample: a
 * matrix product `[M, K] × [K, N]` is `2·M·N·K`, a convolution `2 · output elements ·
 * (C_in / groups) · k_h · k_w`, and every other op one operation per element of its
 * largest operand. The backward of a product or convolution is two more products of
 * the same size (input and weight gradient) and of an elementwise op about as much
 * again, so forward plus backward is about three times the forward; the factor is
 * the same for every stage, so the count below is the forward's alone.
 *
 * Counted, not timed: the count is the same on every machine and every run, so the
 * worker assignment built on it — and `pipegrad inspect --workers` — is reproducible,
 * and a busy machine cannot skew it. What it leaves out is that an elementwise op costs
 * more time per operation than a product on a CPU; in the convolutional models the
 * products dominate every stage.
 *
 * @module
 */
import { collectTape, noGrad, type Tensor, type TapeNode } from '../../core/index.js';
import type { Pipeline } from '../engine.js';

/**
 * The forward FLOPs of one sample at each stage (index `s − 1` for stage `s`), with
 * `input` as the sample's input batch. The units run in evaluation mode, so counting
 * changes nothing a training run depends on (no running statistics move, no dropout
 * draws a random number); each module's mode is restored, and the units are left bound
 * to the stages' current weights.
 *
 * @example
 * stageFlops(pipe, zeros([1, 3, 32, 32])); // [884736, 9437184, …] for resnet20
 */
export function stageFlops(pipe: Pipeline, input: Tensor): number[] {
  const flops: number[] = [];
  let bundle = [input];
  for (const stage of pipe.stages) {
    const leaves = bundle.map((t) => t.detach().requireGrad());
    const modes = stage.units.map((unit) => unit.module.training);
    for (const unit of stage.units) unit.module.eval();
    const outputs = stage.forward(leaves, stage.params);
    stage.units.forEach((unit, i) => (modes[i] ? unit.module.train() : unit.module.eval()));
    flops.push(collectTape(outputs).reduce((sum, node) => sum + opFlops(node), 0));
    bundle = noGrad(() => outputs.map((t) => t.detach()));
  }
  pipe.bindCurrent();
  return flops;
}

/** The forward FLOPs of one recorded op; see the module description. */
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
