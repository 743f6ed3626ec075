/** `tg.train`: the training loop and evaluation used by the CLI and the experiments. */
export { fit, type FitOptions, type BatchInfo, type EpochResult } from './fit.js';
export { evaluate, tally, type Evaluation, type LabeledBatches } from './evaluate.js';
