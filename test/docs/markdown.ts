/**
 * Reads the fenced code blocks and inline code spans of the project's Markdown
 * documents, for the doc tests (test/docs): every block is either run or marked
 * `<!-- doc-test: skip (reason) -->` on the line before its fence. Also how the
 * doc tests run code as a user would.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The environment of a user's shell: the default backend (a suite run with TENSORGRAD_BACKEND=reference would take minutes here). */
export const USER_ENV: NodeJS.ProcessEnv = { ...process.env };
delete USER_ENV.TENSORGRAD_BACKEND;

const entry = pathToFileURL(join(ROOT, 'src/index.ts')).href;
const tsx = import.meta.resolve('tsx');

const requireFromRoot = createRequire(join(ROOT, 'package.json'));

/**
 * Writes `code` to `file` (an .mts path) with `from 'tensorgrad'` pointed at this
 * checkout's src/index.ts and any other package it imports (e.g. onnxruntime-node,
 * which a user installs beside tensorgrad) resolved from this checkout's
 * node_modules, and runs it through tsx in `cwd` with {@link USER_ENV}.
 */
export function runAsUser(code: string, file: string, cwd: string): SpawnSyncReturns<string> {
  const resolved = code
    .replace(/from\s+(['"])tensorgrad\1/g, `from '${entry}'`)
    .replace(/from\s+(['"])([a-z@][\w@/.-]*)\1/g, (whole, _q: string, spec: string) =>
      (spec.startsWith('node:') || builtinModules.includes(spec) ? whole : `from '${pathToFileURL(requireFromRoot.resolve(spec)).href}'`));
  writeFileSync(file, resolved);
  return spawnSync(process.execPath, ['--import', tsx, file], { cwd, encoding: 'utf8', timeout: 120_000, env: USER_ENV });
}

/** One fenced block of a Markdown file. */
export interface CodeBlock {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's language (`ts`, `sh`, ...). */
  lang: string;
  code: string;
  /** The reason given by a `<!-- doc-test: skip (reason) -->` marker before the fence, if any. */
  skip: string | null;
}

/** README.md and every .md under docs/ (recorded experiment reports included). */
export function markdownFiles(): string[] {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : name.endsWith('.md') ? [p] : [];
  });
  return [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs'))].map((p) => relative(ROOT, p)).sort();
}

const SKIP = /^<!-- doc-test: skip \((.+)\) -->$/;

/** The fenced blocks of one Markdown file, in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.trim() === open[1]);
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    const marker = SKIP.exec((lines[i - 1] ?? '').trim());
    blocks.push({ file, line: i + 1, lang: open[2]!, code: lines.slice(i + 1, end).join('\n'), skip: marker ? marker[1]! : null });
    i = end;
  }
  return blocks;
}

/** Inline code spans outside fenced blocks (`like this`). */
export function inlineCode(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, '');
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

/**
 * The text of the section under the heading `heading` (`# heading` or `## heading`), up to
 * the next heading of the same or a higher level outside code blocks: a guide page's
 * `# Title` is the whole page.
 */
export function section(file: string, heading: string): string {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  let fence = false;
  let start = -1;
  let level = 0;
  for (const [i, line] of lines.entries()) {
    if (/^`{3,}/.test(line)) fence = !fence;
    if (fence) continue;
    const h = /^(#{1,6}) (.*)$/.exec(line);
    if (!h) continue;
    if (start < 0 && h[2] === heading && h[1]!.length <= 2) [start, level] = [i, h[1]!.length];
    else if (start >= 0 && h[1]!.length <= level) return lines.slice(start, i).join('\n');
  }
  if (start < 0) throw new Error(`${file}: no section '# ${heading}' or '## ${heading}'`);
  return lines.slice(start).join('\n');
}

/** The guide's folder: docs/guide/README.md is its index, one page per topic beside it. */
export const GUIDE = 'docs/guide';

/**
 * The guide's pages (paths relative to the repository root) in the order its index
 * (docs/guide/README.md) links them, then any page the index does not link, by name.
 */
export function guidePages(): string[] {
  const index = readFileSync(join(ROOT, GUIDE, 'README.md'), 'utf8');
  const linked = [...index.matchAll(/\]\(([\w.-]+\.md)\)/g)].map((m) => m[1]!);
  const all = readdirSync(join(ROOT, GUIDE)).filter((f) => f.endsWith('.md') && f !== 'README.md').sort();
  return [...new Set([...linked.filter((f) => all.includes(f)), ...all])].map((f) => `${GUIDE}/${f}`);
}

/** README.md, then the guide's index and its pages in order: the documents the README's "What is where" opens. */
export function readmeAndGuide(): string[] {
  return ['README.md', `${GUIDE}/README.md`, ...guidePages()];
}
