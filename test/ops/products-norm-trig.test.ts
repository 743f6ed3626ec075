import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { broadcastableTo, checkOp, randomShape } from '../helpers/check-op.js';
import { fromFn, get, map, reduceAxes, zip, type ND } from '../helpers/ndarray.js';
import { fallbackCounts } from '../../src/backend/wasm/fallback.js';

const throwsNaming = (fn: () => unknown, op: string) =>
  assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && e.message.startsWith(`${op}:`), `${op} should throw a TensorError naming it`);

/** Plain triple-loop matrix product of the last two dims with equal leading dims. */
function matmulRef(a: ND, b: ND): ND {
  const r = a.shape.length;
  const [n, m] = a.shape.slice(-2) as [number, number];
  const p = b.shape[r - 1]!;
  return fromFn([...a.shape.slice(0, -2), n, p], (idx) => {
    const lead = idx.slice(0, -2);
    let s = 0;
    for (let k = 0; k < m; k++) s += get(a, [...lead, idx[r - 2]!, k]) * get(b, [...lead, k, idx[r - 1]!]);
    return s;
  });
}

describe('mm / bmm / mv / dot / outer', () => {
  test('mm and bmm', async () => {
    await checkOp({ shapes: (g) => { const [n, m, p] = [g.randint(1, 5), g.randint(1, 5), g.randint(1, 5)]; return [[n, m], [m, p]]; }, op: (a, b) => a.mm(b!), reference: matmulRef });
    await checkOp({ shapes: (g) => { const [b, n, m, p] = [g.randint(1, 4), g.randint(1, 5), g.randint(1, 5), g.randint(1, 5)]; return [[b, n, m], [b, m, p]]; }, op: (a, b) => tg.bmm(a, b!), reference: matmulRef });
  });
  test('mv, dot, outer', async () => {
    await checkOp({ shapes: [[3, 4], [4]], op: (a, v) => a.mv(v!), reference: (a, v) => fromFn([3], ([i]) => [0, 1, 2, 3].reduce((s, k) => s + get(a, [i!, k]) * v!.data[k]!, 0)) });
    await checkOp({ shapes: [[5], [5]], op: (a, b) => tg.dot(a, b!), reference: (a, b) => fromFn([], () => a.data.reduce((s, v, i) => s + v * b!.data[i]!, 0)) });
    await checkOp({ shapes: [[3], [4]], op: (a, b) => a.outer(b!), reference: (a, b) => fromFn([3, 4], ([i, j]) => a.data[i!]! * b!.data[j!]!) });
  });
  test('wrong calls', () => {
    throwsNaming(() => tg.mm(tg.ones([2, 3]), tg.ones([2, 3])), 'mm');
    throwsNaming(() => tg.mm(tg.ones([2, 2, 3]), tg.ones([3, 2])), 'mm');
    throwsNaming(() => tg.bmm(tg.ones([2, 2, 3]), tg.ones([3, 3, 2])), 'bmm');
    throwsNaming(() => tg.bmm(tg.ones([2, 3]), tg.ones([3, 2])), 'bmm');
    throwsNaming(() => tg.bmm(tg.ones([2, 2, 3]), tg.ones([2, 2, 2])), 'bmm');
    throwsNaming(() => tg.mv(tg.ones([2, 3]), tg.ones([2])), 'mv');
    throwsNaming(() => tg.dot(tg.ones([2]), tg.ones([3])), 'dot');
    throwsNaming(() => tg.outer(tg.ones([2, 1]), tg.ones([3])), 'outer');
    throwsNaming(() => tg.outer(tg.ones([2]), [1, 2] as unknown as tg.Tensor), 'outer');
  });
});

const pnorm = (p: number) => (v: number[]): number => {
  const a = v.map(Math.abs);
  if (p === Infinity) return Math.max(...a);
  if (p === -Infinity) return Math.min(...a);
  if (p === 0) return a.filter((e) => e !== 0).length;
  return a.reduce((s, e) => s + e ** p, 0) ** (1 / p);
};

describe('norm', () => {
  for (const p of [2, 'fro', 1, 3, 0.5, Infinity, -Infinity, 0] as const) {
    test(`p = ${p}`, async () => {
      let axes: number[] | undefined;
      let keep = false;
      await checkOp({
        cases: 4,
        shapes: (g) => {
          const s = randomShape(g, 1, 3);
          axes = g.uniform() < 0.3 ? undefined : [g.randint(0, s.length)];
          keep = g.uniform() < 0.5;
          return [s];
        },
        op: (x) => x.norm(p, axes, keep),
        reference: (x) => reduceAxes(x, axes, keep, pnorm(p === 'fro' ? 2 : p)),
        // away from 0 and from ties so finite differences are valid
        values: (g) => (g.uniform() < 0.5 ? -1 : 1) * (0.3 + g.uniform() * 2 + 0.001 * g.normal()),
        grad: p === 0 ? false : undefined,
      });
    });
  }
  test('default is the 2-norm of everything; options form', () => {
    assert.equal(tg.tensor([[3, 0], [0, 4]]).norm().item(), 5);
    assert.deepEqual(tg.norm(tg.tensor([[3, 4], [6, 8]]), { p: 1, dim: 1, keepdim: true }).toArray(), [[7], [14]]);
  });
  test('the gradient at a zero norm is 0, as in PyTorch', () => {
    for (const p of [2, 1, 3, 0.5, Infinity]) {
      const x = tg.zeros([2, 3], { requiresGrad: true, dtype: 'float64' });
      x.norm(p, 1).sum().backward();
      assert.deepEqual(x.grad!.toArray(), [[0, 0, 0], [0, 0, 0]], `p = ${p}`);
    }
    // p < 1 with some zero elements: those get gradient 0, the others the usual one.
    const y = tg.tensor([0, 4], { requiresGrad: true, dtype: 'float64' });
    y.norm(0.5).backward();
    assert.equal((y.grad!.toArray() as number[])[0], 0);
    assert.ok(Number.isFinite((y.grad!.toArray() as number[])[1]!));
  });
  test('wrong calls', () => {
    const x = tg.ones([2, 3]);
    throwsNaming(() => x.norm('nuc' as unknown as number), 'norm');
    throwsNaming(() => x.norm(2, 2), 'norm');
    throwsNaming(() => x.norm(2, { dim: 1 } as unknown as number), 'norm');
    throwsNaming(() => x.norm(2, 1, 'yes' as unknown as boolean), 'norm');
    throwsNaming(() => x.norm({ q: 2 } as unknown as tg.NormOptions), 'norm');
    throwsNaming(() => tg.tensor([1, 2], { dtype: 'int32' }).norm(), 'norm');
  });
});

const positive = (g: tg.Generator) => 0.2 + 2 * g.uniform();

describe('tan / atan / atan2 / log2 / log10', () => {
  const cases: [string, (x: tg.Tensor) => tg.Tensor, (x: number) => number, ((g: tg.Generator) => number)?][] = [
    ['tan', (x) => x.tan(), Math.tan, (g) => g.uniform() * 2.4 - 1.2],
    ['atan', (x) => tg.atan(x), Math.atan],
    ['log2', (x) => x.log2(), Math.log2, positive],
    ['log10', (x) => tg.log10(x), Math.log10, positive],
  ];
  for (const [name, op, ref, values] of cases) {
    test(name, async () => {
      await checkOp({ shapes: (g) => [randomShape(g, 0, 3)], op, reference: (x) => map(x, ref), values });
    });
  }
  test('log2/log10 are exact at powers of the base', () => {
    assert.deepEqual(tg.tensor([1, 8, 1024, 0.125]).log2().toArray(), [0, 3, 10, -3]);
    assert.deepEqual(tg.tensor([1, 10, 1000, 0.01], { dtype: 'float64' }).log10().toArray(), [0, 1, 3, -2]);
  });
  test('atan2 with broadcasting, all quadrants', async () => {
    await checkOp({
      cases: 4,
      shapes: (g) => {
        const s = randomShape(g, 1, 3);
        return g.uniform() < 0.5 ? [s, broadcastableTo(g, s)] : [broadcastableTo(g, s), s];
      },
      op: (a, b) => a.atan2(b!),
      reference: (a, b) => zip(Math.atan2, a, b!),
      // keep away from the branch cut (b < 0, a = 0)
      values: (g, i) => (i === 0 ? (g.uniform() < 0.5 ? -1 : 1) * (0.2 + g.uniform()) : g.normal()),
    });
    assert.equal(tg.atan2(tg.tensor([1], { dtype: 'int32' }), tg.tensor([1], { dtype: 'int32' })).dtype, 'float32');
    assert.equal(tg.atan2(tg.tensor([0]), -1).item(), Math.fround(Math.PI));
  });
});

describe('wasm kernels for the new elementwise ops', () => {
  test('tan/atan/log2/log10/atan2 run in wasm and match the reference, specials included', async () => {
    const wasm = await tg.initWasmBackend();
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 8, 1e-30];
    const g = new tg.Generator(7);
    const vals = [...specials, ...Array.from({ length: 50 }, () => g.normal() * 3)];
    const other = vals.map((_, i) => vals[(i * 7 + 3) % vals.length]!);
    for (const dtype of ['float32', 'float64'] as const) {
      const tol = dtype === 'float32' ? 2e-6 : 1e-14;
      const on = (b: tg.Backend, v: number[]) => tg.tensor(v, { dtype, backend: b });
      const ops: [string, (b: tg.Backend) => tg.Tensor][] = [
        ['tan', (b) => on(b, vals).tan()], ['atan', (b) => on(b, vals).atan()],
        ['log2', (b) => on(b, vals).log2()], ['log10', (b) => on(b, vals).log10()],
        ['atan2', (b) => on(b, vals).atan2(on(b, other))],
      ];
      for (const [name, f] of ops) {
        fallbackCounts.clear();
        const got = f(wasm).data();
        assert.equal(fallbackCounts.size, 0, `${name} ${dtype} ran in wasm`);
        const want = f(tg.referenceBackend).data();
        for (let i = 0; i < want.length; i++) {
          const [a, e] = [got[i]!, want[i]!];
          if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
          assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${name} ${dtype} at ${vals[i]}: ${a} vs ${e}`);
        }
      }
    }
  });
});
