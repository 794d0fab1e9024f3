//! The transformer's small vector operations: attention over the key/value
//! cache, rotary embedding, per-head RMS norm, softmax and the MLP
//! activations, on plain `f32` slices.
//!
//! Why not candle's ops: decoding one token runs them hundreds of times on
//! tiny tensors. candle's batched matmul (one `gemm` call per head with a
//! 1-row left side), the `repeat_kv` copies of the whole cache, and scalar
//! libm `expf` in softmax and SiLU were 13–17% of SmolLM2's decode time in
//! wasm (profiled at 50–200 tokens of context). Here the cache is read in
//! place and nothing is allocated per head.
//!
//! The loops are written over fixed-width lane arrays (`LANES` values, no
//! libm calls) so LLVM turns them into SIMD (wasm `simd128`, SSE natively)
//! without `unsafe`. `exp` is a degree-6 polynomial after range reduction,
//! within about 2 ulp of `expf` over the range softmax and the activations
//! use.

use crate::error::LocalError;

/// Values per SIMD-friendly chunk (two 128-bit vectors).
const LANES: usize = 8;

/// Σ a·b over the common length.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (a.get(..n).unwrap_or(&[]), b.get(..n).unwrap_or(&[]));
    let (ac, at) = a.as_chunks::<LANES>();
    let (bc, bt) = b.as_chunks::<LANES>();
    let mut acc = [0f32; LANES];
    for (x, y) in ac.iter().zip(bc) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    let tail: f32 = at.iter().zip(bt).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// y += a·x.
pub fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// eˣ for one lane (see the module comment); inlined into lane loops.
#[inline(always)]
fn exp1(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two so n·ln2 is exact for |n| < 2¹⁰ (Cody–Waite).
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5·2²³: adding and subtracting it rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    // eˣ stays finite and normal in this range; outside it saturates.
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2ⁿ from its exponent bits (n is in -126..=127 after the clamp).
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    p * scale
}

/// Applies `f` to every value, a chunk of `LANES` at a time.
#[inline(always)]
fn map_lanes(xs: &mut [f32], f: impl Fn(f32) -> f32) {
    let (chunks, tail) = xs.as_chunks_mut::<LANES>();
    for chunk in chunks {
        for x in chunk.iter_mut() {
            *x = f(*x);
        }
    }
    for x in tail {
        *x = f(*x);
    }
}

/// eˣ in place: the lane path softmax runs, for the test against libm.
#[cfg(test)]
fn exp(xs: &mut [f32]) {
    map_lanes(xs, exp1);
}

/// Softmax in place (max subtracted first, as candle and llama.cpp do).
pub fn softmax(xs: &mut [f32]) {
    let max = xs
        .iter()
        .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m });
    map_lanes(xs, |x| exp1(x - max));
    let sum: f32 = xs.iter().sum();
    if sum > 0.0 {
        let inv = 1.0 / sum;
        map_lanes(xs, |x| x * inv);
    }
}

/// gate ← f(gate) · up, a chunk of `LANES` at a time.
#[inline(always)]
fn activate_mul(gate: &mut [f32], up: &[f32], f: impl Fn(f32) -> f32) {
    let (chunks, _) = gate.as_chunks_mut::<LANES>();
    for (g, u) in chunks.iter_mut().zip(up.as_chunks::<LANES>().0) {
        for (g, u) in g.iter_mut().zip(u) {
            *g = f(*g) * u;
        }
    }
    let done = gate.len() / LANES * LANES;
    for (g, u) in gate.iter_mut().zip(up).skip(done) {
        *g = f(*g) * u;
    }
}

/// gate ← SiLU(gate) · up, with SiLU(x) = x / (1 + e⁻ˣ) (candle's definition).
pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
    activate_mul(gate, up, |x| x / (1.0 + exp1(-x)));
}

/// gate ← GELU(gate) · up, GELU with the tanh approximation
/// (gelu_pytorch_tanh, as Gemma defines it): ½x(1 + tanh y) written as
/// x / (1 + e⁻²ʸ), the same function without the cancellation of 1 + tanh y
/// for negative x.
pub fn gelu_mul(gate: &mut [f32], up: &[f32]) {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    activate_mul(gate, up, |x| {
        let y = SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x);
        x / (1.0 + exp1(-2.0 * y))
    });
}

/// RMS norm of every `weight.len()`-wide row of `xs`, in place:
/// x / √(mean(x²) + eps) · weight.
pub fn rms_norm_rows(xs: &mut [f32], weight: &[f32], eps: f32) {
    if weight.is_empty() {
        return;
    }
    for row in xs.chunks_exact_mut(weight.len()) {
        let mean = dot(row, row) / weight.len() as f32;
        let inv = 1.0 / (mean + eps).sqrt();
        for (x, w) in row.iter_mut().zip(weight) {
            *x = *x * inv * w;
        }
    }
}

/// How a head's dimensions are paired for the rotary embedding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RopeStyle {
    /// (2i, 2i+1): llama.cpp's layout of GGUF llama weights.
    Interleaved,
    /// (i, i + d/2): Gemma (NeoX style).
    Halves,
}

/// Rotates every head of `xs` (rows of `[heads][d]` for consecutive
/// positions from `start`) by the angles in `cos`/`sin` (`[position][d/2]`).
pub fn rope(
    xs: &mut [f32],
    heads: usize,
    d: usize,
    start: usize,
    cos: &[f32],
    sin: &[f32],
    style: RopeStyle,
) {
    let half = d / 2;
    if half == 0 || heads == 0 {
        return;
    }
    for (t, row) in xs.chunks_exact_mut(heads * d).enumerate() {
        let at = (start + t) * half;
        let (Some(c), Some(s)) = (cos.get(at..at + half), sin.get(at..at + half)) else {
            continue;
        };
        for head in row.chunks_exact_mut(d) {
            match style {
                RopeStyle::Interleaved => {
                    for (([x0, x1], &c), &s) in head.as_chunks_mut::<2>().0.iter_mut().zip(c).zip(s)
                    {
                        let (a, b) = (*x0, *x1);
                        *x0 = a * c - b * s;
                        *x1 = a * s + b * c;
                    }
                }
                RopeStyle::Halves => {
                    let (first, second) = head.split_at_mut(half);
                    for (((x0, x1), &c), &s) in first.iter_mut().zip(second).zip(c).zip(s) {
                        let (a, b) = (*x0, *x1);
                        *x0 = a * c - b * s;
                        *x1 = a * s + b * c;
                    }
                }
            }
        }
    }
}

/// The shape of one attention call.
#[derive(Clone, Copy, Debug)]
pub struct Heads {
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    /// Keys further back than this are not seen (Gemma 3's sliding layers).
    pub window: Option<usize>,
    pub scale: f32,
}

/// Causal attention of `seq` queries at positions `start..start + seq`
/// (`q`: `[seq][n_head][head_dim]`) over the cache (`k`, `v`:
/// `[position][n_kv_head][head_dim]`, holding at least `start + seq`
/// positions); writes `out` (`[seq][n_head][head_dim]`). Query head h reads
/// key/value head h / (n_head / n_kv_head), as grouped-query attention
/// defines it.
pub fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    start: usize,
    shape: Heads,
    out: &mut [f32],
    scores: &mut Vec<f32>,
) -> Result<(), LocalError> {
    let Heads {
        n_head,
        n_kv_head,
        head_dim: d,
        window,
        scale,
    } = shape;
    if n_head == 0 || n_kv_head == 0 || d == 0 || !n_head.is_multiple_of(n_kv_head) {
        return Err(LocalError::Compute(format!(
            "attention of {n_head} heads over {n_kv_head} key/value heads of width {d}"
        )));
    }
    let groups = n_head / n_kv_head;
    let row = n_kv_head * d;
    let queries = q
        .chunks_exact(n_head * d)
        .zip(out.chunks_exact_mut(n_head * d));
    for (i, (q, out)) in queries.enumerate() {
        let position = start + i;
        let first = window.map_or(0, |w| (position + 1).saturating_sub(w));
        let keys = first..position + 1;
        let (Some(k), Some(v)) = (
            k.get(keys.start * row..keys.end * row),
            v.get(keys.start * row..keys.end * row),
        ) else {
            return Err(LocalError::Compute(format!(
                "the key/value cache holds fewer than {} positions",
                keys.end
            )));
        };
        for (h, (q, out)) in q.chunks_exact(d).zip(out.chunks_exact_mut(d)).enumerate() {
            let at = (h / groups) * d;
            scores.clear();
            scores.extend(
                k.chunks_exact(row)
                    .map(|r| dot(q, r.get(at..at + d).unwrap_or(&[])) * scale),
            );
            softmax(scores);
            out.fill(0.0);
            for (r, &p) in v.chunks_exact(row).zip(scores.iter()) {
                axpy(out, p, r.get(at..at + d).unwrap_or(&[]));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_a_few_ulp_of_libm() {
        let mut worst = 0f32;
        let mut x = -87.0f32;
        while x < 88.0 {
            let mut v = [x];
            exp(&mut v);
            let want = x.exp();
            worst = worst.max(((v[0] - want) / want).abs());
            x += 0.013;
        }
        assert!(worst < 3e-7, "relative error {worst}");
        let mut edge = [-1000.0, 1000.0, 0.0];
        exp(&mut edge);
        assert!(edge[0] > 0.0 && edge[0] < 1e-37, "{}", edge[0]);
        assert!(edge[1].is_finite() && edge[1] > 1e38, "{}", edge[1]);
        assert_eq!(edge[2], 1.0);
    }

    #[test]
    fn activations_match_their_definitions() {
        let xs: Vec<f32> = (0..37).map(|i| (i as f32 - 18.0) * 0.7).collect();
        let up: Vec<f32> = (0..37).map(|i| 1.0 + i as f32 * 0.1).collect();
        let mut silu = xs.clone();
        silu_mul(&mut silu, &up);
        let mut gelu = xs.clone();
        gelu_mul(&mut gelu, &up);
        for i in 0..xs.len() {
            let x = xs[i] as f64;
            let want = x / (1.0 + (-x).exp()) * up[i] as f64;
            assert!(
                (silu[i] as f64 - want).abs() < 1e-5 * want.abs().max(1.0),
                "silu({x})"
            );
            let y = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
            let want = 0.5 * x * (1.0 + y.tanh()) * up[i] as f64;
            assert!(
                (gelu[i] as f64 - want).abs() < 1e-5 * want.abs().max(1.0),
                "gelu({x})"
            );
        }
    }

    #[test]
    fn dot_uses_the_common_length() {
        let a: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..20).map(|i| (i % 3) as f32).collect();
        let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), want);
        assert_eq!(dot(&b, &a), want);
    }

    #[test]
    fn attention_refuses_a_short_cache_and_uneven_heads() {
        let shape = Heads {
            n_head: 2,
            n_kv_head: 1,
            head_dim: 4,
            window: None,
            scale: 1.0,
        };
        let (q, kv) = (vec![0.5; 8], vec![0.25; 8]);
        let mut out = vec![0.0; 8];
        // Position 2 needs 3 cached positions; there are 2.
        assert!(attention(&q, &kv, &kv, 2, shape, &mut out, &mut Vec::new()).is_err());
        let uneven = Heads {
            n_head: 3,
            n_kv_head: 2,
            ..shape
        };
        assert!(attention(&q, &kv, &kv, 0, uneven, &mut out, &mut Vec::new()).is_err());
        assert!(attention(&q, &kv, &kv, 1, shape, &mut out, &mut Vec::new()).is_ok());
        assert!(out.iter().all(|&x| (x - 0.25).abs() < 1e-6));
    }

    #[test]
    fn softmax_sums_to_one_in_order() {
        let mut xs = vec![1.0, 3.0, 2.0, -1.0, 0.5, 7.0, 7.0, -30.0, 0.0];
        let raw = xs.clone();
        softmax(&mut xs);
        let total: f32 = raw.iter().map(|x| (x - 7.0f32).exp()).sum();
        for (p, x) in xs.iter().zip(&raw) {
            assert!((p - (x - 7.0).exp() / total).abs() < 1e-6);
        }
        assert!((xs.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn rope_rotates_pairs_by_position() {
        // One head of 4 at position 1: angle table rows [pos][2].
        let (cos, sin) = (vec![1.0, 1.0, 0.0, 0.6], vec![0.0, 0.0, 1.0, 0.8]);
        let mut a = vec![1.0, 2.0, 3.0, 4.0];
        rope(&mut a, 1, 4, 1, &cos, &sin, RopeStyle::Interleaved);
        assert_eq!(
            a,
            vec![-2.0, 1.0, 0.6 * 3.0 - 0.8 * 4.0, 0.8 * 3.0 + 0.6 * 4.0]
        );
        let mut b = vec![1.0, 2.0, 3.0, 4.0];
        rope(&mut b, 1, 4, 1, &cos, &sin, RopeStyle::Halves);
        assert_eq!(
            b,
            vec![-3.0, 0.6 * 2.0 - 0.8 * 4.0, 1.0, 0.8 * 2.0 + 0.6 * 4.0]
        );
    }

    /// Attention by the book (f64, full masked score matrix) against `attention`.
    #[test]
    fn attention_matches_the_definition() {
        let (n_head, n_kv_head, d) = (4, 2, 8);
        let (start, seq) = (5, 3);
        let total = start + seq;
        let val = |i: usize| ((i * 7919 % 113) as f32 - 56.0) / 40.0;
        let k: Vec<f32> = (0..total * n_kv_head * d).map(val).collect();
        let v: Vec<f32> = (0..total * n_kv_head * d).map(|i| val(i + 3)).collect();
        let q: Vec<f32> = (0..seq * n_head * d).map(|i| val(i + 11)).collect();
        for window in [None, Some(3)] {
            let shape = Heads {
                n_head,
                n_kv_head,
                head_dim: d,
                window,
                scale: 0.35,
            };
            let mut out = vec![0.0; q.len()];
            attention(&q, &k, &v, start, shape, &mut out, &mut Vec::new()).unwrap();
            for i in 0..seq {
                let pos = start + i;
                for h in 0..n_head {
                    let kv = h / (n_head / n_kv_head);
                    let at = |t: usize| (t * n_kv_head + kv) * d;
                    let visible: Vec<usize> = (0..total)
                        .filter(|&t| t <= pos && window.is_none_or(|w| pos - t < w))
                        .collect();
                    let s: Vec<f64> = visible
                        .iter()
                        .map(|&t| {
                            (0..d)
                                .map(|j| q[(i * n_head + h) * d + j] as f64 * k[at(t) + j] as f64)
                                .sum::<f64>()
                                * 0.35
                        })
                        .collect();
                    let max = s.iter().cloned().fold(f64::MIN, f64::max);
                    let z: f64 = s.iter().map(|x| (x - max).exp()).sum();
                    for j in 0..d {
                        let want: f64 = visible
                            .iter()
                            .zip(&s)
                            .map(|(&t, x)| (x - max).exp() / z * v[at(t) + j] as f64)
                            .sum();
                        let got = out[(i * n_head + h) * d + j] as f64;
                        assert!(
                            (got - want).abs() < 1e-5,
                            "{window:?} q{i} h{h} d{j}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
