/**
 * `npm run bench` part 2: pipeline parallelism on worker threads.
 *
 * For `smallcnn` and `resnet20`, fine-grained `pb+sc+lwp` at batch size 1, in one run:
 *
 * 1. samples/s of the single-thread engine (`--workers 1`) and of 2 workers, on the
 *    same seeded synthetic data (inputs ~ N(0, 1) of the model's input shape, labels
 *    `j mod 10`), after the same warm-up run, in alternating rounds (one run of each per
 *    round, both pipelines continuing), so that a change in the machine's load hits
 *    both; a round's rate is taken over the steady state (the samples between 20% and
 *    90% of the run, from the times their losses arrive) and over the whole run, and
 *    the report gives the best round of each (the least disturbed by other work) and
 *    the median of the rounds' ratios;
 * 2. the speed-up the cost-balanced assignment (`stageCosts`) predicts (`assignWorkers`), the
 *    measured one and their ratio; messages per sample and each worker's waiting time;
 *    and the CPU time each thread used (Linux, `threadClock`): the single thread's CPU
 *    seconds over the busiest worker's is the speed-up two free cores would give, a
 *    figure the other jobs on a shared machine barely change;
 * 3. a check that the weights after both runs are bit for bit the same;
 * 4. resnet20 on 3 and 4 workers (more threads than this machine may have cores:
 *    correctness, not speed), each checked bit for bit against a single-thread run;
 * 5. the predicted speed-up for 2, 4, 8 and 16 workers on resnet20 and resnet56 (no
 *    timing: the cost per stage);
 * 6. one bundle across threads by structured clone, by transfer and through a
 *    `SharedArrayBuffer` (`bench/messages.ts`).
 *
 * The 1-minute load average is printed at the start and the end: on a shared machine
 * the 2-worker speed-up is bounded by the cores other work leaves free.
 *
 * @example
 * npx tsx bench/workers.ts            # a report
 * npx tsx bench/workers.ts --json     # the same figures as JSON
 *
 * @module
 */
import os from 'node:os';
import { randn, Rng, zeros, type Data } from '../core/index.js';
import { createModel } from '../nn/index.js';
import { assignWorkers, configFromRecipe, ParallelPipeline, Pipeline, resolveMethod, sgdForMethod, stageCosts, type Example, type ParallelRunStats } from '../pipeline/index.js';
import { nodeWorkerHost, threadClock } from '../pipeline/node.js';
import { benchMessages, type MessageTiming } from './messages.js';
import type { BenchRecipeOptions } from './workers-recipe.js';

const seed = 0;
/**
 * Samples every pipeline runs before the timed rounds. V8 compiles the hot code of
 * each thread (every worker is an isolate of its own) over the first tens of samples,
 * on helper threads that compete with the workers for the cores; after 100 samples of
 * resnet20 the compiler is quiet and the rounds measure the steady state.
 */
const warmup = 100;
const recipeModule = new URL('./workers-recipe.ts', import.meta.url).href;
const inputShapes: Record<string, number[]> = { smallcnn: [1, 28, 28], resnet20: [3, 32, 32], resnet56: [3, 32, 32] };

/** A timed run: rate over the steady state and over the whole run, and the CPU seconds of the thread that ran it (single thread), when known. */
interface Timed {
  samplesPerSecond: number;
  steadySamplesPerSecond: number;
  cpuSeconds?: number;
  /**
   * CPU seconds of the whole process during the run (`process.resourceUsage`): every
   * thread, the workers and V8's own helper threads (concurrent and parallel garbage
   * collection) included. On a saturated machine this, not one thread's time, is what
   * has to fit into the cores.
   */
  processCpuSeconds: number;
}

/** One model's comparison of 1 and 2 workers. */
interface ModelResult {
  model: string;
  stages: number;
  /** Samples per run. */
  samples: number;
  /** Each round's single-thread run. */
  singleRounds: Timed[];
  /** Each round's 2-worker run. */
  parallelRounds: Timed[];
  /** The best round of each (steady state). */
  single: Timed;
  parallel: Timed;
  predictedSpeedup: number;
  /** Best 2-worker round / best single-thread round (steady state). */
  measuredSpeedup: number;
  /** The median over rounds of 2-worker / single-thread (steady state). */
  medianRoundSpeedup: number;
  /** measured / predicted. */
  ofPrediction: number;
  /** Per round: the single thread's CPU seconds / the busiest worker's (when the threads' CPU time is known). */
  cpuSpeedups: number[];
  ranges: readonly (readonly [number, number])[];
  stats: ParallelRunStats;
  identical: boolean;
}

/** A correctness run on more workers. */
interface CorrectnessRun {
  workers: number;
  samples: number;
  samplesPerSecond: number;
  identical: boolean;
}

/** `n` seeded examples of a model's input shape. */
function examples(model: string, n: number): Example[] {
  const rng = new Rng(seed + 1);
  return Array.from({ length: n }, (_, j) => ({ input: randn([1, ...inputShapes[model]], rng), target: Int32Array.of(j % 10) }));
}

function recipe(model: string): { module: string; options: BenchRecipeOptions } {
  return { module: recipeModule, options: { model, seed } };
}

/** Time a run by the arrival of its losses: `run` gets the `onSample` that stamps them. */
async function timed(samples: number, run: (onSample: () => void) => Promise<unknown> | void): Promise<Timed> {
  const stamps: number[] = [];
  const cpu = threadClock?.cpuSeconds();
  const usage = process.resourceUsage();
  const start = performance.now();
  await run(() => stamps.push(performance.now()));
  const seconds = (performance.now() - start) / 1000;
  const after = process.resourceUsage();
  const a = Math.floor(0.2 * samples);
  const b = Math.floor(0.9 * samples);
  return {
    samplesPerSecond: samples / seconds,
    steadySamplesPerSecond: ((b - a) * 1000) / (stamps[b] - stamps[a]),
    processCpuSeconds: (after.userCPUTime + after.systemCPUTime - usage.userCPUTime - usage.systemCPUTime) / 1e6,
    ...(cpu === undefined ? {} : { cpuSeconds: threadClock!.cpuSeconds() - cpu }),
  };
}

function median(xs: number[]): number {
  return xs.slice().sort((a, b) => a - b)[xs.length >> 1];
}

function weights(pipe: Pipeline): Map<string, Data> {
  return new Map([...pipe.params()].map(([k, v]) => [k, v.data]));
}

function same(a: Map<string, Data>, b: Map<string, Data>): boolean {
  return [...a].every(([k, x]) => {
    const y = b.get(k)!;
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  });
}

/** Warm up and run `samples` samples on the single-thread engine. */
async function single(model: string, samples: number, data: Example[]): Promise<{ pipe: Pipeline; timing: Timed }> {
  const pipe = new Pipeline(await configFromRecipe(recipe(model)));
  pipe.run(warmup, (j) => data[j]);
  const timing = await timed(samples, (onSample) => pipe.run(samples, (j) => data[warmup + j], onSample));
  return { pipe, timing };
}

/** Warm up and run `samples` samples on `workers` workers, balanced by `stageCosts`. */
async function parallel(model: string, workers: number, samples: number, data: Example[]): Promise<{ pipe: Pipeline; timing: Timed; stats: ParallelRunStats; ranges: readonly (readonly [number, number])[] }> {
  const pipe = new Pipeline(await configFromRecipe(recipe(model)));
  const costs = stageCosts(pipe, zeros([1, ...inputShapes[model]]));
  const running = await ParallelPipeline.start(pipe, { recipe: recipe(model), workers, host: nodeWorkerHost(), stageCosts: costs });
  try {
    await running.run(warmup, (j) => data[j]);
    let stats: ParallelRunStats | undefined;
    const timing = await timed(samples, async (onSample) => {
      stats = await running.run(samples, (j) => data[warmup + j], onSample);
    });
    return { pipe, timing, stats: stats!, ranges: running.assignment.ranges };
  } finally {
    running.close();
  }
}

async function compareModel(model: string, samples: number, rounds: number): Promise<ModelResult> {
  const data = examples(model, warmup + rounds * samples);
  const one = new Pipeline(await configFromRecipe(recipe(model)));
  const two = new Pipeline(await configFromRecipe(recipe(model)));
  const costs = stageCosts(two, zeros([1, ...inputShapes[model]]));
  const running = await ParallelPipeline.start(two, { recipe: recipe(model), workers: 2, host: nodeWorkerHost(), stageCosts: costs });
  const singleRounds: Timed[] = [];
  const parallelRounds: Timed[] = [];
  let stats: ParallelRunStats | undefined;
  const cpuSpeedups: number[] = [];
  try {
    one.run(warmup, (j) => data[j]);
    await running.run(warmup, (j) => data[j]);
    for (let r = 0; r < rounds; r++) {
      const base = warmup + r * samples;
      const alone = await timed(samples, (onSample) => one.run(samples, (j) => data[base + j], onSample));
      singleRounds.push(alone);
      parallelRounds.push(await timed(samples, async (onSample) => void (stats = await running.run(samples, (j) => data[base + j], onSample))));
      const busiest = Math.max(...stats!.workers.map((w) => w.cpuSeconds ?? NaN));
      if (alone.cpuSeconds !== undefined && Number.isFinite(busiest)) cpuSpeedups.push(alone.cpuSeconds / busiest);
    }
  } finally {
    running.close();
  }
  const best = (runs: Timed[]): Timed => runs.reduce((a, b) => (b.steadySamplesPerSecond > a.steadySamplesPerSecond ? b : a));
  const ratios = parallelRounds.map((p, r) => p.steadySamplesPerSecond / singleRounds[r].steadySamplesPerSecond).sort((a, b) => a - b);
  const predicted = assignWorkers(costs, 2).predictedSpeedup;
  const measured = best(parallelRounds).steadySamplesPerSecond / best(singleRounds).steadySamplesPerSecond;
  return {
    model,
    stages: one.stages.length,
    samples,
    singleRounds,
    parallelRounds,
    single: best(singleRounds),
    parallel: best(parallelRounds),
    predictedSpeedup: predicted,
    measuredSpeedup: measured,
    medianRoundSpeedup: ratios[ratios.length >> 1],
    ofPrediction: measured / predicted,
    cpuSpeedups,
    ranges: running.assignment.ranges,
    stats: stats!,
    identical: same(weights(one), weights(two)),
  };
}

async function correctness(model: string, workerCounts: number[], samples: number): Promise<CorrectnessRun[]> {
  const data = examples(model, warmup + samples);
  const reference = weights((await single(model, samples, data)).pipe);
  const runs: CorrectnessRun[] = [];
  for (const workers of workerCounts) {
    const run = await parallel(model, workers, samples, data);
    runs.push({ workers, samples, samplesPerSecond: run.timing.samplesPerSecond, identical: same(reference, weights(run.pipe)) });
  }
  return runs;
}

/** The predicted speed-up of each worker count, from the cost per stage (fine-grained). */
function predictions(model: string, counts: number[]): { model: string; stages: number; speedups: { workers: number; speedup: number }[] } {
  const method = resolveMethod('pb+sc+lwp');
  const pipe = new Pipeline({ units: createModel(model, { seed }).pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0 }) });
  const flops = stageCosts(pipe, zeros([1, ...inputShapes[model]]));
  return { model, stages: pipe.stages.length, speedups: counts.map((workers) => ({ workers, speedup: assignWorkers(flops, workers).predictedSpeedup })) };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const loadBefore = os.loadavg()[0];
  const models = [await compareModel('smallcnn', 1000, 3), await compareModel('resnet20', 200, 3)];
  const more = await correctness('resnet20', [3, 4], 40);
  const predicted = [predictions('resnet20', [2, 4, 8, 16]), predictions('resnet56', [2, 4, 8, 16])];
  const messages: MessageTiming[] = await benchMessages([16 * 32 * 32, 2 * 16 * 32 * 32]);
  const machine = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.cpus().length, node: process.version, loadBefore, loadAfter: os.loadavg()[0], date: new Date().toISOString() };
  const target = models.find((m) => m.model === 'resnet20')!;
  const cpu = target.cpuSpeedups.length > 0 ? target.cpuSpeedups.slice().sort((a, b) => a - b)[target.cpuSpeedups.length >> 1] : NaN;
  const targets = [
    { target: 'resnet20: 2 workers >= 1.7x the single-thread engine', measured: `${target.measuredSpeedup.toFixed(2)}x`, met: target.measuredSpeedup >= 1.7 },
    { target: 'resnet20: measured speed-up within 10% of the prediction', measured: `${(100 * target.ofPrediction).toFixed(1)}% of ${target.predictedSpeedup.toFixed(2)}x`, met: Math.abs(target.ofPrediction - 1) <= 0.1 },
    { target: 'resnet20: CPU-time speed-up (median round) within 10% of the prediction', measured: `${cpu.toFixed(2)}x of ${target.predictedSpeedup.toFixed(2)}x`, met: Math.abs(cpu / target.predictedSpeedup - 1) <= 0.1 },
    { target: 'every parallel run bit-identical to the single-thread engine', measured: [...models.map((m) => m.identical), ...more.map((m) => m.identical)].every(Boolean) ? 'all identical' : 'DIFFERENT', met: [...models, ...more].every((m) => m.identical) },
  ];
  if (json) {
    console.log(JSON.stringify({ machine, models, more, predicted, messages, targets }, null, 2));
    return;
  }
  const lines = [
    `pipeline parallelism on worker threads: pb+sc+lwp, batch size 1, fine-grained; ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`,
    `load average ${loadBefore.toFixed(2)} at start, ${machine.loadAfter.toFixed(2)} at end, ${machine.date}`,
    '',
    `samples/s in alternating rounds of one run each; best round, steady state (whole run in parentheses); speed-up = best 2-worker round / best 1-worker round`,
    table([
      ['model', 'stages', 'rounds × samples', '1 worker', '2 workers', 'speed-up', 'median of rounds', 'predicted', 'of prediction', 'identical'],
      ...models.map((m) => [
        m.model,
        String(m.stages),
        `${m.singleRounds.length} × ${m.samples}`,
        `${m.single.steadySamplesPerSecond.toFixed(1)} (${m.single.samplesPerSecond.toFixed(1)})`,
        `${m.parallel.steadySamplesPerSecond.toFixed(1)} (${m.parallel.samplesPerSecond.toFixed(1)})`,
        `${m.measuredSpeedup.toFixed(2)}x`,
        `${m.medianRoundSpeedup.toFixed(2)}x`,
        `${m.predictedSpeedup.toFixed(2)}x`,
        `${(100 * m.ofPrediction).toFixed(0)}%`,
        m.identical ? 'yes' : 'NO',
      ]),
    ]),
    'CPU-time speed-up per round (the single thread\'s CPU seconds / the busiest worker\'s; what two free cores would give): ' +
      models.map((m) => `${m.model} ${m.cpuSpeedups.map((x) => `${x.toFixed(2)}x`).join(', ') || 'not measured'} (predicted ${m.predictedSpeedup.toFixed(2)}x)`).join('; '),
    'CPU seconds per round, whole process (all threads, V8\'s garbage-collection helpers included) [the computing threads]: ' +
      models
        .map((m) => `${m.model} 1 worker ${m.singleRounds.map((s) => `${s.processCpuSeconds.toFixed(2)} [${s.cpuSeconds?.toFixed(2) ?? '?'}]`).join(', ')}; 2 workers ${m.parallelRounds.map((p) => p.processCpuSeconds.toFixed(2)).join(', ')} [last: ${m.stats.workers.map((w) => w.cpuSeconds?.toFixed(2) ?? '?').join(' + ')}]`)
        .join('; '),
    'bound on 2 cores when they are saturated (single-thread wall seconds / (2-worker process CPU seconds / 2), median round): ' +
      models.map((m) => `${m.model} ${median(m.parallelRounds.map((p, r) => (m.samples / m.singleRounds[r].samplesPerSecond) / (p.processCpuSeconds / 2))).toFixed(2)}x`).join('; '),
    'rounds, steady-state samples/s (1 worker / 2 workers): ' + models.map((m) => `${m.model} ${m.singleRounds.map((s, r) => `${s.steadySamplesPerSecond.toFixed(1)}/${m.parallelRounds[r].steadySamplesPerSecond.toFixed(1)}`).join(', ')}`).join('; '),
    '',
    'per worker (2 workers, last round): stages, seconds waiting for a message / seconds of the run (CPU seconds); messages per sample',
    table([
      ['model', 'worker 1', 'worker 2', 'between workers', 'all'],
      ...models.map((m) => [
        m.model,
        ...m.stats.workers.map((w) => `${w.stages[0]}-${w.stages[1]}: ${w.waitSeconds.toFixed(2)} / ${w.seconds.toFixed(2)} s (${w.cpuSeconds?.toFixed(2) ?? '?'})`),
        m.stats.workerMessagesPerSample.toFixed(2),
        m.stats.messagesPerSample.toFixed(2),
      ]),
    ]),
    '',
    'resnet20 on more workers than cores (correctness, not speed)',
    table([['workers', 'samples', 'samples/s', 'identical'], ...more.map((r) => [String(r.workers), String(r.samples), r.samplesPerSecond.toFixed(1), r.identical ? 'yes' : 'NO'])]),
    '',
    'predicted speed-up from the cost per stage (fine-grained)',
    table([['model', 'stages', ...predicted[0].speedups.map((s) => `${s.workers} workers`)], ...predicted.map((p) => [p.model, String(p.stages), ...p.speedups.map((s) => `${s.speedup.toFixed(2)}x`)])]),
    '',
    'one message between two threads, µs one way (round trips to an echo worker / 2)',
    table([['float32 values', 'clone', 'copy + transfer', 'SharedArrayBuffer'], ...messages.map((m) => [String(m.values), m.cloneUs.toFixed(1), m.transferUs.toFixed(1), m.sharedUs.toFixed(1)])]),
    '',
    'targets',
    table(targets.map((t) => [t.target, t.measured, t.met ? 'met' : 'NOT met'])),
  ];
  console.log(lines.join('\n'));
}

await main();
