// The link check of the built site: every relative link and image of the rendered pages must
// name a file in the site, and a #fragment an id in that page.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { decodeHtml } from './util.mjs';

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
