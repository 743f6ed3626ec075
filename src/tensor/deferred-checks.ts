/**
 * Deferred value checks, the library's form of CUDA's device-side asserts.
 *
 * Ops that validate VALUES (probabilities in [0, 1], class indices in range,
 * unpooling indices) check them at once where the data can be read
 * synchronously: every CPU backend, and GPU tensors that still hold their
 * host copy. A tensor computed on the GPU cannot be read without waiting, and
 * waiting at every loss call would stall the GPU, so such an op instead
 * computes a one-element bool flag on the device (true = the check failed)
 * and registers it here with its error message. The next asynchronous read
 * (`dataAsync()`, `array()`, `itemAsync()`) first awaits the pending flags
 * and throws the first failing check's TensorError; checks are dropped once
 * verified or thrown. Synchronous reads do not wait for them (they cannot).
 */
import { keepPastBirthLog } from '../backend/birth-log.js';
import type { Backend, Storage } from '../backend/backend.js';
import type { TypedArray } from '../core/dtype.js';
import { TensorError } from '../core/errors.js';
import type { Tensor } from './tensor.js';

/** One registered check: a one-element bool flag on `backend` and what to say when it is true. */
interface PendingCheck {
  readonly backend: Backend;
  flag: Storage;
  readonly message: string;
}

/**
 * Checks not yet verified, in registration order. A check with the same message
 * as a pending one (the same loss call in every step of a loop) is OR-ed into
 * it on the device, so the list stays as short as the number of distinct
 * failures a program can have, however long it runs without reading.
 */
const pending: PendingCheck[] = [];
/** The verification under way, shared by reads that start while it runs. */
let inflight: Promise<void> | null = null;

const SCALAR = { shape: [], strides: [], offset: 0 } as const;

/**
 * Registers a value check computed on the device: `failed` is a one-element
 * bool tensor, true when the check failed; `message` the TensorError the next
 * asynchronous read throws then. Call it only for data that cannot be read
 * synchronously (see `hostData`); otherwise check at once.
 * @example
 * const xs = hostData(input);
 * if (xs) checkNow(xs); else deferCheck(input.lt(0).logicalOr(input.gt(1)).any(), 'bce: input outside [0, 1]');
 */
export function deferCheck(failed: Tensor, message: string): void {
  if (failed.dtype !== 'bool' || failed.numel() !== 1) {
    throw new TensorError(`deferCheck: the flag must be a one-element bool tensor (got ${failed.dtype} of ${failed.numel()} elements)`);
  }
  const backend = failed.backend;
  const layout = { shape: [], strides: [], offset: failed.offset };
  const same = pending.find((c) => c.message === message && c.backend === backend);
  if (same) {
    same.flag = backend.binary('logicalOr', same.flag, SCALAR, failed._storage, layout, 'bool');
    keepPastBirthLog(same.flag);
    return;
  }
  // A fresh one-element storage: the flag's own storage may be a view into a larger one.
  const flag = failed.offset === 0 && failed._storage.length === 1 ? failed._storage : backend.binary('logicalOr', failed._storage, layout, failed._storage, layout, 'bool');
  // Checks made inside a backward pass outlive it: the pass must not release the flag (birth-log.ts).
  keepPastBirthLog(flag);
  pending.push({ backend, flag, message });
}

/**
 * The elements of `t` (row-major, as `data()`) when they can be read
 * synchronously, else null (a tensor computed on a GPU backend): ops that
 * validate values check these at once and defer the check otherwise.
 * @example const ys = hostData(target); if (ys) for (const v of ys) ...; else deferCheck(...);
 */
export function hostData(t: Tensor): TypedArray | null {
  return t.isHostReadable() ? t.data() : null;
}

/** How many distinct checks wait for verification (tests, diagnostics). */
export function pendingCheckCount(): number {
  return pending.length;
}

/**
 * Awaits every pending check and throws the first failing one's TensorError
 * (in registration order); all checks registered before the call are dropped
 * either way. Resolves at once when none are pending. `dataAsync()` and the
 * other asynchronous reads call it first.
 */
export async function verifyPendingChecks(): Promise<void> {
  while (inflight || pending.length) {
    if (!inflight) {
      inflight = verify(pending.splice(0)).finally(() => {
        inflight = null;
      });
    }
    await inflight;
  }
}

async function verify(checks: PendingCheck[]): Promise<void> {
  // All flags are read in parallel: one wait for the device, not one per check.
  const values = await Promise.all(checks.map((c) => c.backend.readAsync(c.flag, SCALAR)));
  for (let i = 0; i < checks.length; i++) {
    if (values[i]![0]) throw new TensorError(checks[i]!.message);
  }
}

/** Drops every pending check unverified (tests; a program that recovers from a device error). */
export function clearPendingChecks(): void {
  pending.length = 0;
}
