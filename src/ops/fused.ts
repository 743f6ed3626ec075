/**
 * The one place the op layer asks for a backend's optional fused kernels
 * (Backend.fused, see src/backend/backend.ts, FusedKernels). Every fused operation has
 * a tensor-op composite that defines it and runs whenever this returns null
 * (or the kernel declines the call), so switching fused kernels off changes
 * which kernels run, never what is computed beyond float rounding.
 *
 * Switched off for the whole process by the environment variable
 * TENSORGRAD_FUSED=0 (read once, on the first lookup; 1 or unset: on), or by
 * setFusedKernelsEnabled in tests.
 */
import type { Backend, FusedKernels } from '../backend/backend.js';
import { TensorError } from '../core/errors.js';

/** null until the first lookup reads TENSORGRAD_FUSED (or a test sets it). */
let enabled: boolean | null = null;

function readEnv(): boolean {
  const env = typeof process !== 'undefined' ? process.env?.TENSORGRAD_FUSED : undefined;
  if (env === undefined || env === '' || env === '1') return true;
  if (env === '0') return false;
  throw new TensorError(`TENSORGRAD_FUSED must be 0 (fused kernels off) or 1 (on, the default); got ${JSON.stringify(env)}`);
}

/**
 * The backend's fused kernels, or null when it has none or they are switched off.
 * @example
 * const y = fusedKernels(x.backend)?.crossEntropyRows?.(...) ?? null;   // null: run the composite
 */
export function fusedKernels(backend: Backend): FusedKernels | null {
  if (enabled === null) enabled = readEnv();
  return enabled ? backend.fused ?? null : null;
}

/**
 * Turns fused kernels on or off for the whole process (true/false), or back to
 * what TENSORGRAD_FUSED says (undefined). For tests that compare a fused
 * kernel with its composite. @internal
 * @example setFusedKernelsEnabled(false); try { ... } finally { setFusedKernelsEnabled(undefined); }
 */
export function setFusedKernelsEnabled(on: boolean | undefined): void {
  if (on !== undefined && typeof on !== 'boolean') throw new TensorError(`setFusedKernelsEnabled: expected true, false or undefined (got ${String(on)})`);
  enabled = on ?? null;
}
