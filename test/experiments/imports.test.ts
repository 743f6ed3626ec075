/**
 * Inside src/experiments and src/train, no file imports itself back through
 * others (shared types live in experiments/types.ts, so report.ts and
 * runner.ts need not import each other), and neither folder imports src/cli.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = join(import.meta.dirname, '../../src');
const FOLDERS = ['experiments', 'train'];

/** Relative specifiers of static imports/exports (type-only included) and literal dynamic imports. */
function importsOf(source: string): string[] {
  const patterns = [/(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"](\.[^'"]+)['"]/g, /(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g, /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]!));
}

/** file (relative to src/, .ts) -> the files it imports, as written (.js specifiers mapped to .ts). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const folder of FOLDERS) {
    for (const name of readdirSync(join(SRC, folder)).filter((n) => n.endsWith('.ts'))) {
      const file = join(SRC, folder, name);
      const targets = importsOf(readFileSync(file, 'utf8')).map((spec) => relative(SRC, normalize(join(dirname(file), spec))).replace(/\.js$/, '.ts'));
      g.set(relative(SRC, file), targets);
    }
  }
  return g;
}

test('src/experiments and src/train have no import cycle between their files', () => {
  const g = graph();
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done' || !g.has(f)) return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const t of g.get(f)!) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of g.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('src/experiments and src/train do not import src/cli', () => {
  const upward = [...graph()].flatMap(([f, targets]) => targets.filter((t) => t.startsWith('cli/')).map((t) => `${f} imports ${t}`));
  assert.deepEqual(upward, []);
});
