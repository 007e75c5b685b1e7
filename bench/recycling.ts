/**
 * `npm run bench` part 3: what reusing result buffers is worth to the single-thread
 * engine (`PipelineConfig.recycleBuffers`, `core/backend/buffer-pool.ts`).
 *
 * resnet20, fine-grained `pb+sc+lwp` at batch size 1, on the same seeded synthetic data,
 * two pipelines — one with `recycleBuffers: false` (every kernel result a fresh array),
 * one with the default — after the same warm-up, in alternating rounds (one run of each
 * per round, both pipelines continuing) so that a change in the machine's load hits
 * both. Per side: the best round's samples/s, the CPU seconds of the training thread
 * (Linux, `threadClock`) and of the whole process (V8's garbage-collection helper
 * threads included), and for the recycled side how many of the buffers a sample took
 * came from the pool. The two runs must end with the same weights, bit for bit.
 *
 * @example
 * npx tsx bench/recycling.ts            # a report
 * npx tsx bench/recycling.ts --json     # the same figures as JSON
 *
 * @module
 */
import os from 'node:os';
import { bufferPoolStats, randn, Rng, type Data } from '../core/index.js';
import { configFromRecipe, Pipeline, type Example } from '../pipeline/index.js';
import { threadClock } from '../pipeline/node.js';
import type { BenchRecipeOptions } from './workers-recipe.js';

const seed = 0;
const warmup = 100;
const samples = 200;
const rounds = 3;
const recipe = { module: new URL('./workers-recipe.ts', import.meta.url).href, options: { model: 'resnet20', seed } satisfies BenchRecipeOptions };

/** One timed run of one side. */
interface Round {
  samplesPerSecond: number;
  /** CPU seconds of the thread that trained (undefined off Linux). */
  threadCpuSeconds?: number;
  /** CPU seconds of the whole process during the run. */
  processCpuSeconds: number;
  /** Per sample: buffers lent from the pool, and buffers the pool had to allocate (recycled side). */
  reusedPerSample: number;
  allocatedPerSample: number;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const loadBefore = os.loadavg()[0];
  const rng = new Rng(seed + 1);
  const data: Example[] = Array.from({ length: warmup + rounds * samples }, (_, j) => ({ input: randn([1, 3, 32, 32], rng), target: Int32Array.of(j % 10) }));
  const config = await configFromRecipe(recipe);
  const sides = {
    fresh: new Pipeline({ ...config, recycleBuffers: false }),
    recycled: new Pipeline(await configFromRecipe(recipe)),
  };
  for (const pipe of Object.values(sides)) pipe.run(warmup, (j) => data[j]);
  const results: Record<keyof typeof sides, Round[]> = { fresh: [], recycled: [] };
  for (let r = 0; r < rounds; r++) {
    const base = warmup + r * samples;
    for (const side of ['fresh', 'recycled'] as const) {
      const pool = bufferPoolStats();
      const thread = threadClock?.cpuSeconds();
      const usage = process.resourceUsage();
      const start = performance.now();
      sides[side].run(samples, (j) => data[base + j]);
      const seconds = (performance.now() - start) / 1000;
      const after = process.resourceUsage();
      const poolAfter = bufferPoolStats();
      results[side].push({
        samplesPerSecond: samples / seconds,
        ...(thread === undefined ? {} : { threadCpuSeconds: threadClock!.cpuSeconds() - thread }),
        processCpuSeconds: (after.userCPUTime + after.systemCPUTime - usage.userCPUTime - usage.systemCPUTime) / 1e6,
        reusedPerSample: (poolAfter.reused - pool.reused) / samples,
        allocatedPerSample: (poolAfter.allocated - pool.allocated) / samples,
      });
    }
  }
  const weights = (pipe: Pipeline): Data[] => [...pipe.params().values()].map((w) => w.data);
  const [a, b] = [weights(sides.fresh), weights(sides.recycled)];
  const identical = a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, k) => Object.is(v, b[i][k])));
  const best = (runs: Round[]): Round => runs.reduce((x, y) => (y.samplesPerSecond > x.samplesPerSecond ? y : x));
  const ratios = results.recycled.map((r, k) => r.samplesPerSecond / results.fresh[k].samplesPerSecond).sort((x, y) => x - y);
  const report = {
    machine: { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.cpus().length, node: process.version, loadBefore, loadAfter: os.loadavg()[0], date: new Date().toISOString() },
    rounds: results,
    speedup: best(results.recycled).samplesPerSecond / best(results.fresh).samplesPerSecond,
    medianRoundSpeedup: ratios[ratios.length >> 1],
    identical,
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const cpu = (x: number | undefined): string => (x === undefined ? '?' : x.toFixed(2));
  const line = (side: keyof typeof sides): string =>
    `  ${side.padEnd(8)}  ${results[side].map((r) => r.samplesPerSecond.toFixed(1)).join(' / ').padStart(18)}   thread CPU s ${results[side].map((r) => cpu(r.threadCpuSeconds)).join(' / ')}   process CPU s ${results[side].map((r) => cpu(r.processCpuSeconds)).join(' / ')}`;
  const last = results.recycled[rounds - 1];
  console.log(
    [
      `reusing result buffers: resnet20, pb+sc+lwp, batch 1, one thread, ${rounds} alternating rounds of ${samples} samples after ${warmup}; load ${loadBefore.toFixed(2)} → ${report.machine.loadAfter.toFixed(2)}`,
      `  side      samples/s per round`,
      line('fresh'),
      line('recycled'),
      `  speed-up (best round / best round) ${report.speedup.toFixed(2)}x, median of rounds ${report.medianRoundSpeedup.toFixed(2)}x; per sample the recycled run took ${last.reusedPerSample.toFixed(0)} buffers from the pool and allocated ${last.allocatedPerSample.toFixed(0)}; weights ${identical ? 'bit-identical' : 'DIFFERENT'}`,
    ].join('\n'),
  );
}

await main();
