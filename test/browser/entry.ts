/**
 * The page that scripts/browser-check.mjs bundles (esbuild, platform 'browser')
 * and opens in headless Chromium. It runs checks on the library as a browser
 * app would use it and POSTs `{ info, timings, checks }` to `./result` (the
 * page's index.html posts `{ fatal }` if this bundle fails to load or throws).
 */
import * as tg from '../../src/index.js';

interface Check { name: string; ok: boolean; detail: string }

// Importing loads nothing: an op before ready() names it, then ready() loads the wasm backend.
const beforeReady = (() => { try { tg.zeros([1]); return 'no error'; } catch (e) { return (e as Error).message; } })();
await tg.ready();
const readyMs = performance.now(); // the bundle and the wasm backend have loaded
const checks: Check[] = [];
const timings: Record<string, number> = { readyMs: Math.round(readyMs) };

function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
}

/** Largest |a - b|, and the largest |b|. */
function compare(a: tg.Tensor, b: tg.Tensor): { diff: number; scale: number } {
  const x = a.data(), y = b.data();
  if (x.length !== y.length) return { diff: Infinity, scale: 1 };
  let diff = 0, scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return { diff, scale };
}

/** Same values to 1e-4, relative to the result's magnitude when above 1. */
function checkClose(name: string, got: tg.Tensor, want: tg.Tensor): void {
  const { diff, scale } = compare(got, want);
  check(name, diff <= 1e-4 * Math.max(1, scale), `max |wasm - reference| = ${diff.toExponential(2)} (values up to ${scale.toFixed(2)})`);
}

/** Throws? Returns the error's name and message (or null if it did not throw). */
function thrown(fn: () => unknown): { name: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0)); // lets finalizers free dead tensors' wasm memory

async function run(): Promise<Record<string, unknown>> {
  const wasm = tg.getWasmBackend();
  const info = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    backend: tg.getBackend().name,
    variant: wasm?.variant ?? null,
    sharedMemory: wasm?.sharedMemory ?? false,
    threads: tg.getNumThreads(),
  };
  check('an op before tg.ready() names it', beforeReady.includes('tg.ready()'), beforeReady);
  check('wasm backend is the default', info.backend === 'wasm' && wasm !== null, `backend '${info.backend}', variant ${info.variant}`);
  check(
    info.crossOriginIsolated ? 'threads > 1 (cross-origin isolated)' : 'single-threaded fallback (not isolated)',
    info.crossOriginIsolated ? info.threads > 1 && info.sharedMemory : info.threads === 1 && !info.sharedMemory,
    `${info.threads} thread(s), shared memory ${info.sharedMemory}, ${info.hardwareConcurrency} cores`,
  );

  // Kernels against the reference backend (data drawn once, copied to both).
  tg.manualSeed(0);
  const ref = (t: tg.Tensor) => tg.toBackend(t, 'reference');
  const a = tg.randn([96, 160]), b = tg.randn([160, 128]);
  let t0 = performance.now();
  const mm = tg.matmul(a, b);
  mm.data();
  timings.matmulMs = +(performance.now() - t0).toFixed(1);
  checkClose('matmul [96,160]x[160,128] matches reference', mm, tg.matmul(ref(a), ref(b)));

  const x = tg.randn([4, 3, 20, 20], { requiresGrad: true }), w = tg.randn([8, 3, 3, 3], { requiresGrad: true });
  const bias = tg.randn([8], { requiresGrad: true }), gy = tg.randn([4, 8, 10, 10]);
  const xRef = ref(x.detach()).requiresGrad_(true), wRef = ref(w.detach()).requiresGrad_(true), bRef = ref(bias.detach()).requiresGrad_(true);
  t0 = performance.now();
  const y = tg.F.conv2d(x, w, bias, { stride: 2, padding: 1 });
  y.mul(gy).sum().backward();
  x.grad!.data();
  timings.conv2dFwdBwdMs = +(performance.now() - t0).toFixed(1);
  const yRef = tg.F.conv2d(xRef, wRef, bRef, { stride: 2, padding: 1 });
  yRef.mul(ref(gy)).sum().backward();
  checkClose('conv2d forward matches reference', y, yRef);
  checkClose('conv2d input gradient matches reference', x.grad!, xRef.grad!);
  checkClose('conv2d weight gradient matches reference', w.grad!, wRef.grad!);

  // A few training steps of LeNet-5 on one fixed batch: the loss must go down.
  tg.manualSeed(1);
  const model = tg.models.lenet5();
  const opt = new tg.optim.Adam(model.parameters(), { lr: 2e-3 });
  const images = tg.rand([32, 1, 28, 28]), labels = tg.randint(0, 10, [32]);
  const losses: number[] = [];
  t0 = performance.now();
  for (let step = 0; step < 8; step++) {
    const loss = tg.F.crossEntropy(model.forward(images), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
    await tick();
  }
  timings.lenetStepMs = +((performance.now() - t0) / losses.length).toFixed(1);
  // Seeded, and results do not depend on the thread count: the same losses every run (2.308 -> 2.236).
  check('LeNet-5 trains (loss falls by > 0.05 in 8 steps)', losses.at(-1)! < losses[0]! - 0.05 && losses.every(Number.isFinite),
    `loss ${losses.map((l) => l.toFixed(3)).join(' -> ')}`);

  // safetensors and checkpoints through bytes.
  model.eval();
  const bytes = tg.io.serialize(model.stateDict(), { format: 'pt' });
  const { tensors, metadata } = tg.io.deserialize(bytes);
  const copy = tg.models.lenet5();
  copy.loadStateDict(tensors);
  copy.eval();
  const same = compare(copy.forward(images), model.forward(images)).diff === 0;
  check('safetensors round-trips through bytes', same && metadata?.format === 'pt',
    `${bytes.length} bytes, ${Object.keys(tensors).length} tensors, outputs ${same ? 'identical' : 'differ'}`);
  const ckpt = tg.io.serializeCheckpoint({ model, optimizer: opt, epoch: 1, step: losses.length, extra: { note: 'browser' } });
  const resumed = tg.models.lenet5();
  const opt2 = new tg.optim.Adam(resumed.parameters(), { lr: 1 });
  const ci = tg.io.deserializeCheckpoint(ckpt, { model: resumed, optimizer: opt2 });
  check('checkpoint round-trips through bytes', ci.epoch === 1 && ci.step === 8 && ci.extra.note === 'browser'
    && opt2.paramGroups[0]!.lr === 2e-3 && compare(resumed.eval().forward(images), model.forward(images)).diff === 0,
  `${ckpt.length} bytes, epoch ${ci.epoch}, step ${ci.step}`);

  // Byte-level data functions work; path-based ones explain themselves.
  const idx = tg.data.readIdx(tg.data.encodeIdx([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6)));
  check('readIdx(bytes) works', idx.dims.join() === '2,3' && idx.data[5] === 6, `dims [${idx.dims}]`);
  const canvas = new OffscreenCanvas(8, 6);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'rgb(255, 0, 0)';
  ctx.fillRect(0, 0, 8, 6);
  const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 })).arrayBuffer());
  const img = tg.data.decodeImage(jpeg);
  const red = img.select(0, 0).mean().item(), green = img.select(0, 1).mean().item();
  check('decodeImage(JPEG bytes) works', img.shape.join() === '3,6,8' && red > 0.9 && green < 0.1,
    `shape [${img.shape}], mean R ${red.toFixed(3)}, G ${green.toFixed(3)}`);
  const needsNode: [string, () => unknown, RegExp][] = [
    ['tg.io.save', () => tg.io.save(tensors, 'model.safetensors'), /^save: model\.safetensors: needs Node\.js .*tg\.io\.serialize/],
    ['tg.io.loadCheckpoint', () => tg.io.loadCheckpoint('run.safetensors', { model }), /needs Node\.js .*deserializeCheckpoint/],
    ['tg.data.loadMnist', () => tg.data.loadMnist(), /^loadMnist: needs Node\.js .*readIdx\(bytes\)/],
    ['tg.data.readImage', () => tg.data.readImage('x.png'), /^readImage: needs Node\.js .*decodeImage/],
    ['tg.data.decodeImage(PNG)', () => tg.data.decodeImage(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10)), /^decodeImage: needs Node\.js .*createImageBitmap/],
  ];
  for (const [name, fn, pattern] of needsNode) {
    const e = thrown(fn);
    check(`${name} throws a clear TensorError`, e?.name === 'TensorError' && pattern.test(e.message), e ? e.message : 'did not throw');
  }
  timings.totalMs = Math.round(performance.now());
  return { info, timings, checks };
}

async function report(body: unknown): Promise<void> {
  await fetch(new URL('./result', location.href), { method: 'POST', body: JSON.stringify(body) });
}

run().then(report, (e: unknown) => report({ fatal: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e), checks }));
