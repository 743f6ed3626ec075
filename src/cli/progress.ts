import cliProgress from 'cli-progress';
import type { BatchInfo } from '../train/fit.js';
import type { CliStream } from './io.js';

/** Formats seconds as m:ss (or h:mm:ss). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}

export interface Progress {
  batch(info: BatchInfo): void;
  /** Ends the current epoch's bar (before printing the epoch line). */
  endEpoch(): void;
  log(line: string): void;
}

/**
 * Per-epoch progress: a live bar (batch k/n, loss, accuracy, images/s, ETA) on a
 * terminal; otherwise plain log lines about every 10% of an epoch, so logs of
 * non-interactive runs stay readable.
 */
export function createProgress(epochs: number, stream: CliStream): Progress {
  // Only the process's own stderr reports a terminal (see io.ts); the bar needs that real stream.
  if (stream.isTTY) {
    const tty = process.stderr;
    let bar: cliProgress.SingleBar | null = null;
    return {
      batch(i) {
        if (!bar) {
          bar = new cliProgress.SingleBar({
            format: `epoch ${i.epoch}/${epochs} [{bar}] {value}/{total} | loss {loss} | acc {acc} | {speed} img/s | ETA {eta_s}`,
            barsize: 24, hideCursor: true, clearOnComplete: true, stream: tty, formatTime: (t: number) => formatDuration(t),
          }, cliProgress.Presets.shades_classic);
          bar.start(i.batches, 0, { loss: '-', acc: '-', speed: '-', eta_s: '?' });
        }
        bar.update(i.batch, {
          loss: i.loss.toFixed(4), acc: `${(i.accuracy * 100).toFixed(2)}%`,
          speed: Math.round(i.imagesPerSecond), eta_s: formatDuration(i.etaSeconds),
        });
      },
      endEpoch() {
        bar?.stop();
        bar = null;
      },
      log(line) {
        tty.write(`${line}\n`);
      },
    };
  }
  return {
    batch(i) {
      const every = Math.max(1, Math.round(i.batches / 10));
      if (i.batch % every !== 0 && i.batch !== i.batches) return;
      stream.write(`epoch ${i.epoch}/${epochs} batch ${i.batch}/${i.batches} loss ${i.loss.toFixed(4)} acc ${(i.accuracy * 100).toFixed(2)}% ${Math.round(i.imagesPerSecond)} img/s ETA ${formatDuration(i.etaSeconds)}\n`);
    },
    endEpoch() {},
    log(line) {
      stream.write(`${line}\n`);
    },
  };
}

/** Progress of one scan over a dataset (top patches, confusion matrix, occlusion). */
export interface ScanProgress {
  /** `done` of `total` items processed. */
  update(done: number, total: number): void;
  /** Removes the bar (call also when the scan throws). */
  stop(): void;
}

/**
 * A live bar `label [====] done/total | ETA` for a scan over a dataset, on a
 * terminal only: with `quiet` or when `stream` is not a terminal (logs, tests)
 * it prints nothing, since a scan's result is what the command prints after.
 * @example const p = createScanProgress('top patches', cliIO().stderr, opts.quiet); try { scan((d, t) => p.update(d, t)); } finally { p.stop(); }
 */
export function createScanProgress(label: string, stream: CliStream, quiet = false): ScanProgress {
  if (quiet || !stream.isTTY) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar({
          format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted}`,
          barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr, formatTime: (t: number) => formatDuration(t),
        }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
