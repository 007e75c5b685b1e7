/**
 * The pictures and the table of docs/quadratic.md: for each method, the convergence
 * rate on `½·λ·w²` over `(η·λ, D)` as SVG heatmaps, and the largest stable `η·λ` per
 * delay. Regenerate with
 *
 * ```
 * npx tsx examples/quadratic.ts            # writes docs/img/quadratic-*.svg, prints the tables
 * npx tsx examples/quadratic.ts OUT_DIR    # writes the pictures to OUT_DIR instead
 * ```
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../nn/node.js';
import { convergenceRate, largestStableStep, logSpace, quadraticMethodNames, quadraticRecurrence, rateGrid, renderRateHeatmaps } from '../analysis/index.js';

/** A momentum of the study, with the name its picture and table column carry. */
export interface MomentumCase {
  /** The momentum. */
  momentum: number;
  /** How the docs write it. */
  label: string;
  /** The file name part. */
  slug: string;
}

/** The momenta of the study: the usual 0.9 and 0.99, and the batch-1 momenta the scaling rule gives from `B0 = 32` and `B0 = 128` at 0.9. */
export const momentumCases: MomentumCase[] = [
  { momentum: 0.9, label: '0.9', slug: 'm0.9' },
  { momentum: 0.99, label: '0.99', slug: 'm0.99' },
  { momentum: 0.9 ** (1 / 32), label: '0.9^(1/32) ≈ 0.99671', slug: 'm0.9-B32' },
  { momentum: 0.9 ** (1 / 128), label: '0.9^(1/128) ≈ 0.99918', slug: 'm0.9-B128' },
];

/** The delays of the table. */
export const tableDelays = [0, 1, 2, 4, 8, 16, 32];

/**
 * The Markdown table of the largest stable `η·λ`: one row per delay, one column per
 * method, at momentum `m` and inconsistency share `ρ`, each value multiplied by `scale`
 * (1 by default; see {@link referenceScale}).
 */
export function stabilityTable(momentum: number, inconsistency = 0, delays = tableDelays, scale = 1): string {
  const lines = [`| D | ${quadraticMethodNames.join(' | ')} |`, `|---|${quadraticMethodNames.map(() => '---').join('|')}|`];
  for (const delay of delays) {
    const cells = quadraticMethodNames.map((method) => (scale * largestStableStep(method, { momentum, delay, inconsistency })).toPrecision(3));
    lines.push(`| ${delay} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * The Markdown table of the fastest convergence each method reaches: for each delay, the
 * smallest `τ = −1/ln(rate)` (updates for `|w|` to shrink by `e`) over `η·λ` on a log grid
 * of `points` values from 1e-7 to 1, at momentum `m` (ρ = 0).
 */
export function fastestTable(momentum: number, delays = [1, 4, 16, 32], points = 2000): string {
  const hs = logSpace(1e-7, 1, points);
  const lines = [`| D | ${quadraticMethodNames.join(' | ')} |`, `|---|${quadraticMethodNames.map(() => '---').join('|')}|`];
  for (const delay of delays) {
    const cells = quadraticMethodNames.map((method) => {
      const best = Math.min(...hs.map((h) => convergenceRate(quadraticRecurrence(method, { h, momentum, delay }))));
      return (-1 / Math.log(best)).toPrecision(3);
    });
    lines.push(`| ${delay} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * The factor that turns a batch-1 `η₁·λ` at `m₁ = m0^(1/B0)` into the reference's
 * `η0·λ` at batch `B0` by the scaling rule of DESIGN §6,
 * `η₁ = η0·(1/B0)·(1 − m₁)/(1 − m0)`: that is, `B0·(1 − m0)/(1 − m₁)`.
 */
export function referenceScale(referenceBatch: number, referenceMomentum = 0.9): number {
  return (referenceBatch * (1 - referenceMomentum)) / (1 - referenceMomentum ** (1 / referenceBatch));
}

/** Writes the heatmaps into `outDir` (one SVG per momentum and inconsistency share) and returns their paths. */
export function writeHeatmaps(outDir: string, cases = momentumCases, inconsistencies = [0, 0.5]): string[] {
  mkdirSync(outDir, { recursive: true });
  const hs = logSpace(1e-6, 10, 85);
  const delays = Array.from({ length: 33 }, (_, d) => d);
  const written: string[] = [];
  for (const inconsistency of inconsistencies) {
    for (const c of cases) {
      const grids = quadraticMethodNames.map((method) => rateGrid(method, { momentum: c.momentum, inconsistency }, hs, delays));
      const title = `convergence on ½λw² with a gradient D updates late: momentum ${c.label}, ρ = ${inconsistency}`;
      const path = join(outDir, `quadratic-${c.slug}${inconsistency === 0 ? '' : `-rho${inconsistency}`}.svg`);
      writeFileAtomic(path, renderRateHeatmaps(grids, { title }));
      written.push(path);
    }
  }
  return written;
}

/** The heatmaps' cases: every momentum at ρ = 0; at ρ = 0.5 the usual 0.9 and the batch-1 momentum from `B0 = 128`. */
const pictures: [number, MomentumCase[]][] = [
  [0, momentumCases],
  [0.5, [momentumCases[0], momentumCases[3]]],
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = process.argv[2] ?? join('docs', 'img');
  for (const [inconsistency, cases] of pictures) for (const path of writeHeatmaps(outDir, cases, [inconsistency])) console.log(`wrote ${path}`);
  for (const [inconsistency, cases] of [[0, momentumCases], [0.5, [momentumCases[0], momentumCases[3]]], [-0.5, [momentumCases[0], momentumCases[3]]]] as const) {
    for (const c of cases) {
      console.log(`\nLargest stable η·λ, m = ${c.label}, ρ = ${inconsistency}\n`);
      console.log(stabilityTable(c.momentum, inconsistency));
    }
  }
  for (const c of [momentumCases[0], momentumCases[3]]) {
    console.log(`\nFastest convergence τ (updates per factor e) over η·λ, m = ${c.label}, ρ = 0\n`);
    console.log(fastestTable(c.momentum));
  }
  for (const referenceBatch of [32, 128]) {
    console.log(`\nThe same limit at m = 0.9^(1/${referenceBatch}), as the reference's η0·λ at batch ${referenceBatch}, m0 = 0.9 (SGD there: η0·λ < 3.8), ρ = 0\n`);
    console.log(stabilityTable(0.9 ** (1 / referenceBatch), 0, tableDelays, referenceScale(referenceBatch)));
  }
}
