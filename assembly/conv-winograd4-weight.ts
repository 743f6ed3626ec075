/**
 * Winograd F(4×4, 3×3) weight gradient (the forward kernels and the
 * transforms' matrices are in conv-winograd4.ts), and the last step of
 * both Winograd weight gradients (wgFinishDW).
 */
import { planeStride, wgDUPlane, wgUnpackDW } from './conv-winograd';
import { INV576, wg4Input } from './conv-winograd4';

// ---- weight gradient --------------------------------------------------------
//
// With y = Aᵀ (U ⊙ V) A per tile, the gradient of U is Z ⊙ V summed over tiles,
// Z = A·gy·Aᵀ the 6×6 transform of the tile's 4×4 output gradient, and
// gW = Gᵀ·dU·G: per product ξ, dU[ξ, co, ci] = Σ_t Z[ξ, co, t] · V[ξ, ci, t],
// 36 multiply-adds per 4×4 tile and channel pair (F(2×2): 64 for the same 16 outputs).

/**
 * A·g for a 4-vector g (A = Aᵀ transposed, 6 × 4): (g0, g0 + g1 + g2 + g3,
 * g0 - g1 + g2 - g3, g0 + 2g1 + 4g2 + 8g3, g0 - 2g1 + 4g2 - 8g3, g3), stored
 * at dst + k·stride.
 */
// @ts-ignore: decorator
@inline function a6(g0: v128, g1: v128, g2: v128, g3: v128, dst: usize, stride: usize): void {
  const s02 = f32x4.add(g0, g2), s13 = f32x4.add(g1, g3);
  const t = f32x4.add(g0, f32x4.mul(f32x4.splat(4), g2)), u = f32x4.add(f32x4.mul(f32x4.splat(2), g1), f32x4.mul(f32x4.splat(8), g3));
  v128.store(dst, g0);
  v128.store(dst + stride, f32x4.add(s02, s13));
  v128.store(dst + 2 * stride, f32x4.sub(s02, s13));
  v128.store(dst + 3 * stride, f32x4.add(t, u));
  v128.store(dst + 4 * stride, f32x4.sub(t, u));
  v128.store(dst + 5 * stride, g3);
}

/**
 * Z of tile rows [b0, b1) of one image's gradient gy [Cout, oH, oW] into
 * z[ξ][co][t0 + tb] (ξ planes xiStride bytes apart, tb = (ty - b0)·tw + tx,
 * ldT tiles per row), four tiles per vector: rows first (g·Aᵀ per gradient
 * row into `h`, 4 rows × 6 vectors), then A·(g·Aᵀ) down the columns.
 * Returns a vector with a NaN lane if a gradient value was not finite.
 */
function wg4Grad(gy: usize, Cout: i32, oH: i32, oW: i32, b0: i32, b1: i32, z: usize, xiStride: usize, ldT: i32, t0: i32, h: usize): v128 {
  const tw = oW >> 2;
  let bad = f32x4.splat(0);
  const rowBytes = <usize>oW << 2, planeBytes = <usize>(oH * oW) << 2;
  for (let co = 0; co < Cout; co++) {
    const plane = gy + <usize>co * planeBytes;
    for (let ty = b0; ty < b1; ty++) {
      for (let tx = 0; tx < tw; tx += 4) {
        const tb = (ty - b0) * tw + tx;
        const dst = z + (<usize>(co * ldT + t0 + tb) << 2);
        let r = plane + <usize>(4 * ty) * rowBytes + (<usize>(4 * tx) << 2);
        for (let a = 0; a < 4; a++) {
          const l0 = v128.load(r), l1 = v128.load(r, 16), l2 = v128.load(r, 32), l3 = v128.load(r, 48);
          const sum = f32x4.add(f32x4.add(l0, l1), f32x4.add(l2, l3));
          bad = f32x4.add(bad, f32x4.sub(sum, sum));
          const p0 = i32x4.shuffle(l0, l1, 0, 4, 1, 5), p1 = i32x4.shuffle(l2, l3, 0, 4, 1, 5);
          const p2 = i32x4.shuffle(l0, l1, 2, 6, 3, 7), p3 = i32x4.shuffle(l2, l3, 2, 6, 3, 7);
          a6(
            i32x4.shuffle(p0, p1, 0, 1, 4, 5), i32x4.shuffle(p0, p1, 2, 3, 6, 7),
            i32x4.shuffle(p2, p3, 0, 1, 4, 5), i32x4.shuffle(p2, p3, 2, 3, 6, 7),
            h + (<usize>a << 4), 64,
          );
          r += rowBytes;
        }
        // Column k of g·Aᵀ (4 rows, 64 bytes apart as h[k][a]), then A down it: Z[6k' + k].
        for (let k = 0; k < 6; k++) {
          const c = h + (<usize>k << 6);
          a6(v128.load(c), v128.load(c, 16), v128.load(c, 32), v128.load(c, 48), dst + <usize>k * xiStride, xiStride * 6);
        }
      }
    }
  }
  return bad;
}

/** Bytes of the weight gradient's V or Z for `channels` channels of `tiles` tiles: 36 planes. */
export function wg4VZBytes(channels: i32, tiles: i32): usize {
  return 36 * planeStride(<usize>(channels * tiles) << 2);
}

/**
 * Adds the share of `nImg` images in dU into du[ξ][co][ci] (float32,
 * Cout·Cin per ξ, 36 ξ): their padded copies of x at xp, xpStride bytes
 * apart ([Cin, Hp, Wp] as in wg4Conv), their gradients gy [Cout, oH, oW]
 * gyStride bytes apart (oH a multiple of 4, oW of 16). Tiles are taken in
 * blocks of `rowsPerBlock` tile rows of every image; `v`, `z`: room for a
 * block's V and Z (wg4VZBytes(Cin, tiles), wg4VZBytes(Cout, tiles), tiles =
 * nImg · rowsPerBlock · oW/4), then 576 bytes for the transforms' rows after
 * z. Sets the i32 at `nonFinite` to 1 if an input or gradient value read was
 * not finite (the caller then recomputes the gradient by F(2×2)).
 */
export function wg4BwdW(
  xp: usize, xpStride: usize, nImg: i32, Hp: i32, Wp: i32, Cin: i32, gy: usize, gyStride: usize, Cout: i32, oH: i32, oW: i32,
  rowsPerBlock: i32, v: usize, z: usize, du: usize, nonFinite: usize,
): void {
  const th = oH >> 2, tw = oW >> 2;
  const ldu = <usize>Cin << 2;
  let bad = f32x4.splat(0);
  for (let b0 = 0; b0 < th; b0 += rowsPerBlock) {
    const b1 = b0 + rowsPerBlock < th ? b0 + rowsPerBlock : th;
    const perImage = (b1 - b0) * tw, nTiles = perImage * nImg, nv = nTiles >> 2;
    const ldT = <usize>nTiles << 2;
    const vXi = planeStride(<usize>Cin * ldT), zXi = planeStride(<usize>Cout * ldT);
    const h = z + 36 * zXi;
    for (let i = 0; i < nImg; i++) {
      bad = f32x4.add(bad, wg4Input(xp + <usize>i * xpStride, Hp, Wp, Cin, tw, b0, b1, v, 0, vXi, h, true, nTiles, i * perImage));
      bad = f32x4.add(bad, wg4Grad(gy + <usize>i * gyStride, Cout, oH, oW, b0, b1, z, zXi, nTiles, i * perImage, h));
    }
    for (let xi = 0; xi < 36; xi++) {
      wgDUPlane(z + <usize>xi * zXi, v + <usize>xi * vXi, ldT, nv, du + <usize>(xi * Cout) * ldu, ldu, Cout, Cin);
    }
  }
  if (v128.any_true(f32x4.ne(bad, bad))) store<i32>(nonFinite, 1);
}

/**
 * (24G)ᵀ applied to (x0, ..., x5), row r of 24Gᵀ (3 × 6, integer
 * coefficients: gW = (24G)ᵀ·dU·(24G) / 576 rounds once), in float64.
 */
// @ts-ignore: decorator
@inline function gt6(r: i32, x0: f64, x1: f64, x2: f64, x3: f64, x4: f64, x5: f64): f64 {
  if (r == 0) return 6 * x0 - 4 * (x1 + x2) + (x3 + x4);
  if (r == 1) return 4 * (x2 - x1) + 2 * (x3 - x4);
  return 4 * (x3 + x4 - x1 - x2) + 24 * x5;
}

/** dU[ξ = 6i + j] of one (co, ci) pair at q (ξ planes xiStride bytes apart), as float64. */
// @ts-ignore: decorator
@inline function du6(q: usize, i: i32, j: i32, xiStride: usize): f64 {
  return <f64>load<f32>(q + <usize>(6 * i + j) * xiStride);
}

/** Row r of Gᵀ·dU, column j. */
// @ts-ignore: decorator
@inline function gtCol(q: usize, r: i32, j: i32, xiStride: usize): f64 {
  return gt6(r, du6(q, 0, j, xiStride), du6(q, 1, j, xiStride), du6(q, 2, j, xiStride), du6(q, 3, j, xiStride), du6(q, 4, j, xiStride), du6(q, 5, j, xiStride));
}

/**
 * gw[co, ci] (3×3, row-major, Cout·Cin·9 floats) = Gᵀ·dU·G for co in
 * [co0, co1), dU at du [ξ][co][ci] (float32, 36 ξ, summed over the parts), in float64
 * with integer coefficients, divided by 576 once.
 */
export function wg4UnpackDW(du: usize, Cout: i32, Cin: i32, gw: usize, co0: i32, co1: i32): void {
  const xiStride = <usize>(Cout * Cin) << 2;
  for (let co = co0; co < co1; co++) {
    for (let ci = 0; ci < Cin; ci++) {
      const q = du + (<usize>(co * Cin + ci) << 2);
      const dst = gw + (<usize>((co * Cin + ci) * 9) << 2);
      for (let r = 0; r < 3; r++) {
        const c0 = gtCol(q, r, 0, xiStride), c1 = gtCol(q, r, 1, xiStride), c2 = gtCol(q, r, 2, xiStride);
        const c3 = gtCol(q, r, 3, xiStride), c4 = gtCol(q, r, 4, xiStride), c5 = gtCol(q, r, 5, xiStride);
        store<f32>(dst + (<usize>(3 * r) << 2), <f32>(gt6(0, c0, c1, c2, c3, c4, c5) * INV576));
        store<f32>(dst + (<usize>(3 * r + 1) << 2), <f32>(gt6(1, c0, c1, c2, c3, c4, c5) * INV576));
        store<f32>(dst + (<usize>(3 * r + 2) << 2), <f32>(gt6(2, c0, c1, c2, c3, c4, c5) * INV576));
      }
    }
  }
}

/**
 * The weight gradient's last step for output channels [co0, co1): dU's
 * `parts` partial sums (partBytes apart, `products` ξ planes of Cout·Cin
 * floats each) summed into part 0 in float64, in part order (what
 * reduceF32 computes), then gW = Gᵀ·dU·G by F(2×2) (16 products) or
 * F(4×4) (36). Separate ranges of co touch separate floats, so threads can
 * share the work and the result does not depend on how it is cut.
 */
export function wgFinishDW(du: usize, parts: i32, partBytes: usize, products: i32, Cout: i32, Cin: i32, gw: usize, co0: i32, co1: i32): void {
  const planeBytes = <usize>(Cout * Cin) << 2;
  const n = (co1 - co0) * Cin;
  for (let xi = 0; xi < products; xi++) {
    const p0 = du + <usize>xi * planeBytes + (<usize>(co0 * Cin) << 2);
    for (let i = 0; i < n; i++) {
      const q = p0 + (<usize>i << 2);
      let acc = <f64>load<f32>(q);
      for (let r = 1; r < parts; r++) acc += <f64>load<f32>(q + <usize>r * partBytes);
      store<f32>(q, <f32>acc);
    }
  }
  if (products == 36) wg4UnpackDW(du, Cout, Cin, gw, co0, co1);
  else wgUnpackDW(du, Cout, Cin, gw, co0, co1);
}
