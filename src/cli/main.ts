#!/usr/bin/env node
/**
 * The `tensorgrad` command: train, evaluate, predict and summarise CNNs.
 * The flags and subcommands are in program.ts; this file chooses the default
 * backend (TENSORGRAD_BACKEND) and turns a failure there into one line too.
 */
import { oneLine } from './errors.js';

const SUBCOMMANDS = ['train', 'eval', 'predict', 'summary', 'experiment'];

const args = process.argv.slice(2);
try {
  // Imported here rather than statically, so that a bad TENSORGRAD_BACKEND is reported like any other user error.
  await import('../backend/default.js');
} catch (e) {
  const command = args.find((a) => SUBCOMMANDS.includes(a));
  process.stderr.write(`tensorgrad${command ? ` ${command}` : ''}: ${oneLine((e as Error).message)}\n`);
  if (args.includes('--verbose') && (e as Error).stack) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
}
const { runCli } = await import('./program.js');
process.exitCode = await runCli(args);
