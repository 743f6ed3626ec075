#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/) into the two builds the wasm
// backend picks from at load time:
//   src/backend/wasm/build/kernels-simd.wasm     baseline WebAssembly SIMD
//   src/backend/wasm/build/kernels-relaxed.wasm  + relaxed SIMD (fused multiply-add)
// and copies them next to the compiled backend (dist/backend/wasm/build/), since
// the loader finds them relative to its own module URL.
// The memory is imported (env.memory), so phase 2 can make it shared.
// Skips the work when every output is newer than every source.
import { copyFileSync, mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'assembly');
const outDir = join(root, 'src/backend/wasm/build');
const distDir = join(root, 'dist/backend/wasm/build');

const common = ['assembly/index.ts', '-O3', '--runtime', 'stub', '--importMemory', '--noExportMemory', '--noAssert', '--enable', 'simd'];
const builds = [
  { file: 'kernels-simd.wasm', flags: [] },
  { file: 'kernels-relaxed.wasm', flags: ['--enable', 'relaxed-simd'] },
];

const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
const fresh = builds.every((b) => existsSync(join(outDir, b.file)) && statSync(join(outDir, b.file)).mtimeMs > newest);

mkdirSync(outDir, { recursive: true });
if (!fresh || process.argv.includes('--force')) {
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  for (const b of builds) {
    const args = [asc, ...common, ...b.flags, '--outFile', join(outDir, b.file)];
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`build-wasm: asc failed for ${b.file}`);
      process.exit(r.status ?? 1);
    }
  }
  console.log(`build-wasm: built ${builds.map((b) => b.file).join(', ')}`);
}
mkdirSync(distDir, { recursive: true });
for (const b of builds) copyFileSync(join(outDir, b.file), join(distDir, b.file));
