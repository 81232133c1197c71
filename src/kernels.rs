//! The integer matrix kernels behind the NER network: the one module of the
//! crate that may use `unsafe` (SIMD intrinsics).
//!
//! A dense layer `y = x W + b` runs as an integer product:
//!
//! - `W` is the model's int8 matrix (one scale per *input* row). The scale
//!   moves onto the input, so the weights stay exact integers.
//! - Each token's input row, times those scales, is quantised to `i16` with
//!   one scale per token ([`quantize_row`]), the largest magnitude mapped to
//!   [`PackedWeights::qmax`] (at most 32,767, less for very long rows so that
//!   no 32-bit sum can overflow).
//! - [`gemm`] multiplies pairs of inputs with pairs of weights and adds them
//!   in 32-bit integers (`pmaddwd` on x86, `i32x4.dot_i16x8_s` in wasm), for
//!   a tile of tokens times 16 outputs held in registers, then turns the sums
//!   back into `f32` with the token's scale and adds the bias.
//!
//! The weights are packed once, at load, in the order the micro-kernels read
//! them: for each block of 16 outputs, for each pair of inputs `(2i, 2i+1)`,
//! the 16 outputs' two weights side by side (`[w(2i, o), w(2i+1, o)]`).
//!
//! Three implementations compute exactly the same integers: AVX2 (x86-64,
//! chosen at run time), wasm `simd128` (when the module is built with it, as
//! `.cargo/config.toml` does) and a portable one, which also serves as the
//! tests' reference.

#![allow(unsafe_code)]

/// Outputs per packed block (one micro-kernel tile's width).
pub(crate) const NB: usize = 16;

/// An int8 weight matrix (`k` inputs x `n` outputs) packed for [`gemm`], with
/// its per-input scales.
#[derive(Clone, Debug)]
pub(crate) struct PackedWeights {
    k: usize,
    n: usize,
    /// Input pairs, `ceil(k / 2)`.
    pairs: usize,
    /// `ceil(n / NB)`.
    blocks: usize,
    /// `blocks x pairs x NB x 2`, zero past `k` and `n`.
    data: Vec<i16>,
    /// One scale per input row (`k`).
    row_scales: Vec<f32>,
    /// The largest magnitude an input may be quantised to.
    qmax: f32,
}

impl PackedWeights {
    /// Packs `q` (`k x n`, row-major) whose row `i` is scaled by `row_scales[i]`.
    pub(crate) fn new(q: &[i8], row_scales: &[f32], k: usize, n: usize) -> Self {
        assert_eq!(q.len(), k * n, "matrix size");
        assert_eq!(row_scales.len(), k, "one scale per row");
        let pairs = k.div_ceil(2);
        let blocks = n.div_ceil(NB);
        let mut data = vec![0i16; blocks * pairs * NB * 2];
        for i in 0..k {
            for o in 0..n {
                let (b, j) = (o / NB, o % NB);
                data[((b * pairs + i / 2) * NB + j) * 2 + i % 2] = i16::from(q[i * n + o]);
            }
        }
        // |w| <= 128 and |x| <= qmax: a 32-bit lane sums at most `2 * pairs`
        // such products, which must stay below 2^31.
        let limit = (i32::MAX as f64) / (128.0 * (2 * pairs.max(1)) as f64);
        let qmax = limit.min(32767.0).floor() as f32;
        PackedWeights {
            k,
            n,
            pairs,
            blocks,
            data,
            row_scales: row_scales.to_vec(),
            qmax,
        }
    }

    /// Quantises an `f32` matrix (`k x n`) to int8 with one scale per row,
    /// as the trainer's `--int8-dense` does, and packs it.
    pub(crate) fn from_f32(w: &[f32], k: usize, n: usize) -> Self {
        let mut q = vec![0i8; k * n];
        let mut scales = vec![0f32; k];
        for i in 0..k {
            let row = &w[i * n..(i + 1) * n];
            let top = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            let s = if top > 0.0 && top.is_finite() {
                top / 127.0
            } else {
                1.0
            };
            scales[i] = s;
            for (d, &v) in q[i * n..(i + 1) * n].iter_mut().zip(row) {
                *d = (v / s).round().clamp(-127.0, 127.0) as i8;
            }
        }
        Self::new(&q, &scales, k, n)
    }

    /// Number of inputs.
    pub(crate) fn inputs(&self) -> usize {
        self.k
    }

    /// Number of outputs.
    pub(crate) fn outputs(&self) -> usize {
        self.n
    }

    /// Output block `b`'s packed weights, and whether all its 16 outputs
    /// exist (the last block of `n` not a multiple of 16 is partial).
    fn panel(&self, b: usize) -> (&[i16], bool) {
        let len = self.pairs * NB * 2;
        (&self.data[b * len..(b + 1) * len], (b + 1) * NB <= self.n)
    }

    /// The row stride of quantised inputs: `k` rounded up to even.
    pub(crate) fn stride(&self) -> usize {
        2 * self.pairs
    }

    /// Quantises one input row `x` (its `k` values, given as consecutive
    /// parts) into `q` (`stride()` values, the padding zero); returns the
    /// row's scale (0 for an all-zero row).
    pub(crate) fn quantize_row(&self, parts: &[&[f32]], q: &mut [i16]) -> f32 {
        quantize_row(parts, &self.row_scales, self.qmax, q)
    }
}

/// Quantises the concatenation of `parts` times `row_scales` into `q`;
/// returns the scale that turns `q` back into the scaled values.
fn quantize_row(parts: &[&[f32]], row_scales: &[f32], qmax: f32, q: &mut [i16]) -> f32 {
    let mut top = 0f32;
    let mut at = 0;
    for p in parts {
        top = max_abs_scaled(p, &row_scales[at..at + p.len()], top);
        at += p.len();
    }
    q.fill(0);
    if !(top > 0.0 && top.is_finite()) {
        return 0.0;
    }
    let inv = qmax / top;
    let mut at = 0;
    for p in parts {
        scale_round(
            p,
            &row_scales[at..at + p.len()],
            inv,
            &mut q[at..at + p.len()],
        );
        at += p.len();
    }
    top / qmax
}

/// `max(acc, max_i |x_i * s_i|)`.
fn max_abs_scaled(x: &[f32], s: &[f32], acc: f32) -> f32 {
    // Eight lanes, so the compiler can keep them in vector registers.
    let mut lanes = [acc; 8];
    let mut xc = x.chunks_exact(8);
    let mut sc = s.chunks_exact(8);
    for (xa, sa) in (&mut xc).zip(&mut sc) {
        for l in 0..8 {
            lanes[l] = larger(lanes[l], (xa[l] * sa[l]).abs());
        }
    }
    let mut m = lanes.iter().fold(acc, |a, &b| larger(a, b));
    for (&a, &b) in xc.remainder().iter().zip(sc.remainder()) {
        m = larger(m, (a * b).abs());
    }
    m
}

/// The larger of `a` and `b`, `a` when they are unordered (a NaN `b` is
/// passed over). Unlike `f32::max` this is one compare and select on every
/// target: in wasm `f32::max` is a call to `fmaxf`, which cannot vectorise.
#[inline(always)]
pub(crate) fn larger(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

/// `max(v, 0)`, 0 for NaN, as one compare and select (see [`larger`]).
#[inline(always)]
pub(crate) fn relu(v: f32) -> f32 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// `q_i = round_ties_even(x_i * s_i * inv)`, for `|x_i * s_i * inv| <= 32767`.
///
/// Adding 1.5 * 2^23 moves the value's integer part into the low bits of the
/// mantissa, rounded to nearest even by the addition itself: the low 16 bits
/// are then the two's-complement result. Plain arithmetic and bit moves, so
/// the compiler vectorises it on every target (no call to `rintf`).
fn scale_round(x: &[f32], s: &[f32], inv: f32, q: &mut [i16]) {
    const SHIFT: f32 = 12_582_912.0;
    for ((d, &a), &b) in q.iter_mut().zip(x).zip(s) {
        *d = (a * b * inv + SHIFT).to_bits() as i16;
    }
}

/// `out[t * ldo + o] = scales[t] * sum_i x[t][i] W[i][o] + bias[o]` for the
/// `m` rows of `x` (`m x w.stride()` quantised inputs) and `o < w.outputs()`.
pub(crate) fn gemm(
    x: &[i16],
    scales: &[f32],
    m: usize,
    w: &PackedWeights,
    bias: &[f32],
    out: &mut [f32],
    ldo: usize,
) {
    let stride = w.stride();
    assert!(x.len() >= m * stride, "input rows");
    assert!(scales.len() >= m, "one scale per row");
    assert!(bias.len() >= w.n, "bias");
    assert!(ldo >= w.n, "output stride");
    assert!(m == 0 || out.len() >= (m - 1) * ldo + w.n, "output rows");
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is available (checked just above); the slice
            // lengths the kernel relies on were asserted above.
            unsafe { x86::gemm_avx2(x, scales, m, w, bias, out, ldo) };
            return;
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::gemm_simd128(x, scales, m, w, bias, out, ldo);
        return;
    }
    #[allow(unreachable_code)]
    gemm_portable(x, scales, m, w, bias, out, ldo)
}

/// The plain implementation: the tests' reference, and the fallback.
pub(crate) fn gemm_portable(
    x: &[i16],
    scales: &[f32],
    m: usize,
    w: &PackedWeights,
    bias: &[f32],
    out: &mut [f32],
    ldo: usize,
) {
    let stride = w.stride();
    for t in 0..m {
        let xr = &x[t * stride..(t + 1) * stride];
        for b in 0..w.blocks {
            let mut acc = [0i32; NB];
            let (panel, _) = w.panel(b);
            for (p, pw) in panel.chunks_exact(NB * 2).enumerate() {
                let (x0, x1) = (i32::from(xr[2 * p]), i32::from(xr[2 * p + 1]));
                for (a, ww) in acc.iter_mut().zip(pw.chunks_exact(2)) {
                    *a += x0 * i32::from(ww[0]) + x1 * i32::from(ww[1]);
                }
            }
            store_block(&acc, scales[t], b, w.n, bias, &mut out[t * ldo..]);
        }
    }
}

/// The operands of [`sgemm_acc`]: `a` (`m x k`, row stride `lda`) and `b`
/// (`k x n`, row stride `ldb`).
#[derive(Clone, Copy)]
pub(crate) struct Product<'a> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub a: &'a [f32],
    pub lda: usize,
    pub b: &'a [f32],
    pub ldb: usize,
}

/// `c += a b` in `f32`, `c` being `m x n` with row stride `ldc`: the
/// products of the transformer's attention (`src/ner/transformer.rs`).
/// With AVX2 on x86-64 (chosen at run time) the same loops run 8 lanes
/// wide; in wasm with `simd128`, 4.
pub(crate) fn sgemm_acc(p: Product, c: &mut [f32], ldc: usize) {
    let Product {
        m,
        k,
        n,
        a,
        lda,
        b,
        ldb,
    } = p;
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(lda >= k && a.len() >= (m - 1) * lda + k, "a");
    assert!(ldb >= n && b.len() >= (k - 1) * ldb + n, "b");
    assert!(ldc >= n && c.len() >= (m - 1) * ldc + n, "c");
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is available (checked just above); the function
            // only indexes the slices, whose lengths were asserted above.
            unsafe { x86::sgemm_acc_avx2(p, c, ldc) };
            return;
        }
    }
    sgemm_acc_loops(p, c, ldc)
}

/// The loops of [`sgemm_acc`]: for each row of `a`, each of its values
/// times a row of `b` added to the row of `c`, so the innermost loop runs
/// over contiguous memory.
#[inline(always)]
fn sgemm_acc_loops(p: Product, c: &mut [f32], ldc: usize) {
    let Product {
        m,
        k,
        n,
        a,
        lda,
        b,
        ldb,
    } = p;
    for i in 0..m {
        let ci = &mut c[i * ldc..i * ldc + n];
        for (kk, &aik) in a[i * lda..i * lda + k].iter().enumerate() {
            for (cv, &bv) in ci.iter_mut().zip(&b[kk * ldb..kk * ldb + n]) {
                *cv += aik * bv;
            }
        }
    }
}

/// The tiles of `m` rows: `(first row, rows)`, `mr` rows at a time, then
/// the rest one by one.
fn tiles(m: usize, mr: usize) -> impl Iterator<Item = (usize, usize)> {
    let full = m / mr * mr;
    (0..full)
        .step_by(mr)
        .map(move |t| (t, mr))
        .chain((full..m).map(|t| (t, 1)))
}

/// Writes one row's block of 16 sums (outputs `16 b ..`) as `f32`.
#[inline]
fn store_block(acc: &[i32; NB], scale: f32, b: usize, n: usize, bias: &[f32], out: &mut [f32]) {
    let o0 = b * NB;
    let len = NB.min(n - o0);
    for j in 0..len {
        out[o0 + j] = acc[j] as f32 * scale + bias[o0 + j];
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{store_block, tiles, PackedWeights, NB};
    use std::arch::x86_64::*;

    /// Tokens per micro-kernel tile (4 x 16 outputs = 8 accumulators).
    const MR: usize = 4;

    /// [`super::sgemm_acc`]'s loops compiled for AVX2.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sgemm_acc_avx2(p: super::Product, c: &mut [f32], ldc: usize) {
        super::sgemm_acc_loops(p, c, ldc)
    }

    /// See [`super::gemm`].
    ///
    /// # Safety
    /// The CPU must support AVX2, and the slices must have the lengths that
    /// [`super::gemm`] asserts.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn gemm_avx2(
        x: &[i16],
        scales: &[f32],
        m: usize,
        w: &PackedWeights,
        bias: &[f32],
        out: &mut [f32],
        ldo: usize,
    ) {
        let stride = w.stride();
        for b in 0..w.blocks {
            let (panel, full) = w.panel(b);
            for (t, rows) in tiles(m, MR) {
                let mut sums = [[0i32; NB]; MR];
                // SAFETY: rows t..t+rows exist in `x` (m rows of `stride`)
                // and the panel holds `pairs` groups of 32 values; AVX2 is
                // enabled in this function.
                unsafe {
                    if rows == MR {
                        tile::<MR>(&x[t * stride..], stride, panel, w.pairs, &mut sums);
                    } else {
                        tile::<1>(&x[t * stride..], stride, panel, w.pairs, &mut sums);
                    }
                }
                for (r, acc) in sums.iter().enumerate().take(rows) {
                    let row = &mut out[(t + r) * ldo..];
                    if full {
                        // SAFETY: the block's 16 outputs lie inside the row
                        // (asserted by the caller: ldo >= n) and inside bias.
                        unsafe {
                            store_full(acc, scales[t + r], &bias[b * NB..], &mut row[b * NB..])
                        };
                    } else {
                        store_block(acc, scales[t + r], b, w.n, bias, row);
                    }
                }
            }
        }
    }

    /// `out[j] = acc[j] * scale + bias[j]` for 16 outputs.
    ///
    /// # Safety
    /// AVX2 must be available; `bias` and `out` must hold 16 values.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn store_full(acc: &[i32; NB], scale: f32, bias: &[f32], out: &mut [f32]) {
        assert!(bias.len() >= NB && out.len() >= NB);
        // SAFETY: 16 values in each slice (asserted); unaligned loads/stores.
        unsafe {
            let s = _mm256_set1_ps(scale);
            for h in 0..2 {
                let a = _mm256_loadu_si256(acc.as_ptr().add(8 * h) as *const __m256i);
                let v = _mm256_mul_ps(_mm256_cvtepi32_ps(a), s);
                let v = _mm256_add_ps(v, _mm256_loadu_ps(bias.as_ptr().add(8 * h)));
                _mm256_storeu_ps(out.as_mut_ptr().add(8 * h), v);
            }
        }
    }

    /// Sums of `R` rows (starting at `x`, `stride` apart) times one panel of
    /// 16 outputs, into `sums[..R]`.
    ///
    /// # Safety
    /// AVX2 must be available; `x` must hold `R` rows of `2 * pairs` values at
    /// `stride` apart, and `panel` `pairs * 32` values.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn tile<const R: usize>(
        x: &[i16],
        stride: usize,
        panel: &[i16],
        pairs: usize,
        sums: &mut [[i32; NB]; MR],
    ) {
        assert!(R <= MR);
        assert!(x.len() >= (R - 1) * stride + 2 * pairs);
        assert!(panel.len() >= pairs * NB * 2);
        let mut acc = [[_mm256_setzero_si256(); 2]; R];
        let wp = panel.as_ptr();
        let xp = x.as_ptr();
        for p in 0..pairs {
            // SAFETY: p < pairs, so the 32 weights at p * 32 are inside the
            // panel and the two inputs at 2p (+ r * stride) inside row r
            // (both asserted above).
            unsafe {
                let w0 = _mm256_loadu_si256(wp.add(p * 32) as *const __m256i);
                let w1 = _mm256_loadu_si256(wp.add(p * 32 + 16) as *const __m256i);
                for (r, a) in acc.iter_mut().enumerate() {
                    let pair = (xp.add(r * stride + 2 * p) as *const i32).read_unaligned();
                    let xb = _mm256_set1_epi32(pair);
                    a[0] = _mm256_add_epi32(a[0], _mm256_madd_epi16(w0, xb));
                    a[1] = _mm256_add_epi32(a[1], _mm256_madd_epi16(w1, xb));
                }
            }
        }
        for (s, a) in sums.iter_mut().zip(&acc) {
            // SAFETY: each row of `sums` holds 16 i32: two 256-bit stores.
            unsafe {
                _mm256_storeu_si256(s.as_mut_ptr() as *mut __m256i, a[0]);
                _mm256_storeu_si256(s.as_mut_ptr().add(8) as *mut __m256i, a[1]);
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{store_block, tiles, PackedWeights, NB};
    use std::arch::wasm32::*;

    /// Tokens per micro-kernel tile (2 x 16 outputs = 8 accumulators).
    const MR: usize = 2;

    /// See [`super::gemm`]; the slice lengths were asserted there.
    pub(super) fn gemm_simd128(
        x: &[i16],
        scales: &[f32],
        m: usize,
        w: &PackedWeights,
        bias: &[f32],
        out: &mut [f32],
        ldo: usize,
    ) {
        let stride = w.stride();
        for b in 0..w.blocks {
            let (panel, full) = w.panel(b);
            for (t, rows) in tiles(m, MR) {
                let acc = if rows == MR {
                    tile::<MR>(&x[t * stride..], stride, panel, w.pairs)
                } else {
                    let one = tile::<1>(&x[t * stride..], stride, panel, w.pairs);
                    let mut all = [[i32x4_splat(0); 4]; MR];
                    all[0] = one[0];
                    all
                };
                for (r, a) in acc.iter().enumerate().take(rows) {
                    let row = &mut out[(t + r) * ldo..];
                    if full {
                        store_full(
                            a,
                            scales[t + r],
                            &bias[b * NB..b * NB + NB],
                            &mut row[b * NB..b * NB + NB],
                        );
                    } else {
                        let mut sums = [0i32; NB];
                        for (q, v) in a.iter().enumerate() {
                            // SAFETY: 4 i32 at 4q inside `sums` (16 values).
                            unsafe { v128_store(sums.as_mut_ptr().add(4 * q) as *mut v128, *v) };
                        }
                        store_block(&sums, scales[t + r], b, w.n, bias, row);
                    }
                }
            }
        }
    }

    /// `out[j] = acc[j] * scale + bias[j]` for one block of 16 outputs.
    #[inline(always)]
    fn store_full(acc: &[v128; 4], scale: f32, bias: &[f32], out: &mut [f32]) {
        assert!(bias.len() == NB && out.len() == NB);
        let s = f32x4_splat(scale);
        for (q, a) in acc.iter().enumerate() {
            // SAFETY: 4 values at 4q inside both 16-value slices (asserted);
            // v128 loads and stores need no alignment.
            unsafe {
                let v = f32x4_mul(f32x4_convert_i32x4(*a), s);
                let v = f32x4_add(v, v128_load(bias.as_ptr().add(4 * q) as *const v128));
                v128_store(out.as_mut_ptr().add(4 * q) as *mut v128, v);
            }
        }
    }

    #[inline(always)]
    fn tile<const R: usize>(
        x: &[i16],
        stride: usize,
        panel: &[i16],
        pairs: usize,
    ) -> [[v128; 4]; R] {
        // The bounds the unchecked reads below rely on.
        assert!(x.len() >= (R - 1) * stride + 2 * pairs);
        assert!(panel.len() >= pairs * NB * 2);
        let mut acc = [[i32x4_splat(0); 4]; R];
        let wp = panel.as_ptr();
        let xp = x.as_ptr();
        for p in 0..pairs {
            // SAFETY: p < pairs, so the 32 weights at p * 32 lie inside the
            // panel and the two inputs at 2p + r * stride inside row r (both
            // asserted above); v128 loads need no alignment.
            unsafe {
                let w0 = v128_load(wp.add(p * 32) as *const v128);
                let w1 = v128_load(wp.add(p * 32 + 8) as *const v128);
                let w2 = v128_load(wp.add(p * 32 + 16) as *const v128);
                let w3 = v128_load(wp.add(p * 32 + 24) as *const v128);
                for (r, a) in acc.iter_mut().enumerate() {
                    let xb = v128_load32_splat(xp.add(r * stride + 2 * p) as *const u32);
                    a[0] = i32x4_add(a[0], i32x4_dot_i16x8(w0, xb));
                    a[1] = i32x4_add(a[1], i32x4_dot_i16x8(w1, xb));
                    a[2] = i32x4_add(a[2], i32x4_dot_i16x8(w2, xb));
                    a[3] = i32x4_add(a[3], i32x4_dot_i16x8(w3, xb));
                }
            }
        }
        acc
    }
}

/// The integer product checked against a plain one on `cases` shapes drawn
/// from `seed`: ragged shapes (odd `k`, `n` not a multiple of 16, `m` not a
/// multiple of the tile) and the extreme inputs. Run natively here and in
/// wasm by the tests of `src/wasm.rs`, the binding's file.
#[cfg(test)]
pub(crate) fn check_random_shapes(seed: u64, cases: usize) {
    let mut s = seed;
    for _ in 0..cases {
        let m = (tests_rng(&mut s) % 11) as usize;
        let k = 1 + (tests_rng(&mut s) % 69) as usize;
        let n = 1 + (tests_rng(&mut s) % 49) as usize;
        let case = tests_rng(&mut s);
        tests_check_case(m, k, n, case);
    }
}

/// A small deterministic generator, so a case is reproducible from its seed.
#[cfg(test)]
fn tests_rng(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

/// One case of [`check_random_shapes`]; panics on the first difference.
#[cfg(test)]
fn tests_check_case(m: usize, k: usize, n: usize, seed: u64) {
    let mut s = seed;
    let q: Vec<i8> = (0..k * n)
        .map(|_| (tests_rng(&mut s) % 256) as u8 as i8)
        .collect();
    let row_scales: Vec<f32> = (0..k)
        .map(|_| 0.01 + (tests_rng(&mut s) % 100) as f32 / 1000.0)
        .collect();
    let w = PackedWeights::new(&q, &row_scales, k, n);
    let qmax = w.qmax as i64;
    let stride = w.stride();
    let mut x = vec![0i16; m * stride];
    for t in 0..m {
        for i in 0..k {
            // Mostly random, some at the extremes.
            x[t * stride + i] = match tests_rng(&mut s) % 5 {
                0 => qmax as i16,
                1 => -(qmax as i16),
                _ => ((tests_rng(&mut s) as i64 % (2 * qmax + 1)) - qmax) as i16,
            };
        }
    }
    let scales: Vec<f32> = (0..m).map(|t| 0.5 + t as f32).collect();
    let bias: Vec<f32> = (0..n).map(|o| o as f32 * 0.25 - 3.0).collect();
    // The plain product, in 64-bit integers from the unpacked matrix.
    let mut want = vec![0f32; m * n];
    for t in 0..m {
        for o in 0..n {
            let acc: i64 = (0..k)
                .map(|i| i64::from(x[t * stride + i]) * i64::from(q[i * n + o]))
                .sum();
            want[t * n + o] = acc as f32 * scales[t] + bias[o];
        }
    }
    let ldo = n + 3;
    for portable in [false, true] {
        let mut out = vec![f32::NAN; m * ldo];
        if portable {
            gemm_portable(&x, &scales, m, &w, &bias, &mut out, ldo);
        } else {
            gemm(&x, &scales, m, &w, &bias, &mut out, ldo);
        }
        for t in 0..m {
            for o in 0..n {
                assert_eq!(
                    out[t * ldo + o].to_bits(),
                    want[t * n + o].to_bits(),
                    "m {m} k {k} n {n} seed {seed}: row {t} col {o} (portable: {portable})"
                );
            }
            // Nothing written past the outputs.
            assert!(out[t * ldo + n..(t + 1) * ldo].iter().all(|v| v.is_nan()));
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gemm_matches_reference_on_random_shapes() {
        check_random_shapes(7, 300);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Every implementation gives exactly the integer product (see
        /// [`check_random_shapes`]), on shapes proptest picks and shrinks.
        #[test]
        fn gemm_matches_reference(m in 0usize..11, k in 1usize..70, n in 1usize..50, seed in any::<u64>()) {
            tests_check_case(m, k, n, seed);
        }

        /// The f32 product with strides (the attention's) equals the plain
        /// loops': the vectorised path keeps each sum's order.
        #[test]
        fn sgemm_matches_plain_loops(m in 1usize..9, k in 1usize..40, n in 1usize..40, pad in 0usize..5, seed in any::<u64>()) {
            let mut x = seed | 1;
            let mut next = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 2001) as f32 / 1000.0 - 1.0
            };
            let (lda, ldb, ldc) = (k + pad, n + pad, n + 2 * pad);
            let a: Vec<f32> = (0..m * lda).map(|_| next()).collect();
            let b: Vec<f32> = (0..k * ldb).map(|_| next()).collect();
            let c0: Vec<f32> = (0..m * ldc).map(|_| next()).collect();
            let mut want = c0.clone();
            for i in 0..m {
                for kk in 0..k {
                    for j in 0..n {
                        want[i * ldc + j] += a[i * lda + kk] * b[kk * ldb + j];
                    }
                }
            }
            let mut got = c0.clone();
            sgemm_acc(Product { m, k, n, a: &a, lda, b: &b, ldb }, &mut got, ldc);
            prop_assert_eq!(got, want);
        }

        /// Quantising keeps every value within half a step of its scaled value.
        #[test]
        fn quantised_rows_round_trip(vals in proptest::collection::vec(-50f32..50f32, 1..40), split in 0usize..40) {
            let k = vals.len();
            let split = split.min(k);
            let row_scales: Vec<f32> = (0..k).map(|i| 0.5 + (i % 3) as f32).collect();
            let w = PackedWeights::new(&vec![1i8; k], &row_scales, k, 1);
            let mut q = vec![7i16; w.stride()];
            let scale = w.quantize_row(&[&vals[..split], &vals[split..]], &mut q);
            let top = vals.iter().zip(&row_scales).fold(0f32, |m, (v, s)| m.max((v * s).abs()));
            for i in 0..k {
                let back = f32::from(q[i]) * scale;
                prop_assert!((back - vals[i] * row_scales[i]).abs() <= scale * 0.5 + top * 1e-6);
            }
            for &pad in &q[k..] {
                prop_assert_eq!(pad, 0);
            }
        }
    }

    #[test]
    fn sums_never_overflow_at_the_extremes() {
        for k in [1, 2, 383, 384, 1000, 4097] {
            let q = vec![-128i8; k];
            let w = PackedWeights::new(&q, &vec![1.0; k], k, 1);
            let x = vec![-(w.qmax as i16); w.stride()];
            let mut out = [0f32];
            gemm(&x, &[1.0], 1, &w, &[0.0], &mut out, 1);
            let want = k as f64 * 128.0 * f64::from(w.qmax);
            assert!(
                f64::from(out[0]) >= want * 0.999,
                "k {k}: {} vs {want}",
                out[0]
            );
        }
    }

    #[test]
    fn zero_and_non_finite_rows_quantise_to_zero() {
        let w = PackedWeights::new(&[1, 1, 1], &[1.0, 1.0, 1.0], 3, 1);
        let mut q = vec![5i16; w.stride()];
        assert_eq!(w.quantize_row(&[&[0.0, 0.0, 0.0]], &mut q), 0.0);
        assert!(q.iter().all(|&v| v == 0));
        // An infinite value leaves no usable scale: the row reads as zeros.
        assert_eq!(w.quantize_row(&[&[1.0, f32::INFINITY, 0.0]], &mut q), 0.0);
        assert!(q.iter().all(|&v| v == 0));
        // A NaN (from a model with NaN weights) is passed over by the
        // maximum; the row still quantises, without a panic.
        let scale = w.quantize_row(&[&[1.0, f32::NAN, 0.0]], &mut q);
        assert!(scale.is_finite() && scale > 0.0);
        assert_eq!(q[0], w.qmax as i16);
    }
}
