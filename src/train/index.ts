/** `tg.train`: the training loop and evaluation used by the CLI and the experiments. */
export { fit, type FitOptions, type BatchInfo, type EpochResult } from './fit.js';
export { evaluate, evaluateAsync, tally, type Evaluation, type LabeledBatches } from './evaluate.js';
export { GradualUnfreezing, frozenBlocks, type GradualUnfreezingOptions } from './unfreeze.js';
export { paramGroupsFor, type ParamGroupsForOptions, type LrGroup } from './unfreeze-groups.js';
export { findHead, replaceHead, setModuleAt, type Head } from './unfreeze-head.js';
