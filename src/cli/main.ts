#!/usr/bin/env node
/**
 * The `tensorgrad` command: train, evaluate, predict and summarise CNNs.
 * The flags and subcommands are in program.ts. The backend is chosen when a
 * command first needs one (--backend, else TENSORGRAD_BACKEND, else wasm where
 * it loads), inside the command, so a bad TENSORGRAD_BACKEND is reported as one
 * line like any other user error.
 */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
