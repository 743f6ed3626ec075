// Marks the package's bin scripts executable after tsc has written them.
// tsc writes plain 0644 files; `npx tensorgrad` in a fresh clone runs the bin
// through the shell, which needs the executable bit (npm sets it only when it
// links a package's bins, which it does not always do for the root package).
import { chmodSync, existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const rel of bins) {
  const file = new URL(`../${rel}`, import.meta.url);
  if (!existsSync(file)) throw new Error(`chmod-bin: ${rel} (package.json bin) was not built`);
  chmodSync(file, 0o755);
}
