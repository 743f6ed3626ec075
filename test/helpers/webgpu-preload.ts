/**
 * Preload (`--import`) of `npm run test:webgpu`: starts the WebGPU backend
 * before the test file runs, so that `tg.listBackends()` lists 'webgpu' and
 * checkOp runs every case on it too, then makes the previous default backend
 * current again (the tests' other tensors stay where they always were).
 * Where there is no adapter it says so and leaves things as in `npm test`
 * (with TENSORGRAD_REQUIRE_WEBGPU=1 it throws: the test file fails).
 */
import * as tg from '../../src/index.js';

// Node's test runner passes --import on to each test file's process; the
// runner process itself (the one with --test) runs no tests and needs no GPU.
if (!process.execArgv.includes('--test')) {
  const prev = tg.getBackend();
  try {
    await tg.ready({ backend: 'webgpu' });
  } catch (e) {
    // CI sets TENSORGRAD_REQUIRE_WEBGPU=1: there, no adapter is a failure, not a skip.
    if (process.env.TENSORGRAD_REQUIRE_WEBGPU === '1') throw e;
    console.log(`# SKIP webgpu: ${(e as Error).message}`);
  } finally {
    tg.setBackend(prev);
  }
}
