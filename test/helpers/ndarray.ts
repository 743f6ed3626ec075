/**
 * A tiny float64 N-d array for writing independent reference implementations in
 * tests: plain loops over plain data, sharing no code with the library.
 */
export interface ND {
  shape: number[];
  data: Float64Array;
}

export function nd(shape: readonly number[], data?: ArrayLike<number>): ND {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  if (data) d.set(data);
  return { shape: [...shape], data: d };
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Multi-index of flat position `i`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < shape.length; d++) off = off * shape[d]! + idx[d]!;
  return off;
}

export function get(a: ND, idx: readonly number[]): number {
  return a.data[ravel(idx, a.shape)]!;
}

/** Builds an array by evaluating f at every multi-index. */
export function fromFn(shape: readonly number[], f: (idx: number[]) => number): ND {
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(unravel(i, shape));
  return out;
}

export function broadcastShape(...shapes: number[][]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: r }, (_, i) =>
    Math.max(...shapes.map((s) => (i - (r - s.length) >= 0 ? s[i - (r - s.length)]! : 1))),
  );
}

/** Value of `a` at output index `idx` under broadcasting. */
export function getBroadcast(a: ND, idx: readonly number[]): number {
  const lead = idx.length - a.shape.length;
  const own = a.shape.map((d, i) => (d === 1 ? 0 : idx[i + lead]!));
  return get(a, own);
}

export function map(a: ND, f: (x: number) => number): ND {
  return { shape: [...a.shape], data: a.data.map(f) };
}

export function zip(f: (...xs: number[]) => number, ...arrays: ND[]): ND {
  const shape = broadcastShape(...arrays.map((a) => a.shape));
  return fromFn(shape, (idx) => f(...arrays.map((a) => getBroadcast(a, idx))));
}

/** Reduces `axes` (all if undefined) with `f` over the list of values. */
export function reduceAxes(a: ND, axes: number[] | undefined, keepdim: boolean, f: (vals: number[]) => number): ND {
  const ax = (axes ?? a.shape.map((_, i) => i)).map((d) => (d < 0 ? d + a.shape.length : d));
  const outKeep = a.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape);
    const o = ravel(idx.map((v, d) => (ax.includes(d) ? 0 : v)), outKeep);
    if (!groups.has(o)) groups.set(o, []);
    groups.get(o)!.push(a.data[i]!);
  }
  const out = nd(outKeep);
  for (let o = 0; o < out.data.length; o++) out.data[o] = f(groups.get(o) ?? []);
  return keepdim ? out : { shape: outKeep.filter((_, i) => !ax.includes(i)), data: out.data };
}
