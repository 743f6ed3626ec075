/**
 * `npm run bench`: tensorgrad (wasm and reference backends) against TensorFlow.js
 * 4.x (CPU and wasm backends) in one process, and PyTorch (CPU, a Python worker
 * process, bench/pytorch) when /usr/bin/python3 has torch, interleaved, after
 * warm-up, medians of repeated blocks. Prints a table of images/s (GFLOP/s for
 * M1/M2, ms for kernels) with the tensorgrad/TF.js and tensorgrad/PyTorch speed
 * ratios, then each workload's effective GFLOP/s beside the machine's SIMD peak
 * measured on the spot (bench/peak.ts), and appends the run to
 * bench/results/<date>-<host>.json (and bench/results/latest.json).
 *
 *   node --import tsx bench/run.ts [--backend webgpu] [--quick] [--only W1,M1] [--threads N] [--no-torch] [--no-save]
 *
 * Groups for --only: W1 (LeNet-5 train + inference), W2 (MLP train), W3 (VGG-style
 * train), M1 (1024^3 matmul), M2 (4096^3 matmul), K (conv kernels), K-big (a
 * 64->128 3x3 conv on 256x256); a workload id prefix such as W1-infer or
 * K-w3-conv2 works too. The reference backend runs fewer, single-step
 * blocks since it is about ten times slower. When tg-wasm runs on several threads
 * a single-threaded tg-wasm-1t column is added: tfjs-backend-wasm has no threads in Node.
 *
 * The 'torch' column runs /usr/bin/python3 ($BENCH_PYTHON) with the OpenMP
 * OpenBLAS build, 2 threads ($BENCH_TORCH_THREADS) and GOMP_SPINCOUNT=10000
 * (see pytorch/framework.ts); without torch it is
 * left out with a note. `--no-torch` leaves it out too.
 *
 * `--backend webgpu` adds tensorgrad's WebGPU backend (column tg-webgpu) and
 * TF.js's (tfjs-webgpu, on the same Dawn library), and the GPU-sized rows M2
 * and K-big to the default selection. The adapter's name is printed and saved:
 * on a machine without a GPU it is SwiftShader, a CPU emulation, whose numbers
 * say nothing about GPU speed.
 */
import { relative } from 'node:path';
import * as tg from '../src/index.js';
import { createWasmBackend, initWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';
import { gcBetweenBlocks, measure, type Contender } from './harness.js';
import { loadAvg, machineInfo } from './machine.js';
import { measurePeak } from './peak.js';
import { isSoftwareAdapter, plans } from './plans.js';
import { startTorch } from './pytorch/framework.js';
import { formatEfficiency, formatTable, rowRecord, type PeakRecord, type RowRecord, type RunRecord, type TorchRecord } from './report.js';
import { saveRun } from './save.js';
import { tensorgradFramework } from './tensorgrad/framework.js';
import { initTfjs } from './tfjs/setup.js';
import { tfjsFramework } from './tfjs/framework.js';
import { selectWorkloads, type Workload } from './workloads/index.js';
import type { Framework } from './workloads/specs.js';

interface Options {
  /** 'webgpu' adds the WebGPU columns and the GPU-sized rows; 'wasm' (default) is the CPU comparison. */
  backend: 'wasm' | 'webgpu';
  quick: boolean;
  only: string[];
  save: boolean;
  /** tg-wasm's threads; default: the backend's own default. */
  threads?: number;
  /** Run the PyTorch column when torch is available (default true). */
  torch: boolean;
  /** Only these columns (default: all); e.g. tg-wasm alone, to see what the others' blocks cost it. */
  columns?: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { backend: 'wasm', quick: false, only: [], save: true, torch: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') opts.quick = true;
    else if (a === '--backend' || a.startsWith('--backend=')) {
      const v = a === '--backend' ? argv[++i] : a.slice('--backend='.length);
      if (v !== 'webgpu' && v !== 'wasm') throw new Error(`--backend takes 'webgpu' or 'wasm' (the default), not '${v ?? ''}'`);
      opts.backend = v;
    }
    else if (a === '--no-save') opts.save = false;
    else if (a === '--no-torch') opts.torch = false;
    else if (a === '--threads' || a.startsWith('--threads=')) {
      const v = Number(a === '--threads' ? argv[++i] : a.slice('--threads='.length));
      if (!Number.isInteger(v) || v < 1) throw new Error('--threads needs a positive integer');
      opts.threads = v;
    }
    else if (a === '--columns' || a.startsWith('--columns=')) {
      const v = a === '--columns' ? argv[++i] : a.slice('--columns='.length);
      const list = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (!list.length) throw new Error('--columns needs a list, e.g. --columns tg-wasm,torch');
      opts.columns = list;
    }
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) throw new Error('--only needs a list, e.g. --only W1,M1');
      opts.only.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--backend webgpu] [--quick] [--only W1,W2,W3,M1,M2,K,K-big] [--threads N] [--columns tg-wasm,torch,...] [--no-torch] [--no-save]');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (try --help)`);
  }
  return opts;
}

/** A framework whose backend failed to load: every workload reports why. */
function unavailable(name: string, why: string): Framework {
  const fail = (): never => {
    throw new Error(why);
  };
  return { name, reduced: false, activate: () => {}, train: fail, infer: fail, matmul: fail, conv: fail };
}

function contenders(frameworks: readonly Framework[], w: Workload): Contender[] {
  return frameworks.map((f) => ({ name: f.name, reduced: f.reduced, warmUp: f.warmUp, activate: () => f.activate(), setup: (size) => w.make(f, size) }));
}

/** One line per finished workload on stderr: each contender's value and the seconds it took. */
function progressLine(i: number, n: number, r: RowRecord, columns: readonly string[]): string {
  const cells = columns.map((c) => {
    const cell = r.cells[c];
    if (!cell) return `${c} -`;
    const v = cell.error !== undefined ? 'fails' : `${cell.estimated ? '~' : ''}${cell.value?.toPrecision(3)}`;
    return `${c} ${v} (${cell.spentS.toFixed(1)}s)`;
  });
  return `[${i + 1}/${n}] ${r.id.padEnd(22)} ${r.unit.padEnd(8)} ${cells.join('  ')}`;
}

async function main(): Promise<void> {
  let opts: Options;
  let workloads: Workload[];
  try {
    opts = parseArgs(process.argv.slice(2));
    workloads = selectWorkloads(opts.only, { gpuSized: opts.backend === 'webgpu' });
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    process.exit(2);
  }
  const t0 = performance.now();
  const machine = machineInfo();

  const wasm = await initWasmBackend();
  if (opts.threads !== undefined) await wasm.setNumThreads(opts.threads);
  const threads = wasm.numThreads;
  // TF.js's wasm backend has no threads in Node, so a multi-threaded tg-wasm also runs single-threaded, for a like-for-like ratio.
  const wasm1: WasmBackend | null = threads > 1 ? await createWasmBackend({ name: 'wasm-1t', threads: 1 }) : null;
  // tensorgrad's WebGPU backend starts before TF.js's: on a machine without a GPU it picks SwiftShader
  // (VK_ICD_FILENAMES), which TF.js's Dawn instance then finds too, so both columns run on one adapter.
  const webgpu = opts.backend === 'webgpu';
  let gpu: tg.WebGpuBackend | null = null;
  let gpuError: string | undefined;
  if (webgpu) {
    try {
      gpu = (await tg.ready({ backend: 'webgpu' })) as tg.WebGpuBackend;
    } catch (e) {
      gpuError = (e as Error).message;
    }
    tg.setBackend(wasm);
  }
  const gpuRecord = webgpu
    ? { adapter: gpu?.adapterName ?? 'none', software: gpu ? isSoftwareAdapter(gpu.adapterName) : false, error: gpuError }
    : undefined;
  const tfInfo = await initTfjs({ webgpu });
  const torch = !opts.torch ? 'left out (--no-torch)'
    : opts.columns && !opts.columns.includes('torch') ? 'left out (--columns)' : await startTorch();
  const torchRecord: TorchRecord = typeof torch === 'string' ? { skipped: torch } : torch.info;
  const torchLine = typeof torch === 'string'
    ? `torch column skipped: ${torch}`
    : `torch ${torch.info.torch} (${torch.info.python}), ${torch.info.threads} threads, ${torch.info.omp}, BLAS ${torch.info.blas}`;
  const tfColumn = (name: 'cpu' | 'wasm' | 'webgpu') =>
    tfInfo.errors[name] ? unavailable(`tfjs-${name}`, `TF.js ${name} backend: ${tfInfo.errors[name]}`) : tfjsFramework(`tfjs-${name}`, name);
  const frameworks: Framework[] = [
    tensorgradFramework('tg-wasm', wasm, false),
    ...(wasm1 ? [tensorgradFramework('tg-wasm-1t', wasm1, false)] : []),
    ...(webgpu ? [gpu ? tensorgradFramework('tg-webgpu', gpu, false, gpu) : unavailable('tg-webgpu', `tensorgrad: ${gpuError}`)] : []),
    tensorgradFramework('tg-ref', tg.referenceBackend, true),
    tfColumn('cpu'),
    tfColumn('wasm'),
    ...(webgpu ? [tfColumn('webgpu')] : []),
    ...(typeof torch === 'string' ? [] : [torch.framework]),
  ];
  if (opts.columns) {
    const known = frameworks.map((f) => f.name);
    const unknown = opts.columns.filter((c) => !known.includes(c));
    if (unknown.length) {
      console.error(`bench: --columns: no column ${unknown.join(', ')} in this run (columns: ${known.join(', ')})`);
      process.exit(2);
    }
    for (let i = frameworks.length - 1; i >= 0; i--) if (!opts.columns.includes(frameworks[i]!.name)) frameworks.splice(i, 1);
  }
  const columns = frameworks.map((f) => f.name);

  const adapterLine = gpuRecord
    ? `tg-webgpu and tfjs-webgpu adapter: ${gpuRecord.adapter}${gpuRecord.error ? ` (tensorgrad: ${gpuRecord.error})` : ''}`
      + `${tfInfo.backends.webgpu && tfInfo.backends.webgpu !== gpuRecord.adapter ? ` (TF.js got: ${tfInfo.backends.webgpu})` : ''}`
      + `${gpuRecord.software ? '\n  (a software Vulkan running on the CPU, not a GPU: these two columns make no GPU speed claim)' : ''}`
    : '';
  console.error(`tensorgrad wasm (${wasm.variant} SIMD, ${threads} thread${threads > 1 ? 's, and 1' : ''})${webgpu ? ', webgpu' : ''} and reference vs TF.js ${tfInfo.version} `
    + `(cpu; wasm ${tfInfo.backends.wasm ?? 'unavailable'}${webgpu ? '; webgpu' : ''}) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, `
    + `load ${machine.loadAvgStart.join(' ')}${opts.quick ? ', --quick' : ''}`);
  if (adapterLine) console.error(adapterLine);
  console.error(torchLine);
  // The SIMD peak on tg-wasm's thread count, measured at the start and again at the end (the higher one counts).
  const peakSamples = [await measurePeak(threads)];
  console.error(`peak ${peakSamples[0]!.gflops.toFixed(1)} GFLOP/s (measured: ${peakSamples[0]!.kind}, ${threads} thread${threads > 1 ? 's' : ''})`);

  const plan = plans(opts.quick);
  const rows: RowRecord[] = [];
  for (const [i, w] of workloads.entries()) {
    const cells = await measure(contenders(frameworks, w), plan[w.kind], w.ladder);
    const row = rowRecord(w, cells, columns);
    rows.push(row);
    console.error(progressLine(i, workloads.length, row, columns));
  }
  tg.setBackend(wasm);
  if (typeof torch !== 'string') await torch.close();
  peakSamples.push(await measurePeak(threads));
  const peak: PeakRecord = {
    gflops: Math.max(...peakSamples.map((p) => p.gflops)),
    threads,
    kind: peakSamples[0]!.kind,
    samples: peakSamples.map((p) => Number(p.gflops.toPrecision(4))),
  };

  const gcLine = `${gcBetweenBlocks()}${process.execArgv.includes('--single-threaded-gc') ? ', single-threaded' : ''}`;
  const durationS = Math.round((performance.now() - t0) / 100) / 10;
  machine.loadAvgEnd = loadAvg();
  const run: RunRecord = {
    date: new Date().toISOString(),
    options: { quick: opts.quick, only: opts.only, backend: opts.backend },
    machine,
    gc: gcLine,
    tensorgrad: { wasmVariant: `${wasm.variant} SIMD`, threads, ...(gpuRecord ? { webgpu: gpuRecord } : {}) },
    tfjs: tfInfo,
    torch: torchRecord,
    peak,
    columns,
    durationS,
    rows,
  };
  console.log('');
  console.log(`tensorgrad vs TensorFlow.js ${tfInfo.version}${typeof torch === 'string' ? '' : ` and PyTorch ${torch.info.torch}`}, float32, median of interleaved blocks`);
  console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; tg-wasm: ${wasm.variant} SIMD, ${threads} thread(s); `
    + `tfjs-wasm: ${tfInfo.backends.wasm ?? 'unavailable'}; load ${machine.loadAvgStart.join(' ')} -> ${machine.loadAvgEnd.join(' ')}`);
  console.log(gcBetweenBlocks() === 'collected'
    ? `garbage collected between blocks (${gcLine.replace('collected', 'V8')})`
    : 'garbage not collected between blocks (run with node --expose-gc --single-threaded-gc, as npm run bench does, so that no column pays for another\'s collection)');
  if (adapterLine) console.log(adapterLine);
  console.log(torchLine);
  console.log(`peak ${peak.gflops.toFixed(1)} GFLOP/s (measured: ${peak.kind} on ${threads} thread${threads > 1 ? 's' : ''}; start ${peak.samples[0]}, end ${peak.samples[1]})`);
  console.log('');
  console.log(formatTable(rows, columns));
  console.log('');
  const efficiency = formatEfficiency(rows, columns, peak);
  if (efficiency) {
    console.log(efficiency);
    console.log('');
  }
  if (opts.save) console.log(`saved to ${relative(process.cwd(), saveRun(run))} and bench/results/latest.json`);
  console.log(`total ${durationS} s`);
}

await main();
