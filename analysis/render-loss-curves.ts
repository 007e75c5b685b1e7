/**
 * SVG of the engine's loss curves on the quadratic: one panel per setting (momentum and
 * learning rate), the loss on a log scale against samples, one line per method. A loss
 * above the top of the axis (a diverging run) is drawn at the top edge.
 *
 * @module
 */
import type { EngineLossCurve } from './engine-loss-curves.js';

/** One panel of {@link renderLossCurves}: a title and its curves. */
export interface LossCurvePanel {
  /** The panel's title, e.g. `m = 0.9, η = 0.016`. */
  title: string;
  /** One curve per method. */
  curves: readonly EngineLossCurve[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const W = 420;
const H = 280;
const PAD = { left: 56, right: 14, top: 44, bottom: 40 };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The panels as one SVG document, side by side, with a shared legend. The y axis runs
 * from `1e-8` of the starting loss to `1e3` times it, in decades.
 *
 * @throws when there is no panel.
 */
export function renderLossCurves(panels: readonly LossCurvePanel[], title: string): string {
  if (panels.length === 0) throw new Error('renderLossCurves: give at least one panel');
  const start = Math.max(...panels.flatMap((p) => p.curves.map((c) => c.losses[0] ?? 1)));
  const hi = Math.ceil(Math.log10(start)) + 3;
  const lo = hi - 11;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const methods = [...new Set(panels.flatMap((p) => p.curves.map((c) => c.method)))];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H + 22 * Math.ceil(methods.length / 4) + 6}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${PAD.left}" y="16" font-weight="bold" font-size="12">${escapeXml(title)}</text>`,
  ];
  panels.forEach((panel, k) => {
    const x0 = k * W + PAD.left;
    const samples = Math.max(1, ...panel.curves.map((c) => c.losses.length - 1));
    const xAt = (t: number): number => x0 + (t / samples) * plotW;
    const yAt = (v: number): number => PAD.top + (1 - (Math.min(hi, Math.max(lo, Math.log10(Math.max(v, 1e-300)))) - lo) / (hi - lo)) * plotH;
    parts.push(`<text x="${x0 + plotW / 2}" y="${PAD.top - 8}" text-anchor="middle">${escapeXml(panel.title)}</text>`);
    parts.push(`<rect x="${x0}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
    for (let e = lo; e <= hi; e++) {
      if ((e - lo) % 2 !== 0) continue;
      const y = yAt(10 ** e).toFixed(1);
      parts.push(`<line x1="${x0}" y1="${y}" x2="${x0 + plotW}" y2="${y}" stroke="#eee"/>`);
      parts.push(`<text x="${x0 - 4}" y="${Number(y) + 4}" text-anchor="end">1e${e}</text>`);
    }
    parts.push(`<text x="${x0}" y="${PAD.top + plotH + 14}" text-anchor="middle">0</text>`);
    parts.push(`<text x="${x0 + plotW}" y="${PAD.top + plotH + 14}" text-anchor="middle">${samples}</text>`);
    parts.push(`<text x="${x0 + plotW / 2}" y="${PAD.top + plotH + 30}" text-anchor="middle">samples (updates)</text>`);
    for (const c of panel.curves) {
      const color = COLORS[methods.indexOf(c.method) % COLORS.length];
      const step = Math.max(1, Math.floor(c.losses.length / 400));
      const pts: string[] = [];
      for (let t = 0; t < c.losses.length; t += step) pts.push(`${pts.length === 0 ? 'M' : 'L'}${xAt(t).toFixed(1)},${yAt(c.losses[t]).toFixed(1)}`);
      parts.push(`<path d="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
    }
  });
  methods.forEach((m, j) => {
    const lx = PAD.left + (j % 4) * 150;
    const ly = H + 14 + 22 * Math.floor(j / 4);
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${COLORS[j % COLORS.length]}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 28}" y="${ly}">${escapeXml(m)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
