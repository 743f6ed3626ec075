#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/) into the builds the wasm
// backend picks from at load time:
//   src/backend/wasm/build/kernels-simd.wasm        baseline WebAssembly SIMD
//   src/backend/wasm/build/kernels-relaxed.wasm     + relaxed SIMD (fused multiply-add)
//   src/backend/wasm/build/kernels-simd-mt.wasm     the same two, importing a *shared*
//   src/backend/wasm/build/kernels-relaxed-mt.wasm  memory (for the worker pool)
// and copies them next to the compiled backend (dist/backend/wasm/build/), since
// the loader finds them relative to its own module URL. The memory is always
// imported (env.memory); a module whose import is shared only accepts a shared
// memory, and a non-shared one only a non-shared memory, hence two builds each.
// The kernels use no atomics: threads synchronise in JS (see pool.ts).
// Skips the work when every output is newer than every source.
import { copyFileSync, mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'assembly');
const outDir = join(root, 'src/backend/wasm/build');
const distDir = join(root, 'dist/backend/wasm/build');

const common = ['assembly/index.ts', '-O3', '--runtime', 'stub', '--importMemory', '--noExportMemory', '--noAssert', '--enable', 'simd'];
const relaxed = ['--enable', 'relaxed-simd'];
// 65536 pages = 4 GiB: a shared memory needs a declared maximum; the loader creates it with the same.
const shared = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'];
const builds = [
  { file: 'kernels-simd.wasm', flags: [] },
  { file: 'kernels-relaxed.wasm', flags: relaxed },
  { file: 'kernels-simd-mt.wasm', flags: shared },
  { file: 'kernels-relaxed-mt.wasm', flags: [...relaxed, ...shared] },
];

const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
const fresh = builds.every((b) => existsSync(join(outDir, b.file)) && statSync(join(outDir, b.file)).mtimeMs > newest);

mkdirSync(outDir, { recursive: true });
if (!fresh || process.argv.includes('--force')) {
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  // The four compilations are independent: run them two at a time.
  const compile = (b) => new Promise((resolve) => {
    const args = [asc, ...common, ...b.flags, '--outFile', join(outDir, b.file)];
    spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }).on('close', (code) => {
      if (code !== 0) {
        console.error(`build-wasm: asc failed for ${b.file}`);
        process.exit(code ?? 1);
      }
      resolve();
    });
  });
  for (let i = 0; i < builds.length; i += 2) await Promise.all(builds.slice(i, i + 2).map(compile));
  console.log(`build-wasm: built ${builds.map((b) => b.file).join(', ')}`);
}
mkdirSync(distDir, { recursive: true });
for (const b of builds) copyFileSync(join(outDir, b.file), join(distDir, b.file));
