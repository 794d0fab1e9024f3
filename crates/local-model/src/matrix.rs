//! The model's weight matrices, with WebAssembly SIMD kernels for Q4_1 and
//! Q8_0.
//!
//! Decoding one token is a chain of matrix–vector products; in wasm nearly
//! all of its time is the quantized dot products. candle 0.11 has wasm SIMD
//! kernels for Q4_0, Q8_0 and the K-quants, but Q4_1 (the format of the
//! SmolLM2 GGUF rig-wasm ships by default) falls back to scalar code, about
//! 2.5× slower, and its Q8_0 kernel (SmolLM2's output projection, and every
//! requantized Gemma 3 tensor) re-widens the activations and converts two
//! f16 scales (in software) for every row and block. `Packed` is
//! one kernel for both formats, arranged for wasm SIMD:
//! - rows are packed in groups of four, block by block, so a group is one
//!   contiguous stream and each activation block is shared by four rows;
//! - block scales (and Q4_1 minimums) are converted from f16 once at load and
//!   stored four rows to a vector;
//! - the activations are quantized (ggml's Q8_1) and widened to i16 once per
//!   input (shared by the matrices that read it), so a block is four
//!   `i32x4.dot_i16x8_s` per row; the four rows' sums are transposed into
//!   one vector and scaled together, not one horizontal sum per row and block;
//! - each pass takes a group from each half of the matrix: two streams of
//!   weights in flight (see `Packed::matvec`).
//!
//! Same arithmetic as ggml's Q4_1 × Q8_1 and Q8_0 × Q8_0 dot products
//! (Σ d·d'·q·q', plus m·d'·Σq' per block for Q4_1). Native builds keep
//! candle's kernels (AVX); other formats keep candle's everywhere.

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Module, Tensor};

use crate::error::LocalError;

/// Values per block (both formats).
const BLOCK: usize = 32;
/// Rows per group: one pass of the kernel.
const GROUP: usize = 4;

/// Whether `Packed` matrices run a SIMD kernel on this target (in wasm);
/// elsewhere `Matrix::new` keeps candle's kernels.
pub const HAS_KERNEL: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

/// A weight matrix `(rows, cols)`, multiplied as `x · Wᵀ`.
pub enum Matrix {
    Candle(QMatMul),
    Packed(Packed),
}

impl Matrix {
    /// Wrap a loaded tensor; in wasm, Q4_1 and Q8_0 tensors take the kernel below.
    pub fn new(tensor: QTensor) -> Result<Self, LocalError> {
        if HAS_KERNEL {
            if let Some(m) = Packed::from_qtensor(&tensor)? {
                return Ok(Self::Packed(m));
            }
        }
        Ok(Self::Candle(QMatMul::from_qtensor(tensor)?))
    }

    pub fn forward(&self, xs: &Tensor) -> Result<Tensor, LocalError> {
        match self {
            Self::Candle(m) => Ok(m.forward(xs)?),
            Self::Packed(m) => m.forward(xs),
        }
    }

    /// `xs · Wᵀ` for several matrices of the same input (q, k and v; gate
    /// and up), as flat row-major vectors. The input is quantized once for
    /// all the packed ones.
    pub fn forward_all<const N: usize>(
        matrices: [&Self; N],
        xs: &Tensor,
    ) -> Result<[Vec<f32>; N], LocalError> {
        let input = Input::new(xs)?;
        let mut out: [Vec<f32>; N] = std::array::from_fn(|_| Vec::new());
        for (m, y) in matrices.into_iter().zip(out.iter_mut()) {
            *y = match m {
                Self::Candle(m) => m.forward(xs)?.flatten_all()?.to_vec1::<f32>()?,
                Self::Packed(m) => m.apply(&input)?,
            };
        }
        Ok(out)
    }

    /// Rows of the matrix as a lookup table (token embeddings).
    pub fn embedding(&self, ids: &Tensor) -> Result<Tensor, LocalError> {
        match self {
            Self::Candle(m) => Ok(m.embedding(ids)?),
            Self::Packed(m) => m.embedding(ids),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `value = d·q + m`, q in 0..=15: 16 bytes per block, values 0–15 in
    /// the low nibbles and 16–31 in the high ones.
    Q4_1,
    /// `value = d·q`, q in -128..=127: 32 bytes per block.
    Q8_0,
}

impl Format {
    /// Bytes of packed values per row and block.
    const fn bytes(self) -> usize {
        match self {
            Self::Q4_1 => BLOCK / 2,
            Self::Q8_0 => BLOCK,
        }
    }
    /// Bytes per block in GGUF (f16 scale, for Q4_1 an f16 minimum, values).
    const fn gguf_bytes(self) -> usize {
        match self {
            Self::Q4_1 => 4 + BLOCK / 2,
            Self::Q8_0 => 2 + BLOCK,
        }
    }
}

/// A Q4_1 or Q8_0 matrix, repacked for the kernel. Rows come in groups of
/// four (the last group padded with zero rows); within a group, block by
/// block: the four rows' values (`qs`), their scales (`d`) and, for Q4_1,
/// their minimums (`m`).
pub struct Packed {
    format: Format,
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
    /// Per block: scale × the sum of the quantized values (Q4_1's minimums).
    sums: Vec<f32>,
}

/// A matmul's input rows, quantized on first use and then shared.
struct Input {
    values: Vec<f32>,
    cols: usize,
    quantized: std::cell::OnceCell<Vec<Quantized>>,
}

impl Input {
    fn new(xs: &Tensor) -> Result<Self, LocalError> {
        let cols = xs
            .dims()
            .last()
            .copied()
            .ok_or_else(|| LocalError::Compute("matmul of a scalar".into()))?;
        let values = xs
            .flatten_all()?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1::<f32>()?;
        Ok(Self {
            values,
            cols,
            quantized: std::cell::OnceCell::new(),
        })
    }

    fn quantized(&self) -> &[Quantized] {
        self.quantized.get_or_init(|| {
            if self.cols == 0 {
                return Vec::new();
            }
            self.values.chunks_exact(self.cols).map(quantize).collect()
        })
    }
}

fn quantize(xs: &[f32]) -> Quantized {
    quantize_with::<Fast>(xs)
}

fn quantize_with<K: Kernel>(xs: &[f32]) -> Quantized {
    let mut wide = vec![0i16; xs.len() / BLOCK * BLOCK];
    let mut scales = Vec::with_capacity(xs.len() / BLOCK);
    let mut sums = Vec::with_capacity(xs.len() / BLOCK);
    for (block, out) in xs
        .as_chunks::<BLOCK>()
        .0
        .iter()
        .zip(wide.as_chunks_mut::<BLOCK>().0)
    {
        let (amax, sum) = K::quantize_block(block, out);
        // The scale as f16 like ggml's; the sum's term in f32 (rounding it to
        // f16 as ggml's block does moved the logits further from llama.cpp's).
        let d = half::f16::from_f32(amax / 127.0).to_f32();
        scales.push(d);
        sums.push(d * sum as f32);
    }
    Quantized { wide, scales, sums }
}

/// 1 / d for a block's scale d = max|x| / 127, or 0 when that is not finite
/// (d = 0, or so small that its f16 is 0 anyway): the block then quantizes
/// to zeros instead of saturated garbage.
#[inline(always)]
fn inverse_scale(d: f32) -> f32 {
    let id = 1.0 / d;
    if id.is_finite() {
        id
    } else {
        0.0
    }
}

fn f16_at(bytes: &[u8], at: usize) -> f32 {
    let bits = u16::from_le_bytes([
        bytes.get(at).copied().unwrap_or(0),
        bytes.get(at + 1).copied().unwrap_or(0),
    ]);
    half::f16::from_bits(bits).to_f32()
}

impl Packed {
    /// `None` when the tensor is not a 2-D Q4_1 or Q8_0 matrix.
    pub fn from_qtensor(tensor: &QTensor) -> Result<Option<Self>, LocalError> {
        let Ok((rows, cols)) = tensor.shape().dims2() else {
            return Ok(None);
        };
        Self::from_raw(tensor.dtype(), rows, cols, &tensor.data()?)
    }

    /// From a `(rows, cols)` matrix's bytes as GGUF stores them; `None` when
    /// `dtype` is not Q4_1 or Q8_0 (or the shape does not fit the kernel).
    pub fn from_raw(
        dtype: GgmlDType,
        rows: usize,
        cols: usize,
        data: &[u8],
    ) -> Result<Option<Self>, LocalError> {
        let format = match dtype {
            GgmlDType::Q4_1 => Format::Q4_1,
            GgmlDType::Q8_0 => Format::Q8_0,
            _ => return Ok(None),
        };
        if cols == 0 || rows == 0 || !cols.is_multiple_of(BLOCK) {
            return Ok(None);
        }
        let nb = cols / BLOCK;
        // Checked: a crafted file's shape must not wrap (usize is 32-bit in
        // wasm) into a length that matches and then size the buffers below.
        let row_bytes = nb.checked_mul(format.gguf_bytes());
        if row_bytes.and_then(|b| b.checked_mul(rows)) != Some(data.len()) {
            return Err(LocalError::Model(format!(
                "a {format:?} tensor has the wrong size"
            )));
        }
        let row_bytes = data.len() / rows;
        let groups = rows.div_ceil(GROUP);
        let width = format.bytes();
        let mut qs = vec![0u8; groups * GROUP * nb * width];
        let mut d = vec![0f32; groups * GROUP * nb];
        let mut m = match format {
            Format::Q4_1 => vec![0f32; groups * GROUP * nb],
            Format::Q8_0 => Vec::new(),
        };
        for (row, src) in data.chunks_exact(row_bytes).enumerate() {
            let (g, r) = (row / GROUP, row % GROUP);
            for (b, block) in src.chunks_exact(format.gguf_bytes()).enumerate() {
                // Slot of (row, block): group g, block b, row r of the group.
                let slot = (g * nb + b) * GROUP + r;
                if let Some(x) = d.get_mut(slot) {
                    *x = f16_at(block, 0);
                }
                let values = match format {
                    Format::Q4_1 => {
                        if let Some(x) = m.get_mut(slot) {
                            *x = f16_at(block, 2);
                        }
                        block.get(4..)
                    }
                    Format::Q8_0 => block.get(2..),
                };
                if let (Some(to), Some(from)) =
                    (qs.get_mut(slot * width..(slot + 1) * width), values)
                {
                    to.copy_from_slice(from);
                }
            }
        }
        Ok(Some(Self {
            format,
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
        let input = Input::new(xs)?;
        let out = self.apply(&input)?;
        if let Some(last) = dims.last_mut() {
            *last = self.rows;
        }
        Ok(Tensor::from_vec(out, dims, xs.device())?)
    }

    /// `x · Wᵀ` for every row of `input`, rows after rows.
    fn apply(&self, input: &Input) -> Result<Vec<f32>, LocalError> {
        if input.cols != self.cols {
            return Err(LocalError::Compute(format!(
                "matmul of width {} by a matrix of width {}",
                input.cols, self.cols
            )));
        }
        let quantized = input.quantized();
        let mut out = vec![0f32; quantized.len() * self.rows];
        for (x, y) in quantized.iter().zip(out.chunks_exact_mut(self.rows)) {
            self.matvec(x, y);
        }
        Ok(out)
    }

    /// Rows `ids`, dequantized.
    pub fn embedding(&self, ids: &Tensor) -> Result<Tensor, LocalError> {
        let ids = ids.flatten_all()?.to_vec1::<u32>()?;
        let (nb, width) = (self.cols / BLOCK, self.format.bytes());
        let mut out = Vec::with_capacity(ids.len() * self.cols);
        for &id in &ids {
            let row = id as usize;
            if row >= self.rows {
                return Err(LocalError::invalid(
                    "tokens",
                    format!("{id} is not a token id of this model"),
                ));
            }
            let (g, r) = (row / GROUP, row % GROUP);
            for b in 0..nb {
                let slot = (g * nb + b) * GROUP + r;
                let (Some(q), Some(&d)) = (
                    self.qs.get(slot * width..(slot + 1) * width),
                    self.d.get(slot),
                ) else {
                    return Err(LocalError::Compute("a packed matrix is truncated".into()));
                };
                match self.format {
                    Format::Q4_1 => {
                        let m = self.m.get(slot).copied().unwrap_or(0.0);
                        out.extend(q.iter().map(|&v| f32::from(v & 0x0F) * d + m));
                        out.extend(q.iter().map(|&v| f32::from(v >> 4) * d + m));
                    }
                    Format::Q8_0 => out.extend(q.iter().map(|&v| f32::from(v as i8) * d)),
                }
            }
        }
        Ok(Tensor::from_vec(
            out,
            (ids.len(), self.cols),
            &candle_core::Device::Cpu,
        )?)
    }

    /// One group of four rows: its values, scales and (Q4_1) minimums.
    fn group(&self, g: usize) -> Group<'_> {
        let nb = self.cols / BLOCK;
        let (blocks, width) = (nb * GROUP, self.format.bytes());
        Group {
            q: self
                .qs
                .get(g * blocks * width..(g + 1) * blocks * width)
                .unwrap_or(&[]),
            d: self.d.get(g * blocks..(g + 1) * blocks).unwrap_or(&[]),
            m: self.m.get(g * blocks..(g + 1) * blocks).unwrap_or(&[]),
        }
    }

    /// `y[r] = W[r] · x` for every row. Each pass computes two groups of
    /// four rows, one from each half of the matrix: two streams of weights
    /// in flight instead of one. Decoding reads every weight once per token
    /// from memory (not cache), and in wasm there is no prefetch
    /// instruction; the second stream keeps more reads outstanding, which
    /// measured about a fifth faster on the model's matrices (and slower
    /// when the weights are in cache, which they are not while decoding).
    fn matvec(&self, x: &Quantized, y: &mut [f32]) {
        self.matvec_with::<Fast>(x, y);
    }

    fn matvec_with<K: Kernel>(&self, x: &Quantized, y: &mut [f32]) {
        let groups = self.rows.div_ceil(GROUP);
        let half = groups.div_ceil(2);
        for g in 0..half {
            // An odd count pairs the last group with itself.
            let other = if g + half < groups { g + half } else { g };
            let pair = [self.group(g), self.group(other)];
            let sums = match self.format {
                Format::Q4_1 => K::q4_1(pair, x),
                Format::Q8_0 => K::q8_0(pair, x),
            };
            for (first, s) in [g, other].into_iter().zip(sums) {
                let rows = y.get_mut(first * GROUP..).unwrap_or(&mut []);
                for (y1, v) in rows.iter_mut().zip(s) {
                    *y1 = v;
                }
            }
        }
    }
}

/// The slices of one group of four rows (see `Packed`).
#[derive(Clone, Copy)]
pub(crate) struct Group<'a> {
    q: &'a [u8],
    d: &'a [f32],
    m: &'a [f32],
}

/// The kernel's operations, as the SIMD module and its scalar twin
/// implement them (generic, so each is inlined where it is used).
trait Kernel {
    fn quantize_block(x: &[f32; BLOCK], out: &mut [i16; BLOCK]) -> (f32, i32);
    fn q4_1(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2];
    fn q8_0(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2];
}

macro_rules! kernel_impl {
    ($name:ident, $module:ident) => {
        struct $name;
        impl Kernel for $name {
            #[inline(always)]
            fn quantize_block(x: &[f32; BLOCK], out: &mut [i16; BLOCK]) -> (f32, i32) {
                $module::quantize_block(x, out)
            }
            #[inline(always)]
            fn q4_1(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2] {
                $module::q4_1(g, x)
            }
            #[inline(always)]
            fn q8_0(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2] {
                $module::q8_0(g, x)
            }
        }
    };
}

kernel_impl!(Scalar, scalar);
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
kernel_impl!(Simd, simd);
/// The kernel this target runs.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Fast = Simd;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type Fast = Scalar;

/// Compares this target's kernel with the scalar one, operation by
/// operation, on inputs the models may never produce: rounding ties,
/// NaN, ±0, tiny and huge blocks; row counts that leave a padded group and
/// an odd number of groups (paired with itself). The model tests cover the
/// common shapes end to end; this covers the corners, in wasm, where the
/// SIMD code runs (natively both sides are the scalar code). Returns what
/// was compared.
pub fn self_check() -> Result<String, LocalError> {
    let mut rng = crate::sampling::Rng::new(0x9E37_79B9);
    let mut next = move || (rng.next_u64() >> 32) as u32;
    // Activation blocks: scaled so x·127/max|x| lands on .5 exactly, and other corners.
    let mut blocks: Vec<[f32; BLOCK]> = Vec::new();
    blocks.push(std::array::from_fn(|i| {
        if i == 0 {
            127.0
        } else {
            i as f32 - 15.5
        }
    }));
    blocks.push(std::array::from_fn(|i| {
        if i == 0 {
            -127.0
        } else {
            0.5 - i as f32
        }
    }));
    blocks.push(std::array::from_fn(|i| if i % 2 == 0 { 0.0 } else { -0.0 }));
    blocks.push(std::array::from_fn(|i| match i {
        3 => f32::NAN,
        7 => 2.0,
        _ => 0.75,
    }));
    blocks.push(std::array::from_fn(|i| (i as f32 - 16.0) * 1e-30));
    blocks.push(std::array::from_fn(|i| (i as f32 - 16.0) * 1e30));
    blocks.push(std::array::from_fn(|i| (i as f32 - 16.0) * 1e-44));
    for _ in 0..64 {
        blocks.push(std::array::from_fn(|_| {
            (next() % 20_001) as f32 / 1000.0 - 10.0
        }));
    }
    for (n, block) in blocks.iter().enumerate() {
        let (mut fast, mut scalar) = ([0i16; BLOCK], [0i16; BLOCK]);
        let (a, b) = (
            Fast::quantize_block(block, &mut fast),
            Scalar::quantize_block(block, &mut scalar),
        );
        if fast != scalar || a.1 != b.1 || a.0.to_bits() != b.0.to_bits() {
            return Err(LocalError::Compute(format!(
                "quantizing block {n}: {a:?} {fast:?} vs {b:?} {scalar:?}"
            )));
        }
    }
    // Products: both formats, rows leaving padded and odd group counts.
    let f16 = |x: f32| half::f16::from_f32(x).to_bits().to_le_bytes();
    let mut products = 0;
    for (dtype, format) in [
        (GgmlDType::Q4_1, Format::Q4_1),
        (GgmlDType::Q8_0, Format::Q8_0),
    ] {
        for rows in [1, 3, 7, 11, 64] {
            for cols in [32, 96] {
                let mut data = Vec::new();
                for _ in 0..rows * cols / BLOCK {
                    data.extend(f16((next() % 1000) as f32 * 1e-4 + 1e-3));
                    if dtype == GgmlDType::Q4_1 {
                        data.extend(f16(-((next() % 1000) as f32) * 1e-3));
                    }
                    while data.len() % format.gguf_bytes() != 0 {
                        data.push(next() as u8);
                    }
                }
                let Some(m) = Packed::from_raw(dtype, rows, cols, &data)? else {
                    return Err(LocalError::Compute(format!("{dtype:?} was not packed")));
                };
                for token in 0..3 {
                    let xs: Vec<f32> = (0..cols)
                        .map(|i| ((next() % 2001) as f32 - 1000.0) / (100.0 + (i + token) as f32))
                        .collect();
                    let (mut fast, mut scalar) = (vec![0f32; rows], vec![0f32; rows]);
                    m.matvec_with::<Fast>(&quantize_with::<Fast>(&xs), &mut fast);
                    m.matvec_with::<Scalar>(&quantize_with::<Scalar>(&xs), &mut scalar);
                    for (r, (a, b)) in fast.iter().zip(&scalar).enumerate() {
                        if (a - b).abs() > 1e-5 * b.abs().max(1.0) {
                            return Err(LocalError::Compute(format!(
                                "{dtype:?} {rows}×{cols}, row {r}: {a} vs {b}"
                            )));
                        }
                    }
                    products += 1;
                }
            }
        }
    }
    Ok(format!(
        "{} activation blocks quantized identically; {products} matrix–vector products agree",
        blocks.len()
    ))
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[allow(unsafe_code)]
// The kernel walks blocks as slices (`chunks_exact`), the form it was tuned
// and measured in; the block helpers take slices of any width.
#[allow(clippy::chunks_exact_to_as_chunks)]
mod simd {
    use core::arch::wasm32::*;

    use super::{inverse_scale, Group, Quantized, BLOCK, GROUP};

    /// Loads 16 bytes at `p[at..]`. The callers' slices come from
    /// `chunks_exact` of the right width, checked by the `debug_assert`s.
    #[inline(always)]
    fn load(p: &[u8], at: usize) -> v128 {
        debug_assert!(p.len() >= at + 16);
        // SAFETY: in bounds (see above); `v128_load` reads unaligned.
        unsafe { v128_load(p.as_ptr().add(at) as *const v128) }
    }

    /// 8 signed bytes at `p[at..]`, widened to i16.
    #[inline(always)]
    fn load_i8x8(p: &[u8], at: usize) -> v128 {
        debug_assert!(p.len() >= at + 8);
        // SAFETY: in bounds (see above).
        unsafe { i16x8_load_extend_i8x8(p.as_ptr().add(at) as *const i8) }
    }

    /// 32 activations (already i16): four vectors of 8.
    #[inline(always)]
    fn load_wide(x: &[i16]) -> [v128; 4] {
        debug_assert!(x.len() >= BLOCK);
        // SAFETY: `x` is a 32-value block from `chunks_exact`.
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

    #[inline(always)]
    fn load_f32x4(p: &[f32]) -> v128 {
        debug_assert!(p.len() >= GROUP);
        // SAFETY: `p` is a 4-value chunk from `chunks_exact`.
        unsafe { v128_load(p.as_ptr() as *const v128) }
    }

    /// One block of 32 activations as ggml's Q8_1 quantizes it: scaled by
    /// 127 / max |x|, rounded half away from zero (like `roundf`; `f32.trunc`
    /// is an instruction, `roundf` a libm call). Writes the values widened
    /// to i16; returns max |x| and the values' sum.
    #[inline(always)]
    pub fn quantize_block(x: &[f32; BLOCK], out: &mut [i16; BLOCK]) -> (f32, i32) {
        // SAFETY: eight 4-value loads inside the 32-value array.
        let v: [v128; 8] =
            core::array::from_fn(|i| unsafe { v128_load((x.as_ptr() as *const v128).add(i)) });
        let m = v
            .iter()
            .fold(f32x4_splat(0.0), |m, &v| f32x4_pmax(m, f32x4_abs(v)));
        let m = f32x4_pmax(m, i32x4_shuffle::<2, 3, 0, 1>(m, m));
        let amax = f32x4_extract_lane::<0>(f32x4_pmax(m, i32x4_shuffle::<1, 0, 3, 2>(m, m)));
        let d = amax / 127.0;
        let id = f32x4_splat(inverse_scale(d));
        let (half, one, sign) = (f32x4_splat(0.5), f32x4_splat(1.0), u32x4_splat(0x8000_0000));
        let q = v.map(|v| {
            let v = f32x4_mul(v, id);
            let t = f32x4_trunc(v);
            let away = f32x4_ge(f32x4_abs(f32x4_sub(v, t)), half);
            let step = v128_or(v128_and(v, sign), one);
            i32x4_trunc_sat_f32x4(f32x4_add(t, v128_and(away, step)))
        });
        let total = q.iter().fold(i32x4_splat(0), |s, &q| i32x4_add(s, q));
        let sum = i32x4_extract_lane::<0>(total)
            + i32x4_extract_lane::<1>(total)
            + i32x4_extract_lane::<2>(total)
            + i32x4_extract_lane::<3>(total);
        for (i, pair) in q.chunks_exact(2).enumerate() {
            if let [a, b] = pair {
                // SAFETY: four 8-value stores inside the 32-value array.
                unsafe {
                    v128_store(
                        (out.as_mut_ptr() as *mut v128).add(i),
                        i16x8_narrow_i32x4(*a, *b),
                    )
                };
            }
        }
        (amax, sum)
    }

    /// Four rows' i32x4 partial sums → one vector of the four row sums.
    #[inline(always)]
    fn transpose_sum(s: [v128; 4]) -> v128 {
        let [s0, s1, s2, s3] = s;
        let t01 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(s0, s1),
            i32x4_shuffle::<2, 6, 3, 7>(s0, s1),
        );
        let t23 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(s2, s3),
            i32x4_shuffle::<2, 6, 3, 7>(s2, s3),
        );
        i32x4_add(
            i64x2_shuffle::<0, 2>(t01, t23),
            i64x2_shuffle::<1, 3>(t01, t23),
        )
    }

    /// A Q4_1 row block (16 bytes at `q[at..]`) as four i16x8 vectors, in
    /// the order of the activation block's vectors: bytes 0–7 and 8–15,
    /// low nibbles (values 0–15), then high nibbles (16–31).
    #[inline(always)]
    fn q4_1_unpack(q: &[u8], at: usize) -> [v128; 4] {
        let v = load(q, at);
        let low = i16x8_splat(0x0F);
        let (a, b) = (i16x8_extend_low_u8x16(v), i16x8_extend_high_u8x16(v));
        [
            v128_and(a, low),
            v128_and(b, low),
            u16x8_shr(a, 4),
            u16x8_shr(b, 4),
        ]
    }

    /// A Q8_0 row block (32 bytes at `q[at..]`) as four i16x8 vectors.
    #[inline(always)]
    fn q8_0_unpack(q: &[u8], at: usize) -> [v128; 4] {
        [
            load_i8x8(q, at),
            load_i8x8(q, at + 8),
            load_i8x8(q, at + 16),
            load_i8x8(q, at + 24),
        ]
    }

    /// One row block · the activation block: i32x4 partial sums.
    #[inline(always)]
    fn dot_row(w: &[v128; 4], x: &[v128; 4]) -> v128 {
        i32x4_add(
            i32x4_add(i32x4_dot_i16x8(w[0], x[0]), i32x4_dot_i16x8(w[1], x[1])),
            i32x4_add(i32x4_dot_i16x8(w[2], x[2]), i32x4_dot_i16x8(w[3], x[3])),
        )
    }

    /// One block of a Q4_1 group: Σ d·d'·Σ(q·q') + m·(d'·Σq') for its four
    /// rows. The two terms are added before they are accumulated: they
    /// nearly cancel (m < 0), and summing them apart loses precision (the
    /// top-10 probabilities moved 10× further from llama.cpp's).
    #[inline(always)]
    fn q4_1_block(q: &[u8], d: &[f32], m: &[f32], x: &[v128; 4], xd: v128, xs: v128) -> v128 {
        let s = transpose_sum([0, 16, 32, 48].map(|at| dot_row(&q4_1_unpack(q, at), x)));
        let scaled = f32x4_mul(f32x4_convert_i32x4(s), f32x4_mul(load_f32x4(d), xd));
        f32x4_add(scaled, f32x4_mul(load_f32x4(m), xs))
    }

    /// One block of a Q8_0 group: Σ d·d'·Σ(q·q') for its four rows.
    #[inline(always)]
    fn q8_0_block(q: &[u8], d: &[f32], x: &[v128; 4], xd: v128) -> v128 {
        let s = transpose_sum([0, 32, 64, 96].map(|at| dot_row(&q8_0_unpack(q, at), x)));
        f32x4_mul(f32x4_convert_i32x4(s), f32x4_mul(load_f32x4(d), xd))
    }

    /// A Q4_1 group's blocks: the four rows' values, scales and minimums.
    #[inline(always)]
    fn q4_1_blocks(g: Group<'_>) -> impl Iterator<Item = ((&[u8], &[f32]), &[f32])> {
        g.q.chunks_exact(GROUP * BLOCK / 2)
            .zip(g.d.chunks_exact(GROUP))
            .zip(g.m.chunks_exact(GROUP))
    }

    /// A Q8_0 group's blocks: the four rows' values and scales.
    #[inline(always)]
    fn q8_0_blocks(g: Group<'_>) -> impl Iterator<Item = (&[u8], &[f32])> {
        g.q.chunks_exact(GROUP * BLOCK).zip(g.d.chunks_exact(GROUP))
    }

    /// Two groups of four Q4_1 rows · x, block by block (two streams).
    pub fn q4_1(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2] {
        let [a, b] = g;
        let blocks = q4_1_blocks(a)
            .zip(q4_1_blocks(b))
            .zip(x.wide.chunks_exact(BLOCK))
            .zip(x.scales.iter().zip(&x.sums));
        let (mut acc_a, mut acc_b) = (f32x4_splat(0.0), f32x4_splat(0.0));
        for (((((qa, da), ma), ((qb, db), mb)), xw), (&xd, &xs)) in blocks {
            let xv = load_wide(xw);
            let (xd, xs) = (f32x4_splat(xd), f32x4_splat(xs));
            acc_a = f32x4_add(acc_a, q4_1_block(qa, da, ma, &xv, xd, xs));
            acc_b = f32x4_add(acc_b, q4_1_block(qb, db, mb, &xv, xd, xs));
        }
        [to_array(acc_a), to_array(acc_b)]
    }

    /// Two groups of four Q8_0 rows · x. Written apart from `q4_1` on
    /// purpose: no minimums to stream, and no per-block format branch in the
    /// hottest loop of the model.
    pub fn q8_0(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2] {
        let [a, b] = g;
        let blocks = q8_0_blocks(a)
            .zip(q8_0_blocks(b))
            .zip(x.wide.chunks_exact(BLOCK))
            .zip(&x.scales);
        let (mut acc_a, mut acc_b) = (f32x4_splat(0.0), f32x4_splat(0.0));
        for ((((qa, da), (qb, db)), xw), &xd) in blocks {
            let xv = load_wide(xw);
            let xd = f32x4_splat(xd);
            acc_a = f32x4_add(acc_a, q8_0_block(qa, da, &xv, xd));
            acc_b = f32x4_add(acc_b, q8_0_block(qb, db, &xv, xd));
        }
        [to_array(acc_a), to_array(acc_b)]
    }

    #[inline(always)]
    fn to_array(v: v128) -> [f32; 4] {
        [
            f32x4_extract_lane::<0>(v),
            f32x4_extract_lane::<1>(v),
            f32x4_extract_lane::<2>(v),
            f32x4_extract_lane::<3>(v),
        ]
    }
}

/// The same arithmetic without SIMD: native builds use candle's kernels for
/// the model, so this keeps the module compiling and the layout tested; in
/// wasm, `self_check` compares the SIMD kernel with it.
mod scalar {
    use super::{Group, Quantized, BLOCK, GROUP};

    /// See the SIMD `quantize_block`.
    pub fn quantize_block(x: &[f32; BLOCK], out: &mut [i16; BLOCK]) -> (f32, i32) {
        let amax = x.iter().fold(0f32, |m, x| {
            let a = x.abs();
            if a > m {
                a
            } else {
                m
            }
        });
        let d = amax / 127.0;
        let id = super::inverse_scale(d);
        let mut sum = 0i32;
        for (&x, o) in x.iter().zip(out.iter_mut()) {
            let v = x * id;
            let t = v.trunc();
            let q = if (v - t).abs() >= 0.5 {
                t + v.signum()
            } else {
                t
            } as i32;
            sum += q;
            *o = q as i16;
        }
        (amax, sum)
    }

    /// Blocks of the group's row `r`: (values, scale, minimum) per block.
    fn row_blocks<'a>(
        q: &'a [u8],
        d: &'a [f32],
        m: &'a [f32],
        width: usize,
        r: usize,
    ) -> impl Iterator<Item = (&'a [u8], f32, f32)> + 'a {
        q.chunks_exact(GROUP * width)
            .zip(d.as_chunks::<GROUP>().0)
            .enumerate()
            .map(move |(b, (qb, db))| {
                (
                    qb.get(r * width..(r + 1) * width).unwrap_or(&[]),
                    db.get(r).copied().unwrap_or(0.0),
                    m.get(b * GROUP + r).copied().unwrap_or(0.0),
                )
            })
    }

    fn dot(values: impl Iterator<Item = i32>, x: &[i16]) -> i32 {
        values.zip(x).map(|(w, &v)| w * i32::from(v)).sum()
    }

    /// Two groups, each as the SIMD kernel computes it.
    pub fn q4_1(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2] {
        g.map(|g| q4_1_group(g.q, g.d, g.m, x))
    }

    pub fn q8_0(g: [Group<'_>; 2], x: &Quantized) -> [[f32; 4]; 2] {
        g.map(|g| q8_0_group(g.q, g.d, x))
    }

    fn q4_1_group(q: &[u8], d: &[f32], m: &[f32], x: &Quantized) -> [f32; 4] {
        core::array::from_fn(|r| {
            let blocks = x
                .wide
                .as_chunks::<BLOCK>()
                .0
                .iter()
                .zip(&x.scales)
                .zip(&x.sums);
            blocks
                .zip(row_blocks(q, d, m, BLOCK / 2, r))
                .map(|(((xq, &xd), &xs), (wq, wd, wm))| {
                    let values = wq
                        .iter()
                        .map(|&b| i32::from(b & 0x0F))
                        .chain(wq.iter().map(|&b| i32::from(b >> 4)));
                    dot(values, xq) as f32 * (wd * xd) + wm * xs
                })
                .sum()
        })
    }

    fn q8_0_group(q: &[u8], d: &[f32], x: &Quantized) -> [f32; 4] {
        core::array::from_fn(|r| {
            let blocks = x.wide.as_chunks::<BLOCK>().0.iter().zip(&x.scales);
            blocks
                .zip(row_blocks(q, d, &[], BLOCK, r))
                .map(|((xq, &xd), (wq, wd, _))| {
                    let values = wq.iter().map(|&b| i32::from(b as i8));
                    dot(values, xq) as f32 * (wd * xd)
                })
                .sum()
        })
    }
}
