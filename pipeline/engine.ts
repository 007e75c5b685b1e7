/**
 * The engine: interprets a schedule's instruction stream (DESIGN §5, §7) over real
 * stages, with explicit weight versions.
 *
 * Per tick, for each instruction:
 *
 * - `sFj` — stage `s` runs the forward of sample `j` on the weights its mitigation's
 *   `forwardWeights` picks from the stage's state **at the start of the tick** (plain
 *   PB: that version; LWP: `w − T·η·v`), records the sample as in flight, and sends
 *   its output bundle to stage `s+1` (the last stage computes the loss instead).
 * - `sBj` — stage `s` backpropagates sample `j` with the weights the mitigation's
 *   `backwardWeights` picks (current, the stashed forward weights, PipeMare's corrected
 *   ones), sends the input gradients to stage `s−1` and adds the weight gradients to
 *   its accumulator.
 * - `sUj` — stage `s` applies the accumulated gradient (averaged over the micro-batches
 *   since its last update) through its optimizer, whose context carries `s` and `D_s`.
 *
 * That is all the engine does. Which weights a pass uses is the mitigation's
 * (`mitigations/`); each stage's delay is read off the schedule's stream
 * (`delays.ts`); the SGD chain of a method is `sgd-for-method.ts`; memory is measured
 * by `memory.ts`; the sequential cross-check is `simulate.ts`, which drives the same
 * {@link Pipeline.execute} in another order.
 *
 * Each stage's forward runs in a {@link DeviceScope} of its own, which owns the
 * activations and tape the forward left — on the device, on a backend with device
 * memory (the gpu backend), and in buffers lent from the thread's pool on every backend
 * (`core/backend/buffer-pool.ts`) — and the weights the mitigation made for it (LWP's
 * prediction). The scope is entered again for that sample's backward at the stage and
 * closed right after it. The input gradients it produced move to the previous stage's
 * scope, the weight gradients to the stage's gradient accumulator, whose scope the
 * update runs in and which keeps only what the stage holds afterwards (weights,
 * optimizer and mitigation state); everything else is released. So a layer's matmul,
 * bias and activation never read back between them, when a run returns no device array
 * is alive, and from one sample to the next a stage reuses the same buffers instead of
 * leaving the garbage collector thousands of fresh ones (`core/device-scope.ts`).
 *
 * The version each (sample, stage, phase) used is recorded, so tests can hold the
 * engine to §5.
 *
 * @example
 * const model = createModel('mlp', { inputShape: [2], numClasses: 2 });
 * const method = resolveMethod('pb+sc+lwp');
 * const pipe = new Pipeline({
 *   units: model.pipelineUnits(), method,
 *   optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }),
 *   loss: classificationLoss,
 * });
 * pipe.run(1000, (j) => ({ input: xs[j], target: labels[j] }));
 *
 * @module
 */
import { crossEntropy, deviceScope, DeviceScope, keep, mse, noGrad, scalar, Tensor } from '../core/index.js';
import type { PipelineUnit } from '../nn/index.js';
import { mapTensors, allocateLike, scaleTensors, type GradientTransform, type Params } from '../optim/index.js';
import { steadyStateDelays } from './delays.js';
import type { Instruction, Schedule } from './instruction.js';
import { Mailbox, messageKey, type StageMessage } from './mailbox.js';
import { emptyMemory, measureStage, type StageMemory } from './memory.js';
import { resolveMethod, type MethodSpec } from './methods.js';
import type { WeightContext } from './mitigations/mitigation.js';
import { partitionUnits, type Partition } from './partition.js';
import { PipelineStage, type InFlight, type StageGradients, type StageInfo, type StageSnapshot } from './stage.js';

/** A training target: class labels, or a regression target tensor. */
export type Target = Int32Array | Tensor;

/** One training example (or micro-batch) fed to stage 1. */
export interface Example {
  /** The input batch, e.g. `[B, C, H, W]`. */
  input: Tensor;
  /** Its target. */
  target: Target;
}

/** Turns the last stage's output bundle and the target into a scalar loss. */
export type LossFn = (outputs: Tensor[], target: Target) => Tensor;

/** Cross-entropy for labels, mean squared error for tensor targets. */
export const classificationLoss: LossFn = (outputs, target) =>
  target instanceof Tensor ? mse(outputs[0], target) : crossEntropy(outputs[0], target);

/** What the last stage reports for each sample it trains on. */
export interface SampleResult {
  /** The sample (or micro-batch) index within the run. */
  sample: number;
  /** Its loss. */
  loss: number;
  /** The last stage's outputs (e.g. logits), detached. */
  outputs: Tensor[];
  /** Its target. */
  target: Target;
}

/** The version of the weights one pass used. */
export interface VersionRecord {
  /** Sample (or micro-batch) index. */
  sample: number;
  /** Stage index, 1-based. */
  stage: number;
  /** `F` or `B`. */
  phase: 'F' | 'B';
  /** Updates the stage had applied to the weights this pass used (for predicted weights: the version they were predicted from). */
  version: number;
}

/** How to build a pipeline. */
export interface PipelineConfig {
  /** The model's units, in order (`model.pipelineUnits()`). */
  units: readonly PipelineUnit[];
  /**
   * The method: a name such as `pb+sc+lwp`, or a {@link MethodSpec}, which may hold a
   * schedule or a mitigation a user wrote (`methodFor(mySchedule, 'sc')`).
   */
  method: MethodSpec | string;
  /** The optimizer chain for every stage (each stage keeps its own state), or a factory per stage. */
  optimizer: GradientTransform | ((stage: StageInfo) => GradientTransform);
  /** The loss (default {@link classificationLoss}). */
  loss?: LossFn;
  /** How to cut units into stages (default `'fine'`: one unit per stage). */
  partition?: Partition;
  /** Micro-batches per update, for schedules that flush (`gpipe`, `1f1b`); ignored by the others. */
  microBatches?: number;
  /** Samples per micro-batch (for the optimizer's sample clock; default 1). */
  microBatchSize?: number;
  /** Keep a {@link VersionRecord} for every pass (default false). */
  recordVersions?: boolean;
  /**
   * Keep each stage's activations on the device between kernels, in a device scope per
   * (sample, stage), on backends with device memory (default true). False runs every
   * kernel with a read-back, as outside any scope; the numbers are the same either way.
   */
  keepOnDevice?: boolean;
  /**
   * Reuse each stage's activation and gradient buffers from sample to sample (default
   * true): the kernels of a (sample, stage) scope take their result buffers from a
   * pool, and the scope gives them back when it closes after the sample's backward
   * (`core/backend/buffer-pool.ts`). The numbers are the same bits either way; without
   * it every result is a fresh array for the garbage collector. It works through the
   * same scopes as `keepOnDevice`, so `keepOnDevice: false` turns it off too.
   */
  recycleBuffers?: boolean;
  /** LWP horizon as a function of the stage's delay (default `T = D_s`). */
  horizon?: (delay: number, stage: number) => number;
}

/** A pipeline of stages driven by a method's schedule. */
export class Pipeline {
  /** The stages, index 0 holding stage 1. */
  readonly stages: PipelineStage[];
  /** The method it runs. */
  readonly method: MethodSpec;
  /** Recorded versions (when `recordVersions` is on). */
  readonly versions: VersionRecord[] = [];
  /** Per-stage memory peaks over all runs. */
  readonly memory: StageMemory[];
  /** Micro-batches per update, when the schedule flushes (`undefined` otherwise). */
  readonly microBatches: number | undefined;
  private readonly loss: LossFn;
  private readonly microBatchSize: number;
  private readonly recordVersions: boolean;
  private readonly keepOnDevice: boolean;
  private readonly recycleBuffers: boolean;
  /** What each stage's mitigation hooks are told: the stage and its horizon. */
  private readonly contexts: WeightContext[];
  // Per-run state.
  private inFlight: Map<number, Flight>[] = [];
  private readonly mailbox = new Mailbox();
  private post: (message: StageMessage) => void = (message) => this.mailbox.put(message);
  /** Per stage: the weight gradients since its last update, and the scope that owns them. */
  private accumulated: { grads: Params | null; count: number; scope: DeviceScope | null }[] = [];
  private data: (j: number) => Example = () => {
    throw new Error('pipeline: no data source; call run()');
  };
  private onSample: ((r: SampleResult) => void) | undefined;

  /**
   * Partition the units into stages, read each stage's delay off the schedule's stream
   * (`steadyStateDelays`), and give each stage its optimizer and its mitigation's state.
   *
   * @throws when the method's schedule flushes and `microBatches` is missing, or the
   * schedule has no steady-state delay.
   */
  constructor(config: PipelineConfig) {
    this.method = typeof config.method === 'string' ? resolveMethod(config.method) : config.method;
    this.microBatches = this.flushes ? config.microBatches : undefined;
    if (this.flushes && this.microBatches === undefined) throw new Error(`pipeline: method ${this.method.name} needs microBatches (micro-batches per update)`);
    const groups = partitionUnits(config.units, config.partition ?? 'fine');
    const S = groups.length;
    const delays = steadyStateDelays(this.method.schedule, S, this.microBatches);
    this.stages = groups.map((units, i) => {
      const info: StageInfo = { index: i + 1, stages: S, delay: delays[i] };
      const transform = typeof config.optimizer === 'function' ? config.optimizer(info) : config.optimizer;
      return new PipelineStage(info, units, transform, this.method.mitigation);
    });
    const horizon = config.horizon ?? ((delay) => delay);
    this.contexts = this.stages.map((stage) => ({ stage: stage.info, horizon: horizon(stage.delay, stage.index) }));
    this.loss = config.loss ?? classificationLoss;
    this.microBatchSize = config.microBatchSize ?? 1;
    this.recordVersions = config.recordVersions ?? false;
    this.keepOnDevice = config.keepOnDevice ?? true;
    this.recycleBuffers = config.recycleBuffers ?? true;
    this.memory = this.stages.map(emptyMemory);
  }

  /** The schedule a run of `samples` samples (or micro-batches) follows. */
  schedule(samples: number): Schedule {
    return this.method.schedule.make({
      stages: this.stages.length,
      samples,
      microBatchSize: this.microBatchSize,
      microBatches: this.microBatches,
    });
  }

  /** Whether the method's schedule flushes the pipeline for one synchronous update per round of micro-batches (gpipe, 1f1b). */
  get flushes(): boolean {
    return this.method.schedule.flushes;
  }

  /**
   * Train on `samples` samples (or micro-batches) `data(0) … data(samples−1)` by
   * interpreting the method's schedule tick by tick, then drain: when it returns every
   * sample's update has been applied.
   */
  run(samples: number, data: (j: number) => Example, onSample?: (r: SampleResult) => void): void {
    this.begin(data, onSample);
    for (const tick of this.schedule(samples).ticks()) {
      // Forwards in this tick see the weights of the tick's start (DESIGN §5).
      const start = new Map<number, StageSnapshot>();
      for (const ins of tick) {
        if (ins.kind === 'F' && !start.has(ins.stage)) start.set(ins.stage, this.stage(ins.stage).snapshot());
      }
      for (const ins of tick) this.execute(ins, start.get(ins.stage));
    }
    this.end();
  }

  /**
   * Start a run that {@link Pipeline.execute} carries out instruction by instruction:
   * `run` is `begin`, `execute` for every instruction of the schedule, `end`. Other
   * drivers (the sequential simulation, `simulate.ts`; a worker of a parallel run,
   * `parallel/stage-worker.ts`) use the same three.
   *
   * @param data the examples, asked for by stage 1's forwards
   * @param onSample told the loss and outputs of each sample at the last stage
   * @param post where the {@link StageMessage}s the stages send go (default: into this
   *   pipeline's own mailbox). A worker that runs some of the stages passes one that
   *   sends the messages for other workers' stages to them, and gives this pipeline
   *   what it receives through {@link Pipeline.deliver}.
   */
  begin(data: (j: number) => Example, onSample?: (r: SampleResult) => void, post?: (message: StageMessage) => void): void {
    this.data = data;
    this.onSample = onSample;
    this.post = post ?? ((message) => this.mailbox.put(message));
    this.inFlight = this.stages.map(() => new Map());
    this.accumulated = this.stages.map(() => ({ grads: null, count: 0, scope: null }));
    this.mailbox.clear();
  }

  /** Hand a message another worker's stage sent into this pipeline's mailbox (see {@link Pipeline.begin}). */
  deliver(message: StageMessage): void {
    this.mailbox.put(message);
  }

  /**
   * The key ({@link messageKey}) of the message `instruction` needs that has not been
   * delivered yet, or null when it can run: a forward at stage `s > 1` needs its
   * activations, the last stage's forward (when `S > 1`) the sample's target, a
   * backward at `s < S` its gradients. A worker waits for that message before it
   * executes the instruction.
   */
  missingInput(instruction: Instruction): string | null {
    const { kind, stage, sample } = instruction;
    const S = this.stages.length;
    const needs: string[] = [];
    if (kind === 'F' && stage > 1) needs.push(messageKey('activations', stage, sample));
    if (kind === 'F' && stage === S && S > 1) needs.push(messageKey('target', stage, sample));
    if (kind === 'B' && stage < S) needs.push(messageKey('gradients', stage, sample));
    return needs.find((key) => !this.mailbox.has(key)) ?? null;
  }

  /**
   * Carry out one instruction. An F runs on the weights the mitigation picks from `at`,
   * the stage as it was at the start of the tick (default: the stage now); a B on the
   * weights the mitigation picks for the backward; a U applies the accumulated gradient.
   */
  execute(instruction: Instruction, at?: StageSnapshot): void {
    const { kind, stage, sample } = instruction;
    if (kind === 'F') this.forwardStep(stage, sample, at ?? this.stage(stage).snapshot());
    else if (kind === 'B') this.backwardStep(stage, sample);
    else this.updateStep(stage);
  }

  /** End a run: check that no sample is left in flight, and bind the current weights into the modules. */
  end(): void {
    const left = this.inFlight.reduce((n, m) => n + m.size, 0);
    if (left > 0) throw new Error(`pipeline: ${left} samples still in flight after the schedule ended (schedule bug)`);
    if (this.mailbox.size > 0) throw new Error(`pipeline: ${this.mailbox.size} messages between stages were never used (schedule bug)`);
    this.bindCurrent();
  }

  /**
   * Run the model on `input` with every stage's current weights, in evaluation mode and
   * without recording a tape; returns the last stage's first output (e.g. logits), on
   * the host. Each module's train/eval mode is restored afterwards. Runs in a device
   * scope, so on the gpu backend the intermediates stay on the device and are released.
   */
  predict(input: Tensor): Tensor {
    return (this.keepOnDevice ? deviceScope : call)(() => noGrad(() => {
      let bundle = [input];
      for (const stage of this.stages) {
        const modes = stage.units.map((unit) => unit.module.training);
        for (const unit of stage.units) unit.module.eval();
        bundle = stage.forward(bundle, stage.params);
        stage.units.forEach((unit, i) => (modes[i] ? unit.module.train() : unit.module.eval()));
      }
      return bundle[0];
    }));
  }

  /** All stages' current weights under their full model paths. */
  params(): Params {
    const all: Params = new Map();
    for (const stage of this.stages) for (const [name, w] of stage.params) all.set(name, w);
    return all;
  }

  /** Bind every stage's current weights into the model's modules (e.g. before saving a checkpoint). */
  bindCurrent(): void {
    for (const stage of this.stages) stage.bind(stage.params);
  }

  /** Run `fn` in `scope` (which keeps activations on the device and recycles buffers), or directly when `keepOnDevice` is off. */
  private within<T>(scope: DeviceScope, fn: () => T): T {
    return this.keepOnDevice ? scope.run(fn) : fn();
  }

  private stage(s: number): PipelineStage {
    const stage = this.stages[s - 1];
    if (stage === undefined) throw new Error(`pipeline: no stage ${s}; the pipeline has stages 1..${this.stages.length}`);
    return stage;
  }

  private forwardStep(s: number, j: number, at: StageSnapshot): void {
    const stage = this.stage(s);
    const S = this.stages.length;
    let inputs: Tensor[];
    let target: Target | undefined;
    if (s === 1) {
      const example = this.data(j);
      if (S > 1) this.post({ kind: 'target', stage: S, sample: j, target: example.target });
      else target = example.target;
      inputs = [example.input];
    } else {
      inputs = this.mailbox.take('activations', s, j).tensors;
      if (s === S) target = this.mailbox.take('target', s, j).target;
    }
    // What this forward leaves (on a device, or in pool buffers) lives until the sample's
    // backward here; so do the weights the mitigation makes for it (LWP's prediction).
    const scope = new DeviceScope(`forward of sample ${j} at stage ${s}`, { recycle: this.recycleBuffers, standalone: true });
    let weights!: Params;
    let outputs: Tensor[];
    let result: SampleResult | null = null;
    try {
      outputs = this.within(scope, () => {
        weights = this.method.mitigation.forwardWeights(at, this.contexts[s - 1]);
        const out = stage.forward(inputs, weights);
        if (s < S) {
          this.post({ kind: 'activations', stage: s + 1, sample: j, tensors: out.map((o) => o.detach().requireGrad()) });
          return out;
        }
        const loss = this.loss(out, target!);
        const value = loss.item();
        if (!Number.isFinite(value)) throw new NonFiniteLossError(j, value);
        result = { sample: j, loss: value, outputs: out.map(onHost), target: target! };
        return [loss];
      });
    } catch (e) {
      scope.close();
      throw e;
    }
    // Outside the scope, so that what the callback makes is its own.
    if (result !== null) this.onSample?.(result);
    this.inFlight[s - 1].set(j, { sample: j, inputs, outputs, weights, version: at.version, scope });
    if (this.recordVersions) this.versions.push({ sample: j, stage: s, phase: 'F', version: at.version });
    measureStage(this.memory[s - 1], this.inFlight[s - 1], stage, this.method.mitigation);
  }

  private backwardStep(s: number, j: number): void {
    const stage = this.stage(s);
    const record = this.inFlight[s - 1].get(j);
    if (!record) throw new Error(`pipeline: stage ${s} has no forward of sample ${j} to backpropagate`);
    this.inFlight[s - 1].delete(j);
    const outputGrads = s === this.stages.length ? [scalar(1, record.outputs[0].dtype)] : this.mailbox.take('gradients', s, j).tensors;
    const acc = this.accumulated[s - 1];
    acc.scope ??= new DeviceScope(`gradient accumulator of stage ${s}`, { recycle: this.recycleBuffers, standalone: true });
    let version: number;
    let grads: StageGradients;
    try {
      grads = this.within(record.scope, () => {
        const backwardWeights = this.method.mitigation.backwardWeights(stage.snapshot(), record, this.contexts[s - 1]);
        version = backwardWeights.version;
        return stage.backward(record, outputGrads, backwardWeights.weights);
      });
      // The input gradients move to the previous stage's scope when that stage runs here
      // (a message to another worker's stage is a copy, made as it is sent); the weight
      // gradients to the accumulator's scope, which lives until the stage's next update.
      this.inFlight[s - 2]?.get(j)?.scope.adopt(...grads.inputGrads);
      if (s > 1) this.post({ kind: 'gradients', stage: s - 1, sample: j, tensors: grads.inputGrads });
      acc.scope.adopt(...grads.paramGrads.values());
    } finally {
      record.scope.close();
    }
    const { paramGrads } = grads;
    acc.grads = acc.grads === null ? paramGrads : this.within(acc.scope, () => addParams(acc.grads!, paramGrads));
    acc.count++;
    if (this.recordVersions) this.versions.push({ sample: j, stage: s, phase: 'B', version: version! });
  }

  /**
   * Apply the accumulated gradient. The step runs in the accumulator's scope: what the
   * stage holds afterwards (weights, optimizer and mitigation state) is kept, and the
   * gradients and the step's intermediates (the update `u`) are released.
   */
  private updateStep(s: number): void {
    const acc = this.accumulated[s - 1];
    if (acc.grads === null || acc.scope === null) throw new Error(`pipeline: stage ${s} was told to update with no gradient accumulated`);
    const { grads, count, scope } = acc;
    const stage = this.stage(s);
    try {
      this.within(scope, () => stage.update(count === 1 ? grads : scaleTensors(grads, 1 / count), count * this.microBatchSize));
      scope.keepAll(stage.save());
    } finally {
      scope.close();
    }
    this.accumulated[s - 1] = { grads: null, count: 0, scope: null };
  }
}

/** A sample in flight at a stage, with the device scope that owns what its forward left on a device. */
interface Flight extends InFlight {
  /** Closed after the sample's backward at the stage. */
  readonly scope: DeviceScope;
}

/** Thrown when the loss of a sample is NaN or infinite; names the sample. */
export class NonFiniteLossError extends Error {
  /** The sample (or micro-batch) index within the run. */
  readonly sample: number;
  /** The loss value (NaN or ±Infinity). */
  readonly value: number;
  constructor(sample: number, value: number) {
    super(`training diverged: the loss of sample ${sample} is ${value}; lower the learning rate (--lr) or check the data`);
    this.sample = sample;
    this.value = value;
  }
}

function call<T>(fn: () => T): T {
  return fn();
}

/** `t` detached, with its values on the host: a sample's outputs outlive the scope that made them. */
function onHost(t: Tensor): Tensor {
  keep(t);
  void t.storage.data;
  return t.detach();
}

/** `a + b` for every parameter: the gradient accumulator of micro-batches between updates. */
function addParams(a: Params, b: Params): Params {
  return mapTensors((x, y) => {
    const xd = x.data;
    const yd = y.data;
    const sum = allocateLike(x);
    for (let i = 0; i < sum.length; i++) sum[i] = xd[i] + yd[i];
    return new Tensor(sum, x.shape);
  }, a, b);
}
