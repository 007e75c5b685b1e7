/**
 * A study's Markdown report: what was run, then per panel a table of test accuracy
 * (mean ± standard deviation over seeds, in percent) with one row per x value and one
 * column per series, and, when the study names a baseline, a table of the differences
 * to it (in percentage points, seed by seed).
 *
 * @module
 */
import type { TrainConfig } from '../config.js';
import type { MeanSd } from './stats.js';
import type { CellSummary, PanelSummary } from './summary.js';
import type { StudySpec } from './spec.js';

/** `mean ± sd` of fractions as percent (or percentage points), with `digits` decimals. */
export function formatMeanSd(s: MeanSd, digits = 1, signed = false): string {
  const m = (100 * s.mean).toFixed(digits);
  return `${signed && s.mean >= 0 ? '+' : ''}${m} ± ${(100 * s.sd).toFixed(digits)}`;
}

function cellText(c: CellSummary, value: MeanSd | null, signed: boolean): string {
  if (c.done === 0) return '—';
  let text = value ? formatMeanSd(value, 1, signed) : '—';
  if (c.diverged > 0) text += ` (${c.diverged}/${c.done} diverged)`;
  if (c.done < c.planned) text += ` [${c.done}/${c.planned} seeds]`;
  return text;
}

function table(panel: PanelSummary, xName: string, pick: (c: CellSummary) => MeanSd | null, signed: boolean, skip?: string): string {
  const cols = panel.series.map((s, j) => [s, j] as const).filter(([s]) => s !== skip);
  const lines = [`| ${xName} | ${cols.map(([s]) => s).join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
  panel.xs.forEach((x, i) => lines.push(`| ${x} | ${cols.map(([, j]) => cellText(panel.cells[i][j], pick(panel.cells[i][j]), signed)).join(' | ')} |`));
  return lines.join('\n');
}

/** The settings every run shares, as a line: the base settings that differ from the defaults. */
function baseLine(base: Partial<TrainConfig>): string {
  return Object.entries(base).map(([k, v]) => `${k} = ${String(v)}`).join(', ');
}

/**
 * The Markdown report of a study.
 *
 * @param panels from {@link summarizeStudy}.
 * @param plot the file name of the study's SVG, linked under the title (absent: none).
 */
export function studyReport(spec: StudySpec, panels: readonly PanelSummary[], runs: { done: number; planned: number; seconds: number }, plot?: string): string {
  const out: string[] = [`# ${spec.title}`, ''];
  if (spec.description) out.push(spec.description, '');
  out.push(
    `Runs: ${runs.done} of ${runs.planned} finished (${spec.seeds.length} seeds per cell: ${spec.seeds.join(', ')}), ${(runs.seconds / 60).toFixed(1)} minutes of training. ` +
      `Shared settings: ${baseLine(spec.base)}.`,
    '',
    `Cells: test accuracy after the last epoch in percent, mean ± sample standard deviation over the seeds; a run that diverged counts as ${(100 * spec.chanceAccuracy).toFixed(0)}% (chance).`,
    '',
  );
  if (plot) out.push(`![${spec.title}](${plot})`, '');
  for (const panel of panels) {
    if (panel.title) out.push(`## ${panel.title}`, '');
    out.push(table(panel, spec.x, (c) => c.accuracy, false), '');
    if (spec.baseline !== undefined) {
      out.push(`Difference to ${spec.baseline}, in percentage points (seed by seed, mean ± sd):`, '');
      out.push(table(panel, spec.x, (c) => c.gap, true, spec.baseline), '');
    }
  }
  return out.join('\n');
}
