/**
 * Training-mode batch normalisation (float32) over x [N, C, S], as
 * src/backend/reference/batchnorm.ts, channels [c0, c1) per call (so threads
 * can split channels). w/b = 0 (null pointer) stand for weight 1 and bias 0.
 *
 * Precision when the mean is far from zero (inputs ~N(1000, 1)): every pass
 * works on d = x - mu32, where mu32 is the float32 mean; d is exact in float32
 * when x is within a factor 2 of the mean (Sterbenz), so nothing of the
 * variance is lost to cancellation. The mean's rounding error δ = mean(d) is
 * measured in the same pass and subtracted, so y = (d - δ)·scale + b centres on
 * the true mean: never x·scale + (b - mean·scale), whose two large terms cancel.
 * The variance is two-pass, Σ(d - δ)² = Σd² - m·δ², not E[x²] - E[x]².
 * All sums accumulate in float64 (f64x2 lanes).
 */

/** The two f64 lanes of v added. */
// @ts-ignore: decorator
@inline function hsum2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Lanes 2 and 3 of an f32x4 moved to lanes 0 and 1, for f64x2.promote_low_f32x4. */
// @ts-ignore: decorator
@inline function high(v: v128): v128 {
  return i32x4.shuffle(v, v, 2, 3, 0, 1);
}

/** Sum of n floats at p, in float64. */
function runSum(p: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(high(v)));
  }
  let s: f64 = hsum2(f64x2.add(a0, a1));
  for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

/** Scratch results of the centred pass: Σd and Σd² (statics: AssemblyScript returns one value). */
let sumD: f64 = 0, sumD2: f64 = 0;

/** Σd and Σd² over n floats at p, d = x - mu (float32), in float64; adds to sumD/sumD2. */
function runCentred(p: usize, n: i32, mu: f32): void {
  const vmu = f32x4.splat(mu);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), q0 = f64x2.splat(0), q1 = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const d = f32x4.sub(v128.load(p + (<usize>k << 2)), vmu);
    const lo = f64x2.promote_low_f32x4(d), hi = f64x2.promote_low_f32x4(high(d));
    a0 = f64x2.add(a0, lo);
    a1 = f64x2.add(a1, hi);
    q0 = f64x2.add(q0, f64x2.mul(lo, lo));
    q1 = f64x2.add(q1, f64x2.mul(hi, hi));
  }
  let s: f64 = hsum2(f64x2.add(a0, a1)), q: f64 = hsum2(f64x2.add(q0, q1));
  for (; k < n; k++) {
    const d = <f64>(load<f32>(p + (<usize>k << 2)) - mu);
    s += d;
    q += d * d;
  }
  sumD += s;
  sumD2 += q;
}

export function batchNormTrainF32(
  x: usize, w: usize, b: usize, n: i32, c: i32, s: i32, eps: f64, y: usize, mean: usize, variance: usize, c0: i32, c1: i32,
): void {
  const m = <f64>n * <f64>s;
  for (let ch = c0; ch < c1; ch++) {
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) sum += runSum(x + (<usize>((i * c + ch) * s) << 2), s);
    const mu = <f32>(sum / m);
    sumD = 0;
    sumD2 = 0;
    for (let i = 0; i < n; i++) runCentred(x + (<usize>((i * c + ch) * s) << 2), s, mu);
    const delta = sumD / m;
    const v = max<f64>(sumD2 / m - delta * delta, 0);
    const scale = <f32>((w ? <f64>load<f32>(w + (<usize>ch << 2)) : 1) / Math.sqrt(v + eps));
    const shift = <f32>(b ? load<f32>(b + (<usize>ch << 2)) : 0);
    const vmu = f32x4.splat(mu), vd = f32x4.splat(<f32>delta), vs = f32x4.splat(scale), vt = f32x4.splat(shift);
    const d32 = <f32>delta;
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * s) << 2;
      const p = x + off, q = y + off;
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const d = f32x4.sub(f32x4.sub(v128.load(p + (<usize>k << 2)), vmu), vd);
        v128.store(q + (<usize>k << 2), f32x4.add(f32x4.mul(d, vs), vt));
      }
      for (; k < s; k++) store<f32>(q + (<usize>k << 2), (load<f32>(p + (<usize>k << 2)) - mu - d32) * scale + shift);
    }
    store<f32>(mean + (<usize>ch << 2), <f32>(<f64>mu + delta));
    store<f32>(variance + (<usize>ch << 2), <f32>v);
  }
}

export function batchNormTrainBackwardF32(
  x: usize, gy: usize, mean: usize, variance: usize, w: usize, n: i32, c: i32, s: i32, eps: f64,
  dx: usize, dweight: usize, dbias: usize, c0: i32, c1: i32,
): void {
  const m = <f64>n * <f64>s;
  for (let ch = c0; ch < c1; ch++) {
    // The saved mean is float32; centre on it (d = x - mu, exact near the mean) and measure its
    // rounding error δ = mean(d) in the same pass, so x̂ = (d - δ)·invStd is centred exactly.
    const mu = load<f32>(mean + (<usize>ch << 2));
    const invStd = 1 / Math.sqrt(<f64>load<f32>(variance + (<usize>ch << 2)) + eps);
    const vmu = f32x4.splat(mu);
    // Σ gy, Σ gy·d and Σ d, in float64 lanes.
    let sg: f64 = 0, sgd: f64 = 0, sd: f64 = 0;
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * s) << 2;
      const p = x + off, g = gy + off;
      let g0 = f64x2.splat(0), g1 = f64x2.splat(0), e0 = f64x2.splat(0), e1 = f64x2.splat(0), d0 = f64x2.splat(0), d1 = f64x2.splat(0);
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const gv = v128.load(g + (<usize>k << 2));
        const dv = f32x4.sub(v128.load(p + (<usize>k << 2)), vmu);
        const glo = f64x2.promote_low_f32x4(gv), ghi = f64x2.promote_low_f32x4(high(gv));
        const dlo = f64x2.promote_low_f32x4(dv), dhi = f64x2.promote_low_f32x4(high(dv));
        g0 = f64x2.add(g0, glo);
        g1 = f64x2.add(g1, ghi);
        e0 = f64x2.add(e0, f64x2.mul(glo, dlo));
        e1 = f64x2.add(e1, f64x2.mul(ghi, dhi));
        d0 = f64x2.add(d0, dlo);
        d1 = f64x2.add(d1, dhi);
      }
      sg += hsum2(f64x2.add(g0, g1));
      sgd += hsum2(f64x2.add(e0, e1));
      sd += hsum2(f64x2.add(d0, d1));
      for (; k < s; k++) {
        const gv = <f64>load<f32>(g + (<usize>k << 2));
        const dv = <f64>(load<f32>(p + (<usize>k << 2)) - mu);
        sg += gv;
        sgd += gv * dv;
        sd += dv;
      }
    }
    const delta = sd / m;
    const sgx = (sgd - delta * sg) * invStd; // Σ gy·x̂
    const scale = (w ? <f64>load<f32>(w + (<usize>ch << 2)) : 1) * invStd;
    // dx = scale·(gy - sg/m - x̂·sgx/m) = a·gy + bco·d + cst, with x̂ = (d - δ)·invStd.
    const bco64 = -scale * invStd * sgx / m;
    const a = <f32>scale, bco = <f32>bco64, cst = <f32>(-scale * sg / m - bco64 * delta);
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
