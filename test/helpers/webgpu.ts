import * as tg from '../../src/index.js';

/**
 * The WebGPU backend for tests, or null (with the reason logged once) where
 * this machine offers no adapter: tests then skip. Leaves the current backend
 * as it was.
 */
export async function webgpuOrSkip(): Promise<tg.WebGpuBackend | null> {
  const prev = tg.getBackend();
  try {
    return (await tg.ready({ backend: 'webgpu' })) as tg.WebGpuBackend;
  } catch (e) {
    if (!reported) console.log(`# SKIP webgpu: ${(e as Error).message}`);
    reported = true;
    return null;
  } finally {
    tg.setBackend(prev);
  }
}
let reported = false;
