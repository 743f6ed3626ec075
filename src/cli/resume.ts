import { loadWithMetadata } from '../io/safetensors.js';
import { UserError } from './errors.js';

/** Reads the training settings stored in a CLI checkpoint without restoring anything. */
export function peekCheckpointSettings(path: string): Record<string, unknown> {
  let meta: Record<string, string> | null;
  try {
    meta = loadWithMetadata(path).metadata;
  } catch (e) {
    throw new UserError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  const raw = meta?.['tensorgrad.state'];
  if (!raw) throw new UserError(`${path} is not a tensorgrad checkpoint`);
  const settings = (JSON.parse(raw) as { extra?: { settings?: Record<string, unknown> } }).extra?.settings;
  if (!settings) throw new UserError(`${path} was not written by 'tensorgrad train' (no training settings inside)`);
  return settings;
}
