/**
 * Helpers for the per-op import tests (test/onnx/import-ops*.test.ts): build a
 * one- or few-node ONNX model by hand with onnx-proto, run it in
 * onnxruntime-node on seeded random inputs, import it with tg.onnx.loadModel,
 * and compare forward outputs (max abs error <= tol * max(1, max |reference|)).
 * Then one backward of sum(outputs) must give finite gradients for every float
 * input and parameter, and, when asked, `tg.autograd.gradcheck` checks the
 * graph in float64 (weights given as graph inputs so the whole graph runs in
 * float64 — initializers are always imported as float32 parameters).
 */
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import * as tg from '../../src/index.js';
import { prng } from '../helpers/prng.js';

const { onnx } = onnxProto;

export type Attr = number | string | number[] | { floats: number[] } | { float: number } | { tensor: Init };

/** An initializer: float32 by default; `int64` for shape/axes arguments. */
export interface Init { name: string; dims: number[]; values: number[]; type?: 'float' | 'int64' | 'int32' | 'bool' }

export interface NodeSpec { op: string; inputs: string[]; outputs?: string[]; attrs?: Record<string, Attr>; domain?: string }

export interface InputSpec { name: string; shape: number[]; type?: 'float' | 'int64'; values?: number[] }

export interface ModelSpec {
  nodes: NodeSpec[];
  inputs: InputSpec[];
  /** Graph output names (default: the last node's first output). */
  outputs?: string[];
  inits?: Init[];
  opset?: number;
  /** Element types of the graph outputs (default float). */
  outputTypes?: (keyof typeof TYPE_CODES)[];
}

const TYPE_CODES = { float: 1, int32: 6, int64: 7, bool: 9 } as const;

function tensorProto(t: Init): onnxProto.onnx.ITensorProto {
  const type = t.type ?? 'float';
  const base = { name: t.name, dims: t.dims, dataType: TYPE_CODES[type] };
  if (type === 'float') return { ...base, floatData: t.values };
  if (type === 'int64') return { ...base, int64Data: t.values };
  return { ...base, int32Data: t.values };
}

function attribute(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('floats' in v) return { name, type: 6, floats: v.floats };
  if ('float' in v) return { name, type: 1, f: v.float };
  return { name, type: 4, t: tensorProto(v.tensor) };
}

const valueInfo = (name: string, shape: number[] | null, elem = 1): onnxProto.onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: elem, ...(shape ? { shape: { dim: shape.map((d) => ({ dimValue: d })) } } : {}) } },
});

/** The bytes of an ONNX model (IR 8) for a spec. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const outputs = spec.outputs ?? [spec.nodes.at(-1)!.outputs?.[0] ?? 'y'];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'tensorgrad-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: `n${i}_${n.op}`, opType: n.op, domain: n.domain ?? '', input: n.inputs, output: n.outputs ?? ['y'],
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: (spec.inits ?? []).map(tensorProto),
      input: spec.inputs.map((i) => valueInfo(i.name, i.shape, i.type === 'int64' ? 7 : 1)),
      output: outputs.map((o, i) => valueInfo(o, null, TYPE_CODES[spec.outputTypes?.[i] ?? 'float'])),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Seeded standard-normal-ish values (sum of uniforms), scaled. */
export function randomValues(n: number, seed: number, scale = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => (r() + r() + r() + r() - 2) * 1.7 * scale);
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export interface CheckSpec extends ModelSpec {
  /** Forward tolerance, relative to max(1, max |reference|) (default 1e-5). */
  tol?: number;
  seed?: number;
  /** Check gradients of these graph inputs (by index) against finite differences in float64. */
  gradcheck?: number[];
  gradTol?: { atol?: number; rtol?: number; eps?: number };
  /** Skip the finite-gradient backward (ops with no float path, e.g. pure shape ops on host values). */
  noBackward?: boolean;
  /** Parameters that get no gradient (unused by the graph's math, e.g. Gemm's C when beta is 0). */
  noGradParams?: string[];
  /** Run the module in train mode. */
  training?: boolean;
}

export interface CheckResult { maxErr: number; outputs: tg.Tensor[]; model: tg.onnx.OnnxModule }

/** Input values of a spec (given, or seeded random). */
function inputValues(spec: CheckSpec): number[][] {
  return spec.inputs.map((inp, i) => inp.values ?? randomValues(numel(inp.shape), (spec.seed ?? 1) * 101 + i));
}

/** Runs the spec in ORT and tensorgrad, asserts agreement, backward and (optionally) gradcheck. */
export async function checkAgainstOrt(label: string, spec: CheckSpec): Promise<CheckResult> {
  const bytes = buildModel(spec);
  const values = inputValues(spec);
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  spec.inputs.forEach((inp, i) => {
    feeds[inp.name] = inp.type === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(values[i]!.map((v) => BigInt(v))), inp.shape)
      : new ort.Tensor('float32', Float32Array.from(values[i]!), inp.shape);
  });
  const expected = await session.run(feeds);
  await session.release();

  const model = tg.onnx.loadModel(bytes);
  if (spec.training) model.train();
  const xs = spec.inputs.map((inp, i) => tg.tensor(inp.type === 'int64' ? Int32Array.from(values[i]!) : Float32Array.from(values[i]!), { shape: inp.shape, requiresGrad: inp.type !== 'int64' }));
  const out = model.forward(...xs);
  const outs = Array.isArray(out) ? out : [out];
  const names = session.outputNames;
  let maxErr = 0;
  outs.forEach((y, k) => {
    const ref = expected[names[k]!]!;
    assert.deepEqual(y.shape, [...ref.dims], `${label}: output ${k} shape ${JSON.stringify(y.shape)} vs ORT ${JSON.stringify(ref.dims)}`);
    const a = y.data() as ArrayLike<number>;
    const e = Array.from(ref.data as ArrayLike<number | bigint>, Number);
    let mag = 1, err = 0;
    for (let i = 0; i < e.length; i++) {
      mag = Math.max(mag, Math.abs(e[i]!));
      const d = Math.abs(Number(a[i]) - e[i]!);
      err = Math.max(err, Number.isNaN(d) ? (Number.isNaN(Number(a[i])) && Number.isNaN(e[i]!) ? 0 : Infinity) : d);
    }
    const rel = err / mag;
    maxErr = Math.max(maxErr, rel);
    assert.ok(rel <= (spec.tol ?? 1e-5), `${label}: output ${k} max abs error ${err} (relative ${rel.toExponential(2)}) vs onnxruntime`);
  });

  if (!spec.noBackward) {
    const floatOuts = outs.filter((y) => y.dtype === 'float32' || y.dtype === 'float64');
    assert.ok(floatOuts.length, `${label}: no float output to backpropagate`);
    floatOuts.map((y) => y.sum()).reduce((a, b) => a.add(b)).backward();
    spec.inputs.forEach((inp, i) => {
      if (inp.type === 'int64') return;
      const g = xs[i]!.grad;
      assert.ok(g, `${label}: input '${inp.name}' has a gradient`);
      assert.ok(Array.from(g.data() as ArrayLike<number>).every(Number.isFinite), `${label}: input '${inp.name}' gradient is finite`);
    });
    for (const [key, p] of model.namedParameters()) {
      if (spec.noGradParams?.includes(key)) continue;
      assert.ok(p.grad, `${label}: parameter ${key} has a gradient`);
      assert.ok(Array.from(p.grad.data() as ArrayLike<number>).every(Number.isFinite), `${label}: parameter ${key} gradient is finite`);
    }
  }

  if (spec.gradcheck?.length) {
    const fresh = tg.onnx.loadModel(bytes);
    if (spec.training) fresh.train();
    const args = spec.inputs.map((inp, i) => tg.tensor(inp.type === 'int64' ? Int32Array.from(values[i]!) : Float64Array.from(values[i]!), {
      shape: inp.shape, dtype: inp.type === 'int64' ? 'int32' : 'float64', requiresGrad: spec.gradcheck!.includes(i),
    }));
    const fn = (...ts: tg.Tensor[]) => {
      const r = fresh.forward(...ts);
      return Array.isArray(r) ? r[0]! : r;
    };
    const res = tg.autograd.gradcheck(fn, args, { eps: 1e-6, atol: 1e-5, rtol: 1e-3, ...spec.gradTol });
    assert.ok(res.passed, `${label}: gradcheck\n${res.report}`);
  }
  return { maxErr, outputs: outs, model };
}

/** One float input `x` of `shape`, one node `op` with attrs and extra initializer inputs. */
export function single(op: string, shape: number[], attrs: Record<string, Attr> = {}, inits: Init[] = [], opset = 17): ModelSpec {
  return { nodes: [{ op, inputs: ['x', ...inits.map((i) => i.name)], attrs }], inputs: [{ name: 'x', shape }], inits, opset };
}

export const floatInit = (name: string, dims: number[], seed: number, scale = 1): Init => ({ name, dims, values: randomValues(numel(dims), seed, scale) });
export const intInit = (name: string, values: number[], dims = [values.length]): Init => ({ name, dims, values, type: 'int64' });
