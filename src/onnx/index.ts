/** `tg.onnx`: ONNX export (exportModel) and import (loadModel) of models. */
export * from './export.js';
export * from './import.js';
