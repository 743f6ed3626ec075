import { TensorError } from '../core/errors.js';
import { cliErr } from './io.js';

/** A mistake by the user (bad flag, missing file): printed as one line, exit code 1, no stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit codes of the `tensorgrad` command. */
export const EXIT = {
  ok: 0,
  /** A user error: bad flag, unreadable or invalid file, contradiction. */
  user: 1,
  /** A bug in tensorgrad (please report it). */
  internal: 2,
  /** Stopped by Ctrl-C (SIGINT) after the last complete checkpoint. */
  interrupted: 130,
} as const;

const FS_CODES = ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'ENAMETOOLONG', 'ELOOP', 'EMFILE', 'EIO', 'EDQUOT', 'EFBIG'];

/** Allocation failures: the user asked for something too big for this machine (huge shapes, class counts). */
const OUT_OF_MEMORY = /Array buffer allocation|Invalid typed array length|Invalid array length|WebAssembly\.Memory|Maximum call stack size exceeded/;

/** Whether an error is the user's to fix rather than a bug: our own user errors, op argument errors, file-system errors. */
export function isUserError(e: unknown): boolean {
  if (e instanceof UserError || e instanceof TensorError) return true;
  if (e instanceof RangeError && OUT_OF_MEMORY.test(e.message)) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FS_CODES.includes(code);
}

/** `text` on one line: line breaks (and the spaces around them) become one space. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');

/** The one line a user error prints (after `tensorgrad <command>: `). */
function userMessage(e: Error): string {
  const line = oneLine(e.message);
  if (e instanceof RangeError && OUT_OF_MEMORY.test(e.message)) return `not enough memory for the sizes asked for (${line}); use smaller sizes`;
  return line;
}

/**
 * Runs a command and returns its exit code: user errors print one line,
 * `tensorgrad <command>: <message>`, and return 1 (the stack follows only with
 * --verbose); anything else is reported as an internal error and returns 2.
 * @example process.exitCode = await runCommand('eval', false, () => evalCommand(run, opts));
 */
export async function runCommand(command: string, verbose: boolean, fn: () => Promise<number | void> | number | void): Promise<number> {
  try {
    return (await fn()) ?? EXIT.ok;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (isUserError(err)) {
      cliErr(`tensorgrad ${command}: ${userMessage(err)}\n`);
      if (verbose && err.stack) cliErr(`${err.stack}\n`);
      return EXIT.user;
    }
    const hint = verbose ? '' : ' (run again with --verbose for the stack trace, and please report it)';
    cliErr(`tensorgrad ${command}: internal error: ${oneLine(err.message)}${hint}\n`);
    if (verbose && err.stack) cliErr(`${err.stack}\n`);
    return EXIT.internal;
  }
}
