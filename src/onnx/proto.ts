/**
 * The ONNX protobuf classes (the `onnx-proto` package: protobufjs code
 * generated from the official onnx.proto) and the few constants and builders
 * the exporter needs around them: data types, attributes, tensors, value infos.
 * No hand-written protobuf encoding: `encodeModel` is onnx-proto's encoder.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxNs } from 'onnx-proto';
import { TensorError } from '../core/errors.js';
import type { DType, TypedArray } from '../core/dtype.js';

export const { onnx } = onnxProto;
export type NodeProto = OnnxNs.INodeProto;
export type TensorProto = OnnxNs.ITensorProto;
export type ValueInfoProto = OnnxNs.IValueInfoProto;
export type ModelProto = OnnxNs.IModelProto;

/** TensorProto.DataType codes used here. */
export const DATA_TYPE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/** The ONNX element type of a tensorgrad dtype (float32, float64, int32, bool). */
export function onnxDataType(dtype: DType, where: string): number {
  const code = (DATA_TYPE as Record<string, number>)[dtype];
  if (code === undefined) throw new TensorError(`${where}: dtype ${dtype} has no ONNX element type here`);
  return code;
}

/**
 * An attribute value, tagged with its ONNX type: ONNX tells `alpha = 1.0`
 * (FLOAT) from `axis = 1` (INT), so a plain JS number is not enough.
 */
export type Attr = { f: number } | { i: number } | { ints: readonly number[] } | { floats: readonly number[] } | { s: string };

const AT = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** An AttributeProto from a tagged value. @example attribute('axis', { i: 1 }) */
export function attribute(name: string, a: Attr): OnnxNs.IAttributeProto {
  if ('f' in a) return { name, type: AT.FLOAT, f: a.f };
  if ('i' in a) return { name, type: AT.INT, i: a.i };
  if ('ints' in a) return { name, type: AT.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: AT.FLOATS, floats: [...a.floats] };
  return { name, type: AT.STRING, s: new TextEncoder().encode(a.s) };
}

/**
 * Little-endian bytes of a typed array (ONNX raw_data is little-endian; so
 * are the engines we run on): a view, not a copy, so callers pass arrays
 * they own (Tensor.data() returns a fresh copy).
 */
function leBytes(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A TensorProto holding `data` (row-major) of `dims` as raw bytes. int32 and
 * bool data are widened to the element type `dataType` asks for.
 * @example tensorProto('fc.weight', [10, 84], DATA_TYPE.float32, w.data())
 */
export function tensorProto(name: string, dims: readonly number[], dataType: number, data: TypedArray | readonly number[]): TensorProto {
  let raw: Uint8Array;
  if (dataType === DATA_TYPE.float32) raw = leBytes(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
  else if (dataType === DATA_TYPE.float64) raw = leBytes(data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>));
  else if (dataType === DATA_TYPE.int64) raw = leBytes(BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(Math.trunc(v)))));
  else if (dataType === DATA_TYPE.int32) raw = leBytes(Int32Array.from(data as ArrayLike<number>));
  else if (dataType === DATA_TYPE.bool) raw = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  else throw new TensorError(`onnx tensorProto: unsupported data type code ${dataType}`);
  return { name, dims: [...dims], dataType, rawData: raw };
}

/** A dim of a value info: a fixed size, a named symbolic one ('batch') or null (unknown). */
export type Dim = number | string | null;

/** A ValueInfoProto for a graph input or output of element type `dataType`. */
export function valueInfo(name: string, dataType: number, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: dataType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d })) } } },
  };
}

/** Serialises a ModelProto with onnx-proto's encoder. */
export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
