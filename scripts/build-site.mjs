#!/usr/bin/env node
// The static site (`npm run build:site`): one folder, site-dist/ by default, to put on any
// static host as it is:
//   index.html          the landing page (site/index.md in site/layout.html)
//   guide.html          the README, rendered
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
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SITE_SRC = join(ROOT, 'site');
const log = (msg) => console.log(`build-site: ${msg}`);
const toPosix = (p) => p.split(sep).join('/');
const escapeHtml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const decodeHtml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

// ---- pages: which Markdown file becomes which page --------------------------------------------

/** Every file below `dir` (relative, posix), in name order. */
function walk(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p, base) : [toPosix(relative(base, p))];
  });
}

/** Program files shown as pages (`x.ts` -> `x.ts.html`, the file itself beside it). */
const CODE = /\.(ts|mts|mjs|js)$/;

const pageName = (file) => (/^(README|index)\.md$/i.test(posix.basename(file)) ? posix.join(posix.dirname(file), 'index.html') : file.replace(/\.md$/i, '.html'));

/**
 * The site's pages and files. Keys are source paths relative to `root` (posix); `pages`
 * maps a Markdown file to its page, `files` an asset to its copy, `folders` a source folder
 * to the page a link to it opens. `chapters` lists the tutorial pages in order.
 * @example const plan = sitePlan(ROOT, 'docs/tutorials'); plan.pages.get('README.md') // 'guide.html'
 */
export function sitePlan(root, tutorialsDir = 'docs/tutorials') {
  const pages = new Map();
  const files = new Map();
  const code = new Map();
  const folders = new Map();
  // Where a source path's file is read from: the tutorials may come from another folder
  // (a test's), but their links are read as if they were in docs/tutorials.
  const sources = new Map();
  const tut = 'docs/tutorials';
  const tutAbs = resolve(root, tutorialsDir);
  pages.set('README.md', 'guide.html');
  const chapters = [];
  for (const f of walk(tutAbs)) {
    const src = posix.join(tut, f);
    sources.set(src, join(tutAbs, f));
    if (f.endsWith('.md')) {
      pages.set(src, posix.join('tutorials', pageName(f)));
      if (!f.includes('/') && !/^(README|index)\.md$/i.test(f)) chapters.push(src);
    } else {
      files.set(src, posix.join('tutorials', f));
      if (CODE.test(f)) code.set(src, posix.join('tutorials', `${f}.html`));
    }
  }
  folders.set(tut, 'tutorials/index.html');
  for (const f of walk(join(root, 'docs'))) {
    const src = posix.join('docs', f);
    if (src.startsWith(`${tut}/`)) continue;
    if (f.endsWith('.md')) pages.set(src, pageName(src));
    else {
      files.set(src, src);
      if (CODE.test(f)) code.set(src, `${src}.html`);
    }
  }
  // The example programs (README links them): code pages, and a list for the folder.
  for (const f of walk(join(root, 'examples')).filter((x) => CODE.test(x))) {
    const src = posix.join('examples', f);
    files.set(src, src);
    code.set(src, `${src}.html`);
  }
  // A folder opens its README/index page, or (docs/ folders with pages below them) a generated
  // list; the lists are written for the folders that some page links to (and Experiments).
  for (const [src, page] of pages) if (page.endsWith('/index.html')) folders.set(posix.dirname(src), page);
  const generated = new Map();
  for (const src of pages.keys()) {
    for (let dir = posix.dirname(src); dir === 'docs' || dir.startsWith('docs/'); dir = posix.dirname(dir)) {
      if (!folders.has(dir)) {
        folders.set(dir, posix.join(dir, 'index.html'));
        generated.set(dir, posix.join(dir, 'index.html'));
      }
    }
  }
  if (![...pages.values()].includes('tutorials/index.html')) generated.set(tut, 'tutorials/index.html');
  if ([...code.keys()].some((src) => src.startsWith('examples/'))) {
    folders.set('examples', 'examples/index.html');
    generated.set('examples', 'examples/index.html');
  }
  return { pages, files, code, folders, generated, chapters, sources, tutorialsDir: tut };
}

// ---- Markdown -> HTML ------------------------------------------------------------------------------

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'; repeats get -1, -2, ... */
export function slugger() {
  const seen = new Map();
  return (text) => {
    const base = text.toLowerCase().trim().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}-${n}` : base;
  };
}

const isExternal = (url) => /^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url) || url === '';

/**
 * Rewrites one relative URL of the source file `src` (relative to the repository root) for
 * the page `page` (relative to the site root). Returns the new URL, or `{ repo: path }` for a
 * repository file that is not on the site.
 */
function rewriteUrl(url, src, page, plan, root) {
  if (isExternal(url)) return url;
  const m = /^([^?#]*)([?#].*)?$/.exec(url);
  const [path, rest = ''] = [m[1], m[2]];
  if (!path) return url;
  let target;
  try {
    target = posix.normalize(posix.join(posix.dirname(src), decodeURIComponent(path))).replace(/\/$/, '');
  } catch {
    return url;
  }
  const from = posix.dirname(page);
  const rel = (to) => {
    const r = posix.relative(from, to);
    return r || posix.basename(to);
  };
  const site = plan.pages.get(target) ?? plan.code.get(target) ?? plan.files.get(target) ?? plan.folders.get(target);
  if (site) {
    if (plan.generated.has(target)) plan.linkedFolders?.add(target);
    return rel(site) + rest;
  }
  if (target.startsWith('..') || !existsSync(join(root, target))) return url; // a site path (../playground/#draw) or broken: the link check decides
  // A repository file or folder that the site does not carry.
  const inDocs = target === 'docs' || target.startsWith('docs/');
  return inDocs ? url : { repo: target + (statSync(join(root, target)).isDirectory() ? '/' : '') };
}

/** The repository's web address from package.json (`repository`), for links to files the site does not carry. */
function repositoryUrl(root) {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const m = /github\.com[:/]([^/]+\/[^/.]+)/.exec(url ?? '');
    return m ? `https://github.com/${m[1]}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Renders Markdown file `src` as the page `page`: HTML body, its title (first h1) and its
 * first paragraph (plain text, for lists). Links are rewritten (see rewriteUrl).
 */
export function renderMarkdown(markdown, src, page, plan, root = ROOT, notes = { repoLinks: [] }) {
  const slug = slugger();
  const repoUrl = repositoryUrl(root);
  let title;
  let summary;
  const fix = (url) => {
    const r = rewriteUrl(url, src, page, plan, root);
    if (typeof r === 'string') return r;
    notes.repoLinks.push(`${src}: ${r.repo}`);
    return repoUrl ? `${repoUrl}/${r.repo.endsWith('/') ? 'tree' : 'blob'}/HEAD/${r.repo.replace(/\/$/, '')}` : null;
  };
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        const text = decodeHtml(inner.replace(/<[^>]*>/g, ''));
        if (depth === 1 && title === undefined) title = text;
        const id = slug(text);
        return `<h${depth} id="${escapeHtml(id)}"><a class="anchor" href="#${escapeHtml(id)}" aria-hidden="true">#</a>${inner}</h${depth}>\n`;
      },
      paragraph({ tokens }) {
        const inner = this.parser.parseInline(tokens);
        if (summary === undefined && title !== undefined) summary = decodeHtml(inner.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
        return `<p>${inner}</p>\n`;
      },
      link({ href, title: t, tokens }) {
        const inner = this.parser.parseInline(tokens);
        const url = fix(href);
        if (url === null) return `<span class="repo-path" title="${escapeHtml(`in the repository: ${href}`)}">${inner}</span>`;
        return `<a href="${escapeHtml(url)}"${t ? ` title="${escapeHtml(t)}"` : ''}>${inner}</a>`;
      },
      image({ href, title: t, text }) {
        const url = fix(href) ?? href;
        return `<img src="${escapeHtml(url)}" alt="${escapeHtml(text)}"${t ? ` title="${escapeHtml(t)}"` : ''} loading="lazy">`;
      },
      html({ text }) {
        // Raw HTML: its src/href attributes are rewritten the same way (not unlinked).
        return text.replace(/\b(src|href)="([^"]*)"/g, (all, attr, url) => `${attr}="${escapeHtml(fix(url) ?? url)}"`);
      },
      code({ text, lang }) {
        const l = (lang ?? '').split(/\s/)[0];
        return `<pre><code${l ? ` class="language-${escapeHtml(l)}"` : ''}>${escapeHtml(text)}</code></pre>\n`;
      },
    },
  });
  const html = marked.parse(markdown, { async: false });
  return { html, title: title ?? posix.basename(src, '.md'), summary: summary ?? '' };
}

// ---- layout ---------------------------------------------------------------------------------------

const SECTIONS = [
  ['index.html', 'Home'],
  ['guide.html', 'Guide'],
  ['tutorials/index.html', 'Tutorials'],
  ['api/index.html', 'API reference'],
  ['playground/index.html', 'Playground'],
  ['docs/experiments/index.html', 'Experiments'],
];

/** A whole page: site/layout.html around `body`, the navigation marking `page`'s section. */
export function layout(page, title, body, layoutHtml) {
  const root = '../'.repeat(page.split('/').length - 1);
  const section = page.split('/')[0];
  const nav = SECTIONS.map(([href, label]) => {
    const here = href.split('/')[0] === section || (href === 'docs/experiments/index.html' && section === 'docs');
    return `<a href="${root}${href}"${here ? ' aria-current="page"' : ''}>${label}</a>`;
  }).join('\n      ');
  return layoutHtml
    .replaceAll('{{title}}', escapeHtml(title === 'tensorgrad' ? title : `${title} · tensorgrad`))
    .replaceAll('{{root}}', root)
    .replace('{{nav}}', nav)
    .replace('{{content}}', body);
}

// ---- the link check ---------------------------------------------------------------------------------

const idsCache = new Map();
function idsOf(file) {
  if (!idsCache.has(file)) {
    const html = readFileSync(file, 'utf8');
    idsCache.set(file, new Set([...html.matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => decodeHtml(m[1]))));
  }
  return idsCache.get(file);
}

/**
 * Every relative href/src of the given pages (paths relative to `out`) must name a file in
 * `out` (a folder: its index.html), and a #fragment an id in that file.
 * @returns {string[]} the broken links, as "page: url (why)"
 */
export function checkLinks(out, pages) {
  idsCache.clear();
  const broken = [];
  for (const page of pages) {
    const html = readFileSync(join(out, page), 'utf8');
    for (const [, url] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const u = decodeHtml(url);
      if (/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(u)) continue;
      const [pathAndQuery, hash] = u.split('#');
      const path = pathAndQuery.split('?')[0];
      let file = path ? posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(path))) : page;
      if (file.startsWith('..')) { broken.push(`${page}: ${u} (outside the site)`); continue; }
      if (!path || path.endsWith('/') || (existsSync(join(out, file)) && statSync(join(out, file)).isDirectory())) {
        if (path) file = posix.join(file, 'index.html');
      }
      if (!existsSync(join(out, file))) { broken.push(`${page}: ${u} (no ${file})`); continue; }
      // Fragments are checked on the site's own pages and the API reference; the playground's
      // (#draw) select a tab in its script, not an element id.
      if (hash && file.endsWith('.html') && !file.startsWith('playground/') && !idsOf(join(out, file)).has(decodeURIComponent(hash))) {
        broken.push(`${page}: ${u} (no id "${hash}" in ${file})`);
      }
    }
  }
  return broken;
}

// ---- the parts of the build ---------------------------------------------------------------------------

/**
 * Renders the Markdown pages of `plan` (and the generated folder lists, the landing page)
 * into `out`, copies the assets and site/style.css. Returns the pages written.
 * @example const { written } = buildPages(ROOT, 'site-dist', sitePlan(ROOT));
 */
export function buildPages(root, out, plan) {
  const layoutHtml = readFileSync(join(SITE_SRC, 'layout.html'), 'utf8');
  const notes = { repoLinks: [] };
  plan.linkedFolders = new Set();
  const written = [];
  const info = new Map(); // page -> { title, summary }
  const write = (page, title, body) => {
    mkdirSync(dirname(join(out, page)), { recursive: true });
    writeFileSync(join(out, page), layout(page, title, body, layoutHtml));
    written.push(page);
  };
  for (const [src, dst] of plan.files) {
    mkdirSync(dirname(join(out, dst)), { recursive: true });
    cpSync(plan.sources.get(src) ?? join(root, src), join(out, dst));
  }
  for (const f of ['style.css', 'favicon.svg']) cpSync(join(SITE_SRC, f), join(out, f));
  const rendered = new Map();
  for (const [src, page] of plan.pages) {
    const r = renderMarkdown(readFileSync(plan.sources.get(src) ?? join(root, src), 'utf8'), src, page, plan, root, notes);
    rendered.set(src, r);
    info.set(page, r);
  }
  // Tutorial chapters: previous / next at the bottom.
  const chapterPages = plan.chapters.map((src) => plan.pages.get(src));
  for (const [src, page] of plan.pages) {
    let { html, title } = rendered.get(src);
    const i = chapterPages.indexOf(page);
    if (i >= 0) {
      const link = (p, rel) => (p ? `<a rel="${rel}" href="${posix.relative(posix.dirname(page), p)}">${rel === 'prev' ? '← ' : ''}${escapeHtml(info.get(p).title)}${rel === 'next' ? ' →' : ''}</a>` : '<span></span>');
      html += `<nav class="chapter-nav">${link(chapterPages[i - 1], 'prev')}<a href="index.html">All tutorials</a>${link(chapterPages[i + 1], 'next')}</nav>\n`;
    }
    write(page, title, `<article class="markdown">\n${html}</article>`);
  }
  // Program files: the source, highlighted as code, with a link to the file itself.
  for (const [src, page] of plan.code) {
    const text = readFileSync(plan.sources.get(src) ?? join(root, src), 'utf8');
    const first = /^\s*(?:\/\/|\/\*\*?)\s*(.*)$/m.exec(text)?.[1]?.replace(/\*\/$/, '').trim() ?? '';
    const name = posix.basename(src);
    write(page, name, `<article class="markdown">\n<h1>${escapeHtml(src)}</h1>\n`
      + `<p><a href="${escapeHtml(name)}">${escapeHtml(name)}</a> (the file) · run it from the repository root: <code>node --import tsx ${escapeHtml(src)}</code></p>\n`
      + `<pre><code class="language-ts">${escapeHtml(text)}</code></pre>\n</article>`);
    info.set(page, { title: name, summary: first });
  }
  // The landing page (site/index.md), rendered before the lists so that its links count.
  const landing = renderMarkdown(readFileSync(join(SITE_SRC, 'index.md'), 'utf8'), 'site/index.md', 'index.html', plan, root, notes);
  // Generated lists for the folders without an index page that a page links to.
  const lists = [...plan.generated].filter(([dir]) => [plan.tutorialsDir, 'docs/experiments', 'examples'].includes(dir) || plan.linkedFolders.has(dir));
  for (const [dir, page] of lists) {
    const below = [...plan.pages, ...(dir === 'examples' ? plan.code : [])].filter(([src]) => src.startsWith(`${dir}/`)).map(([, p]) => p);
    const tutorials = dir === plan.tutorialsDir;
    const items = (tutorials ? chapterPages : below).map((p) => {
      const { title, summary } = info.get(p);
      return `<li><a href="${posix.relative(posix.dirname(page), p)}">${escapeHtml(title)}</a>${summary ? `<br><span class="summary">${escapeHtml(summary.length > 220 ? `${summary.slice(0, 217)}…` : summary)}</span>` : ''}</li>`;
    });
    const title = tutorials ? 'Tutorials' : dir === 'docs/experiments' ? 'Experiments' : dir === 'examples' ? 'Examples' : dir.replace(/^docs\//, '');
    const intro = tutorials
      ? '<p>Runnable chapters, from tensors to training a CNN. Every code block runs as written (the doc tests check it).</p>'
      : '';
    write(page, title, `<article class="markdown">\n<h1>${escapeHtml(title)}</h1>\n${intro}${items.length ? `<ol class="page-list">\n${items.join('\n')}\n</ol>` : '<p>No pages yet.</p>'}\n</article>`);
    info.set(page, { title });
  }
  const list = (pages) => `<ul class="page-list">\n${pages.map((p) => `<li><a href="${p}">${escapeHtml(info.get(p)?.title ?? p)}</a></li>`).join('\n')}\n</ul>`;
  const reports = [...plan.pages].filter(([src]) => /^docs\/experiments\/[^/]+\/report\.md$/.test(src)).map(([, p]) => p);
  const body = landing.html
    .replace('<!-- tutorials -->', chapterPages.length ? list(chapterPages) : '<p>(The chapters are being written.)</p>')
    .replace('<!-- experiments -->', list(reports));
  write('index.html', 'tensorgrad', `<article class="markdown landing">\n${body}</article>`);
  return { written, repoLinks: notes.repoLinks };
}

/**
 * The API reference into `${out}/api`: TypeDoc with typedoc.json. Any TypeDoc warning or
 * error is an exception (typedoc.json sets treatWarningsAsErrors). Links back to the site
 * (navigationLinks) are made relative to each page.
 */
export async function buildApi(out) {
  const { typedocApp } = await import('./typedoc-app.mjs');
  const apiOut = join(out, 'api');
  const SITE = 'tg-site-root:/';
  const { app, warnings, errors } = await typedocApp({
    out: apiOut,
    navigationLinks: { Home: `${SITE}index.html`, Guide: `${SITE}guide.html`, Tutorials: `${SITE}tutorials/index.html`, Playground: `${SITE}playground/index.html` },
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
  log(`${written.length} pages: ${plan.chapters.length} tutorial chapters, the guide, ${plan.pages.size - plan.chapters.length - 1} other docs pages, ${plan.code.size} program files, ${written.length - plan.pages.size - plan.code.size - 1} generated lists, the landing page`);
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
