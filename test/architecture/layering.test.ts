/**
 * The folders of src/ import downward only (ARCHITECTURE.md, "Layering"):
 * every relative import, type-only ones included, goes to the same folder or
 * to a lower layer, so there is no import loop between folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = join(import.meta.dirname, '../../src');

/** Layers from the ground up; a folder may import its own layer's other folders only without a loop. */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],                                        // dtypes, shapes, errors
  ['util'],                                        // Node builtins, atomic files
  ['backend'],                                     // the Backend contract and its implementations
  ['tensor'],                                      // Tensor data, creation, the recording half of autograd
  ['ops'],                                         // the op surface, and Tensor's op methods
  ['autograd'],                                    // the backward engine and the gradient table
  ['nn'],
  ['optim', 'data', 'models', 'analysis', 'viz'],
  ['io', 'onnx'],                                  // file formats: safetensors, checkpoints, numpy, ONNX
  ['train'],
  ['experiments', 'index.ts'],
  ['cli'],
];

const layerOf = new Map<string, number>(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'build' ? [] : sourceFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of static imports/exports (type-only included) and literal dynamic imports. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"](\.[^'"]+)['"]/g,
    /(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
    /(?:^|\n)\s*declare module\s*['"](\.[^'"]+)['"]/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

/** The top folder of src/ a path is in ('index.ts' for files at the top). */
const folderOf = (file: string): string => relative(SRC, file).split(/[\\/]/)[0]!;

interface Edge { from: string; to: string; file: string; spec: string }

function folderEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = normalize(join(dirname(file), spec));
      const from = folderOf(file), to = folderOf(target);
      if (from !== to) edges.push({ from, to, file: relative(SRC, file), spec });
    }
  }
  return edges;
}

test('every folder of src/ has a layer', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory() || n.endsWith('.ts'));
  const unplaced = folders.filter((f) => !layerOf.has(f));
  assert.deepEqual(unplaced, [], `add these to LAYERS in ${relative(process.cwd(), import.meta.filename)} (and to ARCHITECTURE.md): ${unplaced.join(', ')}`);
});

test('imports between folders of src/ go downward only', () => {
  const upward = folderEdges()
    .filter((e) => layerOf.has(e.from) && layerOf.has(e.to) && layerOf.get(e.to)! > layerOf.get(e.from)!)
    .map((e) => `src/${e.file} imports '${e.spec}': ${e.to} (layer ${layerOf.get(e.to)}) sits above ${e.from} (layer ${layerOf.get(e.from)})`);
  assert.deepEqual(upward, []);
});

test('no import loop between folders of src/', () => {
  const next = new Map<string, Set<string>>();
  const example = new Map<string, Edge>();
  for (const e of folderEdges()) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
    if (!example.has(`${e.from}>${e.to}`)) example.set(`${e.from}>${e.to}`, e);
  }
  const reaches = (a: string, b: string): boolean => {
    const seen = new Set<string>([a]);
    const stack = [a];
    while (stack.length) {
      for (const n of next.get(stack.pop()!) ?? []) {
        if (n === b) return true;
        if (!seen.has(n)) seen.add(n), stack.push(n);
      }
    }
    return false;
  };
  const loops: string[] = [];
  for (const [from, tos] of next) {
    for (const to of tos) {
      if (reaches(to, from)) {
        const e = example.get(`${from}>${to}`)!;
        loops.push(`${from} -> ${to} (src/${e.file} imports '${e.spec}') closes a loop back to ${from}`);
      }
    }
  }
  assert.deepEqual(loops, []);
});
