// The browser bundle, without a browser: src/index.ts must bundle for platform
// 'browser' with no Node builtin imported (statically or dynamically), so that
// esbuild, Vite and webpack users need no shims. Node builtins are reached
// lazily through src/util/node.ts (process.getBuiltinModule). The real browser
// run is `npm run test:browser` (scripts/browser-check.mjs, needs Chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

interface Found { path: string; kind: string; importer: string }

async function bundleIndex(): Promise<{ code: string; found: Found[] }> {
  const builtin = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/\//g, '\\/')).join('|')})$`);
  const found: Found[] = [];
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'silent',
    plugins: [{
      name: 'record-node-builtins',
      setup(b) {
        b.onResolve({ filter: builtin }, (args) => {
          found.push({ path: args.path, kind: args.kind, importer: args.importer.slice(root.length + 1) });
          return { path: args.path, external: true };
        });
      },
    }],
  });
  return { code: result.outputFiles[0]!.text, found };
}

test('src/index.ts bundles for the browser with no Node builtin imports', async () => {
  const { code, found } = await bundleIndex();
  const offending = found;
  assert.deepEqual(offending, [], `Node builtins imported from code reachable from src/index.ts (use src/util/node.ts):\n${
    offending.map((f) => `  ${f.kind} '${f.path}' in ${f.importer}`).join('\n')}`);
  assert.ok(code.length > 100_000, 'the bundle holds the library');
});
