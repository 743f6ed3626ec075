// Markdown -> HTML for the site's pages: GitHub's heading anchors, and links rewritten from
// repository paths (.md files, folders, images, program files) to the pages that carry them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Marked } from 'marked';
import { decodeHtml, escapeHtml, ROOT } from './util.mjs';

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
  // A folder's README.md that is not a page (the tutorials' index, when they come from a set
  // without one) opens the folder's page, as the folder itself does.
  const folderOfIndex = /^(README|index)\.md$/i.test(posix.basename(target)) && !plan.pages.has(target) ? posix.dirname(target) : undefined;
  const folder = folderOfIndex !== undefined && plan.folders.has(folderOfIndex) ? folderOfIndex : target;
  const site = plan.pages.get(target) ?? plan.code.get(target) ?? plan.files.get(target) ?? plan.folders.get(folder);
  if (site) {
    if (plan.generated.has(folder)) plan.linkedFolders?.add(folder);
    return rel(site) + rest;
  }
  if (target.startsWith('..') || !existsSync(join(root, target))) return url; // a site path (../playground/#draw) or broken: the link check decides
  // A repository file or folder that the site does not carry.
  const inDocs = target === 'docs' || target.startsWith('docs/');
  return inDocs ? url : { repo: target + (statSync(join(root, target)).isDirectory() ? '/' : '') };
}

/** The repository's web address from package.json (`repository`), for links to files the site does not carry. */
export function repositoryUrl(root) {
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
