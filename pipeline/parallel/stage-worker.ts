/**
 * The worker side of a parallel run: a worker builds the whole pipeline from the
 * recipe, runs the instructions of its own stages, and sends what they produce for
 * other workers' stages to those workers.
 *
 * The worker keeps its stages' instructions in one queue per stage, each in the
 * schedule's order, and runs the earliest one (by tick, then place in the tick) whose
 * input has arrived — a forward at the worker's first stage needs the previous worker's
 * activations, a backward at its last stage the next worker's gradients, the last stage
 * the sample's target, stage 1 the example from the main thread. When nothing can run,
 * it waits for the next message. So a stage that waits for a message does not hold up
 * the worker's other stages, and there is no barrier per tick: a worker runs ahead until
 * every one of its stages needs a value another worker has not produced yet.
 *
 * A stage's own instructions still run in the schedule's order, and, as in the
 * single-thread engine, a forward sees the stage as it was at the start of its tick (the
 * snapshot is taken before the stage's first instruction of the tick). The values each
 * instruction works on are the ones the schedule says, so every result is the
 * single-thread engine's, bit for bit, whatever the workers' speeds, however their stages
 * are assigned and in whatever order the stages' instructions interleave.
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
    // Whether an instruction of this worker has its input: stage 1's example from the main thread, else the engine's message.
    const ready = (ins: Instruction): boolean => (ins.kind === 'F' && ins.stage === 1 ? this.examples.has(ins.sample) : pipe.missingInput(ins) === null);

    pipe.begin(data, onSample, post);
    this.running = true;
    for (const m of this.early) pipe.deliver(m);
    this.early = [];
    const queue = new StageQueues(pipe.schedule(message.samples).ticks(), first, last);
    for (;;) {
      const next = queue.nextReady(ready);
      if (next !== null) {
        queue.take(next, (stage) => pipe.stages[stage - 1].snapshot());
        pipe.execute(next.instruction, queue.startOf(next.instruction.stage));
        continue;
      }
      if (queue.pull()) continue;
      if (queue.finished) break;
      const t = performance.now();
      await new Promise<void>((resume) => (this.waiting = { ready: () => queue.nextReady(ready) !== null, resume }));
      waitMs += performance.now() - t;
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

/** One of a worker's instructions, waiting in its stage's queue. */
interface Queued {
  readonly instruction: Instruction;
  /** The tick it belongs to, and its place in the tick: the schedule's order. */
  readonly tick: number;
  readonly place: number;
  /** Whether it is its stage's first instruction of a tick in which the stage runs a forward. */
  readonly snapshotFirst: boolean;
}

/**
 * A worker's own instructions as one queue per stage, each in the schedule's order,
 * filled tick by tick from the schedule's stream.
 *
 * The worker runs the earliest instruction (by tick, then place in the tick) whose input
 * has arrived, which is the schedule's order whenever nothing is missing. When a stage's
 * next instruction waits for a message, the worker's other stages go on: their
 * instructions do not depend on it, since what crosses between stages crosses as
 * messages, and a stage's own instructions stay in order, so its weights, optimizer and
 * mitigation state go through the same steps. A forward sees its stage as the tick's
 * start had it: the snapshot is taken just before the stage's first instruction of the
 * tick, when no instruction of that tick has touched the stage yet.
 */
class StageQueues {
  private readonly ticks: Iterator<readonly Instruction[]>;
  private readonly first: number;
  private readonly queues: Queued[][];
  private readonly starts: (StageSnapshot | undefined)[];
  /** Ticks pulled from the stream so far. */
  private pulled = 0;
  private exhausted = false;
  /** How many ticks past the oldest unfinished one the queues may hold: a bound on how much of the schedule's stream is held at once. */
  private readonly lookahead: number;

  constructor(ticks: Iterable<readonly Instruction[]>, first: number, last: number) {
    this.ticks = ticks[Symbol.iterator]();
    this.first = first;
    this.queues = Array.from({ length: last - first + 1 }, () => []);
    this.starts = this.queues.map(() => undefined);
    this.lookahead = last - first + 2;
  }

  /** True when the stream has ended and every instruction has been taken. */
  get finished(): boolean {
    return this.exhausted && this.queues.every((q) => q.length === 0);
  }

  /**
   * Add the next tick's instructions of this worker's stages to their queues; false when
   * the stream has ended or the queues already reach `lookahead` ticks past the oldest
   * instruction not yet run.
   */
  pull(): boolean {
    if (this.exhausted) return false;
    let oldest = this.pulled;
    for (const q of this.queues) if (q.length > 0) oldest = Math.min(oldest, q[0].tick);
    if (this.pulled - oldest >= this.lookahead) return false;
    const next = this.ticks.next();
    if (next.done) {
      this.exhausted = true;
      return false;
    }
    const tick = this.pulled++;
    const last = this.first + this.queues.length - 1;
    const forwards = new Set<number>();
    for (const ins of next.value) if (ins.kind === 'F') forwards.add(ins.stage);
    const seen = new Set<number>();
    next.value.forEach((instruction, place) => {
      const { stage } = instruction;
      if (stage < this.first || stage > last) return;
      this.queues[stage - this.first].push({ instruction, tick, place, snapshotFirst: !seen.has(stage) && forwards.has(stage) });
      seen.add(stage);
    });
    return true;
  }

  /** The earliest instruction at the head of a stage's queue that `ready` accepts, or null. */
  nextReady(ready: (instruction: Instruction) => boolean): Queued | null {
    let best: Queued | null = null;
    for (const q of this.queues) {
      const head = q[0];
      if (head === undefined || (best !== null && (head.tick > best.tick || (head.tick === best.tick && head.place > best.place)))) continue;
      if (ready(head.instruction)) best = head;
    }
    return best;
  }

  /** Remove `queued` from the head of its stage's queue, taking the stage's tick-start snapshot first if it opens such a tick. */
  take(queued: Queued, snapshot: (stage: number) => StageSnapshot): void {
    const k = queued.instruction.stage - this.first;
    if (queued.snapshotFirst) this.starts[k] = snapshot(queued.instruction.stage);
    this.queues[k].shift();
  }

  /** The tick-start snapshot for a forward of `stage` in the tick it is running. */
  startOf(stage: number): StageSnapshot | undefined {
    return this.starts[stage - this.first];
  }
}
