/**
 * `curves.svg`: training loss, test loss and test accuracy against samples seen, one
 * line per run, drawn as a standalone SVG with two panels (loss on a log scale,
 * accuracy linear).
 *
 * @module
 */

/** One measurement of a run. */
export interface CurvePoint {
  /** Training samples seen so far. */
  samples: number;
  /** Mean training loss over the last epoch. */
  trainLoss: number;
  /** Test loss. */
  testLoss: number;
  /** Test accuracy in [0, 1], or null for regression. */
  testAccuracy: number | null;
}

/** A labelled series of points. */
export interface Curve {
  /** Legend label, e.g. the method name. */
  label: string;
  /** Points in order of samples. */
  points: CurvePoint[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** Render the curves of one or more runs as an SVG document. */
export function renderCurves(curves: readonly Curve[]): string {
  const W = 420;
  const H = 260;
  const pad = { left: 56, right: 16, top: 28, bottom: 40 };
  const all = curves.flatMap((c) => c.points);
  const maxSamples = Math.max(1, ...all.map((p) => p.samples));
  const losses = all.flatMap((p) => [p.trainLoss, p.testLoss]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.log10(Math.min(...losses, 1));
  const hi = Math.log10(Math.max(...losses, 1e-3));
  const [lmin, lmax] = hi - lo < 1e-9 ? [lo - 0.5, hi + 0.5] : [lo, hi];
  const accs = all.map((p) => p.testAccuracy).filter((v): v is number => v !== null);
  const showAccuracy = accs.length > 0;
  const x = (s: number, x0: number): number => x0 + pad.left + (s / maxSamples) * (W - pad.left - pad.right);
  const yLoss = (v: number): number => pad.top + (1 - (Math.log10(Math.max(v, 1e-12)) - lmin) / (lmax - lmin)) * (H - pad.top - pad.bottom);
  const yAcc = (v: number): number => pad.top + (1 - v) * (H - pad.top - pad.bottom);
  const panels = showAccuracy ? 2 : 1;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels}" height="${H + 20 * curves.length}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  const axes = (x0: number, title: string, ticks: [number, string][]): void => {
    parts.push(`<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${title}</text>`);
    parts.push(`<rect x="${x0 + pad.left}" y="${pad.top}" width="${W - pad.left - pad.right}" height="${H - pad.top - pad.bottom}" fill="none" stroke="#888"/>`);
    for (const [y, label] of ticks) parts.push(`<text x="${x0 + pad.left - 4}" y="${y + 4}" text-anchor="end">${label}</text>`);
    parts.push(`<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle">samples seen (max ${maxSamples})</text>`);
  };
  const lossTicks: [number, string][] = [];
  for (let e = Math.ceil(lmin); e <= Math.floor(lmax); e++) lossTicks.push([yLoss(10 ** e), `1e${e}`]);
  if (lossTicks.length === 0) lossTicks.push([yLoss(10 ** lmin), (10 ** lmin).toPrecision(2)], [yLoss(10 ** lmax), (10 ** lmax).toPrecision(2)]);
  axes(0, 'loss (solid: train, dashed: test)', lossTicks);
  if (showAccuracy) axes(W, 'test accuracy', [0, 0.25, 0.5, 0.75, 1].map((v) => [yAcc(v), v.toFixed(2)]));
  const path = (pts: [number, number][]): string => pts.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  curves.forEach((c, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = c.points;
    parts.push(`<path d="${path(pts.map((p) => [x(p.samples, 0), yLoss(p.trainLoss)]))}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    parts.push(`<path d="${path(pts.map((p) => [x(p.samples, 0), yLoss(p.testLoss)]))}" fill="none" stroke="${color}" stroke-dasharray="4 3"/>`);
    for (const p of pts) parts.push(`<circle cx="${x(p.samples, 0).toFixed(1)}" cy="${yLoss(p.testLoss).toFixed(1)}" r="2" fill="${color}"/>`);
    if (showAccuracy) {
      const ap = pts.filter((p) => p.testAccuracy !== null).map((p) => [x(p.samples, W), yAcc(p.testAccuracy!)] as [number, number]);
      parts.push(`<path d="${path(ap)}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
      for (const [a, b] of ap) parts.push(`<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2" fill="${color}"/>`);
    }
    const ly = H + 14 + 20 * i;
    parts.push(`<line x1="${pad.left}" y1="${ly - 4}" x2="${pad.left + 24}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${pad.left + 30}" y="${ly}">${escapeXml(c.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
