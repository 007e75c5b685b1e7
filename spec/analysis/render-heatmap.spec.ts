/**
 * The rate heatmaps (analysis/render-heatmap.ts): every cell painted exactly once,
 * diverging cells grey, one titled panel per grid, and a legend.
 */
import test from 'tape';
import { colorOf, divergingColor, renderRateHeatmaps } from '../../analysis/render-heatmap.js';
import { logSpace, rateGrid } from '../../analysis/stability.js';

const hs = logSpace(1e-3, 1, 16);
const delays = [0, 1, 2, 4, 8];
const grids = ['pb', 'pb+sc+lwp'].map((method) => rateGrid(method, { momentum: 0.9 }, hs, delays));

/** The area painted by each fill color, from the `M x y h w v h …z` rectangles of the cell paths. */
function paintedArea(svg: string): Map<string, number> {
  const area = new Map<string, number>();
  for (const path of svg.matchAll(/<path class="cells" fill="(#[0-9a-f]{6})" d="([^"]+)"\/>/g)) {
    for (const r of path[2].matchAll(/M[-\d.]+ [-\d.]+h([-\d.]+)v([-\d.]+)h[-\d.]+z/g)) {
      area.set(path[1], (area.get(path[1]) ?? 0) + Number(r[1]) * Number(r[2]));
    }
  }
  return area;
}

test('heatmap: every (D, h) cell of every panel is painted once, diverging cells in grey', (t) => {
  const svg = renderRateHeatmaps(grids, { title: 'm = 0.9' });
  t.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && svg.trimEnd().endsWith('</svg>'), 'a standalone SVG document');
  const area = paintedArea(svg);
  const total = [...area.values()].reduce((a, b) => a + b, 0);
  const cellArea = 3 * 6;
  t.equal(total, grids.length * hs.length * delays.length * cellArea, `${grids.length} panels × ${hs.length} × ${delays.length} cells`);
  const diverging = grids.flatMap((g) => g.rates.flat()).filter((r) => r >= 1).length;
  t.ok(diverging > 0, `the grid has diverging cells (${diverging})`);
  t.equal(area.get(divergingColor), diverging * cellArea, 'exactly those are grey');
  t.ok(svg.includes('>pb</text>') && svg.includes('>pb+sc+lwp</text>'), 'each panel titled by its method');
  t.ok(svg.includes('does not converge (rate ≥ 1)') && svg.includes('τ = −1/ln(rate)'), 'the legend names both scales');
  t.end();
});

test('heatmap: colors — grey at rate 1 and above (and NaN), distinct for fast and slow convergence', (t) => {
  t.equal(colorOf(1), divergingColor, 'rate 1');
  t.equal(colorOf(1.5), divergingColor, 'rate 1.5');
  t.equal(colorOf(NaN), divergingColor, 'NaN');
  t.notEqual(colorOf(0.1), colorOf(0.9999), 'τ ≈ 0.4 and τ ≈ 10⁴ differ');
  t.notEqual(colorOf(0.9999), divergingColor, 'slow is not grey');
  t.end();
});

test('heatmap: grids on different axes, or none, are refused', (t) => {
  const other = rateGrid('pb', { momentum: 0.9 }, logSpace(1e-3, 1, 8), delays);
  t.throws(() => renderRateHeatmaps([grids[0], other], { title: 'x' }), /does not share the first grid's h and D axes/, 'different h axes');
  t.throws(() => renderRateHeatmaps([], { title: 'x' }), /at least one rate grid/, 'no grid');
  t.end();
});
