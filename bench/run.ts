/**
 * `npm run bench`: pipegrad's `wasm` and `ts` backends against `@tensorflow/tfjs` on its
 * `cpu` and `wasm` backends, and NumPy's BLAS on one thread where it is installed, in
 * one run.
 *
 * 1. matrix product GFLOP/s at n = 64 … 1024 (`bench/matmul.ts`, `bench/native.ts`),
 *    and what fraction of the core's peak that is (`bench/peak.ts`);
 * 2. a batch-1 3×3 conv layer, forward and forward+backward (`bench/conv.ts`);
 * 3. training throughput, pipegrad only (`bench/training.ts`): the default MNIST job,
 *    and resnet20 with fine-grained pb+sc+lwp, on each backend.
 *
 * Each comparison is reported as a ratio of speeds (above 1: the first side is
 * faster), taken from the best round of each side, and checked against the targets of
 * the WebAssembly issue. What is computed is seeded and the same on every run; only the
 * timings vary. tfjs runs in production mode, which in 4.22 only silences its console
 * warnings. `docs/performance.md` explains the figures.
 *
 * @example
 * npm run bench             # a table
 * npm run bench -- --json   # the same figures as one JSON object
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { benchConv, convLayer, type ConvResult } from './conv.js';
import { benchMatmul, gflops, type MatmulResult } from './matmul.js';
import { benchNative, type NativeResult } from './native.js';
import { measurePeak, type PeakResult } from './peak.js';
import { onBackend } from './sides.js';
import type { Timing } from './timing.js';
import { benchResnet, benchTraining, type ResnetResult, type TrainingResult } from './training.js';

const seed = 0;
const matmulSizes = [64, 128, 256, 512, 1024];
const trainingSamples = 2000;
const resnetSamples = { wasm: 60, ts: 20 };

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

/** How many times faster the first side's best round was than the second's, in process CPU time (see `bench/timing.ts`). */
function speedRatio(first: Timing, second: Timing): number {
  return second.bestCpuMs / first.bestCpuMs;
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

interface Training {
  mnist: { wasm: TrainingResult; ts: TrainingResult };
  resnet: { wasm: ResnetResult; ts: ResnetResult };
}

function targets(matmul: MatmulResult[], conv: ConvResult, training: Training, peak: PeakResult): Target[] {
  const large = matmul.filter((r) => r.n >= 256);
  const gemmRatio = Math.min(...large.map((r) => speedRatio(r.pipegrad.wasm, r.tfjs.wasm)));
  const forwardRatio = speedRatio(conv.forward.pipegrad.wasm, conv.forward.tfjs.wasm!);
  const convTs = speedRatio(conv.forwardBackward.pipegrad.wasm, conv.forwardBackward.pipegrad.ts);
  const resnet = training.resnet.wasm.samplesPerCpuSecond / training.resnet.ts.samplesPerCpuSecond;
  const job = training.mnist.wasm.samplesPerCpuSecond / training.mnist.ts.samplesPerCpuSecond;
  const best = Math.max(...large.map((r) => gflops(r.flops, r.pipegrad.wasm.bestCpuMs)));
  return [
    { target: 'GEMM >= 1.0x tfjs-wasm at n = 256, 512, 1024', measured: `lowest ${gemmRatio.toFixed(2)}x`, met: gemmRatio >= 1 },
    { target: 'conv forward >= 1.0x tfjs-wasm', measured: `${forwardRatio.toFixed(2)}x`, met: forwardRatio >= 1 },
    { target: 'conv forward+backward >= 5x ts', measured: `${convTs.toFixed(1)}x`, met: convTs >= 5 },
    { target: 'resnet20 pb+sc+lwp samples/s >= 6x ts', measured: `${resnet.toFixed(1)}x`, met: resnet >= 6 },
    { target: 'default job (smallcnn MNIST) >= 2.5x ts', measured: `${job.toFixed(1)}x`, met: job >= 2.5 },
    {
      target: 'GEMM fraction of the core peak (reported)',
      measured: `${best.toFixed(1)} GFLOP/s = ${(100 * best / peak.simd128Gflops).toFixed(0)} % of 128-bit mul+add, ${(100 * best / peak.nativeGflops).toFixed(0)} % of native`,
      met: true,
    },
  ];
}

const ms = (t: Timing | null): string => (t ? `${t.bestCpuMs.toFixed(2)} (${t.bestMs.toFixed(2)} / ${t.medianMs.toFixed(2)})` : 'n/a');
const ratio = (x: number): string => `${x.toFixed(2)}x`;

/** Lay out rows of cells in columns: the first left-aligned, the rest right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n');
}

function report(m: Machine, peak: PeakResult, matmul: MatmulResult[], native: NativeResult, conv: ConvResult, training: Training): string {
  const { channels, outChannels, size, kernel, padding } = convLayer;
  const numpy = (n: number, flops: number): string => (native.available && native.bestMs[n] ? gflops(flops, native.bestMs[n]).toFixed(1) : 'n/a');
  const g = (flops: number, t: Timing): string => `${gflops(flops, t.bestCpuMs).toFixed(1)} (${gflops(flops, t.bestMs).toFixed(1)})`;
  const convRow = (what: string, s: ConvResult['forward']): string[] => [
    what, ms(s.pipegrad.wasm), ms(s.pipegrad.ts), ms(s.tfjs.cpu), ms(s.tfjs.wasm),
    s.tfjs.wasm ? ratio(speedRatio(s.pipegrad.wasm, s.tfjs.wasm)) : 'n/a', ratio(speedRatio(s.pipegrad.wasm, s.pipegrad.ts)),
  ];
  return [
    `pipegrad (wasm, ts backends) vs @tensorflow/tfjs ${m.tfjs} (cpu, wasm backends)${native.available ? ` vs NumPy ${native.numpy} (BLAS, 1 thread)` : ''}; ratios from each side's best round`,
    `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, load average ${m.load.toFixed(2)} at start, ${m.date}`,
    `core: measured clock ${peak.clockGhz.toFixed(2)} GHz (nominal ${peak.nominalGhz?.toFixed(2) ?? '?'} GHz in /proc/cpuinfo); 128-bit f32x4 mul+add peak ${peak.simd128Gflops.toFixed(1)} GFLOP/s (${peak.simd128How}); native peak ${peak.nativeGflops.toFixed(0)} GFLOP/s (${peak.nativeHow})`,
    'timing: per call, best round of process CPU time (user + system), with wall time in parentheses; ratios from CPU time, since wall time',
    '  on a shared machine includes waiting for a core (bench/timing.ts)',
    native.available ? '' : `NumPy: skipped — ${native.reason}`,
    'matmul, float32 [n,n]·[n,n], GFLOP/s (2n³ flops): CPU time (wall); numpy: CPU time of its best round',
    table([
      ['n', 'wasm', 'ts', 'tfjs-cpu', 'tfjs-wasm', 'numpy', 'wasm/tfjs-wasm', 'wasm/ts'],
      ...matmul.map((r) => [String(r.n), g(r.flops, r.pipegrad.wasm), g(r.flops, r.pipegrad.ts), g(r.flops, r.tfjs.cpu), g(r.flops, r.tfjs.wasm), numpy(r.n, r.flops),
        ratio(speedRatio(r.pipegrad.wasm, r.tfjs.wasm)), ratio(speedRatio(r.pipegrad.wasm, r.pipegrad.ts))]),
    ]),
    '',
    `conv2d ${kernel}×${kernel}, ${channels}→${outChannels} channels, ${size}×${size} input, padding ${padding}, bias, batch 1; ms: CPU time (wall best / wall median)`,
    table([
      ['', 'wasm', 'ts', 'tfjs-cpu', 'tfjs-wasm', 'wasm/tfjs-wasm', 'wasm/ts'],
      convRow('forward', conv.forward),
      convRow('forward+backward (dx, dW, db)', conv.forwardBackward),
    ]),
    `  gradients agree with tfjs-cpu to ${conv.gradientDifference.wasm.toExponential(1)} (wasm) and ${conv.gradientDifference.ts.toExponential(1)} (ts) (largest difference / largest gradient)` +
      (conv.tfjsMissing.wasm ? `; tfjs-wasm forward+backward: ${conv.tfjsMissing.wasm}` : ''),
    '',
    'training, pipegrad only, batch size 1, pb+sc+lwp, fine-grained (one stage per layer)',
    table([
      ['samples/s: per CPU second (per wall second)', 'wasm', 'ts', 'wasm/ts'],
      ...([['smallcnn, MNIST (the default job)', training.mnist], ['resnet20, [3,32,32]', training.resnet]] as const).map(([what, r]) => [
        `${what}, ${r.wasm.samples} / ${r.ts.samples} samples`,
        `${r.wasm.samplesPerCpuSecond.toFixed(1)} (${r.wasm.samplesPerSecond.toFixed(1)})`,
        `${r.ts.samplesPerCpuSecond.toFixed(1)} (${r.ts.samplesPerSecond.toFixed(1)})`,
        ratio(r.wasm.samplesPerCpuSecond / r.ts.samplesPerCpuSecond),
      ]),
    ]),
    `  mean loss: smallcnn ${training.mnist.wasm.meanLoss.toFixed(4)} (wasm) / ${training.mnist.ts.meanLoss.toFixed(4)} (ts); resnet20 ${training.resnet.wasm.meanLoss.toFixed(4)} / ${training.resnet.ts.meanLoss.toFixed(4)}`,
    '',
    'targets',
    table(targets(matmul, conv, training, peak).map((t) => [t.target, t.measured, t.met ? 'met' : 'NOT met'])),
  ].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  tf.enableProdMode();
  const m = machine();
  const peak = measurePeak();
  const matmul = await benchMatmul(matmulSizes, seed);
  const native = benchNative(matmulSizes);
  const conv = await benchConv(seed);
  const training: Training = {
    mnist: { wasm: onBackend('wasm', () => benchTraining(trainingSamples, seed)), ts: onBackend('ts', () => benchTraining(trainingSamples, seed)) },
    resnet: { wasm: onBackend('wasm', () => benchResnet(resnetSamples.wasm, seed)), ts: onBackend('ts', () => benchResnet(resnetSamples.ts, seed)) },
  };
  const leaked = tf.memory().numTensors;
  if (leaked !== 0) throw new Error(`bench: ${leaked} tfjs tensors were not disposed`);
  if (json) {
    console.log(JSON.stringify({ machine: m, peak, matmul, native, conv: { layer: convLayer, ...conv }, training, targets: targets(matmul, conv, training, peak) }, null, 2));
  } else {
    console.log(report(m, peak, matmul, native, conv, training));
  }
}

await main();
