/**
 * SVG heatmaps of the convergence rate over `(log10 η·λ, D)`, one panel per method,
 * with a shared legend. A cell's color is the number of updates `τ = −1/ln(rate)` it
 * takes the weight to shrink by a factor `e` (log scale, from 1 to 10⁶ updates); cells
 * whose rate is 1 or more (no convergence) are light grey. Colors are quantized to
 * quarter decades of `τ`; equal neighbours in a row merge into one rectangle, and all
 * rectangles of one color form one `<path class="cells">`, which keeps the file small.
 *
 * The output is a standalone SVG document (no external styles or fonts).
 *
 * @module
 */
import type { RateGrid } from './stability.js';

/** The color of a diverging cell (rate ≥ 1). */
export const divergingColor = '#e4e4e4';

/** Color anchors from fast (τ = 1 update) to slow (τ = 10⁶ updates). */
const anchors = ['#f6e35a', '#9bd05a', '#3fae7a', '#22808a', '#2f5a8c', '#3b2f74', '#25103a'];
const maxDecades = 6;
const levelsPerDecade = 4;

const panel = { cellWidth: 3, cellHeight: 6, gapX: 70, gapY: 64 };
const margin = { left: 56, top: 44, right: 24, bottom: 78 };

/** Options of {@link renderRateHeatmaps}. */
export interface HeatmapOptions {
  /** The picture's title, e.g. `momentum 0.9`. */
  title: string;
  /** Panels per row (default 3). */
  columns?: number;
}

/**
 * The heatmaps of `grids` (one panel each, titled by its method) as an SVG string.
 * Every panel must share the first grid's `hs` (increasing) and `delays`.
 *
 * @example
 * const hs = logSpace(1e-6, 10, 106);
 * const delays = Array.from({ length: 33 }, (_, d) => d);
 * writeFileSync('m0.9.svg', renderRateHeatmaps(quadraticMethodNames.map((m) => rateGrid(m, { momentum: 0.9 }, hs, delays)), { title: 'm = 0.9' }));
 * @throws when there is no grid or the grids do not share their axes.
 */
export function renderRateHeatmaps(grids: readonly RateGrid[], options: HeatmapOptions): string {
  if (grids.length === 0) throw new Error('renderRateHeatmaps: give at least one rate grid');
  const { hs, delays } = grids[0];
  for (const g of grids) {
    if (g.hs.length !== hs.length || g.delays.length !== delays.length || g.hs.some((h, j) => h !== hs[j]) || g.delays.some((d, i) => d !== delays[i])) {
      throw new Error(`renderRateHeatmaps: the grid of ${g.method} does not share the first grid's h and D axes; compute every grid on the same axes`);
    }
  }
  const columns = options.columns ?? 3;
  const rows = Math.ceil(grids.length / columns);
  const panelWidth = hs.length * panel.cellWidth;
  const panelHeight = delays.length * panel.cellHeight;
  const width = margin.left + columns * panelWidth + (columns - 1) * panel.gapX + margin.right;
  const height = margin.top + rows * panelHeight + (rows - 1) * panel.gapY + margin.bottom;
  const parts: string[] = [text(margin.left, 22, options.title, 'start', 14)];

  grids.forEach((grid, n) => {
    const x0 = margin.left + (n % columns) * (panelWidth + panel.gapX);
    const y0 = margin.top + Math.floor(n / columns) * (panelHeight + panel.gapY);
    parts.push(text(x0, y0 - 6, grid.method, 'start', 12));
    // One <path> per color: each run of equal neighbours in a row is one `M x y h w v 6 h −w z`.
    const runs = new Map<string, string[]>();
    grid.rates.forEach((row, i) => {
      const y = y0 + (delays.length - 1 - i) * panel.cellHeight;
      let start = 0;
      for (let j = 1; j <= row.length; j++) {
        const color = colorOf(row[start]);
        if (j < row.length && colorOf(row[j]) === color) continue;
        const w = (j - start) * panel.cellWidth;
        if (!runs.has(color)) runs.set(color, []);
        runs.get(color)!.push(`M${x0 + start * panel.cellWidth} ${y}h${w}v${panel.cellHeight}h${-w}z`);
        start = j;
      }
    });
    for (const [color, d] of runs) parts.push(`<path class="cells" fill="${color}" d="${d.join('')}"/>`);
    parts.push(`<rect x="${x0}" y="${y0}" width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#444" stroke-width="0.5"/>`);
    const logs = hs.map(Math.log10);
    for (let decade = Math.ceil(logs[0]); decade <= Math.floor(logs[logs.length - 1]); decade++) {
      const x = x0 + ((decade - logs[0]) / (logs[logs.length - 1] - logs[0])) * (panelWidth - panel.cellWidth) + panel.cellWidth / 2;
      parts.push(`<line x1="${round(x)}" y1="${y0 + panelHeight}" x2="${round(x)}" y2="${y0 + panelHeight + 4}" stroke="#444"/>`);
      parts.push(text(x, y0 + panelHeight + 15, `1e${decade}`, 'middle', 9));
    }
    parts.push(text(x0 + panelWidth / 2, y0 + panelHeight + 29, 'η·λ', 'middle', 11));
    delays.forEach((d, i) => {
      if (i % Math.max(1, Math.round(delays.length / 5)) !== 0 && i !== delays.length - 1) return;
      parts.push(text(x0 - 5, y0 + (delays.length - 0.5 - i) * panel.cellHeight + 3, String(d), 'end', 9));
    });
    parts.push(text(x0 - 30, y0 + panelHeight / 2, 'D', 'middle', 11));
  });

  const legendY = height - 34;
  const barWidth = 240;
  const levels = maxDecades * levelsPerDecade;
  for (let k = 0; k < levels; k++) {
    const tau = Math.pow(10, (k + 0.5) / levelsPerDecade);
    parts.push(`<rect x="${round(margin.left + (k * barWidth) / levels)}" y="${legendY}" width="${round(barWidth / levels + 0.3)}" height="10" fill="${colorOfTau(tau)}"/>`);
  }
  for (let decade = 0; decade <= maxDecades; decade++) {
    parts.push(text(margin.left + (decade * barWidth) / maxDecades, legendY + 22, decade === maxDecades ? '≥1e6' : `1e${decade}`, 'middle', 9));
  }
  parts.push(text(margin.left + barWidth + 14, legendY + 9, 'updates for |w| to shrink by e: τ = −1/ln(rate)', 'start', 11));
  parts.push(`<rect x="${margin.left + barWidth + 290}" y="${legendY}" width="14" height="10" fill="${divergingColor}" stroke="#999" stroke-width="0.5"/>`);
  parts.push(text(margin.left + barWidth + 310, legendY + 9, 'does not converge (rate ≥ 1)', 'start', 11));

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    parts.join('\n') +
    '\n</svg>\n'
  );
}

/**
 * The color of a rate: {@link divergingColor} at 1 or more, otherwise the color of
 * `τ = −1/ln(rate)` quantized to a quarter decade.
 */
export function colorOf(rate: number): string {
  if (!(rate < 1)) return divergingColor;
  return colorOfTau(-1 / Math.log(rate));
}

/** The color of `τ` updates, quantized to a quarter decade and clamped to `[1, 10⁶]`. */
function colorOfTau(tau: number): string {
  const level = Math.floor(Math.min(Math.max(Math.log10(Math.max(tau, 1)), 0), maxDecades - 1e-9) * levelsPerDecade);
  const position = ((level + 0.5) / (maxDecades * levelsPerDecade)) * (anchors.length - 1);
  const k = Math.min(Math.floor(position), anchors.length - 2);
  return mix(anchors[k], anchors[k + 1], position - k);
}

/** The color `(1 − t)·c0 + t·c1` of two `#rrggbb` colors. */
function mix(c0: string, c1: string, t: number): string {
  const channel = (c: string, i: number) => parseInt(c.slice(1 + 2 * i, 3 + 2 * i), 16);
  return (
    '#' +
    [0, 1, 2]
      .map((i) => Math.round((1 - t) * channel(c0, i) + t * channel(c1, i)).toString(16).padStart(2, '0'))
      .join('')
  );
}

/** A `<text>` element with its content XML-escaped. */
function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', size: number): string {
  const escaped = content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<text x="${round(x)}" y="${round(y)}" text-anchor="${anchor}" font-size="${size}" fill="#222">${escaped}</text>`;
}

/** A coordinate with at most two decimals. */
function round(v: number): number {
  return Math.round(v * 100) / 100;
}
