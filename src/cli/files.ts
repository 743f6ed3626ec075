/**
 * Output folders and files of the CLI: creating a folder without Node 20's
 * recursive-mkdir hang, checking it is writable before any work starts,
 * and removing temporary files that a killed run left behind (files are written
 * with the library's `writeFileAtomic`, util/node.ts).
 */
import { closeSync, openSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../util/node.js';
import { UserError } from './errors.js';

const reason = (e: unknown) => ((e as { code?: string }).code ?? (e as Error).message);

/**
 * Creates folder `dir` (and missing parents) for the flag `flag`, then checks
 * that a file can be created in it. Parents are created one level at a time
 * ({@link makeDirs}): Node 20's recursive mkdirSync spins forever on `/proc/x`.
 * Returns the folders it created, outermost first (see {@link removeEmptyDirs}).
 * @example ensureDir('runs/lenet', '--out'); // throws a user error '--out runs/lenet: ...' when unusable
 */
export function ensureDir(dir: string, flag = '--out'): string[] {
  // makeDirs throws a TensorError, which the CLI reports as a user error like a UserError.
  const created = makeDirs(`${flag} ${dir}`, dir);
  // A probe file named like our temporary files: cleaned up by cleanStaleTempFiles if we are killed right here.
  const probe = join(dir, `.write-test.tmp-${process.pid}-probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    removeEmptyDirs(created);
    throw new UserError(`${flag} ${dir}: cannot write into the folder (${reason(e)})`);
  }
  return created;
}

/**
 * Removes the folders `ensureDir` created if they are still empty (innermost
 * first), so a command that fails before writing anything leaves no trace.
 * Folders with files in them are kept.
 * @example const created = ensureDir(out); try { run(); } catch (e) { removeEmptyDirs(created); throw e; }
 */
export function removeEmptyDirs(created: readonly string[]): void {
  for (const p of [...created].reverse()) {
    try {
      rmdirSync(p);
    } catch {
      // Not empty (or already gone): keep it, and its parents.
      return;
    }
  }
}

/** Temporary-file names of our own writers: `writeFileAtomic` (`<file>.tmp-<pid>-<random>`) and the earlier `writePng` (`.<file>.<pid>.<random>.tmp`), whose leftovers may still lie in old run folders. */
const TEMP_PATTERNS = [/^.+\.tmp-(\d+)-[0-9a-z]+$/, /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/];

/** True while process `pid` exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes temporary files of our own naming patterns whose writing process no
 * longer exists (a run killed mid-write), in `dir` and its subfolders down to
 * `depth` levels (0: `dir` only; a training run writes only there). Files of
 * live processes and all other files are left alone.
 * Returns the paths removed.
 * @example cleanStaleTempFiles('runs/lenet'); // ['runs/lenet/model.safetensors.tmp-4711-k2j4h1x0']
 */
export function cleanStaleTempFiles(dir: string, depth = 0): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth > 0) removed.push(...cleanStaleTempFiles(path, depth - 1));
      continue;
    }
    if (!e.isFile()) continue;
    const pid = TEMP_PATTERNS.map((re) => re.exec(e.name)?.[1]).find((m) => m !== undefined);
    if (pid === undefined || processAlive(Number(pid))) continue;
    try {
      unlinkSync(path);
      removed.push(path);
    } catch {
      // Someone else removed it, or we may not: nothing to clean then.
    }
  }
  return removed;
}
