/**
 * A {@link Pipeline} run on several workers at once: the main thread's side of a
 * parallel run.
 *
 * The stages are cut into `W` contiguous runs, one per worker, balanced by a cost per
 * stage (`worker-assignment.ts`; the CLI and the benchmark use the costs of
 * `stage-cost.ts`). Every worker builds the pipeline from the same recipe
 * (`recipe.ts`) and runs the instructions of its own stages (`stage-worker.ts`);
 * activations, gradients and targets go straight from worker to worker.
 *
 * The main thread keeps its own {@link Pipeline}, the one the caller built, as the
 * record of every stage's state between runs: a run sends each worker the state of its
 * stages (weights, optimizer state and clock, the mitigation's state, buffers), and
 * when the run ends each worker sends them back and the main thread restores them into
 * its pipeline. So after `await parallel.run(…)` the caller uses `pipeline.params()`,
 * `predict`, `bindCurrent` and checkpoints exactly as after `pipeline.run(…)`, and a
 * state the caller restores (a resumed checkpoint) is what the next run starts from.
 * The results do not depend on the number of workers: final weights, per-sample losses
 * and recorded versions are the single-thread engine's, bit for bit.
 *
 * The main thread also feeds the data: it calls `data(j)` and sends the examples to
 * the worker of stage 1 a few samples ahead of it, and it calls `onSample` with the
 * losses and outputs the worker of the last stage reports, in sample order.
 *
 * When anything fails — a worker's layer throws, a loss is NaN, `data` or `onSample`
 * throws, a worker dies — every worker is stopped and `run` rejects with the same
 * one-line error the single-thread engine throws (`NonFiniteLossError` for a NaN
 * loss). The main thread's pipeline then keeps the state it had before the run, and
 * the parallel pipeline is closed.
 *
 * The gpu backend keeps its arrays in one thread's device context, so a parallel run
 * needs a host backend (`wasm`, `ts`, or any backend computing in host memory); `start`
 * refuses the gpu backend.
 *
 * @example
 * const recipe = { module: new URL('./my-pipeline.ts', import.meta.url).href, options: { seed: 1 } };
 * const pipe = new Pipeline(await configFromRecipe(recipe));
 * const parallel = await ParallelPipeline.start(pipe, { recipe, workers: 2, host: nodeWorkerHost() });
 * await parallel.run(1000, (j) => examples[j]);
 * pipe.params(); // the trained weights, as after pipe.run(1000, …)
 * parallel.close();
 *
 * @module
 */
import { getBackend } from '../../core/index.js';
import type { Example, Pipeline, SampleResult, VersionRecord } from '../engine.js';
import { checkCount } from '../instruction.js';
import type { StageState } from '../stage.js';
import type { WorkerHandle, WorkerHost } from './host.js';
import { errorFromWire, type DoneMessage, type ToMain } from './protocol.js';
import { describeStructure, type PipelineRecipe } from './recipe.js';
import { assignWorkers, type WorkerAssignment } from './worker-assignment.js';
import { fromWire, toWire } from './wire.js';

/** How to run a pipeline in parallel. */
export interface ParallelOptions {
  /** How each worker builds the pipeline (the same structure as the main thread's). */
  recipe: PipelineRecipe;
  /** Number of workers W, from 1 to the number of stages. */
  workers: number;
  /** Starts the workers (`nodeWorkerHost()` from `pipegrad/pipeline/node` in Node). */
  host: WorkerHost;
  /** A cost per stage to balance (default: every stage 1); e.g. `stageCosts(pipe, input)`. */
  stageCosts?: readonly number[];
  /** Examples sent to stage 1 ahead of the one it runs (default 8). */
  prefetch?: number;
}

/** What a parallel run did, per worker and in all. */
export interface ParallelRunStats {
  /** Samples (or micro-batches) run. */
  samples: number;
  /** Seconds from sending the run to the last worker's report. */
  seconds: number;
  /** Messages between workers, per sample. */
  workerMessagesPerSample: number;
  /** All messages of the run (between workers, and with the main thread), per sample. */
  messagesPerSample: number;
  /** Per worker, in order. */
  workers: WorkerRunStats[];
}

/** What one worker did in a parallel run. */
export interface WorkerRunStats {
  /** Its first and last stage. */
  stages: readonly [number, number];
  /** Seconds from the start of the run to its end in the worker. */
  seconds: number;
  /** Of those, seconds spent waiting for a message from another worker or the main thread. */
  waitSeconds: number;
  /** Messages it sent to other workers. */
  messagesSent: number;
  /** CPU seconds its thread used, when the host can measure it (the Node host on Linux). */
  cpuSeconds?: number;
}

/** A run in progress: how to end it. */
interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A pipeline whose runs execute on workers; see the module description. */
export class ParallelPipeline {
  /** The main thread's pipeline: every stage's state between runs. */
  readonly pipeline: Pipeline;
  /** Which worker runs which stages. */
  readonly assignment: WorkerAssignment;
  private readonly workers: WorkerHandle[];
  private readonly prefetch: number;
  private pending: Pending | null = null;
  private handler: (worker: number, message: ToMain) => void = () => undefined;
  private closed = false;

  private constructor(pipeline: Pipeline, assignment: WorkerAssignment, workers: WorkerHandle[], prefetch: number) {
    this.pipeline = pipeline;
    this.assignment = assignment;
    this.workers = workers;
    this.prefetch = prefetch;
    workers.forEach((worker, w) => {
      worker.listen((message) => this.receive(w, message as ToMain));
      worker.onError((error) => this.fail(error));
    });
  }

  /**
   * Start `options.workers` workers for `pipeline`: assign the stages, have every
   * worker build the pipeline from the recipe, connect each pair of workers with a
   * message channel, and check that every worker built the same structure as
   * `pipeline`.
   *
   * @throws when the worker count does not fit the stages, the current backend is the
   *   gpu backend, a worker cannot build the pipeline, or builds a different one.
   */
  static async start(pipeline: Pipeline, options: ParallelOptions): Promise<ParallelPipeline> {
    const backend = getBackend().name;
    if (backend.startsWith('gpu') && options.workers !== 1) {
      throw new Error(`parallel pipeline: the ${backend} backend runs in one thread only; use 1 worker, or a host backend such as wasm or ts for ${options.workers}`);
    }
    const S = pipeline.stages.length;
    const costs = options.stageCosts ?? pipeline.stages.map(() => 1);
    if (costs.length !== S) throw new Error(`parallel pipeline: stageCosts has ${costs.length} entries for ${S} stages`);
    const assignment = assignWorkers(costs, options.workers);
    const prefetch = checkCount('prefetch', options.prefetch ?? 8);
    const workers = assignment.ranges.map(() => options.host.start());
    const parallel = new ParallelPipeline(pipeline, assignment, workers, prefetch);
    const descriptions: string[] = [];
    await parallel.exchange((w, message) => {
      if (message.type !== 'ready') return false;
      descriptions[w] = message.description;
      return descriptions.filter((d) => d !== undefined).length === workers.length;
    }, () => {
      const ports = workers.map((): { worker: number; port: MessagePort }[] => []);
      for (let a = 0; a < workers.length; a++) {
        for (let b = a + 1; b < workers.length; b++) {
          const channel = new MessageChannel();
          ports[a].push({ worker: b, port: channel.port1 });
          ports[b].push({ worker: a, port: channel.port2 });
        }
      }
      workers.forEach((worker, w) => {
        worker.post(
          { type: 'init', worker: w, ranges: assignment.ranges, recipe: options.recipe, backend, peers: ports[w] },
          ports[w].map((p) => p.port),
        );
      });
    });
    const expected = describeStructure(pipeline);
    const differs = descriptions.findIndex((d) => d !== expected);
    if (differs >= 0) {
      parallel.close();
      throw new Error(`parallel pipeline: the recipe builds another pipeline in worker ${differs + 1} than the main thread's: ${firstDifference(descriptions[differs], expected)}`);
    }
    return parallel;
  }

  /**
   * Train on `samples` samples `data(0) … data(samples−1)` on the workers; resolves
   * when every sample's update has been applied and the main thread's pipeline holds
   * the new state. The same contract as {@link Pipeline.run}, asynchronous.
   *
   * @throws (rejects) with the error of the first thing that failed; see the module description.
   */
  run(samples: number, data: (j: number) => Example, onSample?: (r: SampleResult) => void): Promise<ParallelRunStats> {
    checkCount('samples', samples);
    const { pipeline, assignment } = this;
    const W = this.workers.length;
    const targets = new Map<number, Example['target']>();
    const done: DoneMessage[] = [];
    let sent = 0;
    let consumed = 0;
    let mainMessages = 0;
    const started = performance.now();
    const feed = (): void => {
      while (sent < samples && sent < consumed + this.prefetch) {
        const example = data(sent);
        targets.set(sent, example.target);
        const transfer: Transferable[] = [];
        this.workers[0].post({ type: 'example', sample: sent, example: toWire(example, transfer) }, transfer);
        sent++;
        mainMessages++;
      }
    };
    return this.exchange(
      (w, message) => {
        mainMessages++;
        if (message.type === 'consumed') {
          consumed++;
          feed();
        } else if (message.type === 'sample') {
          const target = targets.get(message.sample)!;
          targets.delete(message.sample);
          onSample?.({ sample: message.sample, loss: message.loss, outputs: fromWire(message.outputs) as SampleResult['outputs'], target });
        } else if (message.type === 'done') {
          done[w] = message;
          return done.filter((d) => d !== undefined).length === W;
        }
        return false;
      },
      () => {
        this.workers.forEach((worker, w) => {
          const [first, last] = assignment.ranges[w];
          const transfer: Transferable[] = [];
          const states = pipeline.stages.slice(first - 1, last).map((stage) => toWire(stage.save(), transfer));
          worker.post({ type: 'run', samples, states }, transfer);
        });
        feed();
      },
    ).then(() => {
      const versions: VersionRecord[] = [];
      done.forEach((message, w) => {
        const [first] = assignment.ranges[w];
        message.states.forEach((state, k) => pipeline.stages[first - 1 + k].restore(fromWire(state) as StageState));
        message.memory.forEach((m, k) => {
          const mine = pipeline.memory[first - 1 + k];
          mine.peakInFlight = Math.max(mine.peakInFlight, m.peakInFlight);
          mine.peakActivationBytes = Math.max(mine.peakActivationBytes, m.peakActivationBytes);
          mine.peakWeightVersionBytes = Math.max(mine.peakWeightVersionBytes, m.peakWeightVersionBytes);
        });
        versions.push(...message.versions);
      });
      if (versions.length > 0) pipeline.versions.push(...inScheduleOrder(pipeline, samples, versions));
      const workerMessages = done.reduce((n, d) => n + d.timings.messagesSent, 0);
      return {
        samples,
        seconds: (performance.now() - started) / 1000,
        workerMessagesPerSample: workerMessages / samples,
        messagesPerSample: (workerMessages + mainMessages) / samples,
        workers: done.map((d, w) => ({ stages: assignment.ranges[w], ...d.timings })),
      };
    });
  }

  /** Stop every worker. The main thread's pipeline keeps its state. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const worker of this.workers) worker.terminate();
  }

  /**
   * Start an exchange with the workers (`begin`) and settle when `onMessage` says it is
   * complete; an error from any worker, or thrown by `begin` or `onMessage`, fails it.
   */
  private exchange(onMessage: (worker: number, message: ToMain) => boolean, begin: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error('parallel pipeline: it is closed (a run failed, or close() was called); start a new one'));
    if (this.pending !== null) return Promise.reject(new Error('parallel pipeline: a run is already in progress; await it first'));
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve: resolve as (value: unknown) => void, reject };
      this.handler = (w, message) => {
        if (message.type === 'error') throw errorFromWire(message.error);
        if (onMessage(w, message)) this.settle(null);
      };
      try {
        begin();
      } catch (e) {
        this.fail(e);
      }
    });
  }

  private receive(worker: number, message: ToMain): void {
    if (this.closed) return;
    try {
      this.handler(worker, message);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Stop every worker and reject the exchange in progress with `error`. */
  private fail(error: unknown): void {
    const pending = this.pending;
    this.close();
    this.settle(error instanceof Error ? error : new Error(String(error)), pending);
  }

  private settle(error: Error | null, pending = this.pending): void {
    this.pending = null;
    this.handler = () => undefined;
    if (pending === null) return;
    if (error === null) pending.resolve(undefined);
    else pending.reject(error);
  }
}

/** The records in the order the single-thread engine makes them: the order of their instructions in the schedule. */
function inScheduleOrder(pipeline: Pipeline, samples: number, records: VersionRecord[]): VersionRecord[] {
  const position = new Map<string, number>();
  let n = 0;
  for (const tick of pipeline.schedule(samples).ticks()) for (const ins of tick) position.set(`${ins.kind}${ins.stage}/${ins.sample}`, n++);
  return records.slice().sort((a, b) => position.get(`${a.phase}${a.stage}/${a.sample}`)! - position.get(`${b.phase}${b.stage}/${b.sample}`)!);
}

/** The first line where two structure descriptions differ, both ways. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, k) => line !== e[k]);
  const k = i < 0 ? a.length : i;
  return `'${a[k] ?? '(nothing)'}' where the main thread has '${e[k] ?? '(nothing)'}'`;
}
