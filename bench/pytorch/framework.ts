/**
 * The PyTorch column ('torch'): a persistent Python worker (worker.py beside
 * this file) running a twin of each workload, driven over JSON lines on its
 * stdin/stdout, so its timed blocks interleave with the JavaScript
 * contenders' in the same sitting (harness.ts).
 *
 * A block is timed inside Python (`run` n steps -> ms), through the harness's
 * `Step.runBlock`, so the pipe's round trip is not counted; a single step
 * (probes, warm-up) is a block of one.
 *
 * Default interpreter /usr/bin/python3 (Debian's python3-torch, torch 1.13),
 * with the OpenMP OpenBLAS build selected through LD_LIBRARY_PATH and 2
 * threads: the default pthread OpenBLAS oversubscribes a 2-core machine and
 * is 2-3x noisier. $BENCH_PYTHON picks another interpreter, $BENCH_TORCH_THREADS
 * another thread count.
 *
 * OpenMP waiting: GOMP_SPINCOUNT=10000 unless the environment sets
 * GOMP_SPINCOUNT or OMP_WAIT_POLICY ($BENCH_OMP_WAIT_POLICY sets the policy
 * for the worker only). libgomp's default spins ~300,000 times at every
 * barrier; whenever anything else uses the 2 cores, a spinning thread holds
 * the core its partner needs and small steps collapse: an MLP step took
 * 25-68 ms under load against 1.0-1.3 ms on a quiet machine, and LeNet
 * inference inside the bench 5-10x below its standalone speed. PASSIVE
 * survives load but halves the MLP's speed when quiet (2.0 ms). A spin of
 * 10,000 measured as fast as the default when quiet (LeNet inference 7-8 ms
 * per batch of 256, MLP ~0.9-1 ms per step, in and out of the bench); under
 * load it was not measured, but a spin of 3,000 gave 4.5 ms per MLP step
 * during a test run (default 25-68 ms, PASSIVE 1.7-2.2 ms): torch figures
 * from a loaded machine still understate it. Node only.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Step } from '../harness.js';
import { specParams, type ConvKernel, type ConvShape, type Framework, type NetSpec } from '../workloads/specs.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.py');
const OPENMP_BLAS = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

export interface TorchInfo {
  python: string;
  torch: string;
  threads: number;
  /** The OpenMP wait settings given to the worker ('GOMP_SPINCOUNT=10000' by default). */
  omp: string;
  /** The OpenBLAS library the process loaded. */
  blas: string;
  numpy: string;
}

interface Reply {
  ok: boolean;
  error?: string;
  ms?: number;
  params?: number;
  [key: string]: unknown;
}

/** A running worker.py: requests are answered in order, one line each. */
class TorchWorker {
  private readonly pending: { resolve(r: Reply): void; reject(e: Error): void }[] = [];
  private dead: Error | null = null;
  private stderrTail = '';
  private nextId = 1;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const p = this.pending.shift();
      if (!p) return;
      try {
        p.resolve(JSON.parse(line) as Reply);
      } catch {
        p.reject(new Error(`torch worker: unreadable reply '${line.slice(0, 120)}'`));
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    const fail = (why: string) => {
      const last = this.stderrTail.trim().split('\n').filter(Boolean).pop();
      this.dead = new Error(`torch worker ${why}${last ? `: ${last}` : ''}`);
      for (const p of this.pending.splice(0)) p.reject(this.dead);
    };
    child.on('error', (e) => fail(`could not start (${e.message})`));
    child.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
    child.stdin.on('error', () => {}); // a dead worker is reported through 'exit'
  }

  id(): number {
    return this.nextId++;
  }

  request(msg: Record<string, unknown>): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  /** A request whose failure throws with the worker's message. */
  async call(msg: Record<string, unknown>): Promise<Reply> {
    const r = await this.request(msg);
    if (!r.ok) throw new Error(`torch: ${r.error ?? 'failed'}`);
    return r;
  }

  /** Ends the worker (EOF on its stdin) and waits for it to exit. */
  close(): Promise<void> {
    if (this.dead || this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

export interface TorchColumn {
  framework: Framework;
  info: TorchInfo;
  close(): Promise<void>;
}

/**
 * Starts the Python worker and returns the 'torch' framework adapter, or the
 * reason it cannot run (no python, no torch, ...) as a string.
 */
export async function startTorch(opts: { python?: string; threads?: number; timeoutMs?: number } = {}): Promise<TorchColumn | string> {
  const python = opts.python ?? process.env.BENCH_PYTHON ?? '/usr/bin/python3';
  const threads = opts.threads ?? (Number(process.env.BENCH_TORCH_THREADS) || 2);
  if (!existsSync(python)) return `${python} not found`;
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: String(threads) };
  if (process.env.BENCH_OMP_WAIT_POLICY) env.OMP_WAIT_POLICY = process.env.BENCH_OMP_WAIT_POLICY;
  if (env.OMP_WAIT_POLICY === undefined && env.GOMP_SPINCOUNT === undefined) env.GOMP_SPINCOUNT = '10000';
  const omp = [env.OMP_WAIT_POLICY && `OMP_WAIT_POLICY=${env.OMP_WAIT_POLICY}`, env.GOMP_SPINCOUNT && `GOMP_SPINCOUNT=${env.GOMP_SPINCOUNT}`]
    .filter(Boolean).join(' ');
  if (existsSync(OPENMP_BLAS)) env.LD_LIBRARY_PATH = [OPENMP_BLAS, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const child = spawn(python, [WORKER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const worker = new TorchWorker(child);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${(opts.timeoutMs ?? 60_000) / 1000} s`)), opts.timeoutMs ?? 60_000);
    });
    const hello = await Promise.race([worker.call({ op: 'hello', threads }), timeout]);
    const info: TorchInfo = {
      python: `${python} (Python ${String(hello.python)})`,
      torch: String(hello.torch),
      threads: Number(hello.threads),
      omp,
      blas: String(hello.blas),
      numpy: String(hello.numpy),
    };
    return { framework: torchFramework(worker), info, close: () => worker.close() };
  } catch (e) {
    child.kill();
    const msg = (e as Error).message.replace(/^torch( worker)?:?\s*/, '');
    return /ModuleNotFoundError|No module named/.test(msg) ? `${python} has no torch (${msg})` : msg;
  } finally {
    clearTimeout(timer);
  }
}

/** A step of the worker's workload `id`: blocks timed in Python. */
function remoteStep(worker: TorchWorker, id: number): Step {
  const runBlock = async (n: number) => (await worker.call({ op: 'run', id, n })).ms!;
  return {
    run: async () => void (await runBlock(1)),
    runBlock,
    dispose: () => void worker.request({ op: 'dispose', id }).catch(() => {}),
  };
}

async function remoteSetup(worker: TorchWorker, msg: Record<string, unknown>, net?: NetSpec): Promise<Step> {
  const id = worker.id();
  const r = await worker.call({ op: 'setup', id, ...msg });
  if (net && r.params !== specParams(net)) {
    void worker.request({ op: 'dispose', id }).catch(() => {});
    throw new Error(`torch ${net.name} has ${r.params} parameters, the spec ${specParams(net)}`);
  }
  return remoteStep(worker, id);
}

function torchFramework(worker: TorchWorker): Framework {
  return {
    name: 'torch',
    reduced: false,
    activate: () => {},
    train: (net: NetSpec, batch: number) => remoteSetup(worker, { kind: 'train', net, batch }, net),
    infer: (net: NetSpec, batch: number) => remoteSetup(worker, { kind: 'infer', net, batch }, net),
    matmul: (n: number) => remoteSetup(worker, { kind: 'matmul', n }),
    conv: (shape: ConvShape, kernel: ConvKernel) => remoteSetup(worker, { kind: 'conv', shape, kernel }),
  };
}
