/*
 * Scalar float64 helpers for the initialisers that PyTorch builds from special
 * functions or a QR factorisation (init.truncNormal_, init.orthogonal_). Plain
 * numbers, no tensors: they run once per weight at construction time.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) to about 1e-15: the all-positive series exp(-x^2) sum (2x^2)^n x / (2n+1)!!
 * for |x| < 3 (no cancellation), the continued fraction for erfc beyond.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax, sum = ax;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * ax * ax) / (2 * n + 1);
      sum += term;
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-ax * ax) * sum;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail.
  let t = ax;
  for (let n = 60; n >= 1; n--) t = ax + n / 2 / t;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / t;
  return Math.sign(x) * (1 - erfc);
}

/** The standard normal CDF. */
export function normCdf(x: number): number {
  return (1 + erf(x / Math.SQRT2)) / 2;
}

/**
 * Inverse of erf on (-1, 1) (±Infinity at ±1): Giles' single-precision
 * approximation refined by Newton steps on erf.
 */
export function erfinv(y: number): number {
  if (y <= -1) return y === -1 ? -Infinity : NaN;
  if (y >= 1) return y === 1 ? Infinity : NaN;
  let w = -Math.log((1 - y) * (1 + y));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 2.1858087e-4, -1.25372503e-3, -4.17768164e-3, 2.46640727e-1, 1.50140941]) p = c + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -2.00214257e-4;
    for (const c of [1.00950558e-4, 1.34934322e-3, -3.67342844e-3, 5.73950773e-3, -7.6224613e-3, 9.43887047e-3, 1.00167406, 2.83297682]) p = c + p * w;
  }
  let x = p * y;
  for (let i = 0; i < 3; i++) {
    const d = TWO_OVER_SQRT_PI * Math.exp(-x * x);
    if (!(d > 0)) break;
    x -= (erf(x) - y) / d;
  }
  return x;
}

/**
 * The Q of a thin QR factorisation of the m x n matrix `a` (row-major, m >= n)
 * by Householder reflections, with each column's sign chosen so that R has a
 * non-negative diagonal (the unique QR, as PyTorch's orthogonal_ makes it by
 * multiplying q by sign(diag(r))). Returns Q row-major, m x n.
 */
export function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * n + k]!;
    // alpha has the opposite sign of x0, so v = x - alpha e1 does not cancel.
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    v[0]! -= alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i]! ** 2;
    vn = Math.sqrt(vn);
    if (vn > 0) for (let i = 0; i < v.length; i++) v[i]! /= vn;
    vs.push(v);
    diag[k] = vn > 0 ? alpha : x0;
    // R <- (I - 2 v v^T) R on rows k.., columns k..
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * r[i * n + j]!;
      for (let i = k; i < m; i++) r[i * n + j]! -= 2 * v[i - k]! * dot;
    }
  }
  // Q = H_0 H_1 ... H_{n-1} [I_n; 0], applied right to left.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * q[i * n + j]!;
      for (let i = k; i < m; i++) q[i * n + j]! -= 2 * v[i - k]! * dot;
    }
  }
  for (let j = 0; j < n; j++) {
    const s = Math.sign(diag[j]!);
    for (let i = 0; i < m; i++) q[i * n + j]! *= s;
  }
  return q;
}
