//! The model's weight matrices, with a WebAssembly SIMD kernel for Q4_1.
//!
//! Decoding one token is a chain of matrix–vector products; in wasm nearly
//! all of its time is the quantized dot products. candle 0.11 has wasm SIMD
//! kernels for Q4_0, Q8_0 and the K-quants, but Q4_1 (the format of the
//! SmolLM2 GGUF rig-wasm ships by default) falls back to scalar code, about
//! 2.5× slower. `Q41Matrix` is that missing kernel: the block scales and
//! minimums converted from f16 once at load, the 4-bit values contiguous,
//! four rows per pass sharing each activation block, the activations
//! quantized and widened to i16 once per product. Same arithmetic as
//! ggml's Q4_1 × Q8_1 dot product (Σ d·d'·q·q' + m·d'·Σq' per block), so the
//! file's exact weights run at least as fast as a requantized Q8_0 copy
//! would, in half its memory.
//!
//! (A Q8_0 kernel in the same style measured no faster than candle's, so
//! Q8_0 and every other format keep candle's kernels; native builds keep
//! candle's for everything.)

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Module, Tensor};

use crate::error::LocalError;

/// Values per Q4_1 block.
const BLOCK: usize = 32;
/// Bytes per Q4_1 block in GGUF: f16 scale, f16 minimum, 16 bytes of nibbles.
const BLOCK_BYTES: usize = 4 + BLOCK / 2;

/// Whether Q4_1 matrices have a SIMD kernel on this target (ours, in wasm).
pub const HAS_Q4_1_KERNEL: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

/// A weight matrix `(rows, cols)`, multiplied as `x · Wᵀ`.
pub enum Matrix {
    Candle(QMatMul),
    Q4_1(Q41Matrix),
}

impl Matrix {
    /// Wrap a loaded tensor; in wasm, Q4_1 tensors take the kernel below.
    pub fn new(tensor: QTensor) -> Result<Self, LocalError> {
        if HAS_Q4_1_KERNEL {
            if let Some(m) = Q41Matrix::from_qtensor(&tensor)? {
                return Ok(Self::Q4_1(m));
            }
        }
        Ok(Self::Candle(QMatMul::from_qtensor(tensor)?))
    }

    pub fn forward(&self, xs: &Tensor) -> Result<Tensor, LocalError> {
        match self {
            Self::Candle(m) => Ok(m.forward(xs)?),
            Self::Q4_1(m) => m.forward(xs),
        }
    }

    /// Rows of the matrix as a lookup table (token embeddings).
    pub fn embedding(&self, ids: &Tensor) -> Result<Tensor, LocalError> {
        match self {
            Self::Candle(m) => Ok(m.embedding(ids)?),
            Self::Q4_1(m) => m.embedding(ids),
        }
    }
}

/// A Q4_1 matrix, repacked: per 32 values a scale `d`, a minimum `m` and 16
/// bytes of 4-bit values `q` (`value = d·q + m`; values 0–15 of the block in
/// the low nibbles, 16–31 in the high ones).
pub struct Q41Matrix {
    rows: usize,
    cols: usize,
    qs: Vec<u8>,
    d: Vec<f32>,
    m: Vec<f32>,
}

/// Activations quantized as ggml's Q8_1: per 32 values a scale and signed
/// bytes (-127..=127), kept widened to i16 for the kernel.
pub(crate) struct Quantized {
    wide: Vec<i16>,
    scales: Vec<f32>,
    /// Per block: scale × the sum of the quantized values.
    sums: Vec<f32>,
}

fn quantize(xs: &[f32]) -> Quantized {
    let mut wide = Vec::with_capacity(xs.len());
    let mut scales = Vec::with_capacity(xs.len() / BLOCK);
    let mut sums = Vec::with_capacity(xs.len() / BLOCK);
    for block in xs.chunks_exact(BLOCK) {
        let amax = block.iter().fold(0f32, |m, x| m.max(x.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        let d = half::f16::from_f32(d).to_f32();
        let mut sum = 0i32;
        for &x in block {
            let q = (x * id).round() as i8;
            sum += i32::from(q);
            wide.push(i16::from(q));
        }
        scales.push(d);
        sums.push(d * sum as f32);
    }
    Quantized { wide, scales, sums }
}

fn f16_at(bytes: &[u8], at: usize) -> f32 {
    let bits = u16::from_le_bytes([
        bytes.get(at).copied().unwrap_or(0),
        bytes.get(at + 1).copied().unwrap_or(0),
    ]);
    half::f16::from_bits(bits).to_f32()
}

impl Q41Matrix {
    /// `None` when the tensor is not a 2-D Q4_1 matrix.
    pub fn from_qtensor(tensor: &QTensor) -> Result<Option<Self>, LocalError> {
        if tensor.dtype() != GgmlDType::Q4_1 {
            return Ok(None);
        }
        let Ok((rows, cols)) = tensor.shape().dims2() else {
            return Ok(None);
        };
        if cols == 0 || rows == 0 || cols % BLOCK != 0 {
            return Ok(None);
        }
        let data = tensor.data()?;
        let blocks = rows * cols / BLOCK;
        if data.len() != blocks * BLOCK_BYTES {
            return Err(LocalError::Model("a Q4_1 tensor has the wrong size".into()));
        }
        let mut qs = Vec::with_capacity(rows * cols / 2);
        let mut d = Vec::with_capacity(blocks);
        let mut m = Vec::with_capacity(blocks);
        for block in data.chunks_exact(BLOCK_BYTES) {
            d.push(f16_at(block, 0));
            m.push(f16_at(block, 2));
            qs.extend(block.iter().skip(4));
        }
        Ok(Some(Self {
            rows,
            cols,
            qs,
            d,
            m,
        }))
    }

    /// `xs · Wᵀ` for `xs` of shape `(…, cols)`.
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor, LocalError> {
        let mut dims = xs.dims().to_vec();
        let Some(last) = dims.last_mut() else {
            return Err(LocalError::Compute("matmul of a scalar".into()));
        };
        if *last != self.cols {
            return Err(LocalError::Compute(format!(
                "matmul of width {} by a matrix of width {}",
                last, self.cols
            )));
        }
        *last = self.rows;
        let input = xs
            .flatten_all()?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1::<f32>()?;
        let mut out = vec![0f32; input.len() / self.cols * self.rows];
        for (x, y) in input
            .chunks_exact(self.cols)
            .zip(out.chunks_exact_mut(self.rows))
        {
            self.matvec(&quantize(x), y);
        }
        Ok(Tensor::from_vec(out, dims, xs.device())?)
    }

    /// Rows `ids`, dequantized.
    pub fn embedding(&self, ids: &Tensor) -> Result<Tensor, LocalError> {
        let ids = ids.flatten_all()?.to_vec1::<u32>()?;
        let (k, nb) = (self.cols, self.cols / BLOCK);
        let mut out = Vec::with_capacity(ids.len() * k);
        for &id in &ids {
            let row = id as usize;
            let (Some(q), Some(d), Some(m)) = (
                self.qs.get(row * k / 2..(row + 1) * k / 2),
                self.d.get(row * nb..(row + 1) * nb),
                self.m.get(row * nb..(row + 1) * nb),
            ) else {
                return Err(LocalError::invalid(
                    "tokens",
                    format!("{id} is not a token id of this model"),
                ));
            };
            for ((block, &d), &m) in q.chunks_exact(BLOCK / 2).zip(d).zip(m) {
                out.extend(block.iter().map(|&b| f32::from(b & 0x0F) * d + m));
                out.extend(block.iter().map(|&b| f32::from(b >> 4) * d + m));
            }
        }
        Ok(Tensor::from_vec(
            out,
            (ids.len(), self.cols),
            &candle_core::Device::Cpu,
        )?)
    }

    /// `y[r] = W[r] · x` for every row, four rows per pass.
    fn matvec(&self, x: &Quantized, y: &mut [f32]) {
        let nb = self.cols / BLOCK;
        let mut rows = self
            .qs
            .chunks_exact(self.cols / 2)
            .zip(self.d.chunks_exact(nb).zip(self.m.chunks_exact(nb)))
            .map(|(q, (d, m))| (q, d, m));
        let mut out = y.chunks_exact_mut(4);
        for y4 in &mut out {
            let (Some(r0), Some(r1), Some(r2), Some(r3)) =
                (rows.next(), rows.next(), rows.next(), rows.next())
            else {
                return;
            };
            y4.copy_from_slice(&kernel::dot4([r0, r1, r2, r3], x));
        }
        for (y1, row) in out.into_remainder().iter_mut().zip(rows) {
            *y1 = kernel::dot4([row; 4], x)[0];
        }
    }
}

/// A Q4_1 row: packed 4-bit values, block scales, block minimums.
type Row<'a> = (&'a [u8], &'a [f32], &'a [f32]);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[allow(unsafe_code)]
mod kernel {
    use core::arch::wasm32::*;

    use super::{Quantized, Row, BLOCK};

    /// 32 activations (already i16): four vectors of 8.
    #[inline(always)]
    fn load_wide(x: &[i16]) -> [v128; 4] {
        debug_assert!(x.len() >= 32);
        // SAFETY: `x` is a 32-value block from `chunks_exact`; `v128_load`
        // reads unaligned.
        unsafe {
            let p = x.as_ptr() as *const v128;
            [
                v128_load(p),
                v128_load(p.add(1)),
                v128_load(p.add(2)),
                v128_load(p.add(3)),
            ]
        }
    }

    /// 16 bytes of packed 4-bit values.
    #[inline(always)]
    fn load16(x: &[u8]) -> v128 {
        debug_assert!(x.len() >= 16);
        // SAFETY: `x` is a 16-byte block from `chunks_exact`.
        unsafe { v128_load(x.as_ptr() as *const v128) }
    }

    #[inline(always)]
    fn sum_lanes(acc: v128) -> f32 {
        f32x4_extract_lane::<0>(acc)
            + f32x4_extract_lane::<1>(acc)
            + f32x4_extract_lane::<2>(acc)
            + f32x4_extract_lane::<3>(acc)
    }

    fn blocks<'a>((q, d, m): Row<'a>) -> impl Iterator<Item = ((&'a [u8], &'a f32), &'a f32)> {
        q.chunks_exact(BLOCK / 2).zip(d).zip(m)
    }

    /// Four rows · x: per block d·d'·Σ(q·q') (in i32 lanes, then f32) and
    /// m·(d'·Σq').
    pub fn dot4(rows: [Row; 4], x: &Quantized) -> [f32; 4] {
        let mut acc = [f32x4_splat(0.0); 4];
        let mut mins = [0f32; 4];
        let low = u8x16_splat(0x0F);
        let [r0, r1, r2, r3] = rows;
        let all = x
            .wide
            .chunks_exact(BLOCK)
            .zip(x.scales.iter().zip(&x.sums))
            .zip(blocks(r0))
            .zip(blocks(r1))
            .zip(blocks(r2))
            .zip(blocks(r3));
        for ((((xb, w0), w1), w2), w3) in all {
            let (xw, (&xd, &xs)) = xb;
            let xv = load_wide(xw);
            for ((a, min), ((wq, &wd), &wm)) in
                acc.iter_mut().zip(mins.iter_mut()).zip([w0, w1, w2, w3])
            {
                let v = load16(wq);
                let (lo, hi) = (v128_and(v, low), u8x16_shr(v, 4));
                let s = i32x4_add(
                    i32x4_dot_i16x8(i16x8_extend_low_u8x16(lo), xv[0]),
                    i32x4_dot_i16x8(i16x8_extend_high_u8x16(lo), xv[1]),
                );
                let s = i32x4_add(s, i32x4_dot_i16x8(i16x8_extend_low_u8x16(hi), xv[2]));
                let s = i32x4_add(s, i32x4_dot_i16x8(i16x8_extend_high_u8x16(hi), xv[3]));
                *a = f32x4_add(*a, f32x4_mul(f32x4_convert_i32x4(s), f32x4_splat(wd * xd)));
                *min += wm * xs;
            }
        }
        let mut out = [0f32; 4];
        for ((o, a), m) in out.iter_mut().zip(acc).zip(mins) {
            *o = sum_lanes(a) + m;
        }
        out
    }
}

/// The same arithmetic without SIMD: native builds use candle's kernels for
/// the model, so this only keeps the module compiling and the test honest.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod kernel {
    use super::{Quantized, Row, BLOCK};

    pub fn dot4(rows: [Row; 4], x: &Quantized) -> [f32; 4] {
        rows.map(|(q, d, m)| {
            let mut sum = 0f32;
            let blocks = x.wide.chunks_exact(BLOCK).zip(&x.scales).zip(&x.sums);
            for ((((xq, &xd), &xs), wq), (&wd, &wm)) in
                blocks.zip(q.chunks_exact(BLOCK / 2)).zip(d.iter().zip(m))
            {
                let values = wq
                    .iter()
                    .map(|&b| i32::from(b & 0x0F))
                    .chain(wq.iter().map(|&b| i32::from(b >> 4)));
                let dot: i32 = values.zip(xq).map(|(w, &v)| w * i32::from(v)).sum();
                sum += dot as f32 * (wd * xd) + wm * xs;
            }
            sum
        })
    }
}
