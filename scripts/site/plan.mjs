// The site's plan: which Markdown file becomes which page, which files are copied, which
// program files get a code page, and which page a link to a folder opens.
import { join, posix, resolve } from 'node:path';
import { walk } from './util.mjs';

/** Program files shown as pages (`x.ts` -> `x.ts.html`, the file itself beside it). */
const CODE = /\.(ts|mts|mjs|js)$/;

/** The guide's folder: its pages become guide/*.html. */
export const GUIDE = 'docs/guide';

const pageName = (file) => (/^(README|index)\.md$/i.test(posix.basename(file)) ? posix.join(posix.dirname(file), 'index.html') : file.replace(/\.md$/i, '.html'));

/**
 * The site's pages and files. Keys are source paths relative to `root` (posix); `pages`
 * maps a Markdown file to its page, `files` an asset to its copy, `folders` a source folder
 * to the page a link to it opens. `chapters` lists the tutorial pages in order. The README is
 * `readme.html`, the guide (docs/guide/) is `guide/` (its README.md `guide/index.html`), the
 * tutorials `tutorials/`, and the rest of docs/ keeps its path.
 * @example const plan = sitePlan(ROOT, 'docs/tutorials'); plan.pages.get('docs/guide/cli.md') // 'guide/cli.html'
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
  pages.set('README.md', 'readme.html');
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
  // The guide's pages sit at guide/ (docs/guide/x.md -> guide/x.html); the rest keeps its path.
  const at = (src) => (src.startsWith(`${GUIDE}/`) ? src.slice('docs/'.length) : src);
  for (const f of walk(join(root, 'docs'))) {
    const src = posix.join('docs', f);
    if (src.startsWith(`${tut}/`)) continue;
    if (f.endsWith('.md')) pages.set(src, pageName(at(src)));
    else {
      files.set(src, at(src));
      if (CODE.test(f)) code.set(src, `${at(src)}.html`);
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
