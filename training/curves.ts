/**
 * `curves.svg`: loss and accuracy against samples seen, one colour per run, as a
 * standalone SVG with two panels. Training points (solid lines) are the running means
 * the progress reports give, about fifty per epoch; test points (dashed, with dots)
 * are the evaluations at the end of each epoch.
 *
 * A curve keeps at most {@link CURVE_POINTS} points per line ({@link addCurvePoint}):
 * when it has more, neighbouring points are merged in pairs (training: the mean loss
 * and accuracy of both windows, weighted by the samples each covers; test: the later
 * evaluation). The picture is 420 pixels wide, so a thousand points draw every
 * pixel column, and a run of 10,000 short epochs costs the same to draw at its end as
 * at its start: rewriting `curves.svg` after every epoch is O(1), not O(epochs).
 *
 * @module
 */

/** One measurement. */
export interface CurvePoint {
  /** Training samples seen when it was taken. */
  samples: number;
  /** Mean loss (training: over the samples since the previous point). */
  loss: number;
  /** Accuracy in [0, 1], or null for regression. */
  accuracy: number | null;
}

/** The measurements of one run. */
export interface Curve {
  /** Legend label, e.g. the method name. */
  label: string;
  /** Running training measurements, in order of samples. */
  train: CurvePoint[];
  /** Test measurements, in order of samples. */
  test: CurvePoint[];
}

/** The most points a curve keeps per line; one more halves it by merging neighbours. */
export const CURVE_POINTS = 1024;

/**
 * Add `point` to the end of `points`, then, if there are more than {@link CURVE_POINTS},
 * merge neighbours in pairs (amortized O(1) per point). `merge` says how: `mean` for
 * running training measurements (the mean of both windows, weighted by the samples
 * each covers since the point before), `latest` for evaluations (the later one stays).
 *
 * @example
 * const train: CurvePoint[] = [];
 * addCurvePoint(train, { samples: 100, loss: 0.7, accuracy: 0.5 }, 'mean');
 */
export function addCurvePoint(points: CurvePoint[], point: CurvePoint, merge: 'mean' | 'latest'): void {
  points.push(point);
  if (points.length <= CURVE_POINTS) return;
  const merged: CurvePoint[] = [];
  let before = 0;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const [a, b] = [points[i], points[i + 1]];
    if (merge === 'latest') merged.push(b);
    else {
      const wa = a.samples - before;
      const wb = b.samples - a.samples;
      const mean = (x: number, y: number): number => (wa + wb > 0 ? (x * wa + y * wb) / (wa + wb) : (x + y) / 2);
      const accuracy = a.accuracy === null || b.accuracy === null ? null : mean(a.accuracy, b.accuracy);
      merged.push({ samples: b.samples, loss: mean(a.loss, b.loss), accuracy });
    }
    before = b.samples;
  }
  if (points.length % 2 === 1) merged.push(points[points.length - 1]);
  points.splice(0, points.length, ...merged);
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const W = 420;
const H = 260;
const PAD = { left: 56, right: 16, top: 28, bottom: 40 };

/** Render the curves of one or more runs as an SVG document. */
export function renderCurves(curves: readonly Curve[]): string {
  const all = curves.flatMap((c) => [...c.train, ...c.test]);
  // Folds, not Math.max(...points): a spread of a long curve overflows the call stack.
  const maxSamples = all.reduce((m, p) => Math.max(m, p.samples), 1);
  const losses = all.map((p) => p.loss).filter((v) => Number.isFinite(v) && v > 0);
  let lo = Math.log10(losses.reduce((m, v) => Math.min(m, v), 10));
  let hi = Math.log10(losses.reduce((m, v) => Math.max(m, v), 1e-3));
  if (losses.length === 0) [lo, hi] = [-1, 1];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const showAccuracy = all.some((p) => p.accuracy !== null);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (s: number, x0: number): number => x0 + PAD.left + (s / maxSamples) * plotW;
  const yLoss = (v: number): number => PAD.top + (1 - (Math.log10(Math.max(v, 1e-12)) - lo) / (hi - lo)) * plotH;
  const yAcc = (v: number): number => PAD.top + (1 - v) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W * (showAccuracy ? 2 : 1)}" height="${H + 20 * curves.length}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
  ];
  const axes = (x0: number, title: string, ticks: [number, string][]): void => {
    parts.push(`<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${title}</text>`);
    parts.push(`<rect x="${x0 + PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
    for (const [y, label] of ticks) {
      parts.push(`<line x1="${x0 + PAD.left}" y1="${y.toFixed(1)}" x2="${x0 + PAD.left + plotW}" y2="${y.toFixed(1)}" stroke="#eee"/>`);
      parts.push(`<text x="${x0 + PAD.left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${label}</text>`);
    }
    parts.push(`<text x="${x0 + PAD.left}" y="${H - 22}" text-anchor="middle">0</text>`);
    parts.push(`<text x="${x0 + PAD.left + plotW}" y="${H - 22}" text-anchor="middle">${maxSamples}</text>`);
    parts.push(`<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle">samples seen</text>`);
  };
  axes(0, 'loss (solid: training, dashed: test)', logTicks(lo, hi).map((v) => [yLoss(v), formatTick(v)]));
  if (showAccuracy) axes(W, 'accuracy (solid: training, dashed: test)', [0, 0.25, 0.5, 0.75, 1].map((v) => [yAcc(v), v.toFixed(2)]));
  curves.forEach((c, i) => {
    const color = COLORS[i % COLORS.length];
    const line = (pts: [number, number][], dashed: boolean): void => {
      if (pts.length === 0) return;
      const d = pts.map(([a, b], k) => `${k === 0 ? 'M' : 'L'}${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${dashed ? 1.5 : 1.2}"${dashed ? ' stroke-dasharray="5 3"' : ' stroke-opacity="0.8"'}/>`);
      if (dashed) for (const [a, b] of pts) parts.push(`<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2.5" fill="${color}"/>`);
    };
    line(c.train.map((p) => [x(p.samples, 0), yLoss(p.loss)]), false);
    line(c.test.map((p) => [x(p.samples, 0), yLoss(p.loss)]), true);
    if (showAccuracy) {
      const acc = (pts: CurvePoint[]): [number, number][] => pts.filter((p) => p.accuracy !== null).map((p) => [x(p.samples, W), yAcc(p.accuracy!)]);
      line(acc(c.train), false);
      line(acc(c.test), true);
    }
    const ly = H + 14 + 20 * i;
    parts.push(`<line x1="${PAD.left}" y1="${ly - 4}" x2="${PAD.left + 24}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${PAD.left + 30}" y="${ly}">${escapeXml(c.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Tick values for a log axis from 10^lo to 10^hi: powers of ten, or 1-2-5 steps within a decade. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of hi - lo > 2 ? [1] : [1, 2, 5]) {
      const v = m * 10 ** e;
      const l = Math.log10(v);
      if (l >= lo - 1e-9 && l <= hi + 1e-9) ticks.push(v);
    }
  }
  return ticks;
}

function formatTick(v: number): string {
  return v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
