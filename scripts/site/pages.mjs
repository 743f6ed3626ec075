// Writes the site's own pages: the Markdown pages of the plan, the program files as code
// pages, the generated folder lists and the landing page (site/index.md).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { layout } from './layout.mjs';
import { renderMarkdown } from './render.mjs';
import { escapeHtml, SITE_SRC } from './util.mjs';

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
