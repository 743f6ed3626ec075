/**
 * Softmax cross-entropy rows (float32), forward and backward, as
 * src/backend/reference/loss.ts: logits [rows, classes], int32 targets
 * [rows], label smoothing eps; rows whose target is ignoreIndex give 0.
 * Class counts are small (10, 100, 1000), so rows run scalar, with the
 * log-sum-exp accumulated in float64.
 */

// @ts-ignore: decorator
@inline function logSumExp(x: usize, classes: i32): f64 {
  let m: f32 = -Infinity;
  for (let c = 0; c < classes; c++) m = max<f32>(m, load<f32>(x + (<usize>c << 2)));
  if (!isFinite<f32>(m)) return <f64>m;
  let s: f64 = 0;
  for (let c = 0; c < classes; c++) s += Math.exp(<f64>(load<f32>(x + (<usize>c << 2)) - m));
  return <f64>m + Math.log(s);
}

export function crossEntropyRowsF32(x: usize, t: usize, rows: i32, classes: i32, ignoreIndex: i32, eps: f64, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const target = load<i32>(t + (<usize>r << 2));
    const row = x + (<usize>(r * classes) << 2);
    let loss: f64 = 0;
    if (target != ignoreIndex) {
      const lse = logSumExp(row, classes);
      loss = -(1 - eps) * (<f64>load<f32>(row + (<usize>target << 2)) - lse);
      if (eps > 0) {
        let sum: f64 = 0;
        for (let c = 0; c < classes; c++) sum += <f64>load<f32>(row + (<usize>c << 2)) - lse;
        loss -= (eps / <f64>classes) * sum;
      }
    }
    store<f32>(out + (<usize>r << 2), <f32>loss);
  }
}

export function crossEntropyRowsBackwardF32(
  x: usize, t: usize, g: usize, rows: i32, classes: i32, ignoreIndex: i32, eps: f64, out: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const target = load<i32>(t + (<usize>r << 2));
    const row = x + (<usize>(r * classes) << 2);
    const dst = out + (<usize>(r * classes) << 2);
    if (target == ignoreIndex) {
      memory.fill(dst, 0, <usize>classes << 2);
      continue;
    }
    const lse = logSumExp(row, classes);
    const gr = <f64>load<f32>(g + (<usize>r << 2));
    const smooth = eps / <f64>classes;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(<f64>load<f32>(row + (<usize>c << 2)) - lse);
      store<f32>(dst + (<usize>c << 2), <f32>(gr * (p - (c == target ? 1 - eps : 0) - smooth)));
    }
  }
}
