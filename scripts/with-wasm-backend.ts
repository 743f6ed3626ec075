/**
 * Preload that registers the wasm backend, so every test that iterates
 * tg.listBackends() (checkOp) also runs on it:
 *
 *   NODE_OPTIONS="--import tsx --import ./scripts/with-wasm-backend.ts" node scripts/run-tests.mjs
 */
import { registerBackend } from '../src/backend/current.js';
import { initWasmBackend } from '../src/backend/wasm/index.js';

registerBackend(await initWasmBackend());
