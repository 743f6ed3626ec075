// WORK IN PROGRESS (issue 13): replaced by the ONNX exporter this session.
import { TensorError } from '../core/errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

export interface ExportOptions {
  opset?: number;
  dynamicBatch?: boolean;
}

export function exportModel(_model: Module, _sampleInput: Tensor, _opts: ExportOptions = {}): Uint8Array {
  throw new TensorError('onnx.exportModel: not implemented yet');
}
