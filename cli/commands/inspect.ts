/**
 * `pipegrad inspect`: the per-stage accounting of a model under a method.
 *
 * @module
 */
import { Tensor } from '../../core/index.js';
import { createModel, modelNames, type NormKind } from '../../nn/index.js';
import { accountPipeline, assignWorkers, formatBytes, methodFor, methodScheduleNames, mitigationNames, Pipeline, sgdForMethod, stageCosts, ELEMENTWISE_WEIGHT, type PipelineAccount, type WorkerAssignment } from '../../pipeline/index.js';
import { DEFAULT_MICRO_BATCHES } from '../../training/index.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import type { Sink } from '../report.js';

function inspectFlags(): FlagSpec[] {
  return [
    { name: 'model', kind: 'string', default: 'resnet20', choices: modelNames(), help: 'network to inspect' },
    { name: 'method', kind: 'string', default: 'pb', choices: methodScheduleNames, help: 'schedule' },
    { name: 'mitigation', kind: 'string', default: 'none', choices: mitigationNames, help: 'mitigation (stash and pipemare hold weight versions)' },
    { name: 'stages', kind: 'integer', min: 1, help: 'number of stages (default: fine-grained)' },
    { name: 'micro-batches', kind: 'integer', min: 1, help: 'micro-batches per update, gpipe and 1f1b only (default: 4)' },
    { name: 'batch-size', kind: 'integer', min: 1, default: 1, help: 'samples per micro-batch (scales activation memory)' },
    { name: 'width', kind: 'number', above: 0, help: 'width multiplier' },
    { name: 'norm', kind: 'string', choices: ['group', 'batch', 'layer', 'none'], help: 'normalization layers' },
    { name: 'workers', kind: 'integer', min: 1, help: 'also print how N workers split the stages (balanced by each stage\'s cost: FLOPs, elementwise ops weighted ×10), each one\'s share and the predicted speed-up' },
    { name: 'json', kind: 'boolean', default: false, help: 'print the table as JSON' },
  ];
}

/** Help of `pipegrad inspect`. */
export function inspectHelp(): string {
  return helpText('pipegrad inspect [options]', 'Per stage: layers, parameters, delay D_s (read off the schedule: 0 on sgd, gpipe and 1f1b), activations in flight and the weight versions a method keeps; ends with a total row.', inspectFlags());
}

/** The table of an account as aligned text. */
export function accountTable(a: PipelineAccount): string {
  const header = ['stage', 'layers', 'parameters', 'delay', 'in flight', 'activations', 'weight versions'];
  const rows = a.rows.map((r) => [String(r.stage), r.layers.join(' '), r.parameters.toLocaleString('en-US'), String(r.delay), String(r.inFlight), formatBytes(r.activationBytes), formatBytes(r.weightVersionBytes)]);
  const t = a.total;
  rows.push(['total', '', t.parameters.toLocaleString('en-US'), `max ${t.delay}`, String(t.inFlight), formatBytes(t.activationBytes), formatBytes(t.weightVersionBytes)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(0, -1).map(line), widths.map((w) => '-'.repeat(w)).join('  '), line(rows[rows.length - 1])].join('\n') + '\n';
}

/** Run `pipegrad inspect`. */
export function inspectCommand(argv: readonly string[], out: Sink): PipelineAccount {
  const { flags, positional } = parseFlags('inspect', argv, inspectFlags());
  if (positional.length > 0) throw new UsageError(`inspect: unexpected argument '${positional[0]}'`);
  const spec = methodFor(flags.method as string, flags.mitigation as string);
  const name = flags.model as string;
  const flush = spec.schedule.flushes;
  const given = flags['micro-batches'] as number | undefined;
  if (given !== undefined && !flush) throw new UsageError(`inspect: --micro-batches is for gpipe and 1f1b; --method ${flags.method} does not use it, so leave it out`);
  const pipe = settingsErrors(() => {
    const model = createModel(name, {
      ...(flags.width !== undefined ? { width: flags.width as number } : {}),
      ...(flags.norm !== undefined ? { norm: flags.norm as NormKind } : {}),
    });
    return new Pipeline({
      units: model.pipelineUnits(),
      method: spec,
      optimizer: sgdForMethod(spec, { lr: 0 }),
      partition: (flags.stages as number | undefined) ?? 'fine',
      ...(flush ? { microBatches: given ?? DEFAULT_MICRO_BATCHES } : {}),
    });
  });
  const inputShape = defaultInputShape(name);
  const b = flags['batch-size'] as number;
  const input = new Tensor(new Float32Array(b * inputShape.reduce((x, y) => x * y, 1)), [b, ...inputShape]);
  const account = accountPipeline(pipe, input);
  const workers = flags.workers === undefined ? undefined : workerSplit(pipe, input, flags.workers as number);
  if (flags.json) {
    out.write(JSON.stringify({ model: flags.model, ...account, ...(workers ? { workers } : {}) }) + '\n');
  } else {
    out.write(`${flags.model}, method ${spec.name}: ${pipe.stages.length} stages\n\n`);
    out.write(accountTable(account));
    out.write(`\nutilization ${(account.utilization * 100).toFixed(1)}% over ${account.samples} ${flush ? 'micro-batches' : 'samples'} (busy stage-ticks / all stage-ticks)\n`);
    if (workers) out.write('\n' + workerTable(workers));
  }
  return account;
}

/** How `workers` workers split a pipeline: the balanced assignment and the stage costs it balanced. */
export interface WorkerSplit extends WorkerAssignment {
  /** The forward cost of one sample per stage (`stageCosts`). */
  stageCosts: number[];
}

function workerSplit(pipe: Pipeline, input: Tensor, workers: number): WorkerSplit {
  const costs = stageCosts(pipe, input);
  try {
    return { ...assignWorkers(costs, workers), stageCosts: costs };
  } catch (e) {
    throw new UsageError(`inspect: --workers: ${(e as Error).message}`);
  }
}

/** The workers' stages, costs and shares, and the predicted speed-up, as text. */
export function workerTable(split: WorkerSplit): string {
  const W = split.ranges.length;
  const rows = split.ranges.map(([first, last], w) => [String(w + 1), first === last ? String(first) : `${first}-${last}`, formatFlops(split.costs[w]), `${((100 * split.costs[w]) / split.total).toFixed(1)}%`]);
  const header = ['worker', 'stages', 'cost', 'share'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return (
    [`${W} workers, stages balanced by the forward cost of one sample (FLOPs of products and convolutions, ${ELEMENTWISE_WEIGHT} per element of any other op):`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') +
    `\npredicted speed-up over 1 worker: ${split.predictedSpeedup.toFixed(2)}× (all the cost / the slowest worker's; messages and pipeline fill not counted)\n`
  );
}

/** A cost in FLOPs as a short string: `40.7 M`. */
function formatFlops(flops: number): string {
  if (flops >= 1e9) return `${(flops / 1e9).toFixed(2)} G`;
  if (flops >= 1e6) return `${(flops / 1e6).toFixed(1)} M`;
  if (flops >= 1e3) return `${(flops / 1e3).toFixed(1)} k`;
  return String(flops);
}

/** The input `[C, H, W]` a model family is built for by default. */
function defaultInputShape(model: string): [number, number, number] {
  if (model === 'resnet50') return [3, 224, 224];
  if (model.startsWith('resnet') || model.startsWith('vgg')) return [3, 32, 32];
  return [1, 28, 28];
}

/** Run `build`; what it throws is a setting that cannot be (more stages than layers, say): a {@link UsageError}. */
function settingsErrors<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    throw e instanceof Error && !(e instanceof UsageError) ? new UsageError(`inspect: ${e.message.split('\n')[0]}`) : e;
  }
}
