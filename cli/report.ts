/**
 * How a run talks while it trains: a live progress line on a terminal, plain periodic
 * lines otherwise, or one JSON object per line with `--json`.
 *
 * @module
 */
import type { EpochMetrics, Progress, TrainEvents } from '../training/index.js';

/** Where the reporter writes (stdout by default; tests pass their own). */
export interface Sink {
  /** Write text as is. */
  write(text: string): void;
  /** Whether the sink is an interactive terminal. */
  isTTY?: boolean;
}

/** A reporter's mode. */
export type ReportMode = 'live' | 'plain' | 'json';

/** The mode for a sink: JSON when asked, live on a terminal, plain otherwise. */
export function reportMode(json: boolean, sink: Sink): ReportMode {
  return json ? 'json' : sink.isTTY ? 'live' : 'plain';
}

/** Percent with one decimal, or `–` for null. */
export function pct(v: number | null): string {
  return v === null ? '–' : `${(v * 100).toFixed(2)}%`;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Events that print progress and epoch results to `sink` in `mode`, tagged with `label`. */
export function reporter(mode: ReportMode, sink: Sink, label = ''): TrainEvents {
  const tag = label ? `[${label}] ` : '';
  let lastPlain = -1;
  return {
    progress(p: Progress) {
      if (mode === 'json') {
        sink.write(JSON.stringify({ event: 'progress', ...(label ? { run: label } : {}), ...p }) + '\n');
        return;
      }
      const line =
        `${tag}epoch ${p.epoch}/${p.epochs}  ${p.samples}/${p.samplesPerEpoch} samples  ` +
        `${p.samplesPerSecond.toFixed(0)} samples/s  loss ${p.loss.toFixed(4)}` +
        (p.accuracy !== null ? `  acc ${pct(p.accuracy)}` : '') +
        `  ETA ${duration(p.etaSeconds)}`;
      if (mode === 'live') {
        sink.write(`\r\x1b[K${line}`);
        return;
      }
      // Plain output: about every 10% of an epoch.
      const decile = Math.floor((10 * p.samples) / p.samplesPerEpoch);
      if (decile !== lastPlain) {
        lastPlain = decile;
        sink.write(line + '\n');
      }
    },
    epoch(m: EpochMetrics) {
      if (mode === 'json') {
        sink.write(JSON.stringify({ event: 'epoch', ...(label ? { run: label } : {}), ...m }) + '\n');
        return;
      }
      if (mode === 'live') sink.write('\r\x1b[K');
      sink.write(
        `${tag}epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(4)}` +
          (m.trainAccuracy !== null ? ` acc ${pct(m.trainAccuracy)}` : '') +
          `, test loss ${m.testLoss.toFixed(4)}` +
          (m.testAccuracy !== null ? ` acc ${pct(m.testAccuracy)}` : '') +
          `, ${m.samplesPerSecond.toFixed(0)} samples/s, ${m.seconds.toFixed(1)} s\n`,
      );
    },
  };
}
