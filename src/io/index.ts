/**
 * `tg.io`: the safetensors format (read and write, compatible with Python's
 * `safetensors`) and training checkpoints that resume exactly. `save`/`load`
 * and the `*Checkpoint` file functions need Node; `serialize`/`deserialize`
 * and `serializeCheckpoint`/`deserializeCheckpoint` work on bytes anywhere.
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
