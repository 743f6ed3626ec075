/**
 * The wasm elementwise drivers' shortcut for dense and row-broadcast operands
 * (elementwise.ts densePlan) must give exactly what the general plan gives:
 * random shapes (with size-1 dims), operands dense, row-broadcast (a bias
 * expanded over leading dims), offset, or strided (the general path), for
 * binary ops, unary ops and strided copies, compared bit for bit with the
 * reference backend (add/mul/relu/copy are exactly rounded in float32).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Layout, Storage } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng, randInt } from '../helpers/prng.js';

const wasm = await createWasmBackend({ name: 'wasm-plan', threads: 1 });
const dense = (shape: number[]): Layout => ({ shape, strides: contiguousStrides(shape), offset: 0 });
const readAll = (be: Backend, s: Storage, shape: number[]) => Array.from(be.read(s, dense(shape)) as ArrayLike<number>);

type Kind = 'dense' | 'row' | 'offset' | 'strided';

/** An operand of `shape` read as `kind`: its layout and the buffer length it needs. */
function operand(shape: number[], kind: Kind): { layout: Layout; length: number } {
  const n = shape.reduce((a, b) => a * b, 1);
  const last = shape[shape.length - 1]!;
  switch (kind) {
    case 'dense': return { layout: dense(shape), length: n };
    case 'offset': return { layout: { ...dense(shape), offset: 3 }, length: n + 3 };
    case 'row': return { layout: { shape, strides: shape.map((_, i) => (i === shape.length - 1 ? 1 : 0)), offset: 0 }, length: last };
    case 'strided': return { layout: { shape, strides: contiguousStrides(shape).map((s) => 2 * s), offset: 1 }, length: 2 * n + 1 };
  }
}

test('dense and row-broadcast shortcuts match the reference bit for bit (binary, unary, copy)', () => {
  const rnd = prng(1234);
  const kinds: Kind[] = ['dense', 'row', 'offset', 'strided'];
  for (let iter = 0; iter < 300; iter++) {
    const rank = randInt(rnd, 1, 4);
    const shape = Array.from({ length: rank }, () => (rnd() < 0.25 ? 1 : randInt(rnd, 1, 9)));
    const ka = kinds[randInt(rnd, 0, 3)]!, kb = kinds[randInt(rnd, 0, 3)]!;
    const a = operand(shape, ka), b = operand(shape, kb);
    const av = Float32Array.from({ length: a.length }, () => rnd() * 4 - 2), bv = Float32Array.from({ length: b.length }, () => rnd() * 4 - 2);
    const what = `shape [${shape}] a ${ka} b ${kb}`;
    const run = (be: Backend) => {
      const sa = be.fromArray('float32', av), sb = be.fromArray('float32', bv);
      const out = (s: Storage) => readAll(be, s, shape);
      const copied = be.alloc('float32', shape.reduce((x, y) => x * y, 1) + 5);
      be.copy(copied, { ...dense(shape), offset: 5 }, sa, a.layout); // strided copy into an offset view
      return {
        add: out(be.binary('add', sa, a.layout, sb, b.layout, 'float32')),
        mul: out(be.binary('mul', sb, b.layout, sa, a.layout, 'float32')),
        relu: out(be.unary('relu', sa, a.layout, 'float32')),
        copy: Array.from(be.read(copied, { ...dense(shape), offset: 5 }) as ArrayLike<number>),
      };
    };
    assert.deepEqual(run(wasm), run(referenceBackend), what);
  }
});
