/**
 * The experiment runner: each experiment (types.ts) is a plain object with
 * settings for three scales and a `run` function; the runner seeds the random
 * generators, creates the output folder, times the run and writes report.md,
 * results.csv and results.json from what `run` returns. The backend is the
 * caller's choice (the CLI selects it before calling).
 */
import { dirname, join } from 'node:path';
import { cpus } from 'node:os';
import { manualSeed, Generator } from '../tensor/random.js';
import { getBackend } from '../backend/current.js';
import { writePng } from '../data/image-io.js';
import { makeDirs, writeFileAtomic } from '../util/node.js';
import { renderReport, toCsv } from './report.js';
import type { Experiment, ExperimentOutput, RunContext, Scale } from './types.js';

export interface RunOptions {
  scale?: Scale;
  seed?: number;
  /** Output folder (default experiments/<name>). */
  out?: string;
  backend?: string;
  dataDir?: string;
  /** No progress output. */
  quiet?: boolean;
  /** Where progress lines go (default stderr). */
  log?: (line: string) => void;
}

export interface RunResult {
  name: string;
  scale: Scale;
  outDir: string;
  /** Wall-clock and CPU seconds of the whole run. */
  seconds: number;
  cpuSeconds: number;
  output: ExperimentOutput;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs an experiment: seeds, times, writes report.md, results.csv and
 * results.json into the output folder, and returns the output.
 * The backend must already be selected (see `selectBackend` in the CLI).
 */
export async function runExperiment<S extends object>(exp: Experiment<S>, opts: RunOptions = {}): Promise<RunResult> {
  const scale = opts.scale ?? 'quick';
  const seed = opts.seed ?? 0;
  const outDir = opts.out ?? join('experiments', exp.name);
  const backend = opts.backend ?? getBackend().name;
  // Folders one level at a time: Node 20's recursive mkdirSync spins forever on paths like /proc/x/y.
  makeDirs(`experiment ${exp.name}`, outDir);
  const write = (file: string, bytes: Uint8Array) => {
    const path = join(outDir, file);
    makeDirs(`experiment ${exp.name}`, dirname(path));
    writeFileAtomic(`experiment ${exp.name}`, path, bytes);
    return path;
  };
  const sink = opts.quiet ? () => {} : (opts.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const elapsed = () => (performance.now() - started) / 1000;
  const ctx: RunContext = {
    name: exp.name, scale, seed, outDir, backend, dataDir: opts.dataDir,
    log: (line) => sink(`[${exp.name} ${fmtSeconds(elapsed())}] ${line}`),
    reseed: (offset = 0) => manualSeed(seed + offset),
    generator: (offset = 0) => new Generator(seed * 7919 + 1000 + offset),
    writeSvg: (file, svg) => write(file, Buffer.from(svg)),
    writePng: (file, image) => {
      const path = join(outDir, file);
      writePng(path, image);
      return path;
    },
    writeText: (file, text) => write(file, Buffer.from(text)),
    elapsed,
  };
  const settings = exp.settings[scale];
  ctx.reseed();
  ctx.log(`${scale} run, seed ${seed}, backend ${backend}, output ${outDir}`);
  await yieldToEventLoop();
  const output = await exp.run(ctx, settings);
  const seconds = elapsed();
  const cpu = process.cpuUsage(cpuStart);
  // CPU time next to wall time: on a shared machine the wall time says more about the neighbours.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const meta = {
    experiment: exp.name, title: exp.title, scale, seed, backend, seconds: Number(seconds.toFixed(2)), cpuSeconds: Number(cpuSeconds.toFixed(2)),
    date: new Date().toISOString(), node: process.version, cpu: cpuName(),
  };
  write('results.csv', Buffer.from(toCsv(output.rows)));
  write('results.json', Buffer.from(`${JSON.stringify({
    ...meta, settings, headline: output.headline, summary: output.summary, rows: output.rows, data: output.data ?? {},
  }, jsonNumbers, 2)}\n`));
  write('report.md', Buffer.from(renderReport(exp, { ...meta, settings, output })));
  ctx.log(`done in ${fmtSeconds(seconds)} (CPU ${fmtSeconds(cpuSeconds)}): ${join(outDir, 'report.md')}`);
  for (const line of output.headline) ctx.log(line);
  return { name: exp.name, scale, outDir, seconds, cpuSeconds, output };
}

/** JSON cannot hold NaN/Infinity: write them as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** Seconds as m:ss. */
export function fmtSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function cpuName(): string {
  const list = cpus();
  return list.length ? `${list[0]!.model.trim()} (${list.length} cores)` : 'unknown';
}
