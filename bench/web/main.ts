/**
 * The browser benchmark page (bench/web/index.html loads this, bundled by
 * bench/web/run.mjs with esbuild): the workloads of `npm run bench`, timed by
 * the same harness, for tensorgrad on WebGPU and WebAssembly and TF.js on
 * WebGL and WebGPU, each where it loads here. Shows a table with the adapter
 * behind every GPU column and leaves the run in `window.__bench`, where
 * run.mjs picks it up.
 *
 * Query options: quick=1 (short plans; W1, M1, M2 and K-big unless `only`
 * says otherwise), only=W1,M1 (as --only; default W1 W2 W3 M1 M2 K-big),
 * columns=tg-webgpu,tfjs-webgl (a subset of the columns).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu'; // registers 'webgpu' with TF.js where navigator.gpu exists
import * as tg from '../../src/index.js';
import { measure, type Contender } from '../harness.js';
import { isSoftwareAdapter, webPlans } from '../plans.js';
import { formatTable, rowRecord, type RowRecord } from '../report.js';
import { tensorgradFramework } from '../tensorgrad/framework.js';
import { tfjsFramework } from '../tfjs/framework.js';
import { selectWorkloads, type Workload } from '../workloads/index.js';
import type { Framework } from '../workloads/specs.js';

/** What the page leaves for run.mjs. */
export interface WebBenchResult {
  done: true;
  fatal?: string;
  date?: string;
  userAgent?: string;
  quick?: boolean;
  /** Column -> what it ran on (adapter or renderer for GPU columns), or why it is missing. */
  columns?: Record<string, string>;
  rows?: RowRecord[];
  table?: string;
  durationS?: number;
}

const $ = (id: string) => document.getElementById(id)!;
const params = new URLSearchParams(location.search);
const quick = params.get('quick') === '1' || params.get('quick') === 'true';
const only = (params.get('only') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const wanted = (params.get('columns') ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function status(text: string): void {
  $('status').textContent = text;
  console.log(`bench: ${text}`);
}

/** A column whose backend did not load: every workload reports why. */
function unavailable(name: string, why: string): Framework {
  const fail = (): never => {
    throw new Error(why);
  };
  return { name, reduced: false, activate: () => {}, train: fail, infer: fail, matmul: fail, conv: fail };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

function adapterText(info: GPUAdapterInfo | undefined): string {
  return info ? [info.description, info.vendor, info.architecture].filter(Boolean).join(' / ') || 'unknown adapter' : 'unknown adapter';
}

/** The WebGL renderer behind TF.js's webgl backend (unmasked where the browser allows). */
function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no WebGL2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** tensorgrad's columns: wasm always (reference as the fallback), webgpu where an adapter exists. */
async function tensorgradColumns(describe: Record<string, string>): Promise<Framework[]> {
  const wasm = await tg.ready({ backend: 'wasm' }).catch(() => null);
  const out: Framework[] = [];
  try {
    const gpu = (await tg.ready({ backend: 'webgpu' })) as tg.WebGpuBackend;
    describe['tg-webgpu'] = `${gpu.adapterName}${isSoftwareAdapter(gpu.adapterName) ? ' (software, on the CPU)' : ''}`;
    out.push(tensorgradFramework('tg-webgpu', gpu, false, gpu));
  } catch (e) {
    describe['tg-webgpu'] = `unavailable: ${errorText(e)}`;
    out.push(unavailable('tg-webgpu', errorText(e)));
  }
  if (wasm && 'numThreads' in wasm) {
    const w = wasm as tg.Backend & { numThreads: number; variant: string };
    describe['tg-wasm'] = `${w.variant} SIMD, ${w.numThreads} thread(s)${crossOriginIsolated ? '' : ' (not cross-origin isolated: no threads)'}`;
    out.push(tensorgradFramework('tg-wasm', wasm, false));
  } else {
    describe['tg-wasm'] = 'unavailable (no wasm SIMD here)';
    out.push(unavailable('tg-wasm', 'the wasm backend did not load'));
  }
  return out;
}

/** TF.js's columns: webgl and webgpu, each where it initialises. */
async function tfjsColumns(describe: Record<string, string>): Promise<Framework[]> {
  tf.enableProdMode();
  const out: Framework[] = [];
  for (const name of ['webgl', 'webgpu'] as const) {
    const col = `tfjs-${name}`;
    try {
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      describe[col] = name === 'webgl'
        ? webglRenderer()
        : adapterText((await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' }))?.info);
      if (isSoftwareAdapter(describe[col]!)) describe[col] += ' (software, on the CPU)';
      out.push(tfjsFramework(col, name));
    } catch (e) {
      describe[col] = `unavailable: ${errorText(e)}`;
      out.push(unavailable(col, `TF.js ${name} backend: ${errorText(e)}`));
    }
  }
  return out;
}

function contenders(frameworks: readonly Framework[], w: Workload): Contender[] {
  return frameworks.map((f) => ({ name: f.name, reduced: f.reduced, warmUp: f.warmUp, activate: () => f.activate(), setup: (size) => w.make(f, size) }));
}

async function main(): Promise<WebBenchResult> {
  const t0 = performance.now();
  // --quick leaves out W2 and W3 unless asked for: on SwiftShader each GPU column compiles its shaders
  // per row (TF.js per shape), and the two cost about a minute of the page's two-minute budget.
  const workloads = selectWorkloads(only, { gpuSized: true, layerKernels: false })
    .filter((w) => only.length > 0 || !quick || (w.group !== 'W2' && w.group !== 'W3'));
  const describe: Record<string, string> = {};
  status('starting backends...');
  let frameworks = [...(await tensorgradColumns(describe)), ...(await tfjsColumns(describe))];
  if (wanted.length) frameworks = frameworks.filter((f) => wanted.includes(f.name));
  const columns = frameworks.map((f) => f.name);
  $('info').textContent = [
    `${navigator.userAgent}`,
    `TF.js ${tf.version.tfjs}; crossOriginIsolated ${crossOriginIsolated}; ${navigator.hardwareConcurrency} logical cores${quick ? '; quick' : ''}`,
    ...columns.map((c) => `${c.padEnd(12)} ${describe[c] ?? ''}`),
  ].join('\n');

  const plan = webPlans(quick);
  const rows: RowRecord[] = [];
  const progress: string[] = [];
  for (const [i, w] of workloads.entries()) {
    status(`running ${w.id} (${i + 1}/${workloads.length})...`);
    const cells = await measure(contenders(frameworks, w), plan[w.kind], w.ladder);
    const row = rowRecord(w, cells, columns);
    rows.push(row);
    const line = `[${i + 1}/${workloads.length}] ${w.id.padEnd(12)} ` + columns.map((c) => {
      const cell = row.cells[c];
      const v = cell?.error !== undefined ? 'fails' : `${cell?.estimated ? '~' : ''}${cell?.value?.toPrecision(3) ?? '-'}`;
      return `${c} ${v} (${cell?.spentS.toFixed(1) ?? '-'}s)`;
    }).join('  ');
    progress.push(line);
    $('progress').textContent = progress.join('\n');
    console.log(`bench: ${line}`);
  }
  const table = formatTable(rows, columns);
  $('table').textContent = table;
  const durationS = Math.round((performance.now() - t0) / 100) / 10;
  status(`done in ${durationS} s`);
  return { done: true, date: new Date().toISOString(), userAgent: navigator.userAgent, quick, columns: Object.fromEntries(columns.map((c) => [c, describe[c] ?? ''])), rows, table, durationS };
}

const w = window as unknown as { __bench?: WebBenchResult };
try {
  w.__bench = await main();
} catch (e) {
  status(`failed: ${errorText(e)}`);
  w.__bench = { done: true, fatal: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
