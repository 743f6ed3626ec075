// WORK IN PROGRESS (issue 13): replaced by the ONNX importer this session.
import { TensorError } from '../core/errors.js';
import type { Module } from '../nn/module.js';

export function loadModel(_source: Uint8Array | string): Module {
  throw new TensorError('onnx.loadModel: not implemented yet');
}
