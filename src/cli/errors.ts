import { TensorError } from '../tensor/errors.js';

/** A mistake by the user (bad flag, missing file): printed as one line, exit code 1, no stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Whether an error is the user's to fix rather than a bug: our own user errors, op argument errors, file-system errors. */
export function isUserError(e: unknown): boolean {
  if (e instanceof UserError || e instanceof TensorError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS'].includes(code);
}

/**
 * Runs a command; user errors print `tensorgrad <command>: <message>` and exit 1
 * (the stack only with --verbose); anything else is reported as an internal
 * error with exit code 2.
 */
export async function runCommand(command: string, verbose: boolean, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (isUserError(err)) {
      process.stderr.write(`tensorgrad ${command}: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`tensorgrad ${command}: internal error: ${err.message}\n`);
      process.stderr.write(verbose && err.stack ? `${err.stack}\n` : 'Run again with --verbose for the stack trace, and please report it.\n');
      process.exitCode = 2;
    }
  }
}
