/**
 * Tutorial 10: exporting to ONNX and serving. Train LeNet-5 briefly, save and
 * load its weights (safetensors, a resumable checkpoint), export it to ONNX,
 * run the file in ONNX Runtime and compare with tensorgrad, import it back,
 * list the graph's ops, and answer one HTTP request with the exported model.
 * Every file goes to a temporary folder, which is removed at the end.
 * Run: node --import tsx docs/tutorials/10-onnx-export-and-serving.ts [--full]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tg from 'tensorgrad';
import { settings, show, table } from './lib.js';

const { data, models, optim, train, io, onnx } = tg;
tg.manualSeed(0);

const s = settings({ train: 3000, test: 1000, epochs: 1 }, { train: 60000, test: 10000, epochs: 3 });
const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-tutorial-10-'));
const kib = (file: string) => `${(statSync(file).size / 1024).toFixed(1)} KiB`;
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (v, i) => Math.abs(v - b[i]!)).reduce((m, d) => Math.max(m, d), 0);

try {
  // ── 1. A trained model ──────────────────────────────────────────────────────
  const MEAN = 0.1307, STD = 0.3081;
  const mnist = data.loadMnist({ split: 'train' }), mnistTest = data.loadMnist({ split: 'test' });
  const trainImages = mnist.images.narrow(0, 0, s.train).sub(MEAN).div(STD), trainLabels = mnist.labels.narrow(0, 0, s.train).contiguous();
  const testImages = mnistTest.images.narrow(0, 0, s.test).sub(MEAN).div(STD), testLabels = mnistTest.labels.narrow(0, 0, s.test).contiguous();
  const model = models.lenet5();
  const optimizer = new optim.Adam(model.parameters(), { lr: 2e-3 });
  const epochs = await train.fit({
    model, optimizer, numClasses: 10, epochs: s.epochs,
    train: new data.DataLoader(new data.TensorDataset(trainImages, trainLabels), { batchSize: 64, shuffle: true }),
    test: new data.DataLoader(new data.TensorDataset(testImages, testLabels), { batchSize: 500 }),
  });
  model.eval();
  const batch = testImages.narrow(0, 0, 8).contiguous();
  const ours = tg.noGrad(() => model.forward(batch));

  // ── 2. Weights and checkpoints ──────────────────────────────────────────────
  const weightsFile = join(dir, 'lenet5.safetensors');
  io.save(model.stateDict(), weightsFile, { metadata: { description: 'LeNet-5, MNIST' } });
  const restored = models.lenet5();
  restored.loadStateDict(io.load(weightsFile), { strict: true });
  const restoredOut = tg.noGrad(() => restored.eval().forward(batch));

  const checkpointFile = join(dir, 'last.safetensors');
  io.saveCheckpoint(checkpointFile, { model, optimizer, epoch: s.epochs, step: epochs.reduce((n, e) => n + e.steps, 0), extra: { testAccuracy: epochs.at(-1)!.testAccuracy } });
  const resumedModel = models.lenet5(), resumedOptimizer = new optim.Adam(resumedModel.parameters(), { lr: 2e-3 });
  const info = io.loadCheckpoint(checkpointFile, { model: resumedModel, optimizer: resumedOptimizer });
  const { metadata } = io.loadWithMetadata(weightsFile);
  const keys = Object.keys(model.stateDict());
  show('weights', table(['file', 'size', 'holds', 'max |diff| of outputs after loading'], [
    ['lenet5.safetensors', kib(weightsFile), `${keys.length} tensors: ${keys.slice(0, 2).join(', ')}, ...`, maxAbsDiff(ours.data(), restoredOut.data())],
    ['last.safetensors (checkpoint)', kib(checkpointFile), `+ Adam's moments, epoch ${info.epoch}, step ${info.step}, RNG`, maxAbsDiff(ours.data(), tg.noGrad(() => resumedModel.eval().forward(batch)).data())],
  ]) + `\nmetadata of lenet5.safetensors: ${JSON.stringify(metadata)}` +
    `\nextra of the checkpoint: testAccuracy ${(info.extra.testAccuracy as number).toFixed(4)} (trained on ${s.train} images, ${s.epochs} epoch${s.epochs > 1 ? 's' : ''})`);

  // ── 3. Export to ONNX ───────────────────────────────────────────────────────
  const t0 = performance.now();
  const bytes = onnx.exportModel(model, tg.zeros([1, 1, 28, 28]), { metadata: { classes: '0,1,2,3,4,5,6,7,8,9', mean: String(MEAN), std: String(STD) } });
  const exportMs = performance.now() - t0;
  const onnxFile = join(dir, 'lenet5.onnx');
  writeFileSync(onnxFile, bytes);

  // ── 4. Run it in ONNX Runtime ───────────────────────────────────────────────
  const session = await ort.InferenceSession.create(onnxFile);
  const feed = (x: tg.Tensor) => ({ input: new ort.Tensor('float32', Float32Array.from(x.data() as Float32Array), [...x.shape]) });
  const checks: (string | number)[][] = [];
  for (const n of [1, 8, testImages.shape[0]!]) {
    const x = testImages.narrow(0, 0, n).contiguous();
    const theirs = (await session.run(feed(x))).output!;
    const mineData = tg.noGrad(() => model.forward(x)).data() as Float32Array;
    const theirsData = theirs.data as Float32Array;
    const agree = Array.from({ length: n }, (_, i) => argmax(theirsData, i) === argmax(mineData, i)).filter(Boolean).length;
    checks.push([n, `[${theirs.dims.join(', ')}]`, maxAbsDiff(theirsData, mineData).toExponential(1), `${agree} / ${n}`]);
  }
  show('export', `exportModel: ${exportMs.toFixed(0)} ms, ${(bytes.length / 1024).toFixed(1)} KiB; ` +
    `ONNX Runtime ${ort.env.versions.common}: inputs ${JSON.stringify(session.inputNames)}, outputs ${JSON.stringify(session.outputNames)}\n\n` +
    table(['batch', 'output shape', 'max |ORT - tensorgrad|', 'same predicted class'], checks));

  // ── 5. Import it back, and the graph's ops ──────────────────────────────────
  const back = onnx.loadModel(onnxFile);
  const backOut = tg.noGrad(() => back.forward(batch) as tg.Tensor);
  const nodes = graphNodes(back);
  show('graph', `${back.constructor.name}: opset ${back.opset}, inputs ${JSON.stringify(back.inputNames)}, outputs ${JSON.stringify(back.outputNames)}, ` +
    `metadata ${JSON.stringify(back.metadata)}\nmax |imported - original| on 8 test digits: ${maxAbsDiff(backOut.data(), ours.data())}; ` +
    `parameters ${back.numParameters().toLocaleString('en-US')} (original ${model.numParameters().toLocaleString('en-US')})\n\n` +
    table(['#', 'op', 'inputs', 'attributes'], nodes.map((n, i) => [i + 1, n.opType, n.inputs.join(', '), n.attrs])));

  // ── 6. Serving: one HTTP request answered by ONNX Runtime ───────────────────
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const pixels = Float32Array.from(JSON.parse(body).pixels as number[], (v) => (v - MEAN) / STD);   // 784 values in [0, 1]
    const { output } = await session.run({ input: new ort.Tensor('float32', pixels, [1, 1, 28, 28]) });
    const logits = Array.from(output!.data as Float32Array);
    const exps = logits.map((v) => Math.exp(v - Math.max(...logits)));
    const probabilities = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ digit: probabilities.indexOf(Math.max(...probabilities)), probability: Number(Math.max(...probabilities).toFixed(4)) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
    const digit = mnistTest.images.select(0, 0);   // [1, 28, 28], pixels in [0, 1]
    const reply = await fetch(url, { method: 'POST', body: JSON.stringify({ pixels: Array.from(digit.data() as Float32Array) }) });
    show('serving', `POST /predict {"pixels": [784 numbers]} (test image 0, label ${mnistTest.labels.select(0, 0).item()})\n-> ${await reply.text()}`);
  } finally {
    server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Index of the largest of the 10 logits of row `i`. */
function argmax(logits: Float32Array, i: number): number {
  const row = logits.subarray(i * 10, i * 10 + 10);
  return row.indexOf(Math.max(...row));
}

/** The graph's nodes in the order they run, found by walking back from the outputs with `producerOf`. */
function graphNodes(m: tg.onnx.OnnxModule) {
  const seen = new Set<string>();
  const out: { opType: string; inputs: string[]; attrs: string }[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const node = m.producerOf(name);
    if (!node) return;
    for (const i of node.inputs) if (i) visit(i);
    const attrs = node.attrs.names().map((a) => `${a}=${attrValue(node.attrs, a)}`);
    out.push({ opType: node.opType, inputs: [...node.inputs], attrs: attrs.join(' ') });
  };
  for (const o of m.outputNames) visit(o);
  return out;
}

/** An attribute's value as text, whatever its type (ints, int, float or string). */
function attrValue(attrs: { ints(n: string): number[] | undefined; int(n: string, d: number): number; float(n: string, d: number): number; string(n: string, d: string): string }, name: string): string {
  for (const read of [() => `[${attrs.ints(name)!.join(',')}]`, () => String(attrs.int(name, NaN)), () => String(attrs.float(name, NaN)), () => attrs.string(name, '?')]) {
    try { return read(); } catch { /* another type */ }
  }
  return '?';
}
