/**
 * The shapes shared by the experiments, the runner and the report writer:
 * what an experiment is (settings per scale and a `run` function), what it
 * sees while running (RunContext) and what it returns (ExperimentOutput).
 * Types only, plus the identity `defineExperiment`, so that every other file
 * of this folder can import it without an import loop.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';

/**
 * 'quick' (the default; a few minutes at most with the reference backend),
 * 'full' (the paper-scale setting) and 'smoke' (tiny sizes used only by the
 * tests to exercise the code paths).
 */
export type Scale = 'smoke' | 'quick' | 'full';

/** One record of results.csv. */
export type Row = Record<string, string | number | boolean | null>;

/** A table for report.md: column headers and formatted cells. */
export interface Table {
  columns: string[];
  rows: (string | number)[][];
}

/** A file written into the output folder, with the caption shown in the report. */
export interface Figure {
  file: string;
  caption: string;
}

/** What an experiment's `run` returns; the runner turns it into the report and the data files. */
export interface ExperimentOutput {
  /** The result in a few sentences: the first lines of report.md (copyable to a README). */
  headline: string[];
  /** The headline numbers, machine-readable (also in results.json). */
  summary: Record<string, unknown>;
  /** The main results table of the report. */
  table: Table;
  /** Raw numbers in long format, one record per row: results.csv (and results.json). */
  rows: Row[];
  /** SVG plots already written with `ctx.writeSvg`, in report order. */
  plots: Figure[];
  /** PNG pictures already written with `ctx.writePng`. */
  images?: Figure[];
  /** Extra tables (titled) shown after the main one. */
  tables?: (Table & { title: string })[];
  /** Paragraphs of discussion (markdown) for the report's Notes section. */
  notes?: string[];
  /** Further raw data for results.json (curves, per-layer values, ...). */
  data?: Record<string, unknown>;
}

/** What an experiment sees while it runs. */
export interface RunContext {
  readonly name: string;
  readonly scale: Scale;
  readonly seed: number;
  readonly outDir: string;
  readonly backend: string;
  /** Folder with dataset files (CIFAR-10 for `activations`), from --data-dir. */
  readonly dataDir?: string;
  /** A progress line on stderr (silent when the runner was started with quiet). */
  log(line: string): void;
  /**
   * Resets the global generator to `seed + offset`: call before building each
   * model so that configurations compared with each other start from the same
   * weights (same offset) or from independent ones (different offsets).
   */
  reseed(offset?: number): void;
  /** A separate generator (data shuffling, sampling) seeded from the run's seed. */
  generator(offset?: number): Generator;
  /** Writes an SVG document into the output folder (atomically); returns its path. */
  writeSvg(file: string, svg: string): string;
  /** Writes an image tensor `[C,H,W]` in [0, 1] as PNG into the output folder. */
  writePng(file: string, image: Tensor): string;
  /** Writes a text file into the output folder. */
  writeText(file: string, text: string): string;
  /** Seconds since the experiment started. */
  elapsed(): number;
}

/** A registered experiment: metadata, settings per scale, and the code. */
export interface Experiment<S extends object = object> {
  name: string;
  title: string;
  /** One line for `tensorgrad experiment --list`. */
  summary: string;
  /** Markdown for the report's Setup section: what is run and why. */
  description: string;
  /** All tunable parameters, in one place, per scale. */
  settings: Record<Scale, S>;
  run(ctx: RunContext, settings: S): Promise<ExperimentOutput>;
}

/** Helps TypeScript check an experiment's settings against its run function. */
export function defineExperiment<S extends object>(e: Experiment<S>): Experiment<S> {
  return e;
}
