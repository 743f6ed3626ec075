/**
 * Training-mode batch normalisation (float32) over x [N, C, S], as
 * src/backend/reference/batchnorm.ts, channels [c0, c1) per call (so threads
 * can split channels). Sums run in f32x4 lanes within each contiguous run
 * of S values and in float64 across runs. w/b = 0 (null pointer) stand for
 * weight 1 and bias 0.
 */

/** The four lanes of v added in float64. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** Sum of n floats at p: 4 lanes, then float64. */
// @ts-ignore: decorator
@inline function runSum(p: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(p + (<usize>i << 2)));
  let s: f64 = hsum(acc);
  for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

export function batchNormTrainF32(
  x: usize, w: usize, b: usize, n: i32, c: i32, s: i32, eps: f64, y: usize, mean: usize, variance: usize, c0: i32, c1: i32,
): void {
  const m = <f64>n * <f64>s;
  for (let ch = c0; ch < c1; ch++) {
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) sum += runSum(x + (<usize>((i * c + ch) * s) << 2), s);
    const mu = sum / m;
    const vmu = f32x4.splat(<f32>mu);
    let sq: f64 = 0;
    for (let i = 0; i < n; i++) {
      const p = x + (<usize>((i * c + ch) * s) << 2);
      let acc = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const d = f32x4.sub(v128.load(p + (<usize>k << 2)), vmu);
        acc = f32x4.add(acc, f32x4.mul(d, d));
      }
      sq += hsum(acc);
      for (; k < s; k++) {
        const d = <f64>load<f32>(p + (<usize>k << 2)) - mu;
        sq += d * d;
      }
    }
    const v = sq / m;
    const scale = <f32>((w ? <f64>load<f32>(w + (<usize>ch << 2)) : 1) / Math.sqrt(v + eps));
    const shift = <f32>(b ? <f64>load<f32>(b + (<usize>ch << 2)) : 0) - <f32>mu * scale;
    const vs = f32x4.splat(scale), vt = f32x4.splat(shift);
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * s) << 2;
      const p = x + off, q = y + off;
      let k = 0;
      for (; k + 4 <= s; k += 4) v128.store(q + (<usize>k << 2), f32x4.add(f32x4.mul(v128.load(p + (<usize>k << 2)), vs), vt));
      for (; k < s; k++) store<f32>(q + (<usize>k << 2), load<f32>(p + (<usize>k << 2)) * scale + shift);
    }
    store<f32>(mean + (<usize>ch << 2), <f32>mu);
    store<f32>(variance + (<usize>ch << 2), <f32>v);
  }
}

export function batchNormTrainBackwardF32(
  x: usize, gy: usize, mean: usize, variance: usize, w: usize, n: i32, c: i32, s: i32, eps: f64,
  dx: usize, dweight: usize, dbias: usize, c0: i32, c1: i32,
): void {
  const m = <f64>n * <f64>s;
  for (let ch = c0; ch < c1; ch++) {
    const mu = load<f32>(mean + (<usize>ch << 2));
    const invStd = 1 / Math.sqrt(<f64>load<f32>(variance + (<usize>ch << 2)) + eps);
    const vmu = f32x4.splat(mu);
    // Σ gy and Σ gy·(x - mean); x̂ = (x - mean)·invStd is applied after the sums.
    let sg: f64 = 0, sgd: f64 = 0;
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * s) << 2;
      const p = x + off, g = gy + off;
      let ag = f32x4.splat(0), agd = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const gv = v128.load(g + (<usize>k << 2));
        ag = f32x4.add(ag, gv);
        agd = f32x4.add(agd, f32x4.mul(gv, f32x4.sub(v128.load(p + (<usize>k << 2)), vmu)));
      }
      sg += hsum(ag);
      sgd += hsum(agd);
      for (; k < s; k++) {
        const gv = <f64>load<f32>(g + (<usize>k << 2));
        sg += gv;
        sgd += gv * (<f64>load<f32>(p + (<usize>k << 2)) - <f64>mu);
      }
    }
    const sgx = sgd * invStd;
    const scale = (w ? <f64>load<f32>(w + (<usize>ch << 2)) : 1) * invStd;
    // dx = scale·(gy - sg/m - (x - mean)·invStd²·sgd/m) = a·gy + bcoef·(x - mean) + c0
    const a = <f32>scale, bco = <f32>(-scale * invStd * sgx / m), cst = <f32>(-scale * sg / m);
    const va = f32x4.splat(a), vb = f32x4.splat(bco), vc = f32x4.splat(cst);
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * s) << 2;
      const p = x + off, g = gy + off, q = dx + off;
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const o = <usize>k << 2;
        const t = f32x4.add(f32x4.mul(va, v128.load(g + o)), f32x4.mul(vb, f32x4.sub(v128.load(p + o), vmu)));
        v128.store(q + o, f32x4.add(t, vc));
      }
      for (; k < s; k++) {
        const o = <usize>k << 2;
        store<f32>(q + o, a * load<f32>(g + o) + bco * (load<f32>(p + o) - mu) + cst);
      }
    }
    store<f32>(dweight + (<usize>ch << 2), <f32>sgx);
    store<f32>(dbias + (<usize>ch << 2), <f32>sg);
  }
}
