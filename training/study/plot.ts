/**
 * A study's picture: one panel per combination of the fixed axes, test accuracy
 * against the x axis, one line per series, each point the mean over seeds with an error
 * bar of ± one standard deviation. The points of the series are offset a little
 * sideways so that their bars do not cover each other.
 *
 * @module
 */
import type { PanelSummary } from './summary.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const W = 380;
const H = 280;
const PAD = { left: 50, right: 14, top: 30, bottom: 46 };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Options of {@link renderStudyPlot}. */
export interface StudyPlotOptions {
  /** The title above the panels. */
  title: string;
  /** The x axis's name. */
  xName: string;
  /** Place the x values by `log10` of their numbers (default false: evenly spaced). */
  logX?: boolean;
}

/** Render the panels of a study as one SVG document, side by side. */
export function renderStudyPlot(panels: readonly PanelSummary[], options: StudyPlotOptions): string {
  const n = panels.length;
  const series = panels[0]?.series ?? [];
  const values = panels.flatMap((p) => p.cells.flat().flatMap((c) => (c.accuracy ? [c.accuracy.mean - c.accuracy.sd, c.accuracy.mean + c.accuracy.sd] : [])));
  let lo = values.length > 0 ? Math.max(0, Math.floor(Math.min(...values) * 10) / 10) : 0;
  const hi = values.length > 0 ? Math.min(1, Math.ceil(Math.max(...values) * 10) / 10) : 1;
  if (hi - lo < 0.1) lo = Math.max(0, hi - 0.1);
  // A panel is wide enough for its x labels side by side (about 6 px per character).
  const xs = panels[0]?.xs ?? [];
  const PW = Math.max(W, PAD.left + PAD.right + xs.length * (6 * Math.max(0, ...xs.map((x) => x.length)) + 12));
  const plotW = PW - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const legendRows = Math.ceil(series.length / 4);
  // Wide enough for the title (about 6.5 px per character at 12 px).
  const width = Math.max(PW * Math.max(n, 1), Math.ceil(6.5 * options.title.length) + 20);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 24 + 18 * legendRows}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="10" y="14" font-weight="bold" font-size="12">${escapeXml(options.title)}</text>`,
  ];
  const y = (v: number): number => 16 + PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;
  panels.forEach((panel, k) => {
    const x0 = k * PW;
    const numeric = options.logX && panel.xs.every((s) => Number(s) > 0);
    const pos = numeric ? panel.xs.map((s) => Math.log10(Number(s))) : panel.xs.map((_, i) => i);
    const [pMin, pMax] = [Math.min(...pos), Math.max(...pos)];
    const span = pMax - pMin || 1;
    const inner = plotW * 0.88;
    const xAt = (i: number): number => x0 + PAD.left + plotW * 0.06 + ((pos[i] - pMin) / span) * inner;
    const top = 16 + PAD.top;
    parts.push(`<text x="${x0 + PAD.left + plotW / 2}" y="${top - 8}" text-anchor="middle">${escapeXml(panel.title)}</text>`);
    parts.push(`<rect x="${x0 + PAD.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
    for (let t = Math.ceil(lo * 10 - 1e-9); t <= Math.floor(hi * 10 + 1e-9); t++) {
      const v = t / 10;
      parts.push(`<line x1="${x0 + PAD.left}" y1="${y(v).toFixed(1)}" x2="${x0 + PAD.left + plotW}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
      parts.push(`<text x="${x0 + PAD.left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${(100 * v).toFixed(0)}%</text>`);
    }
    panel.xs.forEach((label, i) => parts.push(`<text x="${xAt(i).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle">${escapeXml(label)}</text>`));
    parts.push(`<text x="${x0 + PAD.left + plotW / 2}" y="${top + plotH + 32}" text-anchor="middle">${escapeXml(options.xName)}</text>`);
    const offset = (j: number): number => (j - (series.length - 1) / 2) * Math.min(4, (inner / Math.max(panel.xs.length, 2)) / (series.length + 1));
    series.forEach((_, j) => {
      const color = COLORS[j % COLORS.length];
      const pts = panel.xs.flatMap((_, i) => {
        const a = panel.cells[i][j].accuracy;
        return a ? [[xAt(i) + offset(j), a] as const] : [];
      });
      if (pts.length > 1) parts.push(`<path d="${pts.map(([px, a], q) => `${q === 0 ? 'M' : 'L'}${px.toFixed(1)},${y(a.mean).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
      for (const [px, a] of pts) {
        parts.push(`<line x1="${px.toFixed(1)}" y1="${y(Math.max(lo, a.mean - a.sd)).toFixed(1)}" x2="${px.toFixed(1)}" y2="${y(Math.min(hi, a.mean + a.sd)).toFixed(1)}" stroke="${color}" stroke-width="1.2"/>`);
        parts.push(`<circle cx="${px.toFixed(1)}" cy="${y(a.mean).toFixed(1)}" r="2.6" fill="${color}"/>`);
      }
    });
  });
  series.forEach((s, j) => {
    const lx = PAD.left + (j % 4) * 150;
    const ly = H + 30 + 18 * Math.floor(j / 4);
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${COLORS[j % COLORS.length]}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 28}" y="${ly}">${escapeXml(s)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
