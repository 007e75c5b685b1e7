/**
 * The worker side of a parallel run: a worker builds the whole pipeline from the
 * recipe, runs the instructions of its own stages, and sends what they produce for
 * other workers' stages to those workers.
 *
 * For every tick of the schedule, in order, the worker takes the instructions of its
 * stages, in the tick's order. As the single-thread engine does, it first snapshots
 * every stage that runs a forward in the tick (a forward sees the weights of the tick's
 * start), then executes them. Before each instruction it checks that its input has
 * arrived — a forward at the worker's first stage needs the previous worker's
 * activations, a backward at its last stage the next worker's gradients, the last
 * stage the sample's target, stage 1 the example from the main thread — and if not,
 * waits for that message. There is no barrier per tick: a worker runs ahead until it
 * needs a value another worker has not produced yet. The values each instruction works
 * on are the ones the schedule says, so every result is the single-thread engine's,
 * bit for bit, whatever the workers' speeds and however their stages are assigned.
 *
 * Messages that arrive before the worker has started the run they belong to (another
 * worker started first) are kept and handed to the pipeline when the run begins.
 *
 * @module
 */
import { useBackend } from '../../core/index.js';
import { Pipeline, type Example } from '../engine.js';
import type { StageMessage } from '../mailbox.js';
import type { Instruction } from '../instruction.js';
import type { StageState, StageSnapshot } from '../stage.js';
import { portEndpoint, type Endpoint } from './host.js';
import { errorToWire, type InitMessage, type RunMessage, type ToWorker } from './protocol.js';
import { configFromRecipe, describeStructure } from './recipe.js';
import { fromWire, stageMessageFromWire, toWire } from './wire.js';

/** How a worker reads the CPU time its own thread has used, where the platform can tell. */
export interface WorkerClock {
  /** CPU seconds this thread has used so far. */
  cpuSeconds(): number;
}

/**
 * Serve as a worker of a parallel pipeline: answer the main thread's messages on
 * `main`. The worker entry of a platform calls it once (`pipeline/node-worker.ts` with
 * the `worker_threads` parent port; in a browser, a module worker with `self`). With a
 * `clock`, each run reports the CPU time the worker used.
 */
export function serveStageWorker(main: Endpoint, clock?: WorkerClock): void {
  const worker = new StageWorker(main, clock);
  main.listen((message) => worker.receive(message as ToWorker));
}

/** One worker's state across runs. */
class StageWorker {
  private readonly main: Endpoint;
  private pipe: Pipeline | null = null;
  private index = 0;
  /** The worker that runs each stage (index `s − 1`). */
  private owners: number[] = [];
  private first = 0;
  private last = 0;
  private readonly peers = new Map<number, Endpoint>();
  private readonly examples = new Map<number, Example>();
  /** Stage messages that came before the run they belong to began. */
  private early: StageMessage[] = [];
  private running = false;
  private failed = false;
  /** The instruction the run waits to execute, and how to let it go on. */
  private waiting: { ready: () => boolean; resume: () => void } | null = null;

  private readonly clock: WorkerClock | undefined;

  constructor(main: Endpoint, clock: WorkerClock | undefined) {
    this.main = main;
    this.clock = clock;
  }

  /** Handle one message from the main thread or another worker. */
  receive(message: ToWorker): void {
    if (this.failed) return;
    try {
      switch (message.type) {
        case 'init':
          this.init(message).catch((e: unknown) => this.fail(e));
          return;
        case 'run':
          this.run(message).catch((e: unknown) => this.fail(e));
          return;
        case 'example':
          this.examples.set(message.sample, fromWire(message.example) as Example);
          break;
        case 'stage': {
          const stageMessage = stageMessageFromWire(message.message);
          if (this.running) this.pipe!.deliver(stageMessage);
          else this.early.push(stageMessage);
          break;
        }
      }
      if (this.waiting?.ready()) {
        const { resume } = this.waiting;
        this.waiting = null;
        resume();
      }
    } catch (e) {
      this.fail(e);
    }
  }

  private async init(message: InitMessage): Promise<void> {
    // The main thread's backend, before the model is built, as the trainer does it.
    await useBackend(message.backend);
    const config = await configFromRecipe(message.recipe);
    this.pipe = new Pipeline(config);
    this.index = message.worker;
    [this.first, this.last] = message.ranges[this.index];
    this.owners = [];
    message.ranges.forEach(([first, last], w) => {
      for (let s = first; s <= last; s++) this.owners[s - 1] = w;
    });
    for (const { worker, port } of message.peers) {
      const peer = portEndpoint(port);
      peer.listen((m) => this.receive(m as ToWorker));
      this.peers.set(worker, peer);
    }
    this.main.post({ type: 'ready', description: describeStructure(this.pipe) });
  }

  private async run(message: RunMessage): Promise<void> {
    const pipe = this.pipe;
    if (pipe === null) throw new Error('parallel worker: run before init');
    const { first, last } = this;
    message.states.forEach((state, k) => pipe.stages[first - 1 + k].restore(fromWire(state) as StageState));
    pipe.versions.length = 0;
    const S = pipe.stages.length;
    let messagesSent = 0;
    let waitMs = 0;
    const started = performance.now();
    const cpuStarted = this.clock?.cpuSeconds();
    const post = (m: StageMessage): void => {
      const to = this.owners[m.stage - 1];
      if (to === this.index) {
        pipe.deliver(m);
        return;
      }
      const transfer: Transferable[] = [];
      const wire = toWire(m, transfer);
      this.peers.get(to)!.post({ type: 'stage', message: wire }, transfer);
      messagesSent++;
    };
    const data = (j: number): Example => {
      const example = this.examples.get(j)!;
      this.examples.delete(j);
      this.main.post({ type: 'consumed', sample: j });
      return example;
    };
    const onSample =
      last === S
        ? (r: { sample: number; loss: number; outputs: unknown }): void => {
            const transfer: Transferable[] = [];
            this.main.post({ type: 'sample', sample: r.sample, loss: r.loss, outputs: toWire(r.outputs, transfer) }, transfer);
          }
        : undefined;
    // What an instruction of this worker still waits for, or null when it can run.
    const missing = (ins: Instruction): string | null =>
      ins.kind === 'F' && ins.stage === 1 ? (this.examples.has(ins.sample) ? null : `example ${ins.sample}`) : pipe.missingInput(ins);

    pipe.begin(data, onSample, post);
    this.running = true;
    for (const m of this.early) pipe.deliver(m);
    this.early = [];
    for (const tick of pipe.schedule(message.samples).ticks()) {
      const own = tick.filter((ins) => ins.stage >= first && ins.stage <= last);
      const start = new Map<number, StageSnapshot>();
      for (const ins of own) if (ins.kind === 'F' && !start.has(ins.stage)) start.set(ins.stage, pipe.stages[ins.stage - 1].snapshot());
      for (const ins of own) {
        if (missing(ins) !== null) {
          const t = performance.now();
          await new Promise<void>((resume) => (this.waiting = { ready: () => missing(ins) === null, resume }));
          waitMs += performance.now() - t;
        }
        pipe.execute(ins, start.get(ins.stage));
      }
    }
    pipe.end();
    this.running = false;
    const transfer: Transferable[] = [];
    const ownStages = pipe.stages.slice(first - 1, last);
    this.main.post(
      {
        type: 'done',
        states: ownStages.map((stage) => toWire(stage.save(), transfer)),
        memory: pipe.memory.slice(first - 1, last),
        versions: pipe.versions.slice(),
        timings: {
          seconds: (performance.now() - started) / 1000,
          waitSeconds: waitMs / 1000,
          messagesSent,
          ...(cpuStarted === undefined ? {} : { cpuSeconds: this.clock!.cpuSeconds() - cpuStarted }),
        },
      },
      transfer,
    );
  }

  /** Report the error to the main thread, which stops every worker. */
  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.main.post({ type: 'error', error: errorToWire(error) });
  }
}
