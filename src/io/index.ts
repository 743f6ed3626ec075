/**
 * `tg.io`: the safetensors format (read and write, compatible with Python's
 * `safetensors`), training checkpoints that resume exactly, and NumPy's .npy
 * and .npz arrays (`loadNpy`, `loadNpz`, `encodeNpy`/`saveNpy`, `encodeNpz`/`saveNpz`).
 * `save`/`load`, `saveNpy`/`saveNpz`, paths given to `loadNpy`/`loadNpz` and the
 * `*Checkpoint` file functions need Node; `serialize`/`deserialize`, bytes given
 * to `loadNpy`/`loadNpz` (stored .npz; compressed ones need Node's zlib),
 * `encodeNpy`/`encodeNpz` and `serializeCheckpoint`/`deserializeCheckpoint` work anywhere.
 * @example
 * tg.io.save(model.stateDict(), 'model.safetensors');
 * model.loadStateDict(tg.io.load('model.safetensors'));
 */
export {
  serialize, deserialize, save, load, loadWithMetadata, MAX_SAFETENSORS_TENSORS,
  type SafetensorsMetadata, type SafetensorsContents,
} from './safetensors.js';
export {
  saveCheckpoint, loadCheckpoint, serializeCheckpoint, deserializeCheckpoint,
  type CheckpointContents, type CheckpointTargets, type CheckpointInfo, type CheckpointOptimizer, type CheckpointScheduler,
} from './checkpoint.js';
export { hostTensor, hostStateDict, hostModule, hostOptimizer } from './host-copy.js';
export { loadNpy, encodeNpy, saveNpy, MAX_NPY_HEADER_BYTES } from './npy.js';
export { loadNpz, encodeNpz, saveNpz, type NpzOptions } from './npz.js';
