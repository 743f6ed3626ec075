// The page frame: site/layout.html around a page's body, with the site navigation.
import { escapeHtml } from './util.mjs';

const SECTIONS = [
  ['index.html', 'Home'],
  ['guide/index.html', 'Guide'],
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
