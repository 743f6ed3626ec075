/**
 * Running the tutorials (docs/tutorials/NN-slug.ts) and filling their chapters
 * (NN-slug.md) with what they print: shared by scripts/tutorials.mjs (which
 * rewrites the chapters) and test/docs/tutorials.test.ts (which checks them).
 * `from 'tensorgrad'` in a tutorial resolves to this checkout's src/index.ts
 * (the `paths` of docs/tutorials/tsconfig.json, which tsx follows).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SpawnSyncReturns } from 'node:child_process';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
export const DIR = join(ROOT, 'docs/tutorials');

/** The tutorial programs, sorted: `NN-slug.ts` (two digits, a dash, a slug). */
export interface Tutorial {
  /** `NN-slug.ts` */
  file: string;
  /** `NN-slug` */
  slug: string;
  /** `NN-slug.md` */
  chapter: string;
}

export function tutorials(): Tutorial[] {
  return readdirSync(DIR).filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f)).sort().map((file) => ({
    file, slug: file.replace(/\.ts$/, ''), chapter: file.replace(/\.ts$/, '.md'),
  }));
}

const OUTPUT = /<!-- output:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/output -->/g;
/** A block that only a `--full` run fills: what the chapter shows from the course's settings. */
const FULL_OUTPUT = /<!-- output-full:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/output -->/g;

/**
 * The output names a chapter asks for, in order: those of its quick blocks
 * (`<!-- output:name -->`) and, with `full`, of its full-settings blocks
 * (`<!-- output-full:name -->`). The program makes the same names in both modes.
 */
export function outputMarkers(markdown: string, full = true): string[] {
  const names = [...markdown.matchAll(OUTPUT)].map((m) => m[1]!);
  return full ? [...names, ...[...markdown.matchAll(FULL_OUTPUT)].map((m) => m[1]!)] : names;
}

/** Relative link targets of a chapter (`[text](target)` and `![alt](target)`), without #fragments; web links left out. */
export function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/^```[^\n]*\n[\s\S]*?\n```\s*$/gm, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split('#')[0]!)
    .filter((t) => t && !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/**
 * Runs one tutorial (`full`: with --full) as a user would, with its named outputs
 * written to a temporary folder (and its images also to `imageDir` when given).
 * Returns the exit status, stdout/stderr, seconds and the outputs by name.
 */
export interface TutorialRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Named outputs (`show(name, text)`), by name. */
  outputs: Map<string, string>;
  /** Images written, as chapter-relative paths (`images/NN-name.png`). */
  images: string[];
}

export interface RunOptions {
  /** Pass --full (the full settings). */
  full?: boolean;
  /** Also write the images here (docs/tutorials/images when regenerating). */
  imageDir?: string;
  timeoutMs?: number;
}

export function runTutorial(file: string, { full = false, imageDir, timeoutMs = 30 * 60_000 }: RunOptions = {}): TutorialRun {
  const out = mkdtempSync(join(tmpdir(), 'tg-tutorial-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TSX_TSCONFIG_PATH: join(DIR, 'tsconfig.json'), TENSORGRAD_TUTORIAL_OUT: out };
  delete env.TENSORGRAD_BACKEND;   // a user's default backend
  if (imageDir) env.TENSORGRAD_TUTORIAL_IMAGES = imageDir;
  else delete env.TENSORGRAD_TUTORIAL_IMAGES;
  const tsx = createRequire(join(ROOT, 'package.json')).resolve('tsx');
  const started = performance.now();
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, ['--import', pathToFileURL(tsx).href, join(DIR, file), ...(full ? ['--full'] : [])],
    { cwd: ROOT, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  const outputs = new Map<string, string>();
  const images: string[] = [];
  if (existsSync(out)) {
    for (const f of readdirSync(out)) if (f.endsWith('.txt')) outputs.set(f.slice(0, -4), readFileSync(join(out, f), 'utf8'));
    if (existsSync(join(out, 'images'))) images.push(...readdirSync(join(out, 'images')).map((f) => `images/${f}`));
    rmSync(out, { recursive: true, force: true });
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds, outputs, images };
}

/**
 * The chapter with its quick output blocks (`<!-- output:name -->`) and settings line replaced, or with
 * `full` its full-settings blocks (`<!-- output-full:name -->`) and `<!-- settings-full -->` line;
 * throws on a block the program did not produce.
 */
export function fillChapter(markdown: string, outputs: ReadonlyMap<string, string>, settingsLine: string, full = false): string {
  const blocks = full ? FULL_OUTPUT : OUTPUT;
  const names = [...markdown.matchAll(blocks)].map((m) => m[1]!);
  const missing = names.filter((n) => !outputs.has(n));
  if (missing.length) throw new Error(`no output named ${missing.join(', ')} (the program's outputs: ${[...outputs.keys()].join(', ')})`);
  const tag = full ? 'output-full' : 'output';
  const settings = full ? 'settings-full' : 'settings';
  return markdown
    .replace(blocks, (_, name: string) => `<!-- ${tag}:${name} -->\n\`\`\`text\n${outputs.get(name)!.replace(/\s+$/, '')}\n\`\`\`\n<!-- /output -->`)
    .replace(new RegExp(`<!-- ${settings} -->[\\s\\S]*?<!-- \\/settings -->`, 'g'), `<!-- ${settings} -->\n${settingsLine}\n<!-- /settings -->`);
}

