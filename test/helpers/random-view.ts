import type { Layout } from '../../src/backend/backend.js';
import { randInt } from './prng.js';

type Rnd = () => number;

/**
 * A random view of `shape` over a buffer, for kernel tests: dims in a random
 * memory order, some broadcast (stride 0, with probability `broadcast`),
 * flipped (negative stride) or gapped (a skipped element per step), from a
 * random offset. `length` is the buffer size the view needs, plus up to
 * `slack` spare elements at the end.
 */
export function randomView(rnd: Rnd, shape: number[], opts: { broadcast?: number; slack?: number } = {}): { layout: Layout; length: number } {
  const { broadcast = 0.15, slack = 0 } = opts;
  const r = shape.length;
  const order = [...Array(r).keys()].sort(() => rnd() - 0.5);
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (const d of order.reverse()) {
    if (rnd() < broadcast) continue;
    strides[d] = s;
    s *= Math.max(shape[d]!, 1) + (rnd() < 0.2 ? 1 : 0);
  }
  let offset = randInt(rnd, 0, 3);
  let reach = 0;
  for (let d = 0; d < r; d++) {
    const ext = Math.max(shape[d]! - 1, 0) * strides[d]!;
    if (strides[d]! > 0 && rnd() < 0.3) {
      offset += ext;
      strides[d] = -strides[d]!;
    }
    reach += ext;
  }
  return { layout: { shape, strides, offset }, length: offset + reach + 1 + (slack ? randInt(rnd, 0, slack) : 0) };
}
