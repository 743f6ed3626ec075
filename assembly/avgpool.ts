/**
 * Average pooling (plain and adaptive) forward and backward for float32,
 * driven by window tables that the JS side builds with the reference
 * backend's own window code (src/backend/reference/pool.ts
 * avgWindowTables), so the window and divisor rules exist once. Per axis
 * D, H, W the tables hold first, count and divisor per output position.
 * Sums run in float64, as in the reference.
 */

// @ts-ignore: decorator
@inline function tab(t: usize, i: i32): i32 {
  return load<i32>(t + (<usize>i << 2));
}

/**
 * Forward (backward = 0): dst[plane, o] = sum over o's window of src / divisor.
 * Backward (backward = 1): dst[plane, window of o] += src[plane, o] / divisor, dst zeroed here.
 */
export function windowedAvgF32(
  planes: i32, D: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32, tables: usize, fixed: f64, src: usize, dst: usize, backward: i32,
): void {
  const tD = tables, tH = tD + (<usize>(3 * OD) << 2), tW = tH + (<usize>(3 * OH) << 2);
  const inPlane = D * H * W, outPlane = OD * OH * OW;
  for (let pl = 0; pl < planes; pl++) {
    const base = <usize>(pl * inPlane) << 2;
    if (backward) memory.fill(dst + base, 0, <usize>inPlane << 2);
    let o = pl * outPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = tab(tD, od), d1 = d0 + tab(tD, OD + od), dd = tab(tD, 2 * OD + od);
      for (let oh = 0; oh < OH; oh++) {
        const h0 = tab(tH, oh), h1 = h0 + tab(tH, OH + oh), dh = tab(tH, 2 * OH + oh);
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = tab(tW, ow), w1 = w0 + tab(tW, OW + ow), dw = tab(tW, 2 * OW + ow);
          const div: f64 = fixed != 0 ? fixed : <f64>dd * <f64>dh * <f64>dw; // an override may be negative, never 0
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
            if (!backward) store<f32>(dst + (<usize>o << 2), 0);
            continue;
          }
          if (backward) {
            const g = <f32>(<f64>load<f32>(src + (<usize>o << 2)) / div);
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                const row = dst + base + (<usize>((d * H + h) * W) << 2);
                for (let w = w0; w < w1; w++) {
                  const q = row + (<usize>w << 2);
                  store<f32>(q, load<f32>(q) + g);
                }
              }
            }
          } else {
            let sum: f64 = 0;
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                const row = src + base + (<usize>((d * H + h) * W) << 2);
                for (let w = w0; w < w1; w++) sum += <f64>load<f32>(row + (<usize>w << 2));
              }
            }
            store<f32>(dst + (<usize>o << 2), <f32>(sum / div));
          }
        }
      }
    }
  }
}
