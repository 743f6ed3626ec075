/**
 * The convolution epilogue, bias + ReLU, for paths whose kernel cannot fold
 * it in (im2col + GEMM; the direct kernel starts its accumulators from the
 * bias instead), and its backward, which masks the output gradient by the
 * ReLU and sums it per channel for the bias gradient in the same pass.
 */

/**
 * In place on y [C, P] (one image or group): y += bias[c] (bias 0: none),
 * then max(y, 0) if `relu` (as the relu op: NaN stays NaN, -0 becomes +0).
 */
export function convBiasRelu(y: usize, bias: usize, C: i32, P: i32, relu: bool): void {
  const z = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    const bs: f32 = bias ? load<f32>(bias + (<usize>c << 2)) : 0;
    const b = f32x4.splat(bs);
    let p = y + (<usize>(c * P) << 2);
    let i = 0;
    if (relu) {
      for (; i + 4 <= P; i += 4, p += 16) v128.store(p, f32x4.max(f32x4.add(v128.load(p), b), z));
      for (; i < P; i++, p += 4) {
        const v = load<f32>(p) + bs;
        store<f32>(p, v > 0 ? v : (v == v ? <f32>0 : v));
      }
    } else {
      for (; i + 4 <= P; i += 4, p += 16) v128.store(p, f32x4.add(v128.load(p), b));
      for (; i < P; i++, p += 4) store<f32>(p, load<f32>(p) + bs);
    }
  }
}

/**
 * Backward of the epilogue over g, y [N, C, S], images [n0, n1), in memory
 * order: gOut = g where y > 0, else 0 (only if y != 0, i.e. with ReLU; y is
 * the epilogue's output), and sums[c] = Σ_{n, s} of that gradient in double
 * precision (if sums != 0; f64 [C], overwritten), each plane summed in
 * vector lanes first.
 */
export function convBiasReluBackward(g: usize, y: usize, n0: i32, n1: i32, C: i32, S: i32, gOut: usize, sums: usize): void {
  const z = f32x4.splat(0);
  if (sums) for (let c = 0; c < C; c++) store<f64>(sums + (<usize>c << 3), 0);
  for (let n = n0; n < n1; n++) {
    for (let c = 0; c < C; c++) {
      const off = <usize>((n * C + c) * S) << 2;
      const gp = g + off, yp = y + off, op = gOut + off;
      let acc = z;
      let tail: f32 = 0;
      let i = 0;
      if (y) {
        for (; i + 4 <= S; i += 4) {
          const o = <usize>i << 2;
          const v = v128.and(v128.load(gp + o), f32x4.gt(v128.load(yp + o), z));
          v128.store(op + o, v);
          acc = f32x4.add(acc, v);
        }
        for (; i < S; i++) {
          const o = <usize>i << 2;
          const v: f32 = load<f32>(yp + o) > 0 ? load<f32>(gp + o) : 0;
          store<f32>(op + o, v);
          tail += v;
        }
      } else {
        for (; i + 4 <= S; i += 4) acc = f32x4.add(acc, v128.load(gp + (<usize>i << 2)));
        for (; i < S; i++) tail += load<f32>(gp + (<usize>i << 2));
      }
      if (sums) {
        const h = f32x4.add(acc, i32x4.shuffle(acc, acc, 2, 3, 0, 1));
        const p = sums + (<usize>c << 3);
        store<f64>(p, load<f64>(p) + <f64>(f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1) + tail));
      }
    }
  }
}
