import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { Adagrad } from '../optim/adagrad.js';
import { CosineAnnealingLR, ExponentialLR, OneCycleLR, ReduceLROnPlateau, StepLR, type LRScheduler } from '../optim/lr-scheduler.js';
import { UserError } from './errors.js';

export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export const SCHEDULERS = ['none', 'step', 'cosine', 'onecycle', 'exponential', 'plateau'] as const;

/** Default learning rate of each optimizer for the CLI. */
export const DEFAULT_LR: Record<(typeof OPTIMIZERS)[number], number> = { sgd: 0.05, adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3, adagrad: 1e-2 };

type AnyOptimizer = Optimizer<{ lr: number }>;

/** Parameters, or groups with their own learning rates (as `tg.train.paramGroupsFor` makes them). */
export type OptimizerParams = Tensor[] | { params: Tensor[]; lr: number }[];

export function makeOptimizer(name: string, params: OptimizerParams, lr: number, weightDecay: number): AnyOptimizer {
  switch (name) {
    case 'sgd': return new SGD(params, { lr, momentum: 0.9, weightDecay }) as unknown as AnyOptimizer;
    case 'adam': return new Adam(params, { lr, weightDecay }) as unknown as AnyOptimizer;
    case 'adamw': return new AdamW(params, { lr, weightDecay }) as unknown as AnyOptimizer;
    case 'rmsprop': return new RMSprop(params, { lr, weightDecay }) as unknown as AnyOptimizer;
    case 'adagrad': return new Adagrad(params, { lr, weightDecay }) as unknown as AnyOptimizer;
    default: throw new UserError(`unknown optimizer '${name}' (available: ${OPTIMIZERS.join(', ')})`);
  }
}

export interface SchedulerChoice {
  scheduler: LRScheduler | ReduceLROnPlateau | null;
  stepPer: 'epoch' | 'batch';
}

/** Builds the named schedule for `epochs` epochs of `batches` batches. */
export function makeScheduler(name: string, optimizer: AnyOptimizer, epochs: number, batches: number, lr: number): SchedulerChoice {
  switch (name) {
    case 'none': return { scheduler: null, stepPer: 'epoch' };
    case 'step': return { scheduler: new StepLR(optimizer, Math.max(1, Math.round(epochs / 3)), 0.1), stepPer: 'epoch' };
    case 'cosine': return { scheduler: new CosineAnnealingLR(optimizer, epochs), stepPer: 'epoch' };
    case 'exponential': return { scheduler: new ExponentialLR(optimizer, 0.9), stepPer: 'epoch' };
    case 'plateau': return { scheduler: new ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.3 }), stepPer: 'epoch' };
    case 'onecycle': return { scheduler: new OneCycleLR(optimizer, { maxLr: lr, epochs, stepsPerEpoch: batches }), stepPer: 'batch' };
    default: throw new UserError(`unknown scheduler '${name}' (available: ${SCHEDULERS.join(', ')})`);
  }
}
