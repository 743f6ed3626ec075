// The API reference part of the site: TypeDoc (typedoc.json) into api/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, walk } from './util.mjs';

/**
 * The API reference into `${out}/api`: TypeDoc with typedoc.json. Any TypeDoc warning or
 * error is an exception (typedoc.json sets treatWarningsAsErrors). Links back to the site
 * (navigationLinks) are made relative to each page.
 */
export async function buildApi(out) {
  const { typedocApp } = await import('../typedoc-app.mjs');
  const apiOut = join(out, 'api');
  const SITE = 'tg-site-root:/';
  const { app, warnings, errors } = await typedocApp({
    out: apiOut,
    navigationLinks: { Home: `${SITE}index.html`, Guide: `${SITE}guide/index.html`, Tutorials: `${SITE}tutorials/index.html`, Playground: `${SITE}playground/index.html` },
  });
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const project = await app.convert();
    if (!project || errors.length || warnings.length) throw new Error(`TypeDoc: ${[...errors, ...warnings].join('\n  ') || 'conversion failed'}`);
    app.validate(project);
    if (warnings.length || errors.length) throw new Error(`TypeDoc (typedoc.json treats warnings as errors):\n  ${[...errors, ...warnings].join('\n  ')}`);
    await app.generateOutputs(project);
    if (warnings.length || errors.length || !existsSync(join(apiOut, 'index.html'))) {
      throw new Error(`TypeDoc output:\n  ${[...errors, ...warnings].join('\n  ') || 'no api/index.html'}`);
    }
  } finally {
    process.chdir(cwd);
  }
  let pages = 0;
  for (const f of walk(apiOut).filter((p) => p.endsWith('.html'))) {
    const file = join(apiOut, f);
    const html = readFileSync(file, 'utf8');
    const up = '../'.repeat(f.split('/').length);
    if (html.includes(SITE)) writeFileSync(file, html.replaceAll(SITE, up));
    pages += 1;
  }
  return { pages };
}
