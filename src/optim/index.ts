/** `tg.optim`: optimizers, learning-rate schedules, gradient clipping, early stopping. */
export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR, OneCycleLR, ReduceLROnPlateau,
  type OneCycleOptions, type PlateauOptions,
} from './lr-scheduler.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { CosineAnnealingWarmRestarts, PolynomialLR, SequentialLR } from './lr-scheduler-more.js';
export { clipGradNorm, clipGradNormTensor, clipGradValue } from './clip.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
