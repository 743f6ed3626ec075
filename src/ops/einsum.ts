import { describeArg } from '../tensor/args.js';
import { isFloating, promoteTypes } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { scalar } from './core.js';
import { cast, eq, mul, where } from './elementwise.js';
import { matmul } from './linalg.js';
import { expand, permute, reshape, unsqueeze } from './movement.js';
import { arangeOn } from './range.js';
import { sum } from './reduce.js';

/*
 * Einstein summation as a composite. Each operand's subscripts become labels
 * (letters, plus one label per dim an ellipsis covers, aligned from the right
 * like broadcasting). Then, per operand: broadcast size-1 dims, take
 * diagonals for repeated labels (where + sum), sum labels used nowhere else;
 * then operands are contracted left to right with one batched matmul each
 * (shared labels still needed later are batch dims, the others are summed);
 * finally leftover labels are summed and the result permuted to the output
 * order. So einsum is as fast as the matmul it reduces to, and its gradient
 * comes from the matmul, permute, reshape, where and sum rules.
 */

type Labeled = { t: Tensor; labels: string[] };

const LETTER = /^[a-zA-Z]$/;

/** Parses one subscript term into letters with '...' as the token '.'. */
function parseTerm(term: string, what: string, equation: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith('...', i)) {
      if (out.includes('.')) throw new TensorError(`einsum: ${what} '${term}' has more than one ellipsis (equation '${equation}')`);
      out.push('.');
      i += 2;
    } else if (LETTER.test(term[i]!)) out.push(term[i]!);
    else throw new TensorError(`einsum: invalid subscript '${term[i]}' in ${what} '${term}' (equation '${equation}'); use letters a-z, A-Z and '...'`);
  }
  return out;
}

/** Replaces the ellipsis token by one label per covered dim ('.0', '.1', ... right-aligned to `ellRank`). */
function expandEllipsis(term: string[], ndim: number | null, ellRank: number): string[] {
  const i = term.indexOf('.');
  if (i < 0) return term;
  const covered = ndim === null ? ellRank : ndim - (term.length - 1);
  const labels = Array.from({ length: covered }, (_, k) => `.${ellRank - covered + k}`);
  return [...term.slice(0, i), ...labels, ...term.slice(i + 1)];
}

/** Sums `x` over the labels for which `drop` is true. */
function sumLabels(x: Labeled, drop: (label: string) => boolean): Labeled {
  const axes = x.labels.flatMap((l, i) => (drop(l) ? [i] : []));
  if (!axes.length) return x;
  return { t: sum(x.t, axes), labels: x.labels.filter((l) => !drop(l)) };
}

/** Takes the diagonal over each repeated label (keeping its first position). */
function diagonals(x: Labeled): Labeled {
  let { t, labels } = x;
  for (;;) {
    const q = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (q < 0) return { t, labels };
    const p = labels.indexOf(labels[q]!);
    const n = t.shape[p]!;
    const r = arangeOn(n, 'int32', t.backend);
    const shapeAt = (axis: number) => t.shape.map((_, i) => (i === axis ? n : 1));
    const onDiag = eq(reshape(r, shapeAt(p)), reshape(r, shapeAt(q)));
    t = sum(where(onDiag, t, scalar(0, t.dtype, t.backend)), q);
    labels = labels.filter((_, i) => i !== q);
  }
}

/** Contracts two operands, keeping the labels in `keep`; shared labels not kept are summed. */
function contract(a: Labeled, b: Labeled, keep: Set<string>): Labeled {
  const inB = new Set(b.labels), inA = new Set(a.labels);
  a = sumLabels(a, (l) => !inB.has(l) && !keep.has(l));
  b = sumLabels(b, (l) => !inA.has(l) && !keep.has(l));
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !inA.has(l));
  const size = (x: Labeled, l: string) => x.t.shape[x.labels.indexOf(l)]!;
  const prod = (x: Labeled, ls: string[]) => ls.reduce((n, l) => n * size(x, l), 1);
  const order = (x: Labeled, ls: string[]) => permute(x.t, ls.map((l) => x.labels.indexOf(l)));
  const outShape = [...batch.map((l) => size(a, l)), ...aOnly.map((l) => size(a, l)), ...bOnly.map((l) => size(b, l))];
  const [B, M, K, N] = [prod(a, batch), prod(a, aOnly), prod(a, summed), prod(b, bOnly)];
  const am = reshape(order(a, [...batch, ...aOnly, ...summed]), [B, M, K]);
  const bm = reshape(order(b, [...batch, ...summed, ...bOnly]), [B, K, N]);
  // matmul is floating-only; integer operands take the broadcast-multiply-sum route.
  const t = isFloating(am.dtype) && isFloating(bm.dtype)
    ? matmul(am, bm)
    : sum(mul(unsqueeze(am, 3), unsqueeze(bm, 1)), 2);
  return { t: reshape(t, outShape), labels: [...batch, ...aOnly, ...bOnly] };
}

/**
 * Einstein summation over subscripts such as `'ij,jk->ik'` (matmul), `'bij,bjk->bik'`
 * (batched), `'ii->'` (trace), `'ii->i'` (diagonal), `'i,j->ij'` (outer), `'ij->ji'`,
 * `'...ij->...ji'`, `'bhqd,bhkd->bhqk'` (attention scores). Letters a-z/A-Z
 * label dims; '...' stands for broadcast dims; without '->' the output is the
 * ellipsis dims then the letters used once, in alphabetical order, as PyTorch.
 * Size-1 dims broadcast. Operands may be given as arguments or as one array.
 * @example
 * tg.einsum('bij,bjk->bik', a, b)      // same as a.bmm(b)
 * tg.einsum('ii', m)                   // trace
 */
export function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor {
  if (typeof equation !== 'string') throw new TensorError(`einsum: the first argument must be the equation string (got ${describeArg(equation)})`);
  const ops: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? [...operands[0]] : (operands as Tensor[]);
  if (!ops.length) throw new TensorError(`einsum: no operands given for equation '${equation}'`);
  ops.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TensorError(`einsum: operand ${i} must be a Tensor (got ${describeArg(t)})`);
  });
  const eqn = equation.replace(/\s+/g, '');
  const parts = eqn.split('->');
  if (parts.length > 2) throw new TensorError(`einsum: equation '${equation}' has more than one '->'`);
  const terms = parts[0]!.split(',').map((t, i) => parseTerm(t, `input subscripts ${i}`, equation));
  if (terms.length !== ops.length) {
    throw new TensorError(`einsum: equation '${equation}' has ${terms.length} input subscript${terms.length > 1 ? 's' : ''} but ${ops.length} operand${ops.length > 1 ? 's were' : ' was'} given`);
  }
  // Ranks: letters must match dims exactly, or an ellipsis covers the rest.
  let ellRank = 0;
  terms.forEach((term, i) => {
    const letters = term.filter((l) => l !== '.').length;
    const nd = ops[i]!.ndim;
    if (term.includes('.') ? nd < letters : nd !== letters) {
      throw new TensorError(`einsum: operand ${i} has ${nd} dims (shape ${fmtShape(ops[i]!.shape)}) but subscripts '${term.join('').replace('.', '...')}' name ${letters}`);
    }
    if (term.includes('.')) ellRank = Math.max(ellRank, nd - letters);
  });
  const inputs: Labeled[] = ops.map((t, i) => ({ t, labels: expandEllipsis(terms[i]!, t.ndim, ellRank) }));
  // The output labels, explicit or implicit.
  let output: string[];
  if (parts.length === 2) {
    const out = parseTerm(parts[1]!, 'output subscripts', equation);
    const seen = new Set<string>();
    for (const l of out) {
      if (seen.has(l)) throw new TensorError(`einsum: output subscript '${l === '.' ? '...' : l}' appears more than once (equation '${equation}')`);
      seen.add(l);
      if (l !== '.' && !terms.some((t) => t.includes(l))) {
        throw new TensorError(`einsum: output subscript '${l}' does not appear in the input subscripts (equation '${equation}')`);
      }
    }
    output = expandEllipsis(out, null, ellRank);
  } else {
    const counts = new Map<string, number>();
    for (const t of terms) for (const l of t) if (l !== '.') counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l).sort();
    output = [...Array.from({ length: ellRank }, (_, k) => `.${k}`), ...once];
  }
  // The size of every label; size-1 dims broadcast.
  const sizes = new Map<string, number>();
  inputs.forEach(({ t, labels }, i) => labels.forEach((l, d) => {
    const s = t.shape[d]!, prev = sizes.get(l);
    if (prev === undefined || prev === 1) sizes.set(l, s);
    else if (s !== prev && s !== 1) {
      const name = l.startsWith('.') ? 'an ellipsis dim' : `subscript '${l}'`;
      throw new TensorError(`einsum: ${name} has size ${prev} in an earlier operand but ${s} in operand ${i} (shape ${fmtShape(t.shape)}); sizes must match or be 1`);
    }
  }));
  const dtype = ops.map((t) => t.dtype).reduce(promoteTypes);
  let work = inputs.map(({ t, labels }) => diagonals({ t: expand(cast(t, dtype), labels.map((l) => sizes.get(l)!)), labels }));
  const outSet = new Set(output);
  // Labels used by one operand only and not in the output are summed right away.
  work = work.map((x, i) => sumLabels(x, (l) => !outSet.has(l) && !work.some((y, j) => j !== i && y.labels.includes(l))));
  let acc = work[0]!;
  for (let i = 1; i < work.length; i++) {
    const keep = new Set([...output, ...work.slice(i + 1).flatMap((x) => x.labels)]);
    acc = contract(acc, work[i]!, keep);
  }
  acc = sumLabels(acc, (l) => !outSet.has(l));
  return permute(acc.t, output.map((l) => acc.labels.indexOf(l)));
}
