/**
 * One pipeline stage: a run of units, its weights with numbered versions, its own
 * optimizer whose context carries the stage index and delay `D_s`, and the state its
 * mitigation keeps (PipeMare's `δ`).
 *
 * Weight versions are values (DESIGN §3). The stage's optimizer returns a new map of
 * weight tensors at every update, so version `k` is simply the map it returned after
 * `k` updates; nothing is written in place. A pass is *given* the weights it must use:
 * `forward(bundle, weights)` rebinds the units' parameters to `weights` before running
 * them, and `backward(record, grads, weights)` hands `weights` to the tape as the
 * substitute for the ones the forward used.
 *
 * @module
 */
import { gradients, Tensor, zeros } from '../core/index.js';
import type { Module, PipelineUnit } from '../nn/index.js';
import { Optimizer, type GradientTransform, type OptimizerStateDict, type Params } from '../optim/index.js';
import type { Mitigation } from './mitigations/mitigation.js';
import { none } from './mitigations/none.js';

/** What a stage's weights and optimizer looked like at one moment. */
export interface StageSnapshot {
  /** Updates applied so far (the weight version). */
  readonly version: number;
  /** The weights of that version. */
  readonly params: Params;
  /** The optimizer's velocity (momentum buffer), if it keeps one. */
  readonly velocity: Params | undefined;
  /** The learning rate the next update would use (0 when the optimizer has none). */
  readonly learningRate: number;
  /** The mitigation's state (PipeMare's average weight change `δ`; `undefined` for most). */
  readonly state: unknown;
}

/** A stage's position, given to optimizer factories. */
export interface StageInfo {
  /** Stage index, 1 (input side) to S (the loss). */
  readonly index: number;
  /** Number of stages S. */
  readonly stages: number;
  /** The stage's delay `D_s`, read off the schedule's stream (`steadyStateDelays`): `2(S − s)` in PB. */
  readonly delay: number;
}

/** A sample in flight at a stage: what its forward stored for the backward. */
export interface InFlight {
  /** The sample (or micro-batch) index. */
  readonly sample: number;
  /** The input bundle (leaves; their gradients go to the previous stage). */
  readonly inputs: Tensor[];
  /** The output bundle (for the last stage, the loss). */
  readonly outputs: Tensor[];
  /** The weights the forward used. */
  readonly weights: Params;
  /** The version those weights were derived from. */
  readonly version: number;
}

/** What a stage's backward produces. */
export interface StageGradients {
  /** Gradient of each input-bundle tensor (null where none flows), sent to the previous stage. */
  inputGrads: (Tensor | null)[];
  /** Gradient of each of the stage's weights, by full model path. */
  paramGrads: Params;
}

/**
 * Everything a stage carries from one run to the next: its weights, its optimizer's
 * state and clock, its mitigation's state and its units' buffers (BatchNorm's running
 * statistics). A parallel run hands it to the worker that runs the stage and back
 * (`parallel/`); the tensors are the stage's own, not copies (none is ever written to).
 */
export interface StageState {
  /** The current weights, by full model path. */
  readonly params: Params;
  /** The optimizer's state and clock (`Optimizer.stateDict`). */
  readonly optimizer: OptimizerStateDict;
  /** The mitigation's state (PipeMare's `δ`; `undefined` for most). */
  readonly mitigation: unknown;
  /** The units' buffers, by full model path. */
  readonly buffers: Params;
}

/** One stage of a pipeline. */
export class PipelineStage {
  /** Stage index, 1-based. */
  readonly index: number;
  /** Number of stages in the pipeline. */
  readonly stages: number;
  /** `D_s`: updates between this stage's forward and backward of a sample, from the schedule. */
  readonly delay: number;
  /** The units this stage runs, in order. */
  readonly units: readonly PipelineUnit[];
  /** The stage's optimizer; its `params` are the current weight version. */
  readonly optimizer: Optimizer;
  /** Which unit module owns each parameter (by full model path). */
  private readonly owners = new Map<string, Module>();
  private readonly mitigation: Mitigation;
  private state: unknown;

  /**
   * @param info the stage's index (1-based), the number of stages and its delay
   * @param units the units it runs
   * @param transform the optimizer chain (this stage keeps its own state)
   * @param mitigation the weight policy whose state the stage keeps (default: none)
   */
  constructor(info: StageInfo, units: readonly PipelineUnit[], transform: GradientTransform, mitigation: Mitigation = none) {
    this.index = info.index;
    this.stages = info.stages;
    this.delay = info.delay;
    this.units = units;
    const params: Params = new Map();
    for (const unit of units) {
      for (const [name, w] of unit.module.namedParameters()) {
        params.set(name, w);
        this.owners.set(name, unit.module);
      }
    }
    this.optimizer = new Optimizer(transform, params);
    this.mitigation = mitigation;
    this.state = mitigation.initialState(params);
  }

  /** The stage's index, number of stages and delay. */
  get info(): StageInfo {
    return { index: this.index, stages: this.stages, delay: this.delay };
  }

  /** The current weight version number. */
  get version(): number {
    return this.optimizer.steps;
  }

  /** The current weights. */
  get params(): Params {
    return this.optimizer.params;
  }

  /** Number of parameters the stage owns. */
  get parameterCount(): number {
    let n = 0;
    for (const w of this.params.values()) n += w.size;
    return n;
  }

  /** The stage's state now, for the weight policies. */
  snapshot(): StageSnapshot {
    return {
      version: this.version,
      params: this.optimizer.params,
      velocity: this.optimizer.velocity(),
      learningRate: this.optimizer.learningRate({ stage: this.index, delay: this.delay }) ?? 0,
      state: this.state,
    };
  }

  /** Point the units' parameters at `weights` (rebinding references, never copying into them). */
  bind(weights: Params): void {
    for (const [name, w] of weights) this.owners.get(name)!.setParameter(name, w);
  }

  /** Run the units on `bundle` with `weights`, recording the tape. */
  forward(bundle: Tensor[], weights: Params): Tensor[] {
    this.bind(weights);
    let b = bundle;
    for (const unit of this.units) b = unit.forward(b);
    return b;
  }

  /**
   * Backpropagate one in-flight sample: output gradients in, input and weight
   * gradients out. `weights` are the weights the backward uses; where they differ from
   * the forward's, the tape substitutes them (the input gradient uses them, the weight
   * gradient uses the stored activations).
   */
  backward(record: InFlight, outputGrads: readonly (Tensor | null)[], weights: Params): StageGradients {
    const outs: Tensor[] = [];
    const seeds: Tensor[] = [];
    record.outputs.forEach((o, i) => {
      const g = outputGrads[i];
      if (o.requiresGrad && g) {
        outs.push(o);
        seeds.push(g);
      }
    });
    const substitute = new Map<Tensor, Tensor>();
    for (const [name, used] of record.weights) {
      const wanted = weights.get(name)!;
      if (wanted !== used) substitute.set(used, wanted);
    }
    const grads = outs.length > 0 ? gradients(outs, seeds, { substitute }) : new Map<Tensor, Tensor>();
    const paramGrads: Params = new Map();
    for (const [name, used] of record.weights) paramGrads.set(name, grads.get(used) ?? zeros(used.shape, used.dtype));
    return { inputGrads: record.inputs.map((x) => grads.get(x) ?? null), paramGrads };
  }

  /** The stage's state, to continue it elsewhere with {@link PipelineStage.restore}. */
  save(): StageState {
    const buffers: Params = new Map();
    for (const unit of this.units) for (const [name, b] of unit.module.namedBuffers()) buffers.set(name, b);
    return { params: this.params, optimizer: this.optimizer.stateDict(), mitigation: this.state, buffers };
  }

  /**
   * Continue from a state {@link PipelineStage.save} made on a stage built the same
   * way: the weights, the optimizer's state and clock, the mitigation's state and the
   * buffers become the saved ones, and the weights are bound into the units.
   *
   * @throws when a weight, optimizer entry or buffer is missing, unknown or misshapen.
   */
  restore(state: StageState): void {
    this.optimizer.setParams(state.params);
    this.optimizer.loadStateDict(state.optimizer);
    this.state = state.mitigation;
    for (const unit of this.units) {
      for (const [name] of unit.module.namedBuffers()) {
        const b = state.buffers.get(name);
        if (b === undefined) throw new Error(`stage ${this.index}: the saved state has no buffer '${name}'`);
        unit.module.setBuffer(name, b);
      }
    }
    this.bind(this.params);
  }

  /** Apply one update from `grads` (already averaged), covering `batchSize` samples; the mitigation's state follows. */
  update(grads: Params, batchSize: number): void {
    const before = this.optimizer.params;
    this.optimizer.step(grads, { stage: this.index, delay: this.delay, batchSize });
    this.state = this.mitigation.nextState(this.state, before, this.optimizer.params);
  }
}

