/**
 * A study's results gathered per cell: each cell's test accuracy over its seeds as
 * mean ± standard deviation, a run that diverged counting as chance accuracy, and, when
 * the study names a baseline, each cell's difference to the baseline's cell of the
 * same x and panel, taken seed by seed (same seed: same initialization and data order).
 *
 * The cells are laid out as the report shows them: one *panel* per combination of the
 * axes that are neither `x` nor `series`, one row per x value, one column per series.
 *
 * @module
 */
import { meanSd, type MeanSd } from './stats.js';
import type { StudyRunResult } from './result.js';
import { axisLabel, type PlannedRun, type StudySpec } from './spec.js';

/** The statistics of one cell. */
export interface CellSummary {
  /** Test accuracy over the seeds that finished (diverged runs count as chance); null when none finished yet. */
  accuracy: MeanSd | null;
  /** Difference to the baseline, seed by seed; null without a baseline or without paired seeds. */
  gap: MeanSd | null;
  /** Runs that diverged. */
  diverged: number;
  /** Runs finished (diverged ones included). */
  done: number;
  /** Runs planned. */
  planned: number;
}

/** One panel: a fixed value of every axis besides x and series. */
export interface PanelSummary {
  /** The fixed values, e.g. `{ regime: 'm = 0.9' }` (empty when the grid has only x and series). */
  fixed: Record<string, string>;
  /** A title made of the fixed values. */
  title: string;
  /** The x labels, in order. */
  xs: string[];
  /** The series labels, in order. */
  series: string[];
  /** `cells[i][j]`: x `xs[i]`, series `series[j]`. */
  cells: CellSummary[][];
}

/** The score of one run: its final test accuracy, or chance when it diverged. */
export function runScore(r: StudyRunResult, chance: number): number | null {
  return r.diverged ? chance : r.finalTestAccuracy;
}

/** Key of a cell: its labels in axis order. */
function cellKey(cell: Record<string, string>, axes: readonly string[]): string {
  return JSON.stringify(axes.map((a) => cell[a]));
}

/**
 * Every panel of a study with the statistics of its cells, from the results finished so
 * far (`results` may hold any subset of the plan's runs).
 */
export function summarizeStudy(spec: StudySpec, plan: readonly PlannedRun[], results: ReadonlyMap<string, StudyRunResult>): PanelSummary[] {
  const axes = Object.keys(spec.grid);
  const others = axes.filter((a) => a !== spec.x && a !== spec.series);
  const byCell = new Map<string, { planned: PlannedRun[]; done: StudyRunResult[] }>();
  for (const run of plan) {
    const key = cellKey(run.cell, axes);
    const entry = byCell.get(key) ?? { planned: [], done: [] };
    entry.planned.push(run);
    const r = results.get(run.id);
    if (r) entry.done.push(r);
    byCell.set(key, entry);
  }
  const xs = spec.grid[spec.x].map(axisLabel);
  const series = spec.grid[spec.series].map(axisLabel);
  const panels: Record<string, string>[] = [{}];
  for (const axis of others) {
    const next: Record<string, string>[] = [];
    for (const p of panels) for (const v of spec.grid[axis]) next.push({ ...p, [axis]: axisLabel(v) });
    panels.splice(0, panels.length, ...next);
  }
  const score = (r: StudyRunResult): number | null => runScore(r, spec.chanceAccuracy);
  return panels.map((fixed) => {
    const entryAt = (x: string, s: string) => byCell.get(cellKey({ ...fixed, [spec.x]: x, [spec.series]: s }, axes))!;
    const cells = xs.map((x) =>
      series.map((s): CellSummary => {
        const { planned, done } = entryAt(x, s);
        const scores = done.map(score).filter((v): v is number => v !== null);
        let gap: MeanSd | null = null;
        if (spec.baseline !== undefined && s !== spec.baseline) {
          const base = new Map(entryAt(x, spec.baseline).done.map((r) => [r.seed, score(r)]));
          const diffs = done.flatMap((r) => {
            const a = score(r);
            const b = base.get(r.seed);
            return a !== null && b !== null && b !== undefined ? [a - b] : [];
          });
          gap = diffs.length > 0 ? meanSd(diffs) : null;
        }
        return { accuracy: scores.length > 0 ? meanSd(scores) : null, gap, diverged: done.filter((r) => r.diverged).length, done: done.length, planned: planned.length };
      }),
    );
    const title = Object.entries(fixed).map(([a, v]) => `${a}: ${v}`).join(', ');
    return { fixed, title, xs, series, cells };
  });
}
