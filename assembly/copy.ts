/**
 * Strided copy: the kernel behind `contiguous()`, `copy_` and every layout
 * change of a view (transposes, slices, flips, broadcasts). The JS side
 * collapses the view to at most two dims (rows × cols, element strides of
 * any sign) and calls this once per index of any remaining outer dims.
 * Elements are moved as raw bits (no dtype conversion), 1, 4 or 8 bytes.
 */

// @ts-ignore: decorator
@inline function copyRows<T>(rows: i32, cols: i32, src: usize, sRow: i32, sCol: i32, dst: usize, dRow: i32, dCol: i32): void {
  const B = <i32>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>(r * sRow * B), d = dst + <usize>(r * dRow * B);
    if (sCol == 1 && dCol == 1) {
      memory.copy(d, s, <usize>(cols * B));
      continue;
    }
    const ss = <usize>(sCol * B), ds = <usize>(dCol * B);
    let ps = s, pd = d;
    let c = 0;
    // Unrolled by 4: the loop is address arithmetic plus one load and one store.
    for (; c + 4 <= cols; c += 4) {
      const v0 = load<T>(ps), v1 = load<T>(ps + ss), v2 = load<T>(ps + 2 * ss), v3 = load<T>(ps + 3 * ss);
      store<T>(pd, v0);
      store<T>(pd + ds, v1);
      store<T>(pd + 2 * ds, v2);
      store<T>(pd + 3 * ds, v3);
      ps += 4 * ss;
      pd += 4 * ds;
    }
    for (; c < cols; c++) {
      store<T>(pd, load<T>(ps));
      ps += ss;
      pd += ds;
    }
  }
}

/**
 * dst[r*dRow + c*dCol] = src[r*sRow + c*sCol] for r < rows, c < cols
 * (element strides, elements of `bytes` = 1, 4 or 8 bytes). Source and
 * destination must not overlap.
 */
export function copy2d(bytes: i32, rows: i32, cols: i32, src: usize, sRow: i32, sCol: i32, dst: usize, dRow: i32, dCol: i32): void {
  if (bytes == 4) copyRows<u32>(rows, cols, src, sRow, sCol, dst, dRow, dCol);
  else if (bytes == 8) copyRows<u64>(rows, cols, src, sRow, sCol, dst, dRow, dCol);
  else copyRows<u8>(rows, cols, src, sRow, sCol, dst, dRow, dCol);
}

/**
 * Fills: n elements at ptr with one value (4-byte bit pattern, float64, or a
 * byte). The JS side must not fill wasm memory itself: TypedArray.fill on a
 * SharedArrayBuffer (the threaded build's memory) runs ~20x slower than
 * memory.fill here.
 */
export function fill32(ptr: usize, bits: u32, n: i32): void {
  const v = i32x4.splat(bits);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(ptr + (<usize>i << 2), v);
  for (; i < n; i++) store<u32>(ptr + (<usize>i << 2), bits);
}

export function fill64(ptr: usize, value: f64, n: i32): void {
  const v = f64x2.splat(value);
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(ptr + (<usize>i << 3), v);
  for (; i < n; i++) store<f64>(ptr + (<usize>i << 3), value);
}

export function fill8(ptr: usize, byte: u8, n: i32): void {
  memory.fill(ptr, byte, <usize>n);
}
