/**
 * Winograd F(4×4, 3×3) convolution (Lavin & Gray, 2016) for 3×3, stride-1
 * layers: each 4×4 block of outputs ("tile") of one channel pair costs 36
 * multiply-adds instead of the direct kernel's 144 (F(2×2, 3×3): 64 for the
 * same 16 outputs). The layout of conv-winograd.ts, with 36 products, for
 * the forward pass (and so the input gradient; the weight gradient is in
 * conv-winograd4-weight.ts):
 *
 *   U[ξ, co, ci] = (G g[co, ci] Gᵀ)[ξ]       weights, once per call (wg4PackU)
 *   V[ξ, ci, t]  = (Bᵀ d[ci, t] B)[ξ]        the 6×6 input patch of tile t
 *   M[ξ, co, t]  = Σ_ci U[ξ, co, ci] V[ξ, ci, t]   36 small GEMMs
 *   y[co, t]     = Aᵀ M[·, co, t] A  (+ bias, ReLU, optionally 2×2 max pooling)
 *
 *   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
 *   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 *
 * The input is one image's zero-padded copy `xp` [Cin, Hp, Wp] (convPad), so
 * the patch of tile (ty, tx) starts at row 4·ty, column 4·tx; a tile row's
 * last patch reads 2 floats past its row (the next row, or convPad's slack),
 * which only fill lanes that are dropped. Outputs must be oH a multiple of 4
 * and oW a multiple of 16: tiles are taken 4 at a time along a tile row, one
 * vector lane each (the caller checks).
 *
 * The transforms' constants are larger than F(2×2)'s (up to 5 in Bᵀ, 8 in
 * Aᵀ), so the rounding error is larger (measured: up to 3.4e-6 of the sum of
 * the terms' magnitudes, F(2×2) 1e-7; float32's bound for summing 576 terms
 * one by one is 3.4e-5; tested against float64). Non-finite inputs are
 * reported to the caller, which recomputes by F(2×2): these transforms would
 * spread them over whole tiles.
 * Each output is computed by the same operations in the same order whatever
 * block, chunk or thread it falls in, so results do not depend on the thread
 * count. The transforms use separate multiplies and adds (no fused
 * multiply-add), so they round alike in both builds.
 */
import { epi4, kernel4x8 } from './gemm';
import { storeMax4 } from './pool';
import { planeStride, tap } from './conv-winograd';

/** 1/576, by which the integer-coefficient transforms are scaled back (a multiplication: 36 divisions per kernel doubled packing's time). */
export const INV576: f64 = 1.0 / 576;

/**
 * 24·G applied to (a, b, c): (6a, -4(a + c + b), -4(a + c - b), a + 4c + 2b,
 * a + 4c - 2b, 24c), integer coefficients, so that U = (24G)·g·(24G)ᵀ / 576
 * rounds once, at the end (an integer weight times 576 gives an exact
 * integer U). Row `i` is a constant wherever this is inlined.
 */
// @ts-ignore: decorator
@inline function g24(i: i32, a: f64, b: f64, c: f64): f64 {
  if (i == 0) return 6 * a;
  if (i == 1) return -4 * (a + c + b);
  if (i == 2) return -4 * (a + c - b);
  if (i == 3) return a + 4 * c + 2 * b;
  if (i == 4) return a + 4 * c - 2 * b;
  return 24 * c;
}

/** (24G)·(a, b, c)ᵀ / 576, the six values rounded to float32 and stored at o, o + stride, ..., o + 5·stride. */
// @ts-ignore: decorator
@inline function gStore(a: f64, b: f64, c: f64, o: usize, stride: usize): void {
  store<f32>(o, <f32>(g24(0, a, b, c) * INV576));
  store<f32>(o + stride, <f32>(g24(1, a, b, c) * INV576));
  store<f32>(o + 2 * stride, <f32>(g24(2, a, b, c) * INV576));
  store<f32>(o + 3 * stride, <f32>(g24(3, a, b, c) * INV576));
  store<f32>(o + 4 * stride, <f32>(g24(4, a, b, c) * INV576));
  store<f32>(o + 5 * stride, <f32>(g24(5, a, b, c) * INV576));
}

/** Bytes of U for a Cout × Cin layer (wg4PackU). */
export function wg4UBytes(Cout: i32, Cin: i32): usize {
  return 36 * planeStride(<usize>(((Cout + 3) >> 2) * Cin) << 4);
}

/**
 * U for a Cout × Cin layer of 3×3 kernels: dst[ξ][co / 4][ci][co % 4], ξ in
 * [0, 36) (ceil(Cout / 4) blocks, channels past Cout zero; wg4UBytes in all,
 * the ξ planes planeStride apart). Kernel (co, ci)
 * tap (r, s) is w[co·rsO + ci·rsI + r·3 + s], or its flip (2 - r, 2 - s) with
 * `flip` (the input gradient's transposed, flipped weights). Transformed in
 * float64 with integer coefficients, rounded once. Only blocks [cb0, cb1)
 * (so that threads can share the work).
 */
export function wg4PackU(w: usize, Cout: i32, Cin: i32, rsO: i32, rsI: i32, flip: bool, dst: usize, cb0: i32, cb1: i32): void {
  const nB = (Cout + 3) >> 2;
  const xiStride = planeStride(<usize>(nB * Cin) << 4);
  for (let co = 4 * cb0; co < 4 * cb1; co++) {
    for (let ci = 0; ci < Cin; ci++) {
      const out = dst + (<usize>((co >> 2) * Cin + ci) << 4) + (<usize>(co & 3) << 2);
      if (co >= Cout) {
        for (let xi = 0; xi < 36; xi++) store<f32>(out + <usize>xi * xiStride, 0);
        continue;
      }
      const src = w + (<usize>(co * rsO + ci * rsI) << 2);
      // Row i of (24G)·g (24G applied to each kernel column (a, b, c)), then 24G applied to that row, / 576.
      const a0 = tap(src, 0, 0, flip), b0 = tap(src, 1, 0, flip), c0 = tap(src, 2, 0, flip);
      const a1 = tap(src, 0, 1, flip), b1 = tap(src, 1, 1, flip), c1 = tap(src, 2, 1, flip);
      const a2 = tap(src, 0, 2, flip), b2 = tap(src, 1, 2, flip), c2 = tap(src, 2, 2, flip);
      const rs = xiStride * 6;
      gStore(g24(0, a0, b0, c0), g24(0, a1, b1, c1), g24(0, a2, b2, c2), out, xiStride);
      gStore(g24(1, a0, b0, c0), g24(1, a1, b1, c1), g24(1, a2, b2, c2), out + rs, xiStride);
      gStore(g24(2, a0, b0, c0), g24(2, a1, b1, c1), g24(2, a2, b2, c2), out + 2 * rs, xiStride);
      gStore(g24(3, a0, b0, c0), g24(3, a1, b1, c1), g24(3, a2, b2, c2), out + 3 * rs, xiStride);
      gStore(g24(4, a0, b0, c0), g24(4, a1, b1, c1), g24(4, a2, b2, c2), out + 4 * rs, xiStride);
      gStore(g24(5, a0, b0, c0), g24(5, a1, b1, c1), g24(5, a2, b2, c2), out + 5 * rs, xiStride);
    }
  }
}

/**
 * Bᵀ·d for six vectors d0..d5, written as six vectors at dst + k·stride
 * (k = 0..5). With s = stride-free names: r0 = 4d0 - 5d2 + d4,
 * r1 = -4(d1 + d2) + d3 + d4, r2 = 4(d1 - d2) - d3 + d4,
 * r3 = -2(d1 - d3) - d2 + d4, r4 = 2(d1 - d3) - d2 + d4, r5 = 4d1 - 5d3 + d5.
 */
// @ts-ignore: decorator
@inline function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, stride: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const d4m2 = f32x4.sub(d4, d2);
  const t12 = f32x4.mul(four, f32x4.add(d1, d2)), u12 = f32x4.mul(four, f32x4.sub(d1, d2));
  const t13 = f32x4.mul(two, f32x4.sub(d1, d3));
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(dst + stride, f32x4.sub(f32x4.add(d3, d4), t12));
  v128.store(dst + 2 * stride, f32x4.add(f32x4.sub(d4, d3), u12));
  v128.store(dst + 3 * stride, f32x4.sub(d4m2, t13));
  v128.store(dst + 4 * stride, f32x4.add(d4m2, t13));
  v128.store(dst + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/**
 * V of tile rows [b0, b1) (tw tiles each) into v[ξ][panel][ci][8] (ξ
 * planes xiStride bytes apart), or, `plain` (the weight gradient), into
 * v[ξ][ci][t0 + tb] (ldT tiles per row): tile
 * number tb = (ty - b0)·tw + tx, lane tb % 8 of panel tb / 8. Four tiles
 * along a row are one vector: patch column j of tiles tx..tx+3 is a column
 * of the 4×4 transpose of the row's loads at 4tx, 4tx + 4, .... First d·B
 * per patch row into `h` (6 rows × 6 vectors, 576 bytes), then Bᵀ·(d·B)
 * down the columns. A last half-filled panel gets zeros. Returns a vector
 * with a NaN lane if an input value read was not finite.
 */
export function wg4Input(
  xp: usize, Hp: i32, Wp: i32, Cin: i32, tw: i32, b0: i32, b1: i32, v: usize, nP: i32, xiStride: usize, h: usize, plain: bool, ldT: i32, t0: i32,
): v128 {
  const nTiles = (b1 - b0) * tw;
  let bad = f32x4.splat(0);
  const rowBytes = <usize>Wp << 2, planeBytes = <usize>(Hp * Wp) << 2;
  for (let ci = 0; ci < Cin; ci++) {
    const plane = xp + <usize>ci * planeBytes;
    for (let ty = b0; ty < b1; ty++) {
      for (let tx = 0; tx < tw; tx += 4) {
        const tb = (ty - b0) * tw + tx;
        const dst = plain ? v + (<usize>(ci * ldT + t0 + tb) << 2) : v + (<usize>((tb >> 3) * Cin + ci) << 5) + (<usize>(tb & 4) << 2);
        let r = plane + <usize>(4 * ty) * rowBytes + (<usize>(4 * tx) << 2);
        // Rows: h[i][k] = (d_i·B)[k] for the 4 tiles, d_i's columns by transposes.
        for (let i = 0; i < 6; i++) {
          const l0 = v128.load(r), l1 = v128.load(r, 16), l2 = v128.load(r, 32), l3 = v128.load(r, 48), l4 = v128.load(r, 64);
          const a0 = i32x4.shuffle(l0, l1, 0, 4, 1, 5), a1 = i32x4.shuffle(l2, l3, 0, 4, 1, 5);
          const a2 = i32x4.shuffle(l0, l1, 2, 6, 3, 7), a3 = i32x4.shuffle(l2, l3, 2, 6, 3, 7);
          const e0 = i32x4.shuffle(l1, l2, 0, 4, 1, 5), e1 = i32x4.shuffle(l3, l4, 0, 4, 1, 5);
          const d4 = i32x4.shuffle(e0, e1, 0, 1, 4, 5), d5 = i32x4.shuffle(e0, e1, 2, 3, 6, 7);
          bt6(
            i32x4.shuffle(a0, a1, 0, 1, 4, 5), i32x4.shuffle(a0, a1, 2, 3, 6, 7),
            i32x4.shuffle(a2, a3, 0, 1, 4, 5), i32x4.shuffle(a2, a3, 2, 3, 6, 7),
            d4, d5, h + (<usize>i << 4), 96,
          );
          // s - s is 0 for a finite s, NaN for ±Infinity or NaN (a sum that overflows counts too).
          const sum = f32x4.add(f32x4.add(f32x4.add(l0, l1), f32x4.add(l2, l3)), f32x4.add(d4, d5));
          bad = f32x4.add(bad, f32x4.sub(sum, sum));
          r += rowBytes;
        }
        // Columns: V[6k + j] = (Bᵀ·h[·][j])[k].
        for (let j = 0; j < 6; j++) {
          const c = h + (<usize>j * 96);
          bt6(
            v128.load(c), v128.load(c, 16), v128.load(c, 32), v128.load(c, 48), v128.load(c, 64), v128.load(c, 80),
            dst + <usize>j * xiStride, 6 * xiStride,
          );
        }
      }
    }
  }
  if (!plain && (nTiles & 4)) {
    // The last panel's upper half: zeros (its lanes are computed, never stored).
    const z = f32x4.splat(0);
    const last = v + (<usize>((nP - 1) * Cin) << 5) + 16;
    for (let xi = 0; xi < 36; xi++) {
      for (let ci = 0; ci < Cin; ci++) v128.store(last + <usize>xi * xiStride + (<usize>ci << 5), z);
    }
  }
  return bad;
}

/**
 * Aᵀ·m for six vectors: o0 = m0 + (m1 + m2) + (m3 + m4), o1 = (m1 - m2) + 2(m3 - m4),
 * o2 = (m1 + m2) + 4(m3 + m4), o3 = (m1 - m2) + 8(m3 - m4) + m5, stored at dst + k·16.
 */
// @ts-ignore: decorator
@inline function at6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, dst: usize): void {
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(dst, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)), 16);
  v128.store(dst, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)), 32);
  v128.store(dst, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), m5), 48);
}

/**
 * Output transform of 4 tiles (lanes) of one channel from M (row r, half h
 * already applied to `mr`; product ξ at mr + ξ·mXi): t = Aᵀ M (4×6, into `t`,
 * 384 bytes), y = t A (4×4 vectors into `yv`, 256 bytes: yv[a][b], lane = tile),
 * then the epilogue.
 */
// @ts-ignore: decorator
@inline function outputTransform(mr: usize, mXi: usize, t: usize, yv: usize, bias: v128, relu: bool): void {
  const m6 = mXi * 6;
  for (let j = 0; j < 6; j++) {
    const c = mr + <usize>j * mXi;
    at6(v128.load(c), v128.load(c + m6), v128.load(c + 2 * m6), v128.load(c + 3 * m6), v128.load(c + 4 * m6), v128.load(c + 5 * m6), t + <usize>j * 64);
  }
  for (let a = 0; a < 4; a++) {
    const row = t + (<usize>a << 4);
    const o = yv + (<usize>a << 6);
    at6(v128.load(row), v128.load(row, 64), v128.load(row, 128), v128.load(row, 192), v128.load(row, 256), v128.load(row, 320), o);
    v128.store(o, epi4(v128.load(o), bias, relu));
    v128.store(o, epi4(v128.load(o, 16), bias, relu), 16);
    v128.store(o, epi4(v128.load(o, 32), bias, relu), 32);
    v128.store(o, epi4(v128.load(o, 48), bias, relu), 48);
  }
}

/** The 4 outputs of row a of 4 tiles (yv[a][0..4], lane = tile) stored as 16 floats at out: tile l's 4 values at out + 16·l. */
// @ts-ignore: decorator
@inline function storeRow(ya: usize, out: usize): void {
  const y0 = v128.load(ya), y1 = v128.load(ya, 16), y2 = v128.load(ya, 32), y3 = v128.load(ya, 48);
  const t0 = i32x4.shuffle(y0, y1, 0, 4, 1, 5), t1 = i32x4.shuffle(y2, y3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(y0, y1, 2, 6, 3, 7), t3 = i32x4.shuffle(y2, y3, 2, 6, 3, 7);
  v128.store(out, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(out, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 16);
  v128.store(out, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 32);
  v128.store(out, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 48);
}

/**
 * The 2×2 maxima of pooled row a2 (tile rows 2·a2, 2·a2 + 1) of 4 tiles: 8
 * pooled values (tile l's two at 2l, 2l + 1) at pout, their indices at pidx
 * (i0: plane index of the first tile's output (2·a2, 0)). Lanes are
 * reordered so that each vector of taps holds 4 consecutive windows.
 */
// @ts-ignore: decorator
@inline function poolRow(IDX: bool, yv: usize, a2: i32, oW: i32, pout: usize, pidx: usize, i0: i32): void {
  const r0 = yv + (<usize>(2 * a2) << 6), r1 = r0 + 64;
  const y00 = v128.load(r0), y01 = v128.load(r0, 16), y02 = v128.load(r0, 32), y03 = v128.load(r0, 48);
  const y10 = v128.load(r1), y11 = v128.load(r1, 16), y12 = v128.load(r1, 32), y13 = v128.load(r1, 48);
  // Window c (0..7) = tile c >> 1, columns 2(c & 1), 2(c & 1) + 1: taps (i, j) are y_i,2(c&1)+j of that tile.
  const i00 = i32x4.add(i32x4.splat(i0), i32x4(0, 2, 4, 6));
  storeMax4(IDX,
    i32x4.shuffle(y00, y02, 0, 4, 1, 5), i32x4.shuffle(y01, y03, 0, 4, 1, 5),
    i32x4.shuffle(y10, y12, 0, 4, 1, 5), i32x4.shuffle(y11, y13, 0, 4, 1, 5),
    i00, oW, pout, pidx);
  storeMax4(IDX,
    i32x4.shuffle(y00, y02, 2, 6, 3, 7), i32x4.shuffle(y01, y03, 2, 6, 3, 7),
    i32x4.shuffle(y10, y12, 2, 6, 3, 7), i32x4.shuffle(y11, y13, 2, 6, 3, 7),
    i32x4.add(i00, i32x4.splat(8)), oW, pout + 16, pidx ? pidx + 16 : 0);
}

/** Bytes of a block's V (36 ξ planes of nP panels × Cin × 8 floats), then 576 for the input transform's rows. */
export function wg4VBytes(nP: i32, Cin: i32): usize {
  return 36 * planeStride(<usize>(nP * Cin) << 5) + 576;
}

/** Bytes of a block's M (36 ξ planes of ceil(Cout / 4) × nP tiles of 4 × 8 floats), then 640 for the output transform. */
export function wg4MBytes(nP: i32, Cout: i32): usize {
  return 36 * planeStride(<usize>(((Cout + 3) >> 2) * nP) << 7) + 640;
}

/**
 * Convolution of one padded image, tile rows [ty0, ty1) (all channels), in
 * blocks of `rowsPerBlock` tile rows: y[co, 4ty + a, 4tx + b] for an
 * oH × oW output (oH a multiple of 4, oW a multiple of 16), or with `pool`
 * the 2×2 maxima into [Cout, oH/2, oW/2] at y (indices at `indices`, 0:
 * none). `u`: wg4PackU's weights; `v`: wg4VBytes(nP, Cin) bytes, `m`:
 * wg4MBytes(nP, Cout), nP = ceil(rowsPerBlock · oW/4 / 8) (the block's panels
 * of 8 tiles). `bias`: Cout floats (0: none); `relu`: ReLU after the bias.
 * Sets the i32 at `nonFinite` to 1 if an input value was ±Infinity or NaN:
 * the transforms then spread it (as NaN) over the whole 4×4 tile, outputs
 * whose 3×3 windows do not hold it included, and the caller recomputes the
 * layer another way (F(2×2) keeps it within the windows that hold it).
 *
 * Per block: V, then the 36 products one ξ at a time (U[ξ] and V[ξ] are
 * Cout·Cin and 8·nP·Cin floats, which fit in L1 while the micro-kernel runs
 * over them; all 36 for a 4×8 tile before the next, as conv-winograd.ts does
 * with its 16, needs 36 KiB of U per channel block), then the output
 * transform of every tile from M. Measured on 64 → 64 channels, one thread,
 * before the planes were padded (planeStride): 6.58 against 6.75 ms, within
 * the noise; the padding is what made the difference.
 */
export function wg4Conv(
  xp: usize, Hp: i32, Wp: i32, Cin: i32, u: usize, Cout: i32, y: usize, oH: i32, oW: i32,
  ty0: i32, ty1: i32, rowsPerBlock: i32, v: usize, m: usize, bias: usize, relu: bool, pool: bool, indices: usize, nonFinite: usize,
): void {
  let bad = f32x4.splat(0);
  const tw = oW >> 2;
  const nB = (Cout + 3) >> 2;
  const uXi = planeStride(<usize>(nB * Cin) << 4);
  const pW = oW >> 1, pPlane = (oH >> 1) * pW;
  const ldy = <usize>oW << 2;
  for (let b0 = ty0; b0 < ty1; b0 += rowsPerBlock) {
    const b1 = b0 + rowsPerBlock < ty1 ? b0 + rowsPerBlock : ty1;
    const nTiles = (b1 - b0) * tw, nP = (nTiles + 7) >> 3;
    const vXi = planeStride(<usize>(nP * Cin) << 5), mXi = planeStride(<usize>(nB * nP) << 7);
    const t = m + 36 * mXi, yv = t + 384;
    bad = f32x4.add(bad, wg4Input(xp, Hp, Wp, Cin, tw, b0, b1, v, nP, vXi, v + 36 * vXi, false, 0, 0));
    // Product ξ of channel block cb and panel p: the GEMM's 4×8 micro-kernel over Cin into M[ξ][cb][p] (4 rows of 8).
    for (let xi = 0; xi < 36; xi++) {
      const ux = u + <usize>xi * uXi, vx = v + <usize>xi * vXi, mx = m + <usize>xi * mXi;
      for (let cb = 0; cb < nB; cb++) {
        const ua = ux + (<usize>(cb * Cin) << 4), mc = mx + (<usize>(cb * nP) << 7);
        for (let p = 0; p < nP; p++) kernel4x8(Cin, ua, vx + (<usize>(p * Cin) << 5), 32, mc + (<usize>p << 7), 8, false, false, 0, false);
      }
    }
    for (let cb = 0; cb < nB; cb++) {
      const rows = Cout - 4 * cb < 4 ? Cout - 4 * cb : 4;
      for (let p = 0; p < nP; p++) {
        const mp = m + (<usize>(cb * nP + p) << 7);
        for (let hf = 0; hf < 2; hf++) {
          const tb = p * 8 + hf * 4;
          if (tb >= nTiles) break;
          const ty = b0 + tb / tw, tx = tb % tw;
          for (let r = 0; r < rows; r++) {
            const co = 4 * cb + r;
            const bv = bias ? v128.load32_splat(bias + (<usize>co << 2)) : f32x4.splat(0);
            outputTransform(mp + (<usize>r << 5) + (<usize>hf << 4), mXi, t, yv, bv, relu);
            if (pool) {
              for (let a2 = 0; a2 < 2; a2++) {
                const o = <usize>(co * pPlane + (2 * ty + a2) * pW + 2 * tx) << 2;
                const i0 = (4 * ty + 2 * a2) * oW + 4 * tx;
                if (indices) poolRow(true, yv, a2, oW, y + o, indices + o, i0);
                else poolRow(false, yv, a2, oW, y + o, 0, i0);
              }
            } else {
              const out = y + (<usize>((co * oH + 4 * ty) * oW + 4 * tx) << 2);
              for (let a = 0; a < 4; a++) storeRow(yv + (<usize>a << 6), out + <usize>a * ldy);
            }
          }
        }
      }
    }
  }
  if (v128.any_true(f32x4.ne(bad, bad))) store<i32>(nonFinite, 1);
}
