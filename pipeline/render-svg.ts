/**
 * The SVG picture of a schedule: time runs left to right, stage 1 is the top row. Each
 * F and B is one rectangle in its stage-tick cell, colored by kind, with its sample
 * number inside; when a stage does F and B in the same tick (PB), the cell is split, F
 * above B. A U is a bar on the right edge of its cell. Every instruction box carries a
 * `<title>` in `2F0` notation, shown on hover.
 *
 * The output is a standalone SVG document (no external styles or fonts), so it can be
 * written to a `.svg` file or inlined in HTML.
 *
 * @module
 */
import { formatInstruction, type Instruction, type Schedule } from './instruction.js';

/** The fill color of each instruction kind in the picture and its legend. */
export const kindColors: Readonly<Record<Instruction['kind'], string>> = {
  F: '#4e79a7',
  B: '#f28e2b',
  U: '#59a14f',
};

const cell = { width: 28, height: 24 };
const margin = { left: 64, top: 36, right: 16, bottom: 64 };

/**
 * Renders `schedule` as an SVG string: one `<rect class="F">` or `<rect class="B">` per
 * forward and backward, one `<line class="U">` per update, axis labels (stages on the
 * left, ticks below) and a legend. Sample numbers are written inside the boxes. The
 * boxes are the only `<rect>` elements (the legend uses circles).
 *
 * @example
 * writeFileSync('pb.svg', renderSvg(makeSchedule('pb', { stages: 4, samples: 8 })));
 */
export function renderSvg(schedule: Schedule): string {
  const ticks = [...schedule.ticks()];
  const gridWidth = ticks.length * cell.width;
  const gridHeight = schedule.stages * cell.height;
  const width = margin.left + gridWidth + margin.right;
  const height = margin.top + gridHeight + margin.bottom;
  const parts: string[] = [];

  const title = `${schedule.name}: ${schedule.stages} stages, ${schedule.samples} samples` +
    (schedule.microBatches === undefined ? '' : `, ${schedule.microBatches} micro-batches per update`);
  parts.push(text(margin.left, 20, title, 'start', 13));

  ticks.forEach((tick, t) => {
    const x = margin.left + t * cell.width;
    for (let s = 1; s <= schedule.stages; s++) {
      const y = margin.top + (s - 1) * cell.height;
      const work = tick.filter((i) => i.stage === s && i.kind !== 'U');
      const boxHeight = cell.height / Math.max(1, work.length);
      work.forEach((instruction, n) => {
        const top = y + n * boxHeight;
        const size = Math.min(11, boxHeight - 3);
        parts.push(
          `<g><title>${formatInstruction(instruction)}</title>` +
            `<rect class="${instruction.kind}" x="${x + 1}" y="${top + 1}" width="${cell.width - 2}" ` +
            `height="${boxHeight - 2}" fill="${kindColors[instruction.kind]}"/>` +
            text(x + cell.width / 2, top + boxHeight / 2 + size * 0.35, String(instruction.sample), 'middle', size, '#fff') +
            '</g>',
        );
      });
      for (const update of tick.filter((i) => i.stage === s && i.kind === 'U')) {
        parts.push(
          `<line class="U" x1="${x + cell.width - 2}" y1="${y + 2}" x2="${x + cell.width - 2}" ` +
            `y2="${y + cell.height - 2}" stroke="${kindColors.U}" stroke-width="3">` +
            `<title>${formatInstruction(update)}</title></line>`,
        );
      }
    }
  });

  for (let s = 1; s <= schedule.stages; s++) {
    parts.push(text(margin.left - 8, margin.top + (s - 0.5) * cell.height + 4, `stage ${s}`, 'end', 11));
  }
  const step = labelStep(ticks.length);
  for (let t = 0; t < ticks.length; t += step) {
    parts.push(text(margin.left + (t + 0.5) * cell.width, margin.top + gridHeight + 14, String(t), 'middle', 10));
  }
  parts.push(text(margin.left + gridWidth / 2, margin.top + gridHeight + 30, 'tick', 'middle', 11));

  const legendY = margin.top + gridHeight + 48;
  const legend: [Instruction['kind'], string][] = [['F', 'forward'], ['B', 'backward'], ['U', 'update']];
  legend.forEach(([kind, label], n) => {
    const x = margin.left + n * 96;
    parts.push(
      `<circle cx="${x + 6}" cy="${legendY - 4}" r="6" fill="${kindColors[kind]}"/>`,
      text(x + 16, legendY, `${kind} ${label}`, 'start', 11),
    );
  });

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    parts.join('\n') +
    '\n</svg>\n'
  );
}

/** A `<text>` element with its content XML-escaped. */
function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', size: number, fill = '#222'): string {
  const escaped = content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<text x="${round(x)}" y="${round(y)}" text-anchor="${anchor}" font-size="${size}" fill="${fill}">${escaped}</text>`;
}

/** Label every tick up to 40 ticks, then every 2nd, 5th, 10th, 20th, 50th, ... */
function labelStep(ticks: number): number {
  for (let step = 1; ; step *= 10) {
    for (const k of [1, 2, 5]) if (ticks / (k * step) <= 40) return k * step;
  }
}

/** A coordinate with at most two decimals, so the markup carries no float noise. */
function round(v: number): number {
  return Math.round(v * 100) / 100;
}
