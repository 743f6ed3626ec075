// One in-process `tensorgrad` invocation with captured output, for the CLI tests
// (hundreds of process starts would take minutes).
import { runCli } from '../../src/cli/program.js';

export interface Result { code: number; stdout: string; stderr: string }

/** Runs `tensorgrad ...args` through runCli and returns its exit code and output. */
export async function cli(...args: string[]): Promise<Result> {
  let stdout = '', stderr = '';
  const code = await runCli(args, { stdout: { write: (s) => (stdout += s) }, stderr: { write: (s) => (stderr += s) } });
  return { code, stdout, stderr };
}
