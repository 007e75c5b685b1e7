/**
 * `npm run bench`: pipegrad against `@tensorflow/tfjs` on its `cpu` backend, in one run.
 *
 * 1. matrix product GFLOP/s at n = 64 … 1024 (`bench/matmul.ts`);
 * 2. a batch-1 3×3 conv layer, forward and forward+backward (`bench/conv.ts`);
 * 3. training throughput of the default MNIST job, pipegrad only (`bench/training.ts`).
 *
 * Each comparison is reported as the ratio of speeds, pipegrad / tfjs (above 1: pipegrad
 * is faster), taken from the best round of each side, and checked against the targets
 * of the performance issue. What is computed is seeded and the same on every run; only
 * the timings vary. tfjs runs in production mode, which in 4.22 only silences its
 * console warnings (the advice to install tfjs-node would otherwise land in the output).
 * `docs/performance.md` explains the figures.
 *
 * @example
 * npm run bench             # a table
 * npm run bench -- --json   # the same figures as one JSON object
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { benchConv, convLayer, type ConvResult } from './conv.js';
import { benchMatmul, gflops, type MatmulResult } from './matmul.js';
import type { Timing } from './timing.js';
import { benchTraining, type TrainingResult } from './training.js';

const seed = 0;
const matmulSizes = [64, 128, 256, 512, 1024];
const trainingSamples = 2000;

/** The machine and software the figures came from. */
interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  /** The 1-minute load average when the run began: other work competing for the cores. */
  load: number;
  tfjs: string;
  date: string;
}

/** An issue's target and whether this run met it. */
interface Target {
  target: string;
  measured: string;
  met: boolean;
}

/** How many times faster pipegrad's best round was than tfjs's. */
function speedRatio(pipegrad: Timing, tfjs: Timing): number {
  return tfjs.bestMs / pipegrad.bestMs;
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    load: os.loadavg()[0],
    tfjs: tf.version.tfjs,
    date: new Date().toISOString(),
  };
}

function targets(matmul: MatmulResult[], conv: ConvResult): Target[] {
  const large = matmul.filter((r) => r.n >= 256);
  const lowestGflops = Math.min(...large.map((r) => gflops(r.flops, r.pipegrad.bestMs)));
  const lowestRatio = Math.min(...large.map((r) => speedRatio(r.pipegrad, r.tfjs)));
  const convRatio = speedRatio(conv.forwardBackward.pipegrad, conv.forwardBackward.tfjs);
  return [
    { target: 'matmul >= 5 GFLOP/s at n = 256-1024', measured: `lowest ${lowestGflops.toFixed(2)} GFLOP/s`, met: lowestGflops >= 5 },
    { target: 'matmul >= 3x tfjs-cpu at n = 256-1024', measured: `lowest ${lowestRatio.toFixed(1)}x`, met: lowestRatio >= 3 },
    { target: 'conv forward+backward >= 10x tfjs-cpu', measured: `${convRatio.toFixed(1)}x`, met: convRatio >= 10 },
  ];
}

const ms = (t: Timing): string => `${t.bestMs.toFixed(2)} / ${t.medianMs.toFixed(2)} (${t.roundsMs.length})`;
const ratio = (x: number): string => `${x.toFixed(1)}x`;

/** Lay out rows of cells in columns: the first left-aligned, the rest right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n');
}

function report(m: Machine, matmul: MatmulResult[], conv: ConvResult, training: TrainingResult): string {
  const { channels, outChannels, size, kernel, padding } = convLayer;
  return [
    `pipegrad vs @tensorflow/tfjs ${m.tfjs} (cpu backend); ratio = pipegrad speed / tfjs speed, from each side's best round`,
    `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, load average ${m.load.toFixed(2)} at start, ${m.date}`,
    '',
    'matmul, float32 [n,n]·[n,n], GFLOP/s (2n³ flops, best round)',
    table([
      ['n', 'pipegrad', 'tfjs', 'ratio'],
      ...matmul.map((r) => [String(r.n), gflops(r.flops, r.pipegrad.bestMs).toFixed(2), gflops(r.flops, r.tfjs.bestMs).toFixed(2), ratio(speedRatio(r.pipegrad, r.tfjs))]),
    ]),
    '',
    `conv2d ${kernel}×${kernel}, ${channels}→${outChannels} channels, ${size}×${size} input, padding ${padding}, bias, batch 1; ms best / median (rounds)`,
    table([
      ['', 'pipegrad', 'tfjs', 'ratio'],
      ['forward', ms(conv.forward.pipegrad), ms(conv.forward.tfjs), ratio(speedRatio(conv.forward.pipegrad, conv.forward.tfjs))],
      ['forward+backward (dx, dW, db)', ms(conv.forwardBackward.pipegrad), ms(conv.forwardBackward.tfjs), ratio(speedRatio(conv.forwardBackward.pipegrad, conv.forwardBackward.tfjs))],
    ]),
    `  gradients agree with tfjs to ${conv.gradientDifference.toExponential(1)} (largest difference / largest gradient)`,
    '',
    `training, pipegrad only: ${training.model} on MNIST, ${training.method}, batch size 1, ${training.stages} stages`,
    `  ${training.samples} samples in ${training.seconds.toFixed(2)} s = ${training.samplesPerSecond.toFixed(0)} samples/s` +
      ` (mean loss ${training.meanLoss.toFixed(4)}, accuracy ${(100 * training.accuracy).toFixed(1)} %)`,
    '',
    'targets',
    table(targets(matmul, conv).map((t) => [t.target, t.measured, t.met ? 'met' : 'NOT met'])),
  ].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  tf.enableProdMode();
  if (!(await tf.setBackend('cpu'))) throw new Error('bench: tfjs could not start its cpu backend');
  await tf.ready();
  const m = machine();
  const matmul = benchMatmul(matmulSizes, seed);
  const conv = benchConv(seed);
  const training = benchTraining(trainingSamples, seed);
  const leaked = tf.memory().numTensors;
  if (leaked !== 0) throw new Error(`bench: ${leaked} tfjs tensors were not disposed`);
  if (json) {
    const matmulRows = matmul.map((r) => ({
      ...r,
      pipegradGflops: gflops(r.flops, r.pipegrad.bestMs),
      tfjsGflops: gflops(r.flops, r.tfjs.bestMs),
      ratio: speedRatio(r.pipegrad, r.tfjs),
    }));
    const convOut = {
      layer: convLayer,
      ...conv,
      forwardRatio: speedRatio(conv.forward.pipegrad, conv.forward.tfjs),
      forwardBackwardRatio: speedRatio(conv.forwardBackward.pipegrad, conv.forwardBackward.tfjs),
    };
    console.log(JSON.stringify({ machine: m, matmul: matmulRows, conv: convOut, training, targets: targets(matmul, conv) }, null, 2));
  } else {
    console.log(report(m, matmul, conv, training));
  }
}

await main();
