/**
 * Where the command's output goes. The subcommands write through `cliOut` /
 * `cliErr` rather than `process.stdout` so that `runCli` can run them in-process
 * with captured output (the error-path tests run hundreds of invocations in one
 * process this way).
 */

/** A text sink for one stream; `isTTY` decides live progress bars vs plain log lines. */
export interface CliStream {
  write(text: string): void;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
}

const processIO: CliIO = {
  stdout: { write: (s) => void process.stdout.write(s), get isTTY() { return Boolean(process.stdout.isTTY); } },
  stderr: { write: (s) => void process.stderr.write(s), get isTTY() { return Boolean(process.stderr.isTTY); } },
};

let current: CliIO = processIO;

/** The streams of the running command. */
export function cliIO(): CliIO {
  return current;
}

/** Writes to the command's standard output. */
export function cliOut(text: string): void {
  current.stdout.write(text);
}

/** Writes to the command's standard error. */
export function cliErr(text: string): void {
  current.stderr.write(text);
}

/**
 * Runs `fn` with the command's output going to `io` (the process streams when
 * omitted), restoring the previous streams afterwards, even on an exception.
 * @example
 * let text = '';
 * await withCliIO({ stdout: { write: (s) => (text += s) }, stderr: { write: () => {} } }, () => run());
 */
export async function withCliIO<T>(io: CliIO | undefined, fn: () => Promise<T>): Promise<T> {
  const previous = current;
  current = io ?? processIO;
  try {
    return await fn();
  } finally {
    current = previous;
  }
}
