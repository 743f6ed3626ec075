import * as tg from '../../src/index.js';

/**
 * The WebGPU backend for tests, or null (with the reason logged once) where
 * this machine offers no adapter: tests then skip. Leaves the current backend
 * as it was.
 */
export async function webgpuOrSkip(): Promise<tg.WebGpuBackend | null> {
  // The reference-backend pass of the suite (test:variants) changes nothing for the GPU: skip it there.
  if (process.env.TENSORGRAD_BACKEND === 'reference') {
    if (!reported) console.log('# SKIP webgpu: TENSORGRAD_BACKEND=reference (the WebGPU tests run in the default pass)');
    reported = true;
    return null;
  }
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
