/**
 * The guide's "What is there" and "Building and training networks in code" lists
 * (docs/guide/what-is-there.md and docs/guide/training.md, once sections of the README)
 * are checked against the actual exports: every name in backticks exists where
 * the guide says (a `tg.X` function, an `x.X()` method, `tg.F.X`, `tg.nn.X`, ...).
 * The names are read from the guide, so a name added there is checked too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { section } from './markdown.js';

type Where = 'tg' | 'method' | 'F' | 'nn' | 'module' | 'optim' | 'data' | 'path';

const x = tg.ones([2, 2]);
const has = (obj: unknown, name: string) => obj !== null && obj !== undefined && name in (obj as object) && (obj as Record<string, unknown>)[name] !== undefined;
const ROOTS: Record<string, unknown> = { tg, F: tg.F, nn: tg.nn };

/** `tg.a.b`, `F.x`, `nn.init`: resolved from the package. */
function resolvePath(path: string): boolean {
  const [head, ...rest] = path.split('.');
  let cur: unknown = ROOTS[head!];
  for (const p of rest) {
    if (!has(cur, p)) return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur !== undefined;
}

const CHECK: Record<Where, (name: string) => boolean> = {
  tg: (n) => typeof (tg as Record<string, unknown>)[n] === 'function',
  method: (n) => has(x, n),
  F: (n) => typeof (tg.F as Record<string, unknown>)[n] === 'function',
  nn: (n) => has(tg.nn, n),
  module: (n) => has(tg.nn.Module.prototype, n),
  optim: (n) => has(tg.optim, n),
  data: (n) => has(tg.data, n),
  path: resolvePath,
};

/** `conv1d/2d/3d` -> conv1d conv2d conv3d; `logicalAnd/Or/Not` -> logicalAnd logicalOr logicalNot. */
function expandSlashes(token: string): string[] {
  const [first, ...others] = token.split('/');
  return [first!, ...others.map((o) => {
    const cut = /^\d/.test(o) ? first!.search(/\d/) : Math.max(...[...first!].map((c, i) => (/[A-Z]/.test(c) ? i : -1)));
    return cut > 0 ? first!.slice(0, cut) + o : o;
  })];
}

/** The identifiers of the backtick spans of `text`: `stateDict()` -> stateDict, `await array()` -> array; illustrations like `x.add(y)` are left out. */
function names(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].flatMap((m) => {
    const span = m[1]!.replace(/^await /, '').replace(/\(([^()]*)\)$/, (all, args: string) => (args === '' || /^[a-z{}, ]+$/i.test(args) ? '' : all));
    if (/^[a-z]\.\w+\(/.test(span) || /[(){}'"=:]/.test(span)) return [];
    return span.split(/\s+/).flatMap(expandSlashes).filter((n) => /^[A-Za-z_][\w.]*$/.test(n));
  });
}

/** Checks every name of `text`: dotted ones as paths, the others where `where` says. */
function checkNames(label: string, text: string, where: Where[], skip: readonly string[] = []): void {
  const list = names(text).filter((n) => !skip.includes(n));
  assert.ok(list.length > 0, `${label}: no names found (has the guide's text changed shape?)`);
  const missing = list.flatMap((n) => (n.includes('.') ? (CHECK.path(n) ? [] : [`${n}`]) : where.filter((w) => !CHECK[w](n)).map((w) => `${n} (${w})`)));
  assert.deepEqual(missing, [], `${label}: the guide lists names that do not exist where it says`);
}

/** The guide's line (bullet) starting with `start`, up to the next bullet or paragraph. */
function chunk(text: string, start: string): string {
  const i = text.indexOf(start);
  assert.ok(i >= 0, `guide text '${start}' not found`);
  const rest = text.slice(i + start.length);
  const end = rest.search(/\n- |\n\n/);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('guide: what is there', () => {
  const what = section('docs/guide/what-is-there.md', 'What is there');
  const code = section('docs/guide/training.md', 'Building and training networks in code');

  test('tensor creation and read-out', () => {
    const t = chunk(what, '**Tensors**');
    const creation = t.slice(t.indexOf('Creation:'), t.indexOf('; `tg.manualSeed'));
    checkNames('creation', creation.replace('`*Like`', '`zerosLike onesLike fullLike randLike randnLike`'), ['tg']);
    checkNames('read-out', t.slice(t.indexOf('Read-out:')), ['method']);
    checkNames('seeding', t.slice(t.indexOf('; `tg.manualSeed'), t.indexOf('Read-out:')), ['path']);
  });

  test('views are tensor methods', () => checkNames('views', chunk(what, '**Views without copies**'), ['method']));

  test('ops are functions and methods; activations in tg.F too', () => {
    checkNames('elementwise', chunk(what, '- elementwise'), ['tg', 'method']);
    const act = chunk(what, '- activations:');
    const [both, fOnly] = act.split('and in `tg.F` also');
    checkNames('activations', both!, ['tg', 'method', 'F']);
    checkNames('activations in tg.F', fOnly!, ['F']);
    checkNames('reductions', chunk(what, '- reductions').split(':')[1]!, ['tg', 'method']);
    checkNames('shape', chunk(what, '- shape:'), ['tg', 'method']);
    checkNames('linear algebra', chunk(what, '- linear algebra:'), ['tg', 'method']);
    checkNames('in place', chunk(what, '- in place').split(':')[1]!, ['method']);
  });

  test('tg.F', () => {
    // `maxPool`/`avgPool`/... 1d/2d/3d: each name in the three sizes.
    const f = chunk(what, '- `tg.F` (= `tg.nn.functional`):').replace(/((?:`\w+`\/)*`\w+`) 1d\/2d\/3d/, (all: string) =>
      all.replace(' 1d/2d/3d', '').replace(/`(\w+)`/g, '`$11d $12d $13d`'));
    checkNames('tg.F', f, ['F']);
  });

  test('autograd', () => {
    const a = chunk(what, '**Autograd**').replace(/`loss\.backward\(\)`|`y\.backward\(gradient\)`/g, '`backward`');
    checkNames('autograd', a.replace(/`\.grad`/, '`grad`').replace(/`\{ [^`]+ \}`/g, ''), ['method'], ['passed', 'inputs', 'report']);
  });

  test('tg.nn, tg.optim, tg.data and the rest', () => {
    const nnText = chunk(code, '- `tg.nn`:');
    const methods = nnText.slice(0, nnText.indexOf('`Linear`'));
    checkNames('nn.Module members', methods, ['module'], ['Module', 'sd', 'strict', 'dtype']);
    checkNames('nn layers', nnText.slice(nnText.indexOf('`Linear`')), ['nn'], ['paddingMode']);
    checkNames('optim', chunk(code, '- `tg.optim`:'), ['optim'], ['stateDict']);
    checkNames('data', chunk(code, '- `tg.data`:'), ['data'], ['dropLast']);
    checkNames('package', `\`tg.save\`${chunk(code, '- `tg.save`')}`, ['path']);
  });
});
