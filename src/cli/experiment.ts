/**
 * `tensorgrad experiment NAME`: runs one of the reproducible experiments
 * (src/experiments) and writes its report folder; `--list` shows them.
 */
import { join } from 'node:path';
import { listBackends, registerBackend, setBackend } from '../backend/current.js';
import { EXPERIMENTS, findExperiment } from '../experiments/registry.js';
import { runExperiment, type RunResult, type Scale } from '../experiments/runner.js';
import { UserError } from './errors.js';
import { cliErr, cliOut } from './io.js';
import { cleanStaleTempFiles, ensureDir, removeEmptyDirs } from './files.js';

export interface ExperimentOptions {
  list?: boolean;
  full?: boolean;
  /** Hidden: the tiny sizes used by the test suite. */
  smoke?: boolean;
  out?: string;
  seed: number;
  backend: string;
  dataDir?: string;
}

/** The experiments, one per line: name, then what it shows. */
export function experimentList(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length));
  return EXPERIMENTS.map((e) => `${e.name.padEnd(width)}  ${e.summary}`).join('\n');
}

/** Selects a backend by name; 'wasm' is loaded on first use when nothing registered it yet. */
async function selectBackend(name: string): Promise<void> {
  if (name === 'wasm' && !listBackends().includes('wasm')) {
    try {
      const { initWasmBackend } = await import('../backend/wasm/index.js');
      registerBackend(await initWasmBackend());
    } catch (e) {
      throw new UserError(`the wasm backend could not be loaded (${(e as Error).message})`);
    }
  }
  if (!listBackends().includes(name)) throw new UserError(`unknown backend '${name}' (available: ${[...new Set([...listBackends(), 'wasm'])].join(', ')})`);
  setBackend(name);
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
  await selectBackend(o.backend);
  const scale: Scale = o.full ? 'full' : o.smoke ? 'smoke' : 'quick';
  // Checked (and created) here, before the run: a bad --out fails at once, and never reaches Node 20's recursive-mkdir hang.
  const out = o.out ?? join('experiments', exp.name);
  const created = ensureDir(out, '--out');
  cleanStaleTempFiles(out, 1);
  let result: RunResult;
  try {
    result = await runExperiment(exp, { scale, seed: o.seed, out, backend: o.backend, dataDir: o.dataDir, log: (line) => cliErr(`${line}\n`) });
  } catch (e) {
    removeEmptyDirs(created);
    throw e;
  }
  cliOut(`${result.output.headline.join('\n')}\nreport: ${result.outDir}/report.md\n`);
  return result;
}
