import { TensorError, fmtShape } from '../core/errors.js';
import { trailingOptions } from '../tensor/args.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat, clone, embed, expand, flip, narrow, slice } from './movement.js';

/** How `pad` fills the new border. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Options of `F.pad`: the border mode and, for 'constant', the fill value. */
export interface PadOptions {
  /** Border rule (default 'constant'). */
  mode?: PadMode;
  /** Fill value for 'constant' mode (default 0); other modes take no value. */
  value?: number;
}

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/**
 * Pads (or, with negative amounts, crops) the last dims, exactly like PyTorch's
 * `F.pad`. `pad` lists `(left, right)` pairs starting from the LAST dim:
 * `[left, right]` pads dim -1, `[left, right, top, bottom]` dims -1 and -2,
 * `[left, right, top, bottom, front, back]` dims -1..-3.
 *
 * - `constant`: fills with `value`; any number of dims (up to all of them);
 *   negative amounts crop.
 * - `reflect`: mirrors without repeating the edge (`[1,2,3]` -> `[3,2,1,2,3,2,1]`);
 *   each amount must be less than the size of its dim.
 * - `replicate`: repeats the edge element.
 * - `circular`: wraps around (periodic); each amount must be at most the size
 *   of its dim.
 *
 * The non-constant modes pad 1-3 trailing dims of an input with 1 or 2 leading
 * dims (`[C, W]`/`[N, C, W]`, `[C, H, W]`/`[N, C, H, W]`, `[C, D, H, W]`/`[N, C, D, H, W]`),
 * as in PyTorch. Shape: each padded dim `i` grows by `left_i + right_i`.
 * Gradients flow to the input in every mode (composites of views and cat).
 * @example
 * F.pad(x, [1, 1, 2, 0])                         // [N, C, H, W] -> [N, C, H+2, W+2]
 * F.pad(x, [2, 2], { mode: 'reflect' })          // [N, C, W] -> [N, C, W+4]
 */
export function pad(input: Tensor, pad: readonly number[], opts: PadOptions = {}): Tensor {
  opts = trailingOptions('pad', arguments, { input: 'tensor', pad: 'any' }, { mode: 'string?', value: 'number?' });
  const { mode = 'constant', value } = opts;
  if (!MODES.includes(mode)) {
    throw new TensorError(`pad: unknown mode '${String(mode)}' (expected one of ${MODES.join(', ')})`);
  }
  if (!Array.isArray(pad) || pad.some((p) => !Number.isInteger(p))) {
    throw new TensorError(`pad: pad must be a list of integers (got ${JSON.stringify(pad)})`);
  }
  if (pad.length % 2 !== 0) {
    throw new TensorError(`pad: pad length must be even, a (left, right) pair per dim (got ${pad.length}: ${fmtShape(pad)})`);
  }
  if (pad.length > 2 * input.ndim) {
    throw new TensorError(`pad: pad ${fmtShape(pad)} pads ${pad.length / 2} dims but the input has only ${input.ndim} (input ${fmtShape(input.shape)})`);
  }
  if (mode === 'constant') return padConstant(input, pad, value ?? 0);

  if (value !== undefined && value !== 0) {
    throw new TensorError(`pad: mode '${mode}' takes no fill value (got value ${value}); only mode 'constant' does`);
  }
  const k = pad.length / 2;
  if (k < 1 || k > 3 || (input.ndim !== k + 1 && input.ndim !== k + 2)) {
    throw new TensorError(
      k < 1 || k > 3
        ? `pad: mode '${mode}' pads 1 to 3 trailing dims, so pad must have 2, 4 or 6 entries (got ${fmtShape(pad)})`
        : `pad: mode '${mode}' padding of the last ${k} dim${k > 1 ? 's' : ''} expects a ${k + 1}-D or ${k + 2}-D input (got input ${fmtShape(input.shape)})`,
    );
  }
  let out = input;
  for (let i = 0; i < k; i++) {
    const dim = input.ndim - 1 - i;
    const [left, right] = [pad[2 * i]!, pad[2 * i + 1]!];
    if (mode === 'circular') out = padCircularDim(out, dim, left, right, input);
    else out = padEdgeDim(out, dim, left, right, mode, input);
  }
  // Like PyTorch, the result never aliases the input (even for all-zero pads).
  return out === input ? clone(input) : out;
}

/** Constant padding: crop the negative amounts (a view), then embed into a filled tensor. */
function padConstant(input: Tensor, pad: readonly number[], value: number): Tensor {
  let x = input;
  const outShape = [...input.shape];
  const starts = input.shape.map(() => 0);
  for (let i = 0; i < pad.length / 2; i++) {
    const dim = input.ndim - 1 - i;
    const n = input.shape[dim]!;
    const [left, right] = [pad[2 * i]!, pad[2 * i + 1]!];
    const crop = Math.max(-left, 0) + Math.max(-right, 0);
    if (crop > n) {
      throw new TensorError(`pad: negative padding (${left}, ${right}) crops ${crop} elements from dim ${dim} of size ${n} (input ${fmtShape(input.shape)})`);
    }
    if (crop > 0) x = slice(x, dim, Math.max(-left, 0), n - Math.max(-right, 0));
    outShape[dim] = n + left + right;
    starts[dim] = Math.max(left, 0);
  }
  if (outShape.every((d, i) => d === x.shape[i])) return clone(x);
  return embed(x, outShape, starts, starts.map(() => 1), value);
}

/**
 * Reflect / replicate along one dim. Amounts are measured against the original
 * dim (as PyTorch does, even with a negative amount on the other side): pad the
 * positive sides first, then crop the negative ones off the padded result.
 */
function padEdgeDim(x: Tensor, dim: number, left: number, right: number, mode: 'reflect' | 'replicate', input: Tensor): Tensor {
  const n = x.shape[dim]!;
  const outSize = n + left + right;
  if (n === 0) throw new TensorError(`pad: ${mode} padding needs a non-empty dim ${dim} (input ${fmtShape(input.shape)})`);
  if (mode === 'reflect') {
    for (const p of [left, right]) {
      if (p >= n) throw new TensorError(`pad: reflect padding ${p} must be less than the size ${n} of dim ${dim} (input ${fmtShape(input.shape)})`);
    }
  }
  if (outSize < 1) {
    throw new TensorError(`pad: ${mode} padding (${left}, ${right}) leaves dim ${dim} of size ${n} with size ${outSize} (input ${fmtShape(input.shape)})`);
  }
  const l = Math.max(left, 0), r = Math.max(right, 0);
  const edge = (start: number, count: number): Tensor => {
    if (mode === 'reflect') return flip(narrow(x, dim, start, count), dim);
    const shape = [...x.shape];
    shape[dim] = count;
    return expand(narrow(x, dim, start, 1), shape);
  };
  const pieces: Tensor[] = [];
  // reflect: positions -l..-1 mirror to l..1, n..n+r-1 mirror to n-2..n-1-r.
  if (l > 0) pieces.push(mode === 'reflect' ? edge(1, l) : edge(0, l));
  pieces.push(x);
  if (r > 0) pieces.push(mode === 'reflect' ? edge(n - 1 - r, r) : edge(n - 1, r));
  const full = pieces.length > 1 ? cat(pieces, dim) : x;
  const cropStart = Math.max(-left, 0);
  return cropStart > 0 || right < 0 ? narrow(full, dim, cropStart, outSize) : full;
}

/**
 * Circular along one dim. As in PyTorch, negative amounts crop first and the
 * positive ones then wrap around what is left.
 */
function padCircularDim(x: Tensor, dim: number, left: number, right: number, input: Tensor): Tensor {
  const n = x.shape[dim]!;
  const cropL = Math.max(-left, 0), cropR = Math.max(-right, 0);
  if (cropL + cropR > n) {
    throw new TensorError(`pad: negative circular padding (${left}, ${right}) crops ${cropL + cropR} elements from dim ${dim} of size ${n} (input ${fmtShape(input.shape)})`);
  }
  const core = cropL + cropR > 0 ? narrow(x, dim, cropL, n - cropL - cropR) : x;
  const m = core.shape[dim]!;
  for (const p of [left, right]) {
    if (p > m) {
      const after = m === n ? '' : ' after cropping';
      throw new TensorError(`pad: circular padding ${p} must be at most the size ${m} of dim ${dim}${after} (input ${fmtShape(input.shape)}); it would wrap around more than once`);
    }
  }
  const pieces: Tensor[] = [];
  if (left > 0) pieces.push(narrow(core, dim, m - left, left));
  pieces.push(core);
  if (right > 0) pieces.push(narrow(core, dim, 0, right));
  return pieces.length > 1 ? cat(pieces, dim) : core;
}
