/**
 * The results table and the JSON record of a run.
 *
 * Ratios are speed ratios, tensorgrad over TF.js or PyTorch, measured in the same run:
 * for images/s and GFLOP/s the throughput quotient, for kernel milliseconds the
 * inverse time quotient, so > 1 always means tensorgrad is faster.
 *
 * Browser-safe (bench/web formats its table with it); saving runs to disk is
 * in save.ts.
 */
import type { Cell } from './harness.js';
import type { MachineInfo } from './machine.js';
import type { TfInfo } from './tfjs/setup.js';
import type { Unit, Workload } from './workloads/index.js';

/** [tensorgrad column, TF.js or PyTorch column] pairs shown as ratios, where both columns exist. */
const RATIOS: readonly (readonly [string, string])[] = [
  ['tg-webgpu', 'tfjs-webgpu'],
  ['tg-webgpu', 'tfjs-webgl'],
  ['tg-wasm', 'torch'],
  ['tg-wasm', 'tfjs-wasm'],
  ['tg-wasm-1t', 'tfjs-wasm'],
  ['tg-wasm', 'tfjs-cpu'],
  ['tg-ref', 'tfjs-cpu'],
];

function ratioPairs(columns: readonly string[]): (readonly [string, string])[] {
  return RATIOS.filter(([a, b]) => columns.includes(a) && columns.includes(b));
}

export interface CellRecord {
  /** In the row's unit. */
  value?: number;
  /** Median ms per step. */
  ms?: number;
  /** Per-step ms of each timed block, in order. */
  samplesMs: number[];
  itersPerBlock: number;
  error?: string;
  errorStack?: string;
  /** Present when `ms` is extrapolated from a probe step (too slow to run at full size): how. */
  estimated?: string;
  /** Seconds this cell took to measure (probes and warm-up included). */
  spentS: number;
}

export interface RowRecord {
  id: string;
  group: string;
  label: string;
  unit: Unit;
  /** FLOPs of one step (a training step: 3 x forward; see workloads/specs.ts netForwardFlops). */
  flops?: number;
  cells: Record<string, CellRecord>;
  /** 'tg-wasm/tfjs-wasm', 'tg-wasm/torch' etc.: speed ratio, null when either side did not run. */
  ratios: Record<string, number | null>;
  /** Effective GFLOP/s (flops / median step time) of each column that ran, where `flops` is known. */
  gflops?: Record<string, number>;
}

/** The machine's float32 SIMD peak, measured by the bench (bench/peak.ts). */
export interface PeakRecord {
  /** The value percentages are taken of: the highest of `samples`. */
  gflops: number;
  threads: number;
  /** 'relaxed-SIMD f32x4 fma' or 'SIMD f32x4 mul+add'. */
  kind: string;
  /** Each measurement (start and end of the run), GFLOP/s. */
  samples: number[];
}

/** The PyTorch column's setup, or why it was skipped. */
export type TorchRecord =
  | { python: string; torch: string; threads: number; omp: string; blas: string; numpy: string }
  | { skipped: string };

export interface RunRecord {
  date: string;
  options: { quick: boolean; only: string[]; backend?: string };
  machine: MachineInfo;
  /**
   * Garbage collection between timed blocks (harness.ts `settle`): 'collected' when gc was
   * exposed, ', single-threaded' added under Node's --single-threaded-gc (absent in older records).
   */
  gc?: string;
  tensorgrad: {
    wasmVariant: string;
    threads: number;
    /** The adapter behind the tg-webgpu column (and tfjs-webgpu, which uses the same Dawn), when it ran. */
    webgpu?: { adapter: string; software: boolean; error?: string };
  };
  tfjs: TfInfo;
  /** The 'torch' column's interpreter, version, threads and BLAS, or why it was skipped (Node runs only). */
  torch?: TorchRecord;
  /** The measured SIMD peak (Node runs only). */
  peak?: PeakRecord;
  columns: string[];
  durationS: number;
  rows: RowRecord[];
}

const round = (x: number, digits: number) => Number(x.toPrecision(digits));

export function rowRecord(w: Workload, cells: Map<string, Cell>, columns: readonly string[]): RowRecord {
  const out: Record<string, CellRecord> = {};
  for (const name of columns) {
    const c = cells.get(name);
    if (!c) continue;
    out[name] = {
      value: c.ms === undefined ? undefined : round(w.value(c.ms), 4),
      ms: c.ms === undefined ? undefined : round(c.ms, 4),
      samplesMs: c.samples.map((s) => round(s, 4)),
      itersPerBlock: c.iters,
      error: c.error,
      errorStack: c.stack,
      estimated: c.estimated,
      spentS: round(c.spentMs / 1000, 3),
    };
  }
  const ratios: Record<string, number | null> = {};
  for (const [a, b] of ratioPairs(columns)) {
    const ta = out[a]?.ms, tb = out[b]?.ms;
    ratios[`${a}/${b}`] = ta !== undefined && tb !== undefined ? round(tb / ta, 3) : null;
  }
  const row: RowRecord = { id: w.id, group: w.group, label: w.label, unit: w.unit, flops: w.flops, cells: out, ratios };
  if (w.flops !== undefined) {
    const gflops: Record<string, number> = {};
    for (const [name, c] of Object.entries(out)) if (c.ms !== undefined) gflops[name] = round(w.flops / c.ms / 1e6, 4);
    row.gflops = gflops;
  }
  return row;
}

/** Three significant digits, without exponents and without digits beyond the units for large values. */
function fmt3(v: number): string {
  if (v >= 100) return Math.round(v).toString();
  return Number(v.toPrecision(3)).toString();
}

function fmtValue(v: number, unit: Unit): string {
  return unit === 'GFLOP/s' && v >= 1 ? v.toFixed(2) : fmt3(v);
}

/** The results table, with numbered notes for the cells that could not run. */
export function formatTable(rows: readonly RowRecord[], columns: readonly string[]): string {
  const notes: string[] = [];
  const noteOf = new Map<string, number>();
  const pairs = ratioPairs(columns);
  const ratioNames = pairs.map(([a, b]) => `${a.replace('tg-', '')}/${b.replace('tfjs-', 'tf-')}`);
  const header = ['workload', 'unit', ...columns, ...ratioNames];
  const body = rows.map((r) => {
    const cells = columns.map((name) => {
      const c = r.cells[name];
      if (!c) return '-';
      const why = c.error ?? c.estimated;
      let n = why === undefined ? undefined : noteOf.get(why);
      if (why !== undefined && n === undefined) {
        notes.push(why);
        n = notes.length;
        noteOf.set(why, n);
      }
      if (c.error !== undefined) return `fails [${n}]`;
      const v = c.value === undefined ? '-' : fmtValue(c.value, r.unit);
      return c.estimated !== undefined ? `~${v} [${n}]` : v;
    });
    const ratios = pairs.map(([a, b]) => {
      const x = r.ratios[`${a}/${b}`];
      if (x === null || x === undefined) return '-';
      const approx = r.cells[a]?.estimated !== undefined || r.cells[b]?.estimated !== undefined;
      return `${approx ? '~' : ''}${x >= 10 ? fmt3(x) : x.toFixed(2)}x`;
    });
    return [r.label, r.unit, ...cells, ...ratios];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((s, i) => (i < 2 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [line(header), rule, ...body.map(line)];
  if (notes.length) {
    lines.push('', 'Notes (fails = could not run; ~ = estimated, not measured):');
    for (const [n, where] of noteWhere(rows, columns, noteOf)) lines.push(`  [${n}] ${notes[n - 1]}  (${where})`);
  }
  lines.push('', 'Ratios: tensorgrad speed / TF.js or PyTorch speed in this run (> 1: tensorgrad faster; for ms rows, their ms / tensorgrad ms).');
  return lines.join('\n');
}

/** Columns shown in the effective-GFLOP/s table, where present. */
const EFFICIENCY_COLUMNS = ['tg-wasm', 'tg-wasm-1t', 'tg-webgpu', 'torch', 'tfjs-wasm', 'tfjs-webgpu', 'tfjs-webgl'];

/**
 * The effective-GFLOP/s table: each row's FLOPs per step, every shown column's
 * FLOPs / median step time, and tg-wasm's share of the measured peak. Rows
 * without a FLOP count are left out; `peak` adds the % column.
 */
export function formatEfficiency(rows: readonly RowRecord[], columns: readonly string[], peak?: PeakRecord): string {
  const shown = EFFICIENCY_COLUMNS.filter((c) => columns.includes(c));
  const withPct = peak !== undefined && shown.includes('tg-wasm');
  const header = ['workload', 'GFLOP/step', ...shown, ...(withPct ? ['wasm % peak'] : [])];
  const body = rows.filter((r) => r.flops !== undefined && r.gflops).map((r) => {
    const cells = shown.map((c) => {
      const v = r.gflops![c];
      if (v === undefined) return '-';
      return `${r.cells[c]?.estimated !== undefined ? '~' : ''}${v >= 100 ? Math.round(v) : v.toFixed(1)}`;
    });
    const wasm = r.gflops!['tg-wasm'];
    const pct = withPct ? [wasm === undefined ? '-' : `${((100 * wasm) / peak.gflops).toFixed(0)}%`] : [];
    const gf = r.flops! / 1e9;
    return [r.label, gf >= 10 ? gf.toFixed(1) : gf.toPrecision(3), ...cells, ...pct];
  });
  if (body.length === 0) return '';
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((s, i) => (i < 1 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  lines.push('', 'Effective GFLOP/s = FLOPs of a step / median step time. FLOPs: 2 x multiply-adds of the conv and dense layers;');
  lines.push('a training step counts 3 x its forward pass (forward + input and weight gradients), inference 1 x;');
  lines.push('matmul 2n^3; each conv kernel (fwd, bwd-input, bwd-weight) 2 x the forward multiply-adds. Convolutions are counted');
  lines.push('as a direct convolution computes them: a fast algorithm (Winograd: tg-wasm on 3x3 layers, likely torch) does fewer.');
  if (peak) {
    lines.push(`Peak ${peak.gflops.toFixed(1)} GFLOP/s (measured): ${peak.kind} loop on ${peak.threads} thread${peak.threads > 1 ? 's' : ''} (tg-wasm's count), `
      + `best of ${peak.samples.map((s) => s.toFixed(1)).join(' and ')}; % peak is tg-wasm's share of it.`);
  }
  return lines.join('\n');
}

/** For each note, which columns and rows hit it (compactly). */
function noteWhere(rows: readonly RowRecord[], columns: readonly string[], noteOf: Map<string, number>): [number, string][] {
  const where = new Map<number, Map<string, string[]>>();
  for (const r of rows) {
    for (const name of columns) {
      const err = r.cells[name]?.error ?? r.cells[name]?.estimated;
      if (err === undefined) continue;
      const n = noteOf.get(err)!;
      const byCol = where.get(n) ?? new Map<string, string[]>();
      byCol.set(name, [...(byCol.get(name) ?? []), r.id]);
      where.set(n, byCol);
    }
  }
  return [...where].sort((a, b) => a[0] - b[0]).map(([n, byCol]) => [
    n,
    [...byCol].map(([col, ids]) => `${col}: ${ids.join(', ')}`).join('; '),
  ]);
}
