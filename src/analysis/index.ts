/** `tg.analysis`: what a network costs and sees. */
export { summary, humanCount, type ModelSummary, type LayerRow, type SummaryOptions } from './summary.js';
export { type ModelOrBuilder } from './trace.js';
export { receptiveField, type ReceptiveField, type ReceptiveFieldReport, type LayerField, type FieldValue } from './receptive-field.js';
export { layerCost, type LayerCost } from './cost.js';
export { convOutputSize, convTransposeOutputSize } from '../ops/conv-args.js';
