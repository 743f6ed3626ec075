/**
 * Host copies for the savers. safetensors, checkpoints and .npy files read
 * tensors synchronously; a model trained on a GPU backend holds weights that
 * can only be read asynchronously. These helpers read them once, in parallel,
 * into tensors of the reference backend (plain typed arrays), so the
 * synchronous savers work unchanged on what they return.
 */
import type { Module, StateDict } from '../nn/module.js';
import type { OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { referenceBackend } from '../backend/reference/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { CheckpointOptimizer } from './checkpoint.js';

/**
 * `t` itself when it can be read synchronously, else a copy of its values on
 * the reference backend (detached; same shape and dtype).
 * @example const w = await hostTensor(gpuWeight); w.data();
 */
export async function hostTensor(t: Tensor): Promise<Tensor> {
  if (t.isHostReadable()) return t;
  return Tensor._fromStorage(referenceBackend.fromArray(t.dtype, await t.dataAsync()), t.shape, t.dtype);
}

/**
 * Every tensor of a state dict as a host-readable one (see hostTensor), read in parallel; same keys, shapes and dtypes.
 * @example const sd = await tg.io.hostStateDict(model.stateDict());
 */
export async function hostStateDict(sd: StateDict): Promise<StateDict> {
  const entries = await Promise.all(Object.entries(sd).map(async ([k, t]) => [k, await hostTensor(t)] as const));
  return Object.fromEntries(entries);
}

/**
 * `model` as a saver sees it: the same module (prototype chain, config,
 * methods), whose `stateDict()` answers host-readable copies read now.
 * Use it for saving only; it does not follow later training steps.
 * @example saveRun(dir, config, await hostModule(model));
 */
export async function hostModule<M extends Module>(model: M): Promise<M> {
  if (model.parameters().every((p) => p.isHostReadable()) && model.buffers().every((b) => b.isHostReadable())) return model;
  const sd = await hostStateDict(model.stateDict());
  return Object.assign(Object.create(model) as M, { stateDict: () => ({ ...sd }) });
}

/**
 * An optimizer's state for a checkpoint, its tensors read to the host now
 * (see hostTensor): `stateDict()` answers the copy; `loadStateDict` is the
 * optimizer's own.
 * @example saveCheckpoint(path, { model: await hostModule(model), optimizer: await hostOptimizer(optimizer), epoch });
 */
export async function hostOptimizer(optimizer: CheckpointOptimizer): Promise<CheckpointOptimizer> {
  const sd = optimizer.stateDict();
  const state: Record<number, ParamState> = {};
  await Promise.all(Object.entries(sd.state).map(async ([index, s]) => {
    const entries = await Promise.all(Object.entries(s).map(async ([k, v]) => [k, v instanceof Tensor ? await hostTensor(v) : v] as const));
    state[Number(index)] = Object.fromEntries(entries) as ParamState;
  }));
  const copy: OptimizerStateDict = { state, paramGroups: sd.paramGroups };
  return { stateDict: () => copy, loadStateDict: (s) => optimizer.loadStateDict(s) };
}
