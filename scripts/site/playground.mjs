// The playground part of the site: web/ built with Vite into playground/, or an existing build copied.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './util.mjs';

/** The playground into `${out}/playground`: copied from `from`, or built (web:data, then vite build). */
export async function buildPlayground(out, from) {
  const dst = join(out, 'playground');
  if (from) {
    if (!existsSync(join(from, 'index.html'))) throw new Error(`--playground-from ${from}: no index.html there (npm run build:web)`);
    cpSync(from, dst, { recursive: true });
    return;
  }
  const data = spawnSync('npm', ['run', 'web:data'], { cwd: ROOT, encoding: 'utf8' });
  if (data.status !== 0) throw new Error(`npm run web:data failed:\n${data.stdout}\n${data.stderr}`);
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir: dst, emptyOutDir: true } });
}
