/**
 * Winograd F(2×2, 3×3) convolution (Lavin & Gray, 2016) for 3×3, stride-1
 * layers: each 2×2 block of outputs ("tile") of one channel pair costs 16
 * multiply-adds instead of 36, at the price of transforming inputs, weights
 * and outputs, which is cheap beside the products once a layer has a few
 * dozen channels each way.
 *
 *   U[ξ, co, ci] = (G g[co, ci] Gᵀ)[ξ]       weights, once per call (wgPackU)
 *   V[ξ, ci, t]  = (Bᵀ d[ci, t] B)[ξ]        the 4×4 input patch of tile t
 *   M[ξ, co, t]  = Σ_ci U[ξ, co, ci] V[ξ, ci, t]   16 small GEMMs
 *   y[co, t]     = Aᵀ M[·, co, t] A  (+ bias, ReLU, optionally 2×2 max pooling)
 *
 *   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
 *   Aᵀ = [1 1 1 0; 0 1 -1 -1].
 *
 * The input is one image's zero-padded copy `xp` [Cin, Hp, Wp] (convPad), so
 * the patch of tile (ty, tx) starts at row 2·ty, column 2·tx. Outputs must
 * be oH even and oW a multiple of 8: tiles are taken 4 at a time along a
 * tile row, one vector lane each, so that every transform is vector
 * arithmetic and every store a full vector (the caller checks).
 *
 * Tile rows are processed in blocks whose V fits in cache: the block's V is
 * built, then for each block of 4 output channels and each panel of 8 tiles
 * the 16 products run through a 4×8 register tile (the GEMM's micro-kernel
 * shape: 4 splatted U values and 2 vectors of V per step) into a 2 KB scratch
 * `m`, and the output transform reads them back from L1.
 *
 * Each output is computed by the same operations in the same order whatever
 * block, chunk or thread it falls in, so results do not depend on the thread
 * count. Rounding differs from a direct convolution's (the transforms add and
 * subtract); the error stays within a few ulps of the sum's magnitude.
 */
import { epi4, kernel4x8 } from './gemm';
import { storeMax4 } from './pool';
import { addRow, madd } from './simd';

/**
 * Bytes the ξ planes (16 here, 36 in F(4×4)) of U, V, Z or M are apart for
 * planes of `bytes`: rounded up to 64, plus 64, so that they do not all fall
 * in the same cache sets (a multiple of 4 KiB apart, the stores of one
 * transform evicted each other).
 */
// @ts-ignore: decorator
@inline export function planeStride(bytes: usize): usize {
  return ((bytes + 63) & ~(<usize>63)) + 64;
}

/** Bytes of U for a Cout × Cin layer (wgPackU). */
export function wgUBytes(Cout: i32, Cin: i32): usize {
  return 16 * planeStride(<usize>(((Cout + 3) >> 2) * Cin) << 4);
}

/** Bytes of wgConv's V for a block of nP panels of 8 tiles. */
export function wgVBytes(nP: i32, Cin: i32): usize {
  return 16 * planeStride(<usize>(nP * Cin) << 5);
}

/** Bytes of the weight gradient's V or Z for `channels` channels of `tiles` tiles: 16 planes. */
export function wgVZBytes(channels: i32, tiles: i32): usize {
  return 16 * planeStride(<usize>(channels * tiles) << 2);
}

/** Tap (r, s) of a 3×3 kernel at src (flipped: (2 - r, 2 - s)), in float64. */
// @ts-ignore: decorator
@inline export function tap(src: usize, r: i32, s: i32, flip: bool): f64 {
  const t = flip ? 8 - (3 * r + s) : 3 * r + s;
  return <f64>load<f32>(src + (<usize>t << 2));
}

/** Element (i, s) of G·g (4×3) for kernel column s. */
// @ts-ignore: decorator
@inline function gRow(src: usize, i: i32, s: i32, flip: bool): f64 {
  if (i == 0) return tap(src, 0, s, flip);
  if (i == 3) return tap(src, 2, s, flip);
  const a = tap(src, 0, s, flip), b = tap(src, 1, s, flip), c = tap(src, 2, s, flip);
  return i == 1 ? 0.5 * (a + b + c) : 0.5 * (a - b + c);
}

/**
 * U for a Cout × Cin layer of 3×3 kernels: dst[ξ][co / 4][ci][co % 4]
 * (ceil(Cout / 4) blocks, channels past Cout zero). Kernel (co, ci) tap
 * (r, s) is w[co·rsO + ci·rsI + r·3 + s], or its flip (2 - r, 2 - s) with
 * `flip` (the input gradient's transposed, flipped weights). Transformed in
 * float64, rounded once. Only blocks [cb0, cb1) (so that threads can share
 * the work).
 */
export function wgPackU(w: usize, Cout: i32, Cin: i32, rsO: i32, rsI: i32, flip: bool, dst: usize, cb0: i32, cb1: i32): void {
  const nB = (Cout + 3) >> 2;
  const xiStride = planeStride(<usize>(nB * Cin) << 4);
  for (let co = 4 * cb0; co < 4 * cb1; co++) {
    for (let ci = 0; ci < Cin; ci++) {
      const out = dst + (<usize>((co >> 2) * Cin + ci) << 4) + (<usize>(co & 3) << 2);
      if (co >= Cout) {
        for (let xi = 0; xi < 16; xi++) store<f32>(out + <usize>xi * xiStride, 0);
        continue;
      }
      const src = w + (<usize>(co * rsO + ci * rsI) << 2);
      // Row i of G·g (kernel columns a, b, c), then row i of (G·g)·Gᵀ.
      for (let i = 0; i < 4; i++) {
        const a = gRow(src, i, 0, flip), b = gRow(src, i, 1, flip), c = gRow(src, i, 2, flip);
        const o = out + <usize>(4 * i) * xiStride;
        store<f32>(o, <f32>a);
        store<f32>(o + xiStride, <f32>(0.5 * (a + b + c)));
        store<f32>(o + 2 * xiStride, <f32>(0.5 * (a - b + c)));
        store<f32>(o + 3 * xiStride, <f32>c);
      }
    }
  }
}

/**
 * V of tile rows [b0, b1) (tw tiles each) into v[ξ][panel][ci][8]: tile
 * number tb = (ty - b0)·tw + tx, lane tb % 8 of panel tb / 8; or, `plain`
 * (the weight gradient), into v[ξ][ci][t0 + tb] (ldT tiles per row). Four tiles
 * along a row are one vector: their patch columns 2tx + j are the even or
 * odd lanes of two row loads. A last half-filled panel gets zeros.
 */
function wgInput(xp: usize, Hp: i32, Wp: i32, Cin: i32, tw: i32, b0: i32, b1: i32, v: usize, nP: i32, plain: bool, ldT: i32, t0: i32): void {
  const nTiles = (b1 - b0) * tw;
  const xiStride = planeStride(plain ? <usize>(Cin * ldT) << 2 : <usize>(nP * Cin) << 5);
  const rowBytes = <usize>Wp << 2, planeBytes = <usize>(Hp * Wp) << 2;
  for (let ci = 0; ci < Cin; ci++) {
    const plane = xp + <usize>ci * planeBytes;
    for (let ty = b0; ty < b1; ty++) {
      for (let tx = 0; tx < tw; tx += 4) {
        const tb = (ty - b0) * tw + tx;
        const dst = plain ? v + (<usize>(ci * ldT + t0 + tb) << 2) : v + (<usize>((tb >> 3) * Cin + ci) << 5) + (<usize>(tb & 4) << 2);
        const r0 = plane + <usize>(2 * ty) * rowBytes + (<usize>(2 * tx) << 2);
        // Bᵀ·d·B: rows first (h = d·B per patch row), then the columns.
        let a = v128.load(r0), b = v128.load(r0, 16), c = v128.load(r0, 8), e = v128.load(r0, 24);
        let d0 = i32x4.shuffle(a, b, 0, 2, 4, 6), d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        let d2 = i32x4.shuffle(c, e, 0, 2, 4, 6), d3 = i32x4.shuffle(c, e, 1, 3, 5, 7);
        const h00 = f32x4.sub(d0, d2), h01 = f32x4.add(d1, d2), h02 = f32x4.sub(d2, d1), h03 = f32x4.sub(d1, d3);
        const r1 = r0 + rowBytes;
        a = v128.load(r1); b = v128.load(r1, 16); c = v128.load(r1, 8); e = v128.load(r1, 24);
        d0 = i32x4.shuffle(a, b, 0, 2, 4, 6); d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        d2 = i32x4.shuffle(c, e, 0, 2, 4, 6); d3 = i32x4.shuffle(c, e, 1, 3, 5, 7);
        const h10 = f32x4.sub(d0, d2), h11 = f32x4.add(d1, d2), h12 = f32x4.sub(d2, d1), h13 = f32x4.sub(d1, d3);
        const r2 = r1 + rowBytes;
        a = v128.load(r2); b = v128.load(r2, 16); c = v128.load(r2, 8); e = v128.load(r2, 24);
        d0 = i32x4.shuffle(a, b, 0, 2, 4, 6); d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        d2 = i32x4.shuffle(c, e, 0, 2, 4, 6); d3 = i32x4.shuffle(c, e, 1, 3, 5, 7);
        const h20 = f32x4.sub(d0, d2), h21 = f32x4.add(d1, d2), h22 = f32x4.sub(d2, d1), h23 = f32x4.sub(d1, d3);
        // ξ = 4i + j; rows i = 1, 2 from h1, h2; then row 0 (h0 - h2) and row 3 (h1 - h3).
        v128.store(dst + 4 * xiStride, f32x4.add(h10, h20));
        v128.store(dst + 5 * xiStride, f32x4.add(h11, h21));
        v128.store(dst + 6 * xiStride, f32x4.add(h12, h22));
        v128.store(dst + 7 * xiStride, f32x4.add(h13, h23));
        v128.store(dst + 8 * xiStride, f32x4.sub(h20, h10));
        v128.store(dst + 9 * xiStride, f32x4.sub(h21, h11));
        v128.store(dst + 10 * xiStride, f32x4.sub(h22, h12));
        v128.store(dst + 11 * xiStride, f32x4.sub(h23, h13));
        v128.store(dst, f32x4.sub(h00, h20));
        v128.store(dst + xiStride, f32x4.sub(h01, h21));
        v128.store(dst + 2 * xiStride, f32x4.sub(h02, h22));
        v128.store(dst + 3 * xiStride, f32x4.sub(h03, h23));
        const r3 = r2 + rowBytes;
        a = v128.load(r3); b = v128.load(r3, 16); c = v128.load(r3, 8); e = v128.load(r3, 24);
        d0 = i32x4.shuffle(a, b, 0, 2, 4, 6); d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        d2 = i32x4.shuffle(c, e, 0, 2, 4, 6); d3 = i32x4.shuffle(c, e, 1, 3, 5, 7);
        v128.store(dst + 12 * xiStride, f32x4.sub(h10, f32x4.sub(d0, d2)));
        v128.store(dst + 13 * xiStride, f32x4.sub(h11, f32x4.add(d1, d2)));
        v128.store(dst + 14 * xiStride, f32x4.sub(h12, f32x4.sub(d2, d1)));
        v128.store(dst + 15 * xiStride, f32x4.sub(h13, f32x4.sub(d1, d3)));
      }
    }
  }
  if (!plain && (nTiles & 4)) {
    // The last panel's upper half: zeros (its lanes are computed, never stored).
    const z = f32x4.splat(0);
    const last = v + (<usize>((nP - 1) * Cin) << 5) + 16;
    for (let xi = 0; xi < 16; xi++) {
      for (let ci = 0; ci < Cin; ci++) v128.store(last + <usize>xi * xiStride + (<usize>ci << 5), z);
    }
  }
}

/**
 * Output transform of 4 tiles (lanes) of channel co from m (row r, half h
 * already applied to `mr`): y = Aᵀ M A, epilogue, then the 2×2 outputs of
 * each tile stored as two rows of 8 floats at `out` (row stride oW floats),
 * or, with `pool`, their maximum at `pout` and its index (within the oH×oW
 * plane, i0 = index of the first tile's top-left output) at `pidx`.
 */
// @ts-ignore: decorator
@inline function outputTiles(
  mr: usize, bias: v128, relu: bool, pool: bool, out: usize, oW: i32, pout: usize, pidx: usize, i0: i32,
): void {
  // Rows of Aᵀ M: t0_j = m0j + m1j + m2j, t1_j = m1j - m2j - m3j (m_ij at ξ = 4i + j, 128 bytes apart).
  const t00 = f32x4.add(f32x4.add(v128.load(mr), v128.load(mr, 512)), v128.load(mr, 1024));
  const t01 = f32x4.add(f32x4.add(v128.load(mr, 128), v128.load(mr, 640)), v128.load(mr, 1152));
  const t02 = f32x4.add(f32x4.add(v128.load(mr, 256), v128.load(mr, 768)), v128.load(mr, 1280));
  const t03 = f32x4.add(f32x4.add(v128.load(mr, 384), v128.load(mr, 896)), v128.load(mr, 1408));
  const t10 = f32x4.sub(f32x4.sub(v128.load(mr, 512), v128.load(mr, 1024)), v128.load(mr, 1536));
  const t11 = f32x4.sub(f32x4.sub(v128.load(mr, 640), v128.load(mr, 1152)), v128.load(mr, 1664));
  const t12 = f32x4.sub(f32x4.sub(v128.load(mr, 768), v128.load(mr, 1280)), v128.load(mr, 1792));
  const t13 = f32x4.sub(f32x4.sub(v128.load(mr, 896), v128.load(mr, 1408)), v128.load(mr, 1920));
  const y00 = epi4(f32x4.add(f32x4.add(t00, t01), t02), bias, relu);
  const y01 = epi4(f32x4.sub(f32x4.sub(t01, t02), t03), bias, relu);
  const y10 = epi4(f32x4.add(f32x4.add(t10, t11), t12), bias, relu);
  const y11 = epi4(f32x4.sub(f32x4.sub(t11, t12), t13), bias, relu);
  if (!pool) {
    const ldy = <usize>oW << 2;
    v128.store(out, i32x4.shuffle(y00, y01, 0, 4, 1, 5));
    v128.store(out, i32x4.shuffle(y00, y01, 2, 6, 3, 7), 16);
    v128.store(out + ldy, i32x4.shuffle(y10, y11, 0, 4, 1, 5));
    v128.store(out + ldy, i32x4.shuffle(y10, y11, 2, 6, 3, 7), 16);
    return;
  }
  // The tile is the pooling window: taps in (h, w) order.
  const i00 = i32x4.add(i32x4.splat(i0), i32x4(0, 2, 4, 6));
  if (pidx) storeMax4(true, y00, y01, y10, y11, i00, oW, pout, pidx);
  else storeMax4(false, y00, y01, y10, y11, i00, oW, pout, 0);
}

/**
 * Convolution of one padded image, tile rows [ty0, ty1) (all channels), in
 * blocks of `rowsPerBlock` tile rows: y[co, 2ty + a, 2tx + b] for an
 * oH × oW output (oH even, oW a multiple of 8), or with `pool` the 2×2
 * maxima into [Cout, oH/2, oW/2] at y (indices at `indices`, 0: none).
 * `u`: wgPackU's weights; `v`: room for one block's V
 * (wgVBytes(ceil(rowsPerBlock · oW/2 / 8), Cin)); `m`: 2 KB (16 products × 4 × 8 floats).
 * `bias`: Cout floats (0: none); `relu`: ReLU after the bias.
 */
export function wgConv(
  xp: usize, Hp: i32, Wp: i32, Cin: i32, u: usize, Cout: i32, y: usize, oH: i32, oW: i32,
  ty0: i32, ty1: i32, rowsPerBlock: i32, v: usize, m: usize, bias: usize, relu: bool, pool: bool, indices: usize,
): void {
  const tw = oW >> 1;
  const nB = (Cout + 3) >> 2;
  const uXi = planeStride(<usize>(nB * Cin) << 4);
  const pW = oW >> 1, pPlane = (oH >> 1) * pW;
  for (let b0 = ty0; b0 < ty1; b0 += rowsPerBlock) {
    const b1 = b0 + rowsPerBlock < ty1 ? b0 + rowsPerBlock : ty1;
    const nTiles = (b1 - b0) * tw, nP = (nTiles + 7) >> 3;
    const vXi = planeStride(<usize>(nP * Cin) << 5);
    wgInput(xp, Hp, Wp, Cin, tw, b0, b1, v, nP, false, 0, 0);
    for (let cb = 0; cb < nB; cb++) {
      const ua = u + (<usize>(cb * Cin) << 4);
      const rows = Cout - 4 * cb < 4 ? Cout - 4 * cb : 4;
      for (let p = 0; p < nP; p++) {
        const vb = v + (<usize>(p * Cin) << 5);
        // Product ξ: the GEMM's 4×8 micro-kernel over Cin into m[ξ] (4 rows of 8).
        for (let xi = 0; xi < 16; xi++) kernel4x8(Cin, ua + <usize>xi * uXi, vb + <usize>xi * vXi, 32, m + (<usize>xi << 7), 8, false, false, 0, false);
        for (let h = 0; h < 2; h++) {
          const tb = p * 8 + h * 4;
          if (tb >= nTiles) break;
          const ty = b0 + tb / tw, tx = tb % tw;
          for (let r = 0; r < rows; r++) {
            const co = 4 * cb + r;
            const bv = bias ? v128.load32_splat(bias + (<usize>co << 2)) : f32x4.splat(0);
            const mr = m + (<usize>r << 5) + (<usize>h << 4);
            if (pool) {
              const o = <usize>(co * pPlane + ty * pW + tx) << 2;
              outputTiles(mr, bv, relu, true, 0, oW, y + o, indices ? indices + o : 0, 2 * ty * oW + 2 * tx);
            } else {
              const out = y + (<usize>((co * oH + 2 * ty) * oW + 2 * tx) << 2);
              outputTiles(mr, bv, relu, false, out, oW, 0, 0, 0);
            }
          }
        }
      }
    }
  }
}

// ---- weight gradient --------------------------------------------------------
//
// With y = Aᵀ (U ⊙ V) A per tile, the gradient of U is Z ⊙ V summed over tiles,
// Z = A·gy·Aᵀ the 4×4 transform of the tile's 2×2 output gradient, and
// gW = Gᵀ·dU·G: per product ξ, dU[ξ, co, ci] = Σ_t Z[ξ, co, t] · V[ξ, ci, t],
// 16 multiply-adds per tile and channel pair instead of 36.

/**
 * Z of tile rows [b0, b1) of one image's gradient gy [Cout, oH, oW] into
 * z[ξ][co][t0 + tb] (tb = (ty - b0)·tw + tx, ldT tiles per row), four tiles
 * per vector.
 * A = [1 0; 1 1; 1 -1; 0 -1]: a row (g0, g1) becomes (g0, g0 + g1, g0 - g1, -g1).
 */
function wgGrad(gy: usize, Cout: i32, oH: i32, oW: i32, b0: i32, b1: i32, z: usize, ldT: i32, t0: i32): void {
  const tw = oW >> 1;
  const xiStride = planeStride(<usize>(Cout * ldT) << 2);
  const rowBytes = <usize>oW << 2, planeBytes = <usize>(oH * oW) << 2;
  for (let co = 0; co < Cout; co++) {
    const plane = gy + <usize>co * planeBytes;
    for (let ty = b0; ty < b1; ty++) {
      for (let tx = 0; tx < tw; tx += 4) {
        const tb = (ty - b0) * tw + tx;
        const dst = z + (<usize>(co * ldT + t0 + tb) << 2);
        const r0 = plane + <usize>(2 * ty) * rowBytes + (<usize>(2 * tx) << 2), r1 = r0 + rowBytes;
        let a = v128.load(r0), b = v128.load(r0, 16);
        const g00 = i32x4.shuffle(a, b, 0, 2, 4, 6), g01 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        a = v128.load(r1); b = v128.load(r1, 16);
        const g10 = i32x4.shuffle(a, b, 0, 2, 4, 6), g11 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        // Rows: (g0, g0 + g1, g0 - g1, -g1); then the same down the columns.
        const p0 = g00, p1 = f32x4.add(g00, g01), p2 = f32x4.sub(g00, g01), p3 = f32x4.neg(g01);
        const q0 = g10, q1 = f32x4.add(g10, g11), q2 = f32x4.sub(g10, g11), q3 = f32x4.neg(g11);
        v128.store(dst, p0);
        v128.store(dst + xiStride, p1);
        v128.store(dst + 2 * xiStride, p2);
        v128.store(dst + 3 * xiStride, p3);
        v128.store(dst + 4 * xiStride, f32x4.add(p0, q0));
        v128.store(dst + 5 * xiStride, f32x4.add(p1, q1));
        v128.store(dst + 6 * xiStride, f32x4.add(p2, q2));
        v128.store(dst + 7 * xiStride, f32x4.add(p3, q3));
        v128.store(dst + 8 * xiStride, f32x4.sub(p0, q0));
        v128.store(dst + 9 * xiStride, f32x4.sub(p1, q1));
        v128.store(dst + 10 * xiStride, f32x4.sub(p2, q2));
        v128.store(dst + 11 * xiStride, f32x4.sub(p3, q3));
        v128.store(dst + 12 * xiStride, f32x4.neg(q0));
        v128.store(dst + 13 * xiStride, f32x4.neg(q1));
        v128.store(dst + 14 * xiStride, f32x4.neg(q2));
        v128.store(dst + 15 * xiStride, f32x4.neg(q3));
      }
    }
  }
}

/**
 * One register tile of dU: MR output channels (rows of Z at za, ldT bytes
 * apart) × NT input channels (rows of V at vb), each a vector of partial sums
 * over nv vectors of 4 tiles, summed horizontally into du (row stride ldu
 * bytes). MR·NT accumulators + NT + 1 loaded vectors within 15 registers.
 */
// @ts-ignore: decorator
@inline function dTile(MR: i32, NT: i32, za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void {
  const zero = f32x4.splat(0);
  let d00 = zero, d01 = zero, d02 = zero, d10 = zero, d11 = zero, d12 = zero, d20 = zero, d21 = zero, d22 = zero;
  const end = za + (<usize>nv << 4);
  while (za < end) {
    const x0 = v128.load(vb);
    const x1 = NT > 1 ? v128.load(vb + ldT) : x0;
    const x2 = NT > 2 ? v128.load(vb + 2 * ldT) : x0;
    let g = v128.load(za);
    d00 = madd(g, x0, d00);
    if (NT > 1) d01 = madd(g, x1, d01);
    if (NT > 2) d02 = madd(g, x2, d02);
    if (MR > 1) {
      g = v128.load(za + ldT);
      d10 = madd(g, x0, d10);
      if (NT > 1) d11 = madd(g, x1, d11);
      if (NT > 2) d12 = madd(g, x2, d12);
    }
    if (MR > 2) {
      g = v128.load(za + 2 * ldT);
      d20 = madd(g, x0, d20);
      if (NT > 1) d21 = madd(g, x1, d21);
      if (NT > 2) d22 = madd(g, x2, d22);
    }
    za += 16;
    vb += 16;
  }
  addRow(NT, du, d00, d01, d02);
  if (MR > 1) addRow(NT, du + ldu, d10, d11, d12);
  if (MR > 2) addRow(NT, du + 2 * ldu, d20, d21, d22);
}

function dT33(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(3, 3, za, vb, ldT, nv, du, ldu); }
function dT32(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(3, 2, za, vb, ldT, nv, du, ldu); }
function dT31(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(3, 1, za, vb, ldT, nv, du, ldu); }
function dT23(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(2, 3, za, vb, ldT, nv, du, ldu); }
function dT22(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(2, 2, za, vb, ldT, nv, du, ldu); }
function dT21(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(2, 1, za, vb, ldT, nv, du, ldu); }
function dT13(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(1, 3, za, vb, ldT, nv, du, ldu); }
function dT12(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(1, 2, za, vb, ldT, nv, du, ldu); }
function dT11(za: usize, vb: usize, ldT: usize, nv: i32, du: usize, ldu: usize): void { dTile(1, 1, za, vb, ldT, nv, du, ldu); }

/**
 * Adds the share of `nImg` images in dU into du[ξ][co][ci] (float32,
 * Cout·Cin per ξ): their padded copies of x at xp, xpStride bytes apart
 * ([Cin, Hp, Wp] as in wgConv), their gradients gy [Cout, oH, oW] gyStride
 * bytes apart (oH even, oW a multiple of 8). Tiles are taken in blocks of
 * `rowsPerBlock` tile rows of every image (whole images when nImg > 1), so
 * that each dU element's sum runs over many tiles before its one horizontal
 * sum per block; `v`, `z`: room for a block's V and Z (wgVZBytes(Cin, tiles),
 * wgVZBytes(Cout, tiles), tiles = nImg · rowsPerBlock · oW/2). Blocks in order.
 */
export function wgBwdW(
  xp: usize, xpStride: usize, nImg: i32, Hp: i32, Wp: i32, Cin: i32, gy: usize, gyStride: usize, Cout: i32, oH: i32, oW: i32,
  rowsPerBlock: i32, v: usize, z: usize, du: usize,
): void {
  const th = oH >> 1, tw = oW >> 1;
  const ldu = <usize>Cin << 2;
  for (let b0 = 0; b0 < th; b0 += rowsPerBlock) {
    const b1 = b0 + rowsPerBlock < th ? b0 + rowsPerBlock : th;
    const perImage = (b1 - b0) * tw, nTiles = perImage * nImg, nv = nTiles >> 2;
    const ldT = <usize>nTiles << 2;
    const vXi = planeStride(<usize>Cin * ldT), zXi = planeStride(<usize>Cout * ldT);
    for (let i = 0; i < nImg; i++) {
      wgInput(xp + <usize>i * xpStride, Hp, Wp, Cin, tw, b0, b1, v, 0, true, nTiles, i * perImage);
      wgGrad(gy + <usize>i * gyStride, Cout, oH, oW, b0, b1, z, nTiles, i * perImage);
    }
    for (let xi = 0; xi < 16; xi++) {
      wgDUPlane(z + <usize>xi * zXi, v + <usize>xi * vXi, ldT, nv, du + <usize>(xi * Cout) * ldu, ldu, Cout, Cin);
    }
  }
}

/**
 * One ξ plane of dU: du[co][ci] (row stride ldu bytes) += Σ_t Z[co][t]·V[ci][t]
 * over nv vectors of 4 tiles (rows of Z at zx and of V at vx, ldT bytes
 * apart), in register tiles of 3 × 3 channels.
 */
export function wgDUPlane(zx: usize, vx: usize, ldT: usize, nv: i32, dx: usize, ldu: usize, Cout: i32, Cin: i32): void {
  for (let co = 0; co < Cout; co += 3) {
    const mr = Cout - co < 3 ? Cout - co : 3;
    const za = zx + <usize>co * ldT, dr = dx + <usize>co * ldu;
    let ci = 0;
    for (; ci + 3 <= Cin; ci += 3) {
      const vb = vx + <usize>ci * ldT, d = dr + (<usize>ci << 2);
      if (mr == 3) dT33(za, vb, ldT, nv, d, ldu);
      else if (mr == 2) dT23(za, vb, ldT, nv, d, ldu);
      else dT13(za, vb, ldT, nv, d, ldu);
    }
    if (ci < Cin) {
      const vb = vx + <usize>ci * ldT, d = dr + (<usize>ci << 2);
      if (Cin - ci == 2) {
        if (mr == 3) dT32(za, vb, ldT, nv, d, ldu);
        else if (mr == 2) dT22(za, vb, ldT, nv, d, ldu);
        else dT12(za, vb, ldT, nv, d, ldu);
      } else {
        if (mr == 3) dT31(za, vb, ldT, nv, d, ldu);
        else if (mr == 2) dT21(za, vb, ldT, nv, d, ldu);
        else dT11(za, vb, ldT, nv, d, ldu);
      }
    }
  }
}

/**
 * gw[co, ci] (3×3, row-major, Cout·Cin·9 floats) = Gᵀ·dU·G for co in
 * [co0, co1), dU at du [ξ][co][ci] (float32, summed over the parts), in float64.
 * Gᵀ = [1 ½ ½ 0; 0 ½ -½ 0; 0 ½ ½ 1]: a 4-vector (a, b, c, d) becomes
 * (a + ½(b + c), ½(b - c), ½(b + c) + d).
 */
export function wgUnpackDW(du: usize, Cout: i32, Cin: i32, gw: usize, co0: i32, co1: i32): void {
  const xiStride = <usize>(Cout * Cin) << 2;
  for (let co = co0; co < co1; co++) {
    for (let ci = 0; ci < Cin; ci++) {
      const src = du + (<usize>(co * Cin + ci) << 2);
      const dst = gw + (<usize>((co * Cin + ci) * 9) << 2);
      // Row r of Gᵀ·dU (over the columns j), then of (Gᵀ·dU)·G.
      for (let r = 0; r < 3; r++) {
        let c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0;
        for (let j = 0; j < 4; j++) {
          const q = src + <usize>j * xiStride;
          const a = <f64>load<f32>(q), b = <f64>load<f32>(q + 4 * xiStride);
          const c = <f64>load<f32>(q + 8 * xiStride), d = <f64>load<f32>(q + 12 * xiStride);
          const t = r == 0 ? a + 0.5 * (b + c) : r == 1 ? 0.5 * (b - c) : 0.5 * (b + c) + d;
          if (j == 0) c0 = t;
          else if (j == 1) c1 = t;
          else if (j == 2) c2 = t;
          else c3 = t;
        }
        store<f32>(dst + (<usize>(3 * r) << 2), <f32>(c0 + 0.5 * (c1 + c2)));
        store<f32>(dst + (<usize>(3 * r + 1) << 2), <f32>(0.5 * (c1 - c2)));
        store<f32>(dst + (<usize>(3 * r + 2) << 2), <f32>(0.5 * (c1 + c2) + c3));
      }
    }
  }
}
