/**
 * The WebGPU page that scripts/browser-check.mjs bundles and opens in headless
 * Chromium (with --enable-unsafe-webgpu): `tg.ready({ backend: 'webgpu' })`,
 * then ops against the CPU backend (wasm, or reference without SIMD) read only
 * with `await t.dataAsync()`, gradients through a small conv net, and a short
 * LeNet-5 training whose loss must fall. POSTs `{ info, timings, checks }` to
 * `./result`, or `{ skip, info }` where the browser offers no adapter (the
 * script decides whether that is a SKIP or, in CI, a FAIL).
 */
import * as tg from '../../src/index.js';
import { syntheticDigits } from './synthetic-digits.js';

interface Check { name: string; ok: boolean; detail: string }

const checks: Check[] = [];
const timings: Record<string, number> = {};
const check = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
const ms = (t0: number): number => +(performance.now() - t0).toFixed(1);

/** Both results as plain numbers (bool as 0/1), the GPU one read asynchronously. */
async function values(got: tg.Tensor, want: tg.Tensor): Promise<{ g: Float64Array; w: Float64Array }> {
  return { g: Float64Array.from(await got.dataAsync()), w: Float64Array.from(want.data()) };
}

/**
 * Compares a GPU result with the CPU one: same dtype and shape, NaN where the
 * CPU has NaN, equal infinities, and finite values within `tol` relative to
 * the result's magnitude (f32 on both sides; only summation order differs).
 * Returns a failure reason, or the largest difference.
 */
async function compare(got: tg.Tensor, want: tg.Tensor, tol: number): Promise<{ ok: boolean; detail: string }> {
  if (got.dtype !== want.dtype || got.shape.join() !== want.shape.join()) {
    return { ok: false, detail: `got ${got.dtype} [${got.shape}], want ${want.dtype} [${want.shape}]` };
  }
  const { g, w } = await values(got, want);
  let scale = 1;
  for (const v of w) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  let diff = 0;
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!, b = w[i]!;
    if (Number.isNaN(b) || !Number.isFinite(b)) {
      if (!Object.is(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) return { ok: false, detail: `element ${i}: got ${a}, want ${b}` };
    } else if (!Number.isFinite(a)) {
      return { ok: false, detail: `element ${i}: got ${a}, want ${b}` };
    } else {
      diff = Math.max(diff, Math.abs(a - b));
    }
  }
  return { ok: diff <= tol * scale, detail: `max diff ${diff.toExponential(1)} (scale ${scale.toFixed(1)})` };
}

type Op = (...xs: tg.Tensor[]) => tg.Tensor | tg.Tensor[];

/**
 * Runs `op` on CPU inputs, and on copies of them on the GPU, and checks every
 * output. The GPU outputs must live on the GPU: an op that silently ran on
 * the CPU would pass the value comparison without testing anything.
 */
async function checkOp(cpu: tg.Backend, gpu: tg.Backend, name: string, inputs: () => tg.Tensor[], op: Op, tol = 1e-4): Promise<void> {
  try {
    tg.setBackend(cpu);
    const xs = inputs();
    const want = [op(...xs)].flat();
    tg.setBackend(gpu);
    const got = [op(...xs.map((x) => x.toBackend(gpu)))].flat();
    const details: string[] = [];
    let ok = true;
    for (let k = 0; k < want.length; k++) {
      const r = got[k]!.backend !== gpu ? { ok: false, detail: `result on '${got[k]!.backend.name}', not the GPU` } : await compare(got[k]!, want[k]!, tol);
      ok &&= r.ok;
      details.push(r.detail);
    }
    check(`webgpu ${name}`, ok, details.join('; '));
  } catch (e) {
    check(`webgpu ${name}`, false, `threw ${(e as Error).name}: ${(e as Error).message}`);
  } finally {
    tg.setBackend(gpu);
  }
}

/** Ops against the CPU backend: broadcasting, strided views, NaN/Inf, int32 and bool, reductions, matmul, indexing, conv and pooling. */
async function checkOps(cpu: tg.Backend, gpu: tg.Backend): Promise<void> {
  const r = (shape: number[]) => tg.randn(shape, { backend: cpu });
  const ints = (lo: number, hi: number, shape: number[]) => tg.randint(lo, hi, shape, { backend: cpu });
  const t = (v: number[], dtype: tg.DType = 'float32') => tg.tensor(v, { backend: cpu, dtype });
  tg.manualSeed(0);
  const cases: [string, () => tg.Tensor[], Op][] = [
    ['add, broadcast [3,1,5] + [4,5]', () => [r([3, 1, 5]), r([4, 5])], (a, b) => a!.add(b!)],
    ['mul of a transposed view, div, maximum, minimum', () => [r([6, 7]), r([7, 6])],
      (a, b) => [a!.t().mul(b!), b!.div(a!.t().abs().add(0.5)), a!.t().maximum(b!), a!.t().minimum(b!)]],
    ['sub of a flipped view, pow, a strided slice', () => [r([5, 8]), r([5, 8])], (a, b) => [a!.flip(1).sub(b!).pow(2), a!.slice(1, 1, null, 3).mul(b!.slice(1, 0, 3))]],
    ['unary: exp, log, sqrt, tanh, sigmoid, gelu, neg, relu', () => [r([4, 9])],
      (a) => [a!.exp(), a!.abs().add(0.5).log(), a!.abs().sqrt(), a!.tanh(), a!.sigmoid(), a!.gelu(), a!.neg(), a!.relu()]],
    ['NaN and +-Inf through relu, maximum, exp, sigmoid, add, sum', () => [t([NaN, Infinity, -Infinity, 0, -1, 2]), t([1, NaN, 0, -Infinity, 3, -2])],
      (a, b) => [a!.relu(), a!.maximum(b!), a!.exp(), a!.sigmoid(), a!.add(b!), a!.sum(), b!.slice(0, 2).amax()]],
    ['comparisons (bool) and where', () => [r([4, 6]), r([6])],
      (a, b) => [a!.gt(b!), a!.le(b!), a!.eq(a!), tg.where(a!.gt(b!), a!, b!.mul(2))]],
    ['int32 add, mul, sum, amax', () => [ints(-5, 5, [4, 7]), ints(-5, 5, [7])], (a, b) => [a!.add(b!), a!.mul(b!), a!.sum(1), a!.amax(0)]],
    ['sum, mean, amax over axes of a permuted view', () => [r([5, 6, 7])],
      (a) => { const p = a!.permute(2, 0, 1); return [p.sum(1), p.mean([0, 2]), p.amax(-1), p.sum()]; }],
    ['max with indices, argmax (ties: first)', () => [r([6, 5]), t([1, 3, 3, 0, 3])],
      (a, b) => { const m = a!.max(1); return [m.values, m.indices, a!.argmax(0), b!.argmax()]; }],
    ['softmax, logSoftmax, logsumexp', () => [r([3, 10]).mul(4)], (a) => [a!.softmax(-1), a!.logSoftmax(1), a!.logsumexp(0)]],
    ['matmul [2,17,33] @ [33,9], and with a transposed operand', () => [r([2, 17, 33]), r([33, 9]), r([9, 33])],
      (a, b, c) => [a!.matmul(b!), a!.matmul(c!.t())]],
    ['gather, indexSelect', () => [r([5, 6]), ints(0, 6, [5, 3]), t([4, 0, 2, 2], 'int32')], (a, i, j) => [a!.gather(1, i!), a!.indexSelect(0, j!)]],
    ['conv2d (stride 2, padding 1, groups 2; dilation 2)', () => [r([2, 4, 9, 9]), r([6, 2, 3, 3]), r([6]), r([3, 4, 2, 2])],
      (x, w, b, w2) => [tg.F.conv2d(x!, w!, b!, { stride: 2, padding: 1, groups: 2 }), tg.F.conv2d(x!, w2!, null, { dilation: 2 })]],
    ['maxPool2d, avgPool2d (padding), adaptiveAvgPool2d', () => [r([2, 3, 9, 9])],
      (x) => [tg.F.maxPool2d(x!, 2), tg.F.avgPool2d(x!, 3, { stride: 2, padding: 1 }), tg.F.adaptiveAvgPool2d(x!, 4)]],
    ['size-0 and size-1 dims', () => [r([0, 4]), r([1, 4])], (a, b) => [a!.add(b!), a!.sum(0), b!.sum(0), b!.matmul(b!.t())]],
  ];
  for (const [name, inputs, op] of cases) await checkOp(cpu, gpu, name, inputs, op);
}

/** Parameters of the small conv net, made on `backend`. */
function convNetParams(backend: tg.Backend): Record<string, tg.Tensor> {
  tg.manualSeed(3);
  const p = (shape: number[]) => tg.randn(shape, { backend }).mul(0.5).detach().requiresGrad_(true);
  return { x: p([4, 2, 12, 12]), w1: p([4, 2, 3, 3]), b1: p([4]), w2: p([6, 4, 3, 3]), b2: p([6]), fw: p([5, 24]), fb: p([5]) };
}

/** conv, relu, max pool, conv, tanh, avg pool, linear, cross entropy: every conv/pool backward kernel on one path. */
function convNetLoss(p: Record<string, tg.Tensor>, labels: tg.Tensor): tg.Tensor {
  let h = tg.F.maxPool2d(tg.F.conv2d(p.x!, p.w1!, p.b1!, { padding: 1 }).relu(), 2);
  h = tg.F.avgPool2d(tg.F.conv2d(h, p.w2!, p.b2!).tanh(), 2);
  return tg.F.crossEntropy(tg.F.linear(h.flatten(1), p.fw!, p.fb!), labels);
}

/** The loss and every gradient of the small conv net, on the GPU and on the CPU. */
async function checkConvNetGradients(cpu: tg.Backend, gpu: tg.Backend): Promise<void> {
  try {
    tg.setBackend(cpu);
    const pc = convNetParams(cpu);
    const lc = convNetLoss(pc, tg.tensor([0, 3, 1, 4], { dtype: 'int32', backend: cpu }));
    lc.backward();
    tg.setBackend(gpu);
    const pg = Object.fromEntries(Object.entries(pc).map(([k, v]) => [k, v.detach().toBackend(gpu).requiresGrad_(true)]));
    const t0 = performance.now();
    const lg = convNetLoss(pg, tg.tensor([0, 3, 1, 4], { dtype: 'int32', backend: gpu }));
    lg.backward();
    await pg.x!.grad!.dataAsync();
    timings.convNetFwdBwdMs = ms(t0);
    const results: [string, { ok: boolean; detail: string }][] = [['loss', await compare(lg, lc, 1e-4)]];
    for (const k of Object.keys(pc)) results.push([`d${k}`, await compare(pg[k]!.grad!, pc[k]!.grad!, 1e-4)]);
    const bad = results.filter(([, r]) => !r.ok);
    check('webgpu gradients through a small conv net match the CPU (loss and 7 gradients)', bad.length === 0,
      (bad.length ? bad : results.slice(0, 3)).map(([k, r]) => `${k}: ${r.detail}`).join('; '));
  } catch (e) {
    check('webgpu gradients through a small conv net match the CPU', false, `threw ${(e as Error).name}: ${(e as Error).message}`);
  } finally {
    tg.setBackend(gpu);
  }
}

/**
 * Sized for SwiftShader (a CPU running the GPU's kernels, ~2 s per step here):
 * on the synthetic digits this falls from ~2.3 to ~0.8 on the CPU backends.
 */
const STEPS = 20, BATCH = 10, LR = 1e-2;

/**
 * `STEPS` Adam steps of LeNet-5 on synthetic digits; losses read with
 * `dataAsync` only (a GPU result cannot be read synchronously).
 */
async function train(backend: tg.Backend, init: Record<string, tg.Tensor>): Promise<{ model: tg.nn.Module; losses: number[]; stepMs: number }> {
  tg.setBackend(backend);
  const model = tg.models.lenet5();
  model.loadStateDict(Object.fromEntries(Object.entries(init).map(([k, v]) => [k, v.toBackend(backend)])));
  const opt = new tg.optim.Adam(model.parameters(), { lr: LR });
  const d = syntheticDigits(160, 1); // batches of 10 or more hold every class
  const x = tg.tensor(d.images, { shape: [d.n, 1, 28, 28], backend });
  const y = tg.tensor(d.labels, { shape: [d.n], backend });
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < STEPS; step++) {
    const from = (step * BATCH) % d.n;
    const loss = tg.F.crossEntropy(model.forward(x.slice(0, from, from + BATCH)), y.slice(0, from, from + BATCH));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push((await loss.dataAsync())[0]!);
  }
  return { model, losses, stepMs: (performance.now() - t0) / STEPS };
}

/** LeNet-5 trains on the GPU: its loss falls, follows the CPU's run from the same start, and it classifies held-out digits. */
async function checkLenetTraining(cpu: tg.Backend, gpu: tg.Backend): Promise<void> {
  try {
    // One seeded start for both runs, made on the CPU (stateDict() entries are the live tensors: copy them).
    tg.setBackend(cpu);
    tg.manualSeed(1);
    const init = Object.fromEntries(Object.entries(tg.models.lenet5().stateDict()).map(([k, v]) => [k, v.clone()]));
    const ref = await train(cpu, init);
    const t0 = performance.now();
    const run = await train(gpu, init);
    timings.lenetStepMs = +run.stepMs.toFixed(1);
    timings.lenetTrainMs = ms(t0);
    const first = run.losses.slice(0, 5).reduce((a, b) => a + b) / 5, last = run.losses.slice(-5).reduce((a, b) => a + b) / 5;
    const show = (l: number[]) => l.filter((_, i) => i % 5 === 0 || i === l.length - 1).map((v) => v.toFixed(3)).join(' -> ');
    check(`webgpu LeNet-5 trains (${STEPS} Adam steps, batch ${BATCH}; mean loss of the last 5 steps < first 5 minus 1)`,
      run.losses.every(Number.isFinite) && last < first - 1, `loss ${show(run.losses)}`);
    // Summation order differs (f32 on both sides), and training amplifies that step by step: the
    // first steps must agree closely, later ones only roughly.
    const drift = run.losses.map((l, i) => Math.abs(l - ref.losses[i]!));
    const early = Math.max(...drift.slice(0, 10)), all = Math.max(...drift);
    check('webgpu LeNet-5 losses follow the CPU run from the same weights (within 0.01 for 10 steps, 0.1 for all)', early < 0.01 && all < 0.1,
      `max |gpu - cpu| ${early.toExponential(1)} in the first 10 steps, ${all.toExponential(1)} over all ${STEPS}; cpu loss ${show(ref.losses)}`);
    const test = syntheticDigits(100, 2);
    run.model.eval();
    const pred = run.model.forward(tg.tensor(test.images, { shape: [test.n, 1, 28, 28], backend: gpu })).argmax(1);
    const predicted = await pred.dataAsync();
    let right = 0;
    for (let i = 0; i < test.n; i++) if (predicted[i] === test.labels[i]) right++;
    const acc = right / test.n;
    check('webgpu LeNet-5 classifies held-out synthetic digits (accuracy > 0.6)', acc > 0.6, `accuracy ${acc.toFixed(2)} on ${test.n}`);
  } catch (e) {
    const where = (e as Error).stack?.split('\n').slice(1, 4).map((l) => l.trim()).join(' < ') ?? '';
    check('webgpu LeNet-5 trains', false, `threw ${(e as Error).name}: ${(e as Error).message} (${where})`);
  }
}

async function run(): Promise<Record<string, unknown>> {
  const start = performance.now();
  const secure = globalThis.isSecureContext, hasGpu = 'gpu' in navigator;
  let gpu: tg.WebGpuBackend;
  try {
    gpu = (await tg.ready({ backend: 'webgpu' })) as tg.WebGpuBackend;
  } catch (e) {
    return { skip: `tg.ready({ backend: 'webgpu' }) failed: ${(e as Error).message}`, info: { secure, hasGpu, userAgent: navigator.userAgent } };
  }
  timings.readyMs = ms(start);
  const cpu = tg.getWasmBackend() ?? tg.referenceBackend;
  const info = { adapter: gpu.adapterName, cpu: cpu.name, userAgent: navigator.userAgent };
  check('tg.ready({ backend: \'webgpu\' }) makes webgpu current', tg.getBackend() === gpu, `current '${tg.getBackend().name}', adapter ${gpu.adapterName}`);
  const sync = (() => { try { tg.ones([2]).add(1).data(); return 'no error'; } catch (e) { return (e as Error).message; } })();
  check('a GPU result read synchronously throws, naming dataAsync', /dataAsync/.test(sync), sync);

  const t0 = performance.now();
  await checkOps(cpu, gpu);
  timings.opsMs = ms(t0); // mostly compiling each kernel's pipeline once (slow under SwiftShader)
  await checkConvNetGradients(cpu, gpu);
  await checkLenetTraining(cpu, gpu);
  timings.totalMs = ms(start);
  return { info, timings, checks };
}

async function report(body: unknown): Promise<void> {
  await fetch(new URL('./result', location.href), { method: 'POST', body: JSON.stringify(body) });
}

run().then(report, (e: unknown) => report({ fatal: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e), checks }));
