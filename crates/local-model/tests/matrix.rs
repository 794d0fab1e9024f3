//! rig-wasm's packed Q4_1/Q8_0 matrices (the kernel wasm uses; natively its
//! scalar twin, on the same layout) against candle's own matmul and
//! dequantization of the same tensors.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use rig_wasm_local::matrix::Packed;
use rig_wasm_local::LocalError;

/// `rows` not a multiple of four: the last group is padded. The kernel pairs
/// group g with group g + ⌈groups/2⌉; 3, 7 and 11 rows are one group (paired
/// with itself), two groups and three (the middle one paired with itself).
fn check(dtype: GgmlDType, rows: usize) {
    let cols = 96;
    let w: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
        .collect();
    // Several tokens (rows of activations), each quantized and multiplied.
    let tokens = 6;
    let x: Vec<f32> = (0..tokens * cols)
        .map(|i| ((i * 13 % 29) as f32 - 14.0) / 5.0)
        .collect();
    let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).unwrap();
    let x = Tensor::from_vec(x, (1, tokens, cols), &Device::Cpu).unwrap();
    let q = QTensor::quantize(&w, dtype).unwrap();
    let ours = Packed::from_qtensor(&q).unwrap().unwrap();
    let got = ours.forward(&x).unwrap();
    assert_eq!(got.dims(), &[1, tokens, rows]);
    let deq = q
        .dequantize(&Device::Cpu)
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();
    let want = QMatMul::from_qtensor(q).unwrap().forward(&x).unwrap();
    let (got, want) = (
        got.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
        want.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
    );
    for (g, w) in got.iter().zip(&want) {
        assert!(
            (g - w).abs() <= 2e-3 * w.abs().max(1.0),
            "{dtype:?}: {g} vs {w}"
        );
    }
    // Rows as embeddings: exactly candle's dequantized rows.
    let picks = [rows / 2, 0, rows - 1];
    let ids = Tensor::new(&picks.map(|i| i as u32), &Device::Cpu).unwrap();
    let rows_back = ours.embedding(&ids).unwrap().to_vec2::<f32>().unwrap();
    assert_eq!(rows_back, picks.map(|i| deq[i].clone()).to_vec());
    let bad = ours.embedding(&Tensor::new(&[rows as u32], &Device::Cpu).unwrap());
    assert!(matches!(bad, Err(LocalError::Invalid { .. })));
}

#[test]
fn q4_1_matches_candle() {
    for rows in [3, 7, 11] {
        check(GgmlDType::Q4_1, rows);
    }
}

#[test]
fn q8_0_matches_candle() {
    for rows in [3, 7, 11] {
        check(GgmlDType::Q8_0, rows);
    }
}

#[test]
fn other_formats_are_left_to_candle() {
    let w = Tensor::zeros((4, 32), candle_core::DType::F32, &Device::Cpu).unwrap();
    let q = QTensor::quantize(&w, GgmlDType::Q4_0).unwrap();
    assert!(Packed::from_qtensor(&q).unwrap().is_none());
}

/// Natively both sides are the scalar kernel; in wasm the same check runs
/// against the SIMD one (tests/node/local-kernel.test.mjs).
#[test]
fn self_check_runs() {
    let report = rig_wasm_local::matrix::self_check().unwrap();
    assert!(report.contains("71 activation blocks"), "{report}");
    assert!(report.contains("60 matrix–vector products"), "{report}");
}
