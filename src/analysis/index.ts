/** `tg.analysis`: what a network costs and sees. */
export { summary, type ModelSummary, type LayerRow } from './summary.js';
