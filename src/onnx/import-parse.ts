/**
 * Reading an ONNX file (a protobuf `ModelProto`) as hostile input: the bytes
 * are decoded by `onnx-proto` inside try/catch, then every part used is checked
 * before anything is allocated from it — counts, ranks, dims, and that each
 * tensor's stored data holds exactly `product(dims)` values of its type.
 * External data (weights in a side file) is refused with a clear message.
 *
 * Limits (each an error naming the limit): file size 2 GiB (protobuf's own
 * ceiling), 100,000 nodes, 100,000 initializers, tensor rank 32, dims from 0
 * to 2^31 - 1 with a product of at most 2^31 - 1 elements.
 */
import onnxProto from 'onnx-proto';
import { TensorError, fmtShape } from '../core/errors.js';
import { host, HostArray, product, type HostKind } from './ops-in/host.js';
import { halfToNumber } from '../core/dtype.js';

const { onnx } = onnxProto;
type Long = { toNumber(): number };

/** The largest ONNX file loadModel reads: 2 GiB, the protobuf limit (external data files are not supported). */
export const MAX_ONNX_BYTES = 2 ** 31;
export const MAX_NODES = 100_000;
export const MAX_INITIALIZERS = 100_000;
export const MAX_RANK = 32;
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** ONNX TensorProto.DataType codes we read, with their byte size and how values become numbers. */
const DTYPES: Record<number, { name: string; size: number; kind: HostKind; get: (v: DataView, p: number) => number }> = {
  1: { name: 'float32', size: 4, kind: 'float', get: (v, p) => v.getFloat32(p, true) },
  2: { name: 'uint8', size: 1, kind: 'int', get: (v, p) => v.getUint8(p) },
  3: { name: 'int8', size: 1, kind: 'int', get: (v, p) => v.getInt8(p) },
  4: { name: 'uint16', size: 2, kind: 'int', get: (v, p) => v.getUint16(p, true) },
  5: { name: 'int16', size: 2, kind: 'int', get: (v, p) => v.getInt16(p, true) },
  6: { name: 'int32', size: 4, kind: 'int', get: (v, p) => v.getInt32(p, true) },
  7: { name: 'int64', size: 8, kind: 'int', get: (v, p) => Number(v.getBigInt64(p, true)) },
  9: { name: 'bool', size: 1, kind: 'bool', get: (v, p) => (v.getUint8(p) ? 1 : 0) },
  10: { name: 'float16', size: 2, kind: 'float', get: (v, p) => halfToNumber(v.getUint16(p, true)) },
  11: { name: 'float64', size: 8, kind: 'float', get: (v, p) => v.getFloat64(p, true) },
  12: { name: 'uint32', size: 4, kind: 'int', get: (v, p) => v.getUint32(p, true) },
  13: { name: 'uint64', size: 8, kind: 'int', get: (v, p) => Number(v.getBigUint64(p, true)) },
};

export function dtypeName(code: number): string {
  return DTYPES[code]?.name ?? `data type ${code}`;
}

export function isFloatType(code: number): boolean {
  return DTYPES[code]?.kind === 'float';
}


/** An int64 field as a number (protobufjs gives Long objects); huge values keep their sign and size class. */
export function toInt(v: number | Long | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Decodes the bytes of an ONNX file; any protobuf error becomes one TensorError. */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  if (bytes.length > MAX_ONNX_BYTES) throw new TensorError(`onnx.loadModel: ${bytes.length} bytes is more than the ${MAX_ONNX_BYTES} an ONNX protobuf can hold`);
  if (bytes.length === 0) throw new TensorError('onnx.loadModel: the file is empty (0 bytes), not an ONNX model');
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new TensorError(`onnx.loadModel: not a valid ONNX file (protobuf decoding failed: ${(e as Error).message})`);
  }
  if (!model.graph) throw new TensorError('onnx.loadModel: the file has no graph (is it an ONNX model?)');
  return model;
}

/** Checked dims of a tensor: natural numbers, bounded rank and product. */
export function checkDims(where: string, rawDims: readonly (number | Long)[] | null | undefined): number[] {
  const dims = (rawDims ?? []).map(toInt);
  if (dims.length > MAX_RANK) throw new TensorError(`${where}: rank ${dims.length} is above the limit of ${MAX_RANK}`);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0 || d > MAX_TENSOR_ELEMENTS) throw new TensorError(`${where}: invalid dim ${d} in dims ${fmtShape(dims)}`);
  }
  if (product(dims) > MAX_TENSOR_ELEMENTS) throw new TensorError(`${where}: dims ${fmtShape(dims)} hold more than ${MAX_TENSOR_ELEMENTS} elements`);
  return dims;
}

/** The values of a TensorProto, checked against its dims: `{ dims, values, dataType }`. */
export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  values: Float64Array | Float32Array;
}

/**
 * Decodes a TensorProto's values. The stored count must equal product(dims):
 * raw_data bytes = count * element size, or the typed field's length = count.
 */
export function decodeTensor(where: string, t: onnxProto.onnx.ITensorProto): DecodedTensor {
  const name = t.name ?? '';
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    throw new TensorError(`${where}: tensor '${name}' keeps its data in an external file, which tensorgrad does not read; re-export with the weights inside the model (onnx.save_model(m, path, save_as_external_data=False))`);
  }
  const dataType = t.dataType ?? 0;
  const info = DTYPES[dataType];
  if (!info) throw new TensorError(`${where}: tensor '${name}' has unsupported ${dtypeName(dataType)} (readable: ${Object.values(DTYPES).map((d) => d.name).join(', ')})`);
  const dims = checkDims(`${where}: tensor '${name}'`, t.dims);
  const n = product(dims);
  const values = info.kind === 'float' && info.size <= 4 ? new Float32Array(n) : new Float64Array(n);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== n * info.size) {
      throw new TensorError(`${where}: tensor '${name}' of ${info.name} dims ${fmtShape(dims)} needs ${n * info.size} bytes of raw_data, found ${raw.length}`);
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) values[i] = info.get(view, i * info.size);
    return { name, dims, dataType, values };
  }
  let field: ArrayLike<number | Long> | null | undefined;
  let fieldName: string;
  if (dataType === 1) [field, fieldName] = [t.floatData, 'float_data'];
  else if (dataType === 11) [field, fieldName] = [t.doubleData, 'double_data'];
  else if (dataType === 7) [field, fieldName] = [t.int64Data, 'int64_data'];
  else if (dataType === 12 || dataType === 13) [field, fieldName] = [t.uint64Data, 'uint64_data'];
  else [field, fieldName] = [t.int32Data, 'int32_data']; // int32, int16, int8, uint16, uint8, bool, float16 (bits)
  const count = field?.length ?? 0;
  if (count !== n) throw new TensorError(`${where}: tensor '${name}' of ${info.name} dims ${fmtShape(dims)} needs ${n} values, found ${count} in ${fieldName} (and no raw_data)`);
  for (let i = 0; i < n; i++) {
    const v = toInt(field![i] as number | Long);
    values[i] = dataType === 10 ? halfToNumber(v & 0xffff) : dataType === 9 ? (v ? 1 : 0) : v;
  }
  return { name, dims, dataType, values };
}

export function tensorToHost(t: DecodedTensor): HostArray {
  return host(t.dims, t.values, DTYPES[t.dataType]!.kind);
}

/** Node attributes by name, read with type checks. */
export class Attrs {
  private map = new Map<string, onnxProto.onnx.IAttributeProto>();
  constructor(private where: string, list: readonly onnxProto.onnx.IAttributeProto[] | null | undefined) {
    for (const a of list ?? []) this.map.set(a.name ?? '', a);
  }
  has(name: string): boolean { return this.map.has(name); }
  names(): string[] { return [...this.map.keys()]; }
  private get(name: string, type: number, typeName: string): onnxProto.onnx.IAttributeProto | undefined {
    const a = this.map.get(name);
    if (a && a.type !== type && a.type != null && a.type !== 0) throw new TensorError(`${this.where}: attribute '${name}' must be ${typeName}`);
    return a;
  }
  int(name: string, dflt: number): number {
    const a = this.get(name, 2, 'an int');
    return a ? toInt(a.i) : dflt;
  }
  float(name: string, dflt: number): number {
    const a = this.get(name, 1, 'a float');
    return a ? (a.f ?? 0) : dflt;
  }
  string(name: string, dflt: string): string {
    const a = this.get(name, 3, 'a string');
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : dflt;
  }
  ints(name: string): number[] | undefined {
    const a = this.get(name, 7, 'a list of ints');
    if (!a) return undefined;
    if ((a.ints?.length ?? 0) > 1024) throw new TensorError(`${this.where}: attribute '${name}' has ${a.ints!.length} values`);
    return (a.ints ?? []).map(toInt);
  }
  floats(name: string): number[] | undefined {
    const a = this.get(name, 6, 'a list of floats');
    return a ? [...(a.floats ?? [])] : undefined;
  }
  tensor(name: string): onnxProto.onnx.ITensorProto | undefined {
    const a = this.get(name, 4, 'a tensor');
    return a?.t ?? undefined;
  }
}
