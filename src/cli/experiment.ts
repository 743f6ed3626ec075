/**
 * `tensorgrad experiment NAME`: runs one of the reproducible experiments
 * (src/experiments) and writes its report folder; `--list` shows them.
 */
import { join } from 'node:path';
import { EXPERIMENTS, findExperiment } from '../experiments/registry.js';
import { runExperiment, type RunResult } from '../experiments/runner.js';
import type { Scale } from '../experiments/types.js';
import { UserError } from './errors.js';
import { useBackend } from './backend.js';
import { cliErr, cliOut } from './io.js';
import { cleanStaleTempFiles, ensureDir, removeEmptyDirs } from './files.js';

export interface ExperimentOptions {
  list?: boolean;
  full?: boolean;
  /** Hidden: the tiny sizes used by the test suite. */
  smoke?: boolean;
  out?: string;
  seed: number;
  /** Backend name (default: TENSORGRAD_BACKEND, else wasm where it loads). */
  backend?: string;
  dataDir?: string;
}

/** The experiments, one per line: name, then what it shows. */
export function experimentList(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length));
  return EXPERIMENTS.map((e) => `${e.name.padEnd(width)}  ${e.summary}`).join('\n');
}

export async function experimentCommand(name: string | undefined, o: ExperimentOptions): Promise<RunResult | null> {
  if (o.list) {
    if (name !== undefined) throw new UserError(`--list takes no experiment name (got '${name}'); drop one of them`);
    cliOut(`${experimentList()}\n`);
    return null;
  }
  if (!name) throw new UserError(`name an experiment (${EXPERIMENTS.map((e) => e.name).join(', ')}) or pass --list`);
  const exp = findExperiment(name);
  if (!exp) throw new UserError(`unknown experiment '${name}' (available: ${EXPERIMENTS.map((e) => e.name).join(', ')})`);
  if (o.full && o.smoke) throw new UserError('--full and --smoke exclude each other');
  const backend = useBackend(o.backend);
  const scale: Scale = o.full ? 'full' : o.smoke ? 'smoke' : 'quick';
  // Checked (and created) here, before the run: a bad --out fails at once, and never reaches Node 20's recursive-mkdir hang.
  const out = o.out ?? join('experiments', exp.name);
  const created = ensureDir(out, '--out');
  cleanStaleTempFiles(out, 1);
  let result: RunResult;
  try {
    result = await runExperiment(exp, { scale, seed: o.seed, out, backend, dataDir: o.dataDir, log: (line) => cliErr(`${line}\n`) });
  } catch (e) {
    removeEmptyDirs(created);
    throw e;
  }
  cliOut(`${result.output.headline.join('\n')}\nreport: ${result.outDir}/report.md\n`);
  return result;
}
