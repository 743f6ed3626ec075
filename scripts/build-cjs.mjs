#!/usr/bin/env node
// Builds the CommonJS entry, dist/index.cjs, so that `require('tensorgrad')`
// works on every Node 20 (require() of ES modules only arrived in 20.19, and
// never for async modules). It bundles tsc's ESM output (dist/**/*.js) into one
// file with esbuild, dependencies left as require() calls (--packages=external).
//
// `import.meta.url` has no CommonJS form, and the library uses it to find files
// beside a module (the wasm builds next to dist/backend/wasm/loader.js) and for
// createRequire. Each occurrence is replaced by the URL the module had in dist/,
// computed from the bundle's own location, so those lookups see the same paths
// as under ESM. The declarations are copied as dist/index.d.cts for `require`
// users of TypeScript.
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Rewrites `import.meta.url` in every bundled dist/ module to that module's own file URL. */
const importMetaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const rel = relative(dist, args.path).split(sep).join('/');
      const code = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, __tgBundleUrl).href`);
      return { contents: code, loader: 'js' };
    });
  },
};

await build({
  entryPoints: [join(dist, 'index.js')],
  outfile: join(dist, 'index.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  // The URL of dist/index.cjs, base of the rewritten import.meta.url (see above).
  banner: { js: "const __tgBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [importMetaUrl],
  // Dynamic require(id) of Node builtins (src/util/node.ts) is meant to stay dynamic.
  logOverride: { 'unsupported-require-call': 'silent' },
  logLevel: 'warning',
});
copyFileSync(join(dist, 'index.d.ts'), join(dist, 'index.d.cts'));
