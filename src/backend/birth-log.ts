/**
 * A log of the storages backends create while it is open. The backward pass
 * opens one so that it can give back, the moment it ends, every buffer it
 * allocated and did not hand to a leaf's `.grad` (gradients of intermediate
 * nodes and the temporaries of gradient rules). Nothing outside the pass can
 * hold those: gradient rules are internal and keep no state. Without this,
 * their blocks would wait for the garbage collector, which on the wasm
 * backend means full GCs (10-15 ms each on a 2-core machine) and a heap that
 * is cold in the cache when it is reused.
 */
import type { Storage } from './backend.js';

let open: Storage[] | null = null;

/** Called by a backend for each storage it creates. */
export function noteStorageBirth(s: Storage): void {
  if (open) open.push(s);
}

/**
 * Runs `fn` with a fresh log open and returns its result with the storages
 * created meanwhile (an enclosing log, if any, also gets them).
 */
export function withBirthLog<T>(fn: () => T): { result: T; born: Storage[] } {
  const outer = open;
  const born: Storage[] = [];
  open = born;
  try {
    return { result: fn(), born };
  } finally {
    open = outer;
    if (outer) outer.push(...born);
  }
}

/** Whether a log is open (a backward pass is running); tests check that an exception closes it. */
export function birthLogOpen(): boolean {
  return open !== null;
}

/**
 * Takes a storage created while a log is open out of it, so that the pass
 * does not release it at its end: for the rare value that outlives the pass
 * (a device-side check's flag, verified at the next asynchronous read).
 */
export function keepPastBirthLog(s: Storage): void {
  if (!open) return;
  const i = open.lastIndexOf(s);
  if (i >= 0) open.splice(i, 1);
}
