/**
 * WGSL float32 math for the elementwise kernels, written out instead of
 * using WGSL's builtins where those are not good enough:
 *  - NaN: WGSL lets drivers assume there are no NaNs, and they do (SwiftShader
 *    answers `nan != nan` with false and `log(-1)` with 0), so NaN and ±Inf
 *    are detected from the bits and produced from a private variable (a
 *    constant NaN is a shader-creation error).
 *  - exp, log, log1p, expm1, log2, log10, sin, cos, tan, atan, tanh, erf:
 *    the builtins' required accuracy is loose (sin/cos 2^-11 absolute, atan
 *    4096 ulp, log 2^-21 absolute near 1) and some are missing (erf, log1p,
 *    expm1), so these are ports of musl/fdlibm and Cephes float routines:
 *    a few ulp, from plain f32 arithmetic that every driver does the same way.
 *  - pow follows JavaScript's Math.pow (the reference backend's), special
 *    values included; WGSL's pow is undefined for negative bases.
 * Known limit: sin/cos/tan reduce their argument with a three-part π/2
 * (Cody-Waite), exact for |x| up to about 1e4 and drifting beyond that.
 *
 * {@link mathLib} returns just the functions a kernel needs (with their
 * dependencies), so shaders stay small.
 */

/** name -> [WGSL source, the names it uses]. */
const LIB: Record<string, [string, string[]]> = {
  base: [
    `var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan_() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_() -> f32 { return bitcast<f32>(INF_BITS); }
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn signbit_(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }
fn copysign_(m: f32, s: f32) -> f32 { return bitcast<f32>((bitcast<u32>(m) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u)); }
// 2^k for k in [-126, 127], from the bits.
fn pow2i_(k: i32) -> f32 { return bitcast<f32>(u32(k + 127) << 23u); }
// y * 2^k for k in [-252, 254] in two steps, so neither factor leaves the normal range.
fn scale2_(y: f32, k: i32) -> f32 { let h = k / 2; return y * pow2i_(h) * pow2i_(k - h); }`,
    [],
  ],
  // musl expf: k = round(x/ln2), r = x - k ln2 (two-part ln2), then a rational approximation of e^r.
  exp: [
    `fn exp_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  if (x > 88.72283935546875) { return inf_(); }
  if (x < -103.972084045410) { return 0.0; }
  let k = round(x * 1.4426950216);
  let hi = x - k * 6.9314575195e-01;
  let lo = k * 1.4286067653e-06;
  let r = hi - lo;
  let z = r * r;
  let c = r - z * (1.6666625440e-1 + z * -2.7667332906e-3);
  let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return scale2_(y, i32(k));
}`,
    ['base'],
  ],
  // musl logf's core: x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)); log(1 + f) = f - hfsq + sr.
  logcore: [
    `struct LogParts { f: f32, hfsq: f32, sr: f32, k: f32 }
// For finite x > 0.
fn logParts_(x: f32) -> LogParts {
  var ix = bitcast<u32>(x);
  var k: i32 = 0;
  if (ix < 0x00800000u) { ix = bitcast<u32>(x * 33554432.0); k = -25; } // subnormal: scale by 2^25
  ix += 0x3f800000u - 0x3f3504f3u;
  k += i32(ix >> 23u) - 0x7f;
  ix = (ix & 0x007fffffu) + 0x3f3504f3u;
  let f = bitcast<f32>(ix) - 1.0;
  return logPoly_(f, f32(k));
}
fn logPoly_(f: f32, k: f32) -> LogParts {
  let s = f / (2.0 + f);
  let z = s * s;
  let w = z * z;
  let t1 = w * (0.40000972152 + w * 0.24279078841);
  let t2 = z * (0.66666662693 + w * 0.28498786688);
  let hfsq = 0.5 * f * f;
  return LogParts(f, hfsq, s * (hfsq + t2 + t1), k);
}
// Special values of every logarithm: NaN below 0 (and for NaN), -Inf at ±0, +Inf at +Inf; 'ok' = finite > 0.
fn logSpecial_(x: f32) -> vec2<f32> {
  if (isnan_(x) || x < 0.0) { return vec2<f32>(nan_(), 0.0); }
  if (x == 0.0) { return vec2<f32>(-inf_(), 0.0); }
  if (isinf_(x)) { return vec2<f32>(x, 0.0); }
  return vec2<f32>(0.0, 1.0);
}`,
    ['base'],
  ],
  log: [
    `fn log_(x: f32) -> f32 {
  let sp = logSpecial_(x);
  if (sp.y == 0.0) { return sp.x; }
  let p = logParts_(x);
  return p.sr + p.k * 9.0580006145e-06 - p.hfsq + p.f + p.k * 6.9313812256e-01;
}`,
    ['logcore'],
  ],
  log2: [
    `fn log2_(x: f32) -> f32 {
  let sp = logSpecial_(x);
  if (sp.y == 0.0) { return sp.x; }
  let p = logParts_(x);
  let hi = bitcast<f32>(bitcast<u32>(p.f - p.hfsq) & 0xfffff000u);
  let lo = p.f - hi - p.hfsq + p.sr;
  return (lo + hi) * -1.7605285393e-04 + lo * 1.4428710938e+00 + hi * 1.4428710938e+00 + p.k;
}`,
    ['logcore'],
  ],
  log10: [
    `fn log10_(x: f32) -> f32 {
  let sp = logSpecial_(x);
  if (sp.y == 0.0) { return sp.x; }
  let p = logParts_(x);
  let hi = bitcast<f32>(bitcast<u32>(p.f - p.hfsq) & 0xfffff000u);
  let lo = p.f - hi - p.hfsq + p.sr;
  return p.k * 7.9034151668e-07 + (lo + hi) * -3.1689971365e-05 + lo * 4.3432617188e-01 + hi * 4.3432617188e-01 + p.k * 3.0102920532e-01;
}`,
    ['logcore'],
  ],
  // musl log1pf: log(1 + x) with the rounding error of 1 + x corrected (c).
  log1p: [
    `fn log1p_(x: f32) -> f32 {
  if (isnan_(x) || x < -1.0) { return nan_(); }
  if (x == -1.0) { return -inf_(); }
  if (isinf_(x)) { return x; }
  if (abs(x) < 5.9604645e-08) { return x; }
  var f = x;
  var k: i32 = 0;
  var c = 0.0;
  if (x < -0.2928932 || x >= 0.41421354) {
    let u = 1.0 + x;
    var iu = bitcast<u32>(u) + (0x3f800000u - 0x3f3504f3u);
    k = i32(iu >> 23u) - 0x7f;
    if (k < 25) { c = select(x - (u - 1.0), 1.0 - (u - x), k >= 2) / u; }
    iu = (iu & 0x007fffffu) + 0x3f3504f3u;
    f = bitcast<f32>(iu) - 1.0;
  }
  let p = logPoly_(f, f32(k));
  return p.sr + (p.k * 9.0580006145e-06 + c) - p.hfsq + p.f + p.k * 6.9313812256e-01;
}`,
    ['logcore'],
  ],
  // Kahan's expm1: (e^x - 1) x / log(e^x) cancels the rounding error of e^x near 0.
  expm1: [
    `fn expm1_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  if (x < -18.0) { return -1.0; }
  let u = exp_(x);
  if (abs(x) >= 1.0) { return u - 1.0; }
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  return um1 * x / log_(u);
}`,
    ['exp', 'log'],
  ],
  // Cephes sinf/cosf: r = x - q π/2 (three-part π/2), polynomials on [-π/4, π/4], quadrant q mod 4.
  sincos: [
    `struct SinCos { s: f32, c: f32, q: i32 }
fn sincosRed_(x: f32) -> SinCos {
  let q = round(x * 0.63661977236758134);
  var r = x - q * 1.5703125;
  r = r - q * 4.837512969970703125e-4;
  r = r - q * 7.54978995489188216e-8;
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  return SinCos(s, c, i32(q) & 3);
}
fn sin_(x: f32) -> f32 {
  if (isnan_(x) || isinf_(x)) { return nan_(); }
  let v = sincosRed_(x);
  let m = select(v.s, v.c, (v.q & 1) == 1);
  return select(m, -m, v.q >= 2);
}
fn cos_(x: f32) -> f32 {
  if (isnan_(x) || isinf_(x)) { return nan_(); }
  let v = sincosRed_(x);
  let m = select(v.c, v.s, (v.q & 1) == 1);
  return select(m, -m, v.q == 1 || v.q == 2);
}
fn tan_(x: f32) -> f32 {
  if (isnan_(x) || isinf_(x)) { return nan_(); }
  let v = sincosRed_(x);
  return select(v.s / v.c, -v.c / v.s, (v.q & 1) == 1);
}`,
    ['base'],
  ],
  // Cephes atanf.
  atan: [
    `fn atan_(x: f32) -> f32 {
  let ax = abs(x);
  var y0 = 0.0;
  var t = ax;
  if (ax > 2.414213562373095) { y0 = 1.5707963267948966; t = -1.0 / ax; }
  else if (ax > 0.4142135623730950) { y0 = 0.7853981633974483; t = (ax - 1.0) / (ax + 1.0); }
  let z = t * t;
  let y = y0 + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * t + t);
  return select(copysign_(y, x), x, isnan_(x));
}`,
    ['base'],
  ],
  // Math.atan2's special values (signed zeros, infinities) around atan of a ratio in [0, 1].
  atan2: [
    `fn atan2_(y: f32, x: f32) -> f32 {
  if (isnan_(x) || isnan_(y)) { return nan_(); }
  let ax = abs(x);
  let ay = abs(y);
  var r = 0.0;
  if (isinf_(ax) && isinf_(ay)) { r = 0.7853981633974483; }
  else if (ay > ax) { r = 1.5707963267948966 - atan_(ax / ay); }
  else if (ax > 0.0) { r = atan_(ay / ax); }
  if (signbit_(x)) { r = 3.14159265358979323846 - r; }
  return copysign_(r, y);
}`,
    ['atan'],
  ],
  // Cephes tanhf: odd polynomial below 0.625, 1 - 2/(e^2|x| + 1) above, ±1 past 44.
  tanh: [
    `fn tanh_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let ax = abs(x);
  if (ax > 44.0) { return copysign_(1.0, x); }
  if (ax > 0.625) { return copysign_(1.0 - 2.0 / (exp_(2.0 * ax) + 1.0), x); }
  let z = x * x;
  return ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z - 3.33332819422e-1) * z * x + x;
}`,
    ['exp'],
  ],
  // The reference's split: 1/(1 + e^-x) for x >= 0, e^x/(1 + e^x) below (no overflow either way).
  sigmoid: [
    `fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp_(-x)); }
  let e = exp_(x);
  return e / (1.0 + e);
}`,
    ['exp'],
  ],
  // W. J. Cody's rational erf (the reference's coefficients): x P(x²)/Q(x²) below 0.5, 1 - erfc above.
  erf: [
    `fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    let p = (((0.1857777061846032 * t + 3.161123743870566) * t + 113.8641541510502) * t + 377.485237685302) * t + 3209.377589138469;
    let q = (((t + 23.60129095234412) * t + 244.0246379344442) * t + 1282.616526077372) * t + 2844.236833439171;
    return x * p / q;
  }
  if (isnan_(x)) { return x; }
  if (ax >= 4.0) { return copysign_(1.0, x); } // erfc(4) = 1.5e-8 < half an ulp of 1
  var num = 2.15311535474403846e-8;
  num = num * ax + 5.64188496988670089e-1;
  num = num * ax + 8.88314979438837594;
  num = num * ax + 6.61191906371416295e1;
  num = num * ax + 2.98635138197400131e2;
  num = num * ax + 8.81952221241769090e2;
  num = num * ax + 1.71204761263407058e3;
  num = num * ax + 2.05107837782607147e3;
  num = num * ax + 1.23033935479799725e3;
  var den = ax + 1.57449261107098347e1;
  den = den * ax + 1.17693950891312499e2;
  den = den * ax + 5.37181101862009858e2;
  den = den * ax + 1.62138957456669019e3;
  den = den * ax + 3.29079923573345963e3;
  den = den * ax + 4.36261909014324716e3;
  den = den * ax + 3.43936767414372164e3;
  den = den * ax + 1.23033935480374942e3;
  return copysign_(1.0 - exp_(-ax * ax) * (num / den), x);
}`,
    ['exp'],
  ],
  // Round half to even, built from floor (exact: x - floor(x) has no rounding); the sign of x is kept (-0.4 -> -0).
  round: [
    `fn round_(x: f32) -> f32 {
  if (isnan_(x) || isinf_(x)) { return x; }
  let f = floor(x);
  let d = x - f;
  var r = f;
  if (d > 0.5 || (d == 0.5 && f - 2.0 * floor(0.5 * f) != 0.0)) { r = f + 1.0; }
  return copysign_(r, x);
}`,
    ['base'],
  ],
  sqrt: [
    `fn sqrt_(x: f32) -> f32 {
  if (isnan_(x) || x < 0.0) { return nan_(); }
  if (x == 0.0 || isinf_(x)) { return x; }
  return sqrt(x);
}`,
    ['base'],
  ],
  // 1/x with the IEEE answers at ±0 and ±Inf spelled out (drivers may flush or approximate there).
  recip: [
    `fn recip_(x: f32) -> f32 {
  if (x == 0.0) { return copysign_(inf_(), x); }
  if (isinf_(x)) { return copysign_(0.0, x); }
  return 1.0 / x;
}`,
    ['base'],
  ],
  // |x|^y for finite x > 0 and finite y != 0: 2^(y log2 x) with log2 x = k + l split so y·k loses nothing.
  powpos: [
    `fn powPos_(x: f32, y: f32) -> f32 {
  let p = logParts_(x);
  let hi = bitcast<f32>(bitcast<u32>(p.f - p.hfsq) & 0xfffff000u);
  let lo = p.f - hi - p.hfsq + p.sr;
  let l = (lo + hi) * -1.7605285393e-04 + lo * 1.4428710938e+00 + hi * 1.4428710938e+00; // log2 of the mantissa
  let est = y * (p.k + l);
  if (est > 129.0) { return inf_(); }
  if (est < -151.0) { return 0.0; }
  let yh = bitcast<f32>(bitcast<u32>(y) & 0xfffff000u); // 12 significant bits: yh·k is exact
  let yl = y - yh;
  let p1 = yh * p.k;
  let n1 = round(p1);
  let t = (p1 - n1) + (y * l + yl * p.k);
  let n2 = round(t);
  let r = (t - n2) * 0.69314718055994531; // |r| <= ln2/2
  let n = i32(n1) + i32(n2);
  return scale2_(exp_(r), n);
}`,
    ['logcore', 'exp'],
  ],
  // JavaScript's Math.pow, special values included (pow(x, ±0) = 1, pow(±1, ±Inf) = NaN, negative base
  // with a non-integer exponent = NaN, odd integer exponents keep the base's sign).
  pow: [
    `fn pow_(x: f32, y: f32) -> f32 {
  if (isnan_(y)) { return y; }
  if (y == 0.0) { return 1.0; }
  if (isnan_(x)) { return x; }
  let ax = abs(x);
  let ay = abs(y);
  if (isinf_(y)) {
    if (ax == 1.0) { return nan_(); }
    return select(0.0, inf_(), (ax > 1.0) == (y > 0.0));
  }
  let yInt = floor(y) == y;
  let yOdd = yInt && ay < 16777216.0 && (u32(ay) & 1u) == 1u;
  if (isinf_(x) || x == 0.0) {
    let mag = select(0.0, inf_(), isinf_(x) == (y > 0.0));
    return select(mag, -mag, yOdd && signbit_(x));
  }
  if (x < 0.0 && !yInt) { return nan_(); }
  var r: f32;
  if (y == 1.0) { r = ax; }
  else if (y == 2.0) { r = ax * ax; }
  else if (y == 3.0) { r = ax * ax * ax; }
  else if (y == -1.0) { r = 1.0 / ax; }
  else if (y == 0.5) { r = sqrt(ax); }
  else { r = powPos_(ax, y); }
  return select(r, -r, yOdd && x < 0.0);
}`,
    ['powpos'],
  ],
  // Integer power, wrapping like repeated int32 multiplication; negative exponents truncate 1/x^|y| to
  // an integer as the reference does (only ±1 survive; 0^-n = Inf converts to 0).
  ipow: [
    `fn ipow_(x: i32, y: i32) -> i32 {
  if (y < 0) {
    if (x == 1) { return 1; }
    if (x == -1) { return select(1, -1, (y & 1) != 0); }
    return 0;
  }
  var r = 1;
  var b = x;
  var e = y;
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { r = r * b; }
    b = b * b;
    e = e >> 1u;
  }
  return r;
}`,
    [],
  ],
};

/** The WGSL functions `names` (without the trailing underscore) and everything they use, in dependency order. */
export function mathLib(names: readonly string[]): string {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const entry = LIB[n];
    if (!entry) throw new Error(`webgpu mathLib: unknown function ${n}`);
    for (const d of entry[1]) add(d);
    out.push(entry[0]);
  };
  for (const n of names) add(n);
  return out.join('\n');
}
