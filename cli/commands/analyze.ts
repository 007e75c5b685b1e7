/**
 * `pipegrad analyze`: the convex-quadratic analysis of issue 13 on the command line.
 * For each momentum it prints the table of the largest stable `η·λ` per delay and
 * method, and writes the convergence-rate heatmaps over `(η·λ, D)` and the loss curves
 * of the same methods on a small ill-conditioned quadratic run through the real engine.
 * See docs/quadratic.md for what the pictures say.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  engineLossCurve,
  largestStableStep,
  logSpace,
  quadraticMethodNames,
  rateGrid,
  renderLossCurves,
  renderRateHeatmaps,
  type LossCurvePanel,
} from '../../analysis/index.js';
import { writeFileAtomic } from '../../nn/node.js';
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.js';
import type { Sink } from '../report.js';

/** The momenta analysed when `--momentum` is not given: 0.9, 0.99, and the batch-1 momenta the scaling rules give from batch 32 and 128 at 0.9. */
export const DEFAULT_MOMENTA = '0.9,0.99,0.9^(1/32),0.9^(1/128)';

/** The delays of the table when `--delays` is not given. */
export const DEFAULT_DELAYS = '0,1,2,4,8,16,32';

function flags(): FlagSpec[] {
  return [
    { name: 'momentum', kind: 'string', default: DEFAULT_MOMENTA, help: 'comma-separated momenta in [0, 1); m0^(1/B) is the scaling rules\' batch-1 momentum from batch B' },
    { name: 'delays', kind: 'string', default: DEFAULT_DELAYS, help: 'comma-separated gradient delays D (non-negative integers) of the table' },
    { name: 'methods', kind: 'string', default: quadraticMethodNames.join(','), help: `comma-separated methods among ${quadraticMethodNames.join(', ')}` },
    { name: 'inconsistency', kind: 'number', default: 0, help: 'ρ: share of the curvature that sees the backward\'s weights (see docs/quadratic.md)' },
    { name: 'out', kind: 'string', default: join('runs', 'analyze'), help: 'folder for the SVG heatmaps and loss curves' },
    { name: 'curves', kind: 'boolean', default: true, help: 'also run the real engine on a small quadratic for loss curves (--curves=false: skip)' },
  ];
}

/** Help of `pipegrad analyze`. */
export function analyzeHelp(): string {
  return helpText(
    'pipegrad analyze [options]',
    'Momentum SGD on ½·λ·w² with a gradient D updates late, for each pipeline method: the largest stable η·λ per delay (table), the convergence rate over (η·λ, D) (SVG heatmaps), and loss curves of the real engine on a small ill-conditioned quadratic.',
    flags(),
  );
}

/** A momentum as given: a number, or `m0^(1/B)`. */
export interface MomentumValue {
  /** The momentum. */
  momentum: number;
  /** As written. */
  label: string;
}

/**
 * Parse a comma-separated list of momenta: numbers in `[0, 1)`, or `m0^(1/B)` (the
 * momentum the scaling rules give at batch 1 from `m0` at batch `B`).
 *
 * @throws {@link UsageError} naming the value that is not one.
 */
export function parseMomenta(text: string): MomentumValue[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError('analyze: --momentum is empty; give e.g. 0.9,0.99');
  return items.map((label) => {
    const root = /^([0-9.]+)\^\(1\/([0-9]+)\)$/.exec(label);
    const momentum = root ? Number(root[1]) ** (1 / Number(root[2])) : Number(label);
    if (!Number.isFinite(momentum) || momentum < 0 || momentum >= 1 || (root !== null && Number(root[2]) < 1)) {
      throw new UsageError(`analyze: --momentum '${label}' is not a momentum in [0, 1) (a number, or m0^(1/B) with a batch B ≥ 1)`);
    }
    return { momentum, label };
  });
}

/**
 * Parse a comma-separated list of delays (non-negative integers).
 *
 * @throws {@link UsageError} naming the value that is not one.
 */
export function parseDelays(text: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError('analyze: --delays is empty; give e.g. 0,1,2,4,8');
  return items.map((item) => {
    const d = Number(item);
    if (!/^[0-9]+$/.test(item) || d > 1000) throw new UsageError(`analyze: --delays '${item}' is not a delay; give non-negative integers up to 1000`);
    return d;
  });
}

/** Parse `--methods` against the methods the analysis covers. */
function parseMethods(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError('analyze: --methods is empty');
  for (const m of items) {
    if (!(quadraticMethodNames as readonly string[]).includes(m)) throw new UsageError(`analyze: unknown method '${m}'; valid methods: ${quadraticMethodNames.join(', ')}`);
  }
  return items;
}

/**
 * The Markdown table of the largest stable `η·λ`: one row per delay, one column per
 * method, at momentum `m` and inconsistency `ρ`.
 */
export function stableStepTable(methods: readonly string[], momentum: number, delays: readonly number[], inconsistency = 0): string {
  const lines = [`| D | ${methods.join(' | ')} |`, `|---:|${methods.map(() => '---:').join('|')}|`];
  for (const delay of delays) lines.push(`| ${delay} | ${methods.map((method) => largestStableStep(method, { momentum, delay, inconsistency }).toPrecision(3)).join(' | ')} |`);
  return lines.join('\n');
}

/** The file-name part of a momentum label: `0.9^(1/32)` → `m0.9-B32`. */
function slug(label: string): string {
  return 'm' + label.replace(/\^\(1\/([0-9]+)\)/, '-B$1').replace(/[^A-Za-z0-9.-]/g, '_');
}

/** The engine's quadratic: three curvatures a decade apart, five stages (the first stage's gradient 8 updates late). */
const CURVE_PROBLEM = { lambdas: [1, 0.1, 0.01], stages: 5, samples: 3000 };

/**
 * The settings of the loss curves: at m = 0.9 a learning rate between plain PB's and
 * SC's limit for D = 8 (η·λ_max = 0.016), and the scaling rules' batch-1 momentum from
 * batch 32 with the learning rate they give to a reference at η0·λ_max = 1.
 */
export const CURVE_SETTINGS = [
  { momentum: 0.9, lr: 0.016, title: 'm = 0.9, η = 0.016' },
  { momentum: 0.9 ** (1 / 32), lr: (1 / 32) * (1 - 0.9 ** (1 / 32)) / 0.1, title: 'm = 0.9^(1/32), η = 1.03e-3 (from η0 = 1 at B0 = 32)' },
];

/** Run `pipegrad analyze`. */
export async function analyzeCommand(argv: readonly string[], out: Sink): Promise<void> {
  const parsed = parseFlags('analyze', argv, flags());
  if (parsed.positional.length > 0) throw new UsageError(`analyze: unexpected argument '${parsed.positional[0]}'; the options are flags, see pipegrad analyze --help`);
  const momenta = parseMomenta(parsed.flags.momentum as string);
  const delays = parseDelays(parsed.flags.delays as string);
  const methods = parseMethods(parsed.flags.methods as string);
  const inconsistency = parsed.flags.inconsistency as number;
  if (!(inconsistency >= -1 && inconsistency <= 1)) throw new UsageError(`analyze: --inconsistency must be in [-1, 1], got ${inconsistency}`);
  const dir = parsed.flags.out as string;
  mkdirSync(dir, { recursive: true });
  for (const m of momenta) {
    out.write(`\nLargest stable η·λ, m = ${m.label}${m.label === String(m.momentum) ? '' : ` ≈ ${m.momentum.toPrecision(6)}`}, ρ = ${inconsistency}\n\n${stableStepTable(methods, m.momentum, delays, inconsistency)}\n`);
  }
  const hs = logSpace(1e-6, 10, 85);
  const heatDelays = Array.from({ length: Math.max(...delays, 1) + 1 }, (_, d) => d);
  out.write('\n');
  for (const m of momenta) {
    const grids = methods.map((method) => rateGrid(method, { momentum: m.momentum, inconsistency }, hs, heatDelays));
    const path = join(dir, `quadratic-${slug(m.label)}${inconsistency === 0 ? '' : `-rho${inconsistency}`}.svg`);
    writeFileAtomic(path, renderRateHeatmaps(grids, { title: `convergence on ½λw² with a gradient D updates late: momentum ${m.label}, ρ = ${inconsistency}` }));
    out.write(`wrote ${path}\n`);
  }
  if (parsed.flags.curves) {
    const panels: LossCurvePanel[] = CURVE_SETTINGS.map((s) => ({
      title: s.title,
      curves: ['sgd', ...methods.filter((m) => m !== 'spectrain')].map((method) => engineLossCurve(method, { ...CURVE_PROBLEM, lr: s.lr, momentum: s.momentum })),
    }));
    const path = join(dir, 'quadratic-engine-curves.svg');
    writeFileAtomic(path, renderLossCurves(panels, 'the real engine on ½·Σλᵢwᵢ², λ = 1, 0.1, 0.01: the first of 5 stages (D = 8)'));
    out.write(`wrote ${path}\n`);
    for (const p of panels) {
      out.write(`\n${p.title}: loss of the first stage after ${CURVE_PROBLEM.samples} samples (start ${p.curves[0].losses[0].toPrecision(3)})\n`);
      for (const c of p.curves) out.write(`  ${c.method.padEnd(10)} ${c.diverged ? 'diverged' : c.losses[c.losses.length - 1].toExponential(2)}\n`);
    }
  }
}
