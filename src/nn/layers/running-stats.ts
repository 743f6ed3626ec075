import { noGrad } from '../../tensor/graph.js';
import { ones, zeros } from '../../tensor/create.js';
import type { DType } from '../../core/dtype.js';
import type { Module } from '../module.js';

/*
 * The running statistics the batch- and instance-norm layers keep, under
 * PyTorch's state-dict names, so both layer families register and reset them alike.
 */

/**
 * Registers `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked`
 * (int32 0-d) on `m`, each of `numFeatures` channels.
 * @example registerRunningStats(this, 16, 'float32');
 */
export function registerRunningStats(m: Module, numFeatures: number, dtype: DType): void {
  m.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
  m.registerBuffer('running_var', ones([numFeatures], { dtype }));
  m.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
}

/**
 * Resets the running statistics registered by {@link registerRunningStats} to
 * mean 0, variance 1 and no batches tracked.
 * @example resetRunningStats(this);
 */
export function resetRunningStats(m: Module): void {
  noGrad(() => {
    m.getBuffer('running_mean')!.zero_();
    m.getBuffer('running_var')!.fill_(1);
    m.getBuffer('num_batches_tracked')!.zero_();
  });
}
