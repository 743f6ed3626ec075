/** Writing runs to bench/results/ (Node only; the table itself is in report.ts). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from './report.js';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/**
 * Appends the run to bench/results/<date>-<host>.json (an array of runs) and
 * writes it alone to bench/results/latest.json. Returns the dated file's path.
 */
export function saveRun(run: RunRecord): string {
  mkdirSync(resultsDir, { recursive: true });
  const host = run.machine.host.replace(/[^A-Za-z0-9._-]/g, '_');
  const file = join(resultsDir, `${run.date.slice(0, 10)}-${host}.json`);
  let runs: RunRecord[] = [];
  if (existsSync(file)) {
    try {
      const old = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      runs = Array.isArray(old) ? (old as RunRecord[]) : [old as RunRecord];
    } catch {
      runs = []; // a damaged file is replaced rather than stopping the run
    }
  }
  runs.push(run);
  writeFileSync(file, JSON.stringify(runs, null, 1) + '\n');
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(run, null, 1) + '\n');
  return file;
}
