/**
 * The ASCII picture of a schedule: one line per tick (time runs down the page, as in
 * torchgpipe's clock-cycle comments), one column per stage (stage 1 on the left), each
 * cell the instructions of that stage in that tick in `2F0` notation, joined by a space.
 *
 * One line per tick is one `Tick` of the stream, and the picture grows longer, not
 * wider, with the run: a thousand-sample run stays readable in a terminal. For a
 * parallel run, a second header line can say which worker runs each stage.
 *
 * @module
 */
import { formatInstruction, type Schedule } from './instruction.js';

/**
 * Renders `schedule` as a fixed-width grid: a header `tick  stage 1  stage 2 ...`, then
 * one line per tick with the tick number right-aligned and every column as wide as its
 * widest cell, two spaces apart. Idle cells are blank; lines carry no trailing spaces.
 *
 * @example
 * renderAscii(makeSchedule('pb', { stages: 2, samples: 2 }));
 * // tick  stage 1      stage 2
 * //    0  1F0
 * //    1  1F1          2F0 2B0 2U0
 * //    2  1B0 1U0      2F1 2B1 2U1
 * //    3  1B1 1U1
 * renderAscii(schedule, [1, 2]); // adds the line `worker  1  2` under the header
 *
 * @param workers the worker (1-based) that runs each stage, index `s − 1` for stage `s`
 */
export function renderAscii(schedule: Schedule, workers?: readonly number[]): string {
  const rows: string[][] = [];
  for (const tick of schedule.ticks()) {
    const cells = Array.from({ length: schedule.stages }, (): string[] => []);
    for (const instruction of tick) cells[instruction.stage - 1].push(formatInstruction(instruction));
    rows.push([String(rows.length), ...cells.map((cell) => cell.join(' '))]);
  }
  const header = ['tick', ...Array.from({ length: schedule.stages }, (_, k) => `stage ${k + 1}`)];
  const heads = workers ? [header, ['worker', ...Array.from({ length: schedule.stages }, (_, k) => String(workers[k]))]] : [header];
  const widths = header.map((_, c) => Math.max(...[...heads, ...rows].map((row) => row[c].length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (c === 0 ? cell.padStart(widths[0]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [...heads, ...rows].map(line).join('\n') + '\n';
}
