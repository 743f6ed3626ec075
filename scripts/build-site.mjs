#!/usr/bin/env node
// The static site (`npm run build:site`): one folder, site-dist/ by default, to put on any
// static host as it is:
//   index.html          the landing page (site/index.md in site/layout.html)
//   readme.html         the README (the repository's front door), rendered
//   guide/              the guide, docs/guide/*.md rendered (its README.md is guide/index.html)
//   tutorials/          docs/tutorials/*.md rendered (README.md, if any, is tutorials/index.html;
//                       otherwise an index is generated), with their images
//   docs/               the rest of docs/ (experiment reports, figures), rendered and copied
//   api/                the API reference (TypeDoc, typedoc.json; any TypeDoc warning fails the build)
//   playground/         the playground (web/, `vite build`), single-threaded without COOP/COEP headers
//   _headers            COOP/COEP for playground/ on hosts that read it (Netlify, Cloudflare Pages)
// Markdown links between pages are rewritten (.md -> .html, README.md -> index.html, a folder
// -> its index page), headings get GitHub's anchor ids, and then every relative link and
// image of the rendered pages is checked against the built folder (file and #anchor): a broken
// one fails the build. A link to a repository file that is not part of the site (examples/x.ts)
// points at the repository when package.json names one, and is plain text otherwise.
//
//   node scripts/build-site.mjs [--out DIR] [--tutorials DIR] [--playground-from DIR | --no-playground] [--no-api]
//     --playground-from web/dist   copy an existing playground build instead of building one
//     --tutorials DIR              render the tutorials from DIR (default docs/tutorials)
//
// The parts live in scripts/site/: plan.mjs (which file becomes which page), render.mjs
// (Markdown -> HTML, link rewriting), layout.mjs (the page frame and navigation), pages.mjs
// (writing the pages), links.mjs (the link check), api.mjs (TypeDoc), playground.mjs (Vite).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildApi } from './site/api.mjs';
import { checkLinks } from './site/links.mjs';
import { buildPages } from './site/pages.mjs';
import { sitePlan } from './site/plan.mjs';
import { buildPlayground } from './site/playground.mjs';
import { repositoryUrl } from './site/render.mjs';
import { ROOT } from './site/util.mjs';

export { ROOT } from './site/util.mjs';
export { sitePlan } from './site/plan.mjs';
export { renderMarkdown, slugger } from './site/render.mjs';
export { layout } from './site/layout.mjs';
export { checkLinks } from './site/links.mjs';
export { buildPages } from './site/pages.mjs';
export { buildApi } from './site/api.mjs';
export { buildPlayground } from './site/playground.mjs';

const log = (msg) => console.log(`build-site: ${msg}`);

// ---- main ---------------------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const known = new Set(['--out', '--tutorials', '--playground-from', '--no-playground', '--no-api']);
  for (const [i, a] of args.entries()) {
    if (a.startsWith('--') && !known.has(a)) throw new Error(`build-site: unknown option ${a} (${[...known].join(', ')})`);
    if (['--out', '--tutorials', '--playground-from'].includes(a) && (args[i + 1] === undefined || args[i + 1].startsWith('--'))) throw new Error(`build-site: ${a} needs a value`);
  }
  const out = resolve(opt('--out') ?? join(ROOT, 'site-dist'));
  const timings = [];
  const timed = async (name, fn) => { const t = Date.now(); const r = await fn(); timings.push(`${name} ${((Date.now() - t) / 1000).toFixed(1)} s`); return r; };
  const t0 = Date.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const plan = sitePlan(ROOT, opt('--tutorials') ?? 'docs/tutorials');
  if (!args.includes('--no-api')) {
    const { pages } = await timed('api', () => buildApi(out));
    log(`api/: ${pages} pages (TypeDoc, no warnings)`);
  }
  if (!args.includes('--no-playground')) await timed('playground', () => buildPlayground(out, opt('--playground-from') && resolve(opt('--playground-from'))));
  const { written, repoLinks } = await timed('pages', () => buildPages(ROOT, out, plan));
  writeFileSync(join(out, '_headers'), '/playground/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n');
  writeFileSync(join(out, '.nojekyll'), '');
  const guidePages = [...plan.pages.values()].filter((p) => p.startsWith('guide/')).length;
  log(`${written.length} pages: the README, ${guidePages} guide pages, ${plan.chapters.length} tutorial chapters, ${plan.pages.size - plan.chapters.length - guidePages - 1} other docs pages, ${plan.code.size} program files, ${written.length - plan.pages.size - plan.code.size - 1} generated lists, the landing page`);
  if (repoLinks.length) log(`${repoLinks.length} links to repository files outside the site (${repositoryUrl(ROOT) ? 'to the repository' : 'plain text: package.json names no repository'}): ${[...new Set(repoLinks.map((l) => l.split(': ')[1]))].join(', ')}`);

  // The link check: the rendered pages only (TypeDoc checks its own; the playground is one page).
  const skip = new Set([...(args.includes('--no-api') ? ['api/'] : []), ...(args.includes('--no-playground') ? ['playground/'] : [])]);
  let broken = checkLinks(out, written);
  broken = broken.filter((b) => ![...skip].some((s) => b.includes(`(no ${s}`) || b.split(': ')[1]?.includes(s)));
  timings.push(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (broken.length) {
    console.error(`build-site: FAIL: ${broken.length} broken links:\n  ${broken.join('\n  ')}`);
    process.exit(1);
  }
  log(`links checked: ${written.length} pages, none broken`);
  const shown = relative(process.cwd(), out);
  log(`wrote ${shown && !shown.startsWith('..') ? shown : out}/ (${timings.join(', ')})`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(`build-site: FAIL: ${e.message}`);
    process.exit(1);
  });
}
