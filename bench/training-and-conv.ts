/**
 * The parts of `npm run bench` that the work outside the GEMM decides: the conv layer
 * (`bench/conv.ts`) and training throughput (`bench/training.ts`), on both pipegrad
 * backends, with the three targets they carry. A quicker run than the whole benchmark
 * (no matrix-product sweep, no NumPy, no GPU) for measuring a change to the per-op work:
 * run it before and after, twice each, and compare the ratios of the same run.
 *
 * @example
 * npx tsx bench/training-and-conv.ts
 * npx tsx bench/training-and-conv.ts --json
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { benchConv } from './conv.js';
import { onBackend } from './sides.js';
import { benchResnet, benchTraining } from './training.js';

const seed = 0;
const trainingSamples = 2000;
const resnetSamples = { wasm: 60, ts: 20 };

async function main(): Promise<void> {
  tf.enableProdMode();
  const load = os.loadavg()[0];
  const conv = await benchConv(seed);
  const mnist = { wasm: onBackend('wasm', () => benchTraining(trainingSamples, seed)), ts: onBackend('ts', () => benchTraining(trainingSamples, seed)) };
  const resnet = { wasm: onBackend('wasm', () => benchResnet(resnetSamples.wasm, seed)), ts: onBackend('ts', () => benchResnet(resnetSamples.ts, seed)) };
  const forward = conv.forward.tfjs.wasm!.bestCpuMs / conv.forward.pipegrad.wasm.bestCpuMs;
  const convTs = conv.forwardBackward.pipegrad.ts.bestCpuMs / conv.forwardBackward.pipegrad.wasm.bestCpuMs;
  const job = mnist.wasm.samplesPerCpuSecond / mnist.ts.samplesPerCpuSecond;
  const res = resnet.wasm.samplesPerCpuSecond / resnet.ts.samplesPerCpuSecond;
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ load, conv, training: { mnist, resnet }, ratios: { forward, convTs, job, resnet: res } }, null, 2));
    return;
  }
  const ms = (t: { bestCpuMs: number; bestMs: number }): string => `${t.bestCpuMs.toFixed(2)} (${t.bestMs.toFixed(2)})`;
  const rate = (r: { samplesPerCpuSecond: number; samplesPerSecond: number }): string => `${r.samplesPerCpuSecond.toFixed(1)} (${r.samplesPerSecond.toFixed(1)})`;
  console.log([
    `${new Date().toISOString()}, Node ${process.version}, load average ${load.toFixed(2)} at start; CPU time (wall)`,
    `conv 3×3 32→32, 32×32, batch 1, ms: forward wasm ${ms(conv.forward.pipegrad.wasm)}, ts ${ms(conv.forward.pipegrad.ts)}, tfjs-wasm ${ms(conv.forward.tfjs.wasm!)}: wasm/tfjs-wasm ${forward.toFixed(2)}x`,
    `  forward+backward wasm ${ms(conv.forwardBackward.pipegrad.wasm)}, ts ${ms(conv.forwardBackward.pipegrad.ts)}: wasm/ts ${convTs.toFixed(1)}x`,
    `smallcnn (default job), samples/s: wasm ${rate(mnist.wasm)}, ts ${rate(mnist.ts)}: ${job.toFixed(2)}x; mean loss ${mnist.wasm.meanLoss.toFixed(4)} / ${mnist.ts.meanLoss.toFixed(4)}`,
    `resnet20, samples/s: wasm ${rate(resnet.wasm)}, ts ${rate(resnet.ts)}: ${res.toFixed(2)}x; mean loss ${resnet.wasm.meanLoss.toFixed(4)} / ${resnet.ts.meanLoss.toFixed(4)}`,
  ].join('\n'));
}

await main();
