// Vite config for the playground (web/). `npm run web` serves it, `npm run build:web` writes web/dist/.
//
// - `tensorgrad` is aliased to the library's sources (../src/index.ts), so the page always runs the
//   working tree's code; the web modules import it by relative path for now, which resolves the same.
// - The wasm kernels: src/backend/wasm/loader.ts fetches `new URL(`./build/${file}`, import.meta.url)`.
//   In dev, Vite serves src/ files under /@fs/, so that URL resolves to src/backend/wasm/build/*.wasm as
//   they are (server.fs.allow includes the repository). In the build, Vite turns that dynamic
//   `new URL` into a glob over src/backend/wasm/build/ and emits every file as an asset with a hashed
//   name, rewriting the URL, in the main bundle and in the worker's.
// - COOP/COEP on the dev server and on `vite preview`: the page is cross-origin isolated, so the wasm
//   backend gets SharedArrayBuffer and worker threads. A static host must send the same two headers.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: webRoot,
  // Relative asset URLs: the built site works from any folder of a static host.
  base: './',
  publicDir: 'public',
  resolve: { alias: { tensorgrad: fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
  server: { headers: isolation, fs: { allow: [repoRoot] } },
  preview: { headers: isolation },
  // Keep class names in the build: the worker reports layer kinds (Conv2d, ReLU, ...) by constructor name.
  esbuild: { keepNames: true },
  // Module workers, so the worker can import tensorgrad and share chunks with the page.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The kernels are ~100 KB each; never inline them as data: URLs.
    assetsInlineLimit: 0,
  },
});
