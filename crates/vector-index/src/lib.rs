//! The in-memory vector index behind rig-wasm's `InMemoryVectorStore`.
//!
//! Vectors are L2-normalised on insert and kept twice: as `f32` (exact) and
//! as `i8` with one scale per vector (a quarter of the bytes). A search
//! scores every vector on the `i8` copy (SIMD on wasm32 with `simd128`),
//! keeps a candidate pool several times larger than asked, and rescores the
//! pool exactly in `f32`: the answer is the exact cosine top-k, computed
//! mostly at `i8` memory bandwidth. Documents are kept as the JSON text
//! JavaScript gave, and results are written as JSON directly, so a search
//! never re-parses documents. Platform independent and native-tested.

use std::collections::HashMap;

/// An invalid input, naming the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorError {
    pub field: String,
    pub message: String,
}

impl VectorError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for VectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for VectorError {}

/// Candidates rescored exactly per search: `max(POOL_FACTOR * k, k + POOL_EXTRA)`.
const POOL_FACTOR: usize = 4;
const POOL_EXTRA: usize = 64;

/// Magic and version of the binary format.
const MAGIC: &[u8; 8] = b"RIGVS\x00\x01\x00";

/// An in-memory cosine-similarity index.
#[derive(Clone, Debug, Default)]
pub struct VectorIndex {
    dims: usize,
    ids: Vec<String>,
    documents: Vec<String>,
    vectors: Vec<f32>,
    /// `vectors` as i8, `dims` per entry: `vectors[i] ≈ quantized[i] * scales[entry]`.
    quantized: Vec<i8>,
    scales: Vec<f32>,
    positions: HashMap<String, usize>,
}

/// The dot product of two equally long slices: 128-bit SIMD, two
/// accumulators (eight lanes) to hide the add latency.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
#[allow(unsafe_code)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::{
        f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load,
    };
    let len = a.len().min(b.len());
    let lanes = len / 8 * 8;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc0 = f32x4_splat(0.0);
    let mut acc1 = f32x4_splat(0.0);
    let mut i = 0;
    while i < lanes {
        // SAFETY: `i + 8 <= lanes <= len`, so both 16-byte loads at `i` and
        // `i + 4` stay inside `a` and `b`; wasm loads need no alignment.
        unsafe {
            let x0 = v128_load(pa.add(i) as *const v128);
            let y0 = v128_load(pb.add(i) as *const v128);
            let x1 = v128_load(pa.add(i + 4) as *const v128);
            let y1 = v128_load(pb.add(i + 4) as *const v128);
            acc0 = f32x4_add(acc0, f32x4_mul(x0, y0));
            acc1 = f32x4_add(acc1, f32x4_mul(x1, y1));
        }
        i += 8;
    }
    let acc = f32x4_add(acc0, acc1);
    let mut sum = f32x4_extract_lane::<0>(acc)
        + f32x4_extract_lane::<1>(acc)
        + f32x4_extract_lane::<2>(acc)
        + f32x4_extract_lane::<3>(acc);
    for (x, y) in a.iter().zip(b).take(len).skip(lanes) {
        sum += x * y;
    }
    sum
}

/// The dot product of two equally long slices (eight independent
/// accumulators, which the compiler vectorises).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    for (x, y) in a8.iter().zip(b8) {
        for ((slot, x), y) in acc.iter_mut().zip(x).zip(y) {
            *slot += x * y;
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// The integer dot product of two equally long `i8` slices.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
#[allow(unsafe_code)]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    use core::arch::wasm32::{
        i16x8_extend_high_i8x16, i16x8_extend_low_i8x16, i32x4_add, i32x4_dot_i16x8,
        i32x4_extract_lane, i32x4_splat, v128, v128_load,
    };
    let len = a.len().min(b.len());
    let lanes = len / 16 * 16;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc0 = i32x4_splat(0);
    let mut acc1 = i32x4_splat(0);
    let mut i = 0;
    while i < lanes {
        // SAFETY: `i + 16 <= lanes <= len`: both 16-byte loads stay inside
        // `a` and `b`; wasm loads need no alignment.
        unsafe {
            let x = v128_load(pa.add(i) as *const v128);
            let y = v128_load(pb.add(i) as *const v128);
            acc0 = i32x4_add(
                acc0,
                i32x4_dot_i16x8(i16x8_extend_low_i8x16(x), i16x8_extend_low_i8x16(y)),
            );
            acc1 = i32x4_add(
                acc1,
                i32x4_dot_i16x8(i16x8_extend_high_i8x16(x), i16x8_extend_high_i8x16(y)),
            );
        }
        i += 16;
    }
    let acc = i32x4_add(acc0, acc1);
    let mut sum = i32x4_extract_lane::<0>(acc)
        + i32x4_extract_lane::<1>(acc)
        + i32x4_extract_lane::<2>(acc)
        + i32x4_extract_lane::<3>(acc);
    for (x, y) in a.iter().zip(b).take(len).skip(lanes) {
        sum += i32::from(*x) * i32::from(*y);
    }
    sum
}

/// The integer dot product of two equally long `i8` slices.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum()
}

/// Append `unit` as `i8` to `out`; returns the scale (`unit ≈ q * scale`).
fn quantize(unit: &[f32], out: &mut Vec<i8>) -> f32 {
    let max = unit.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    out.extend(
        unit.iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    );
    scale
}

/// Keep the best `limit` of `(score, position)`, best first.
struct TopK {
    limit: usize,
    best: Vec<(f32, usize)>,
    worst: f32,
}

impl TopK {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            best: Vec::with_capacity(limit + 1),
            worst: f32::NEG_INFINITY,
        }
    }

    #[inline]
    fn offer(&mut self, score: f32, position: usize) {
        if self.best.len() == self.limit && score <= self.worst {
            return;
        }
        let at = self.best.partition_point(|(s, _)| *s >= score);
        self.best.insert(at, (score, position));
        if self.best.len() > self.limit {
            self.best.pop();
        }
        if self.best.len() == self.limit {
            self.worst = self
                .best
                .last()
                .map(|(s, _)| *s)
                .unwrap_or(f32::NEG_INFINITY);
        }
    }
}

/// `vector` scaled to unit length; an error for empty, zero or non-finite vectors.
pub fn normalized(vector: &[f32], field: &str) -> Result<Vec<f32>, VectorError> {
    if vector.is_empty() {
        return Err(VectorError::invalid(field, "must not be empty"));
    }
    if vector.iter().any(|x| !x.is_finite()) {
        return Err(VectorError::invalid(
            field,
            "must contain only finite numbers",
        ));
    }
    let norm = dot(vector, vector).sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return Err(VectorError::invalid(
            field,
            "must not be the zero vector (cosine similarity is undefined)",
        ));
    }
    Ok(vector.iter().map(|x| x / norm).collect())
}

fn check_document(document: &str, field: &str) -> Result<(), VectorError> {
    serde_json::from_str::<serde::de::IgnoredAny>(document)
        .map(|_| ())
        .map_err(|e| VectorError::invalid(field, format!("is not valid JSON: {e}")))
}

impl VectorIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// The vector width, 0 while empty.
    pub fn dimensions(&self) -> usize {
        self.dims
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.positions.contains_key(id)
    }

    fn check_dims(&self, len: usize, field: &str) -> Result<(), VectorError> {
        if self.dims != 0 && len != self.dims {
            return Err(VectorError::invalid(
                field,
                format!(
                    "has {len} dimensions but the store holds {}-dimensional vectors",
                    self.dims
                ),
            ));
        }
        Ok(())
    }

    /// Add (or replace) one entry. `document` is JSON text.
    pub fn insert(&mut self, id: &str, document: &str, vector: &[f32]) -> Result<(), VectorError> {
        if id.is_empty() {
            return Err(VectorError::invalid("id", "must not be empty"));
        }
        check_document(document, "document")?;
        self.check_dims(vector.len(), "vector")?;
        let unit = normalized(vector, "vector")?;
        self.put(id.to_owned(), document.to_owned(), &unit);
        Ok(())
    }

    /// Insert a checked, normalised entry.
    fn put(&mut self, id: String, document: String, unit: &[f32]) {
        if self.dims == 0 {
            self.dims = unit.len();
        }
        match self.positions.get(&id).copied() {
            Some(at) => {
                let start = at * self.dims;
                if let Some(slot) = self.vectors.get_mut(start..start + self.dims) {
                    slot.copy_from_slice(unit);
                }
                let mut q = Vec::with_capacity(self.dims);
                let scale = quantize(unit, &mut q);
                if let Some(slot) = self.quantized.get_mut(start..start + self.dims) {
                    slot.copy_from_slice(&q);
                }
                if let Some(slot) = self.scales.get_mut(at) {
                    *slot = scale;
                }
                if let Some(slot) = self.documents.get_mut(at) {
                    *slot = document;
                }
            }
            None => {
                self.positions.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.documents.push(document);
                self.vectors.extend_from_slice(unit);
                let scale = quantize(unit, &mut self.quantized);
                self.scales.push(scale);
            }
        }
    }

    /// Add many entries: `documents` is a JSON array as long as `ids`,
    /// `vectors` the vectors back to back. All are checked before any is added.
    pub fn insert_many(
        &mut self,
        ids: &[String],
        documents: &str,
        vectors: &[f32],
    ) -> Result<(), VectorError> {
        let documents: Vec<Box<serde_json::value::RawValue>> = serde_json::from_str(documents)
            .map_err(|e| VectorError::invalid("documents", format!("must be a JSON array: {e}")))?;
        if documents.len() != ids.len() {
            return Err(VectorError::invalid(
                "documents",
                format!("has {} entries for {} ids", documents.len(), ids.len()),
            ));
        }
        if ids.is_empty() {
            return Ok(());
        }
        if !vectors.len().is_multiple_of(ids.len()) {
            return Err(VectorError::invalid(
                "vectors",
                format!(
                    "has {} numbers, not a multiple of {} ids",
                    vectors.len(),
                    ids.len()
                ),
            ));
        }
        let dims = vectors.len() / ids.len();
        self.check_dims(dims, "vectors")?;
        let mut units = Vec::with_capacity(vectors.len());
        for (index, (id, vector)) in ids.iter().zip(vectors.chunks_exact(dims)).enumerate() {
            if id.is_empty() {
                return Err(VectorError::invalid(
                    format!("ids[{index}]"),
                    "must not be empty",
                ));
            }
            units.extend(normalized(vector, &format!("vectors[{index}]"))?);
        }
        for ((id, document), unit) in ids.iter().zip(documents).zip(units.chunks_exact(dims)) {
            self.put(id.clone(), document.get().to_owned(), unit);
        }
        Ok(())
    }

    /// Remove `id`; whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(at) = self.positions.remove(id) else {
            return false;
        };
        let last = self.ids.len() - 1;
        self.ids.swap_remove(at);
        self.documents.swap_remove(at);
        if at != last {
            let (head, tail) = self.vectors.split_at_mut(last * self.dims);
            if let (Some(dst), Some(src)) = (
                head.get_mut(at * self.dims..(at + 1) * self.dims),
                tail.get(..self.dims),
            ) {
                dst.copy_from_slice(src);
            }
            if let Some(moved) = self.ids.get(at) {
                self.positions.insert(moved.clone(), at);
            }
        }
        self.vectors.truncate(last * self.dims);
        self.quantized.truncate(last * self.dims);
        if self.ids.is_empty() {
            self.dims = 0;
        }
        true
    }

    /// The `samples` best matches for `query` with a score of at least
    /// `threshold`, best first: `(score, position)`. Scores are exact cosine
    /// similarities.
    pub fn search(
        &self,
        query: &[f32],
        samples: usize,
        threshold: Option<f64>,
    ) -> Result<Vec<(f32, usize)>, VectorError> {
        if self.is_empty() || samples == 0 {
            return Ok(Vec::new());
        }
        self.check_dims(query.len(), "query")?;
        let unit = normalized(query, "query")?;
        let floor = threshold.map(|t| t as f32).unwrap_or(f32::NEG_INFINITY);
        let pool = (samples * POOL_FACTOR).max(samples + POOL_EXTRA);
        let candidates: Vec<usize> = if pool * 2 >= self.len() {
            (0..self.len()).collect()
        } else {
            // Rank everything on the i8 copy; the query's own scale is common
            // to every score, so it does not change the order.
            let mut q = Vec::with_capacity(self.dims);
            quantize(&unit, &mut q);
            let mut top = TopK::new(pool);
            for ((position, vector), scale) in self
                .quantized
                .chunks_exact(self.dims)
                .enumerate()
                .zip(&self.scales)
            {
                top.offer(dot_i8(&q, vector) as f32 * scale, position);
            }
            top.best.into_iter().map(|(_, position)| position).collect()
        };
        let mut exact = TopK::new(samples);
        for position in candidates {
            let start = position * self.dims;
            if let Some(vector) = self.vectors.get(start..start + self.dims) {
                let score = dot(&unit, vector);
                if score >= floor {
                    exact.offer(score, position);
                }
            }
        }
        Ok(exact.best)
    }

    /// Search results as JSON: `[[score, id, document], …]`, or `[[score, id], …]`.
    pub fn results_json(&self, hits: &[(f32, usize)], with_documents: bool) -> String {
        let mut out = String::from("[");
        for (index, (score, position)) in hits.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            let id = self
                .ids
                .get(*position)
                .map(String::as_str)
                .unwrap_or_default();
            out.push('[');
            out.push_str(&serde_json::to_string(&(*score as f64)).unwrap_or_else(|_| "0".into()));
            out.push(',');
            out.push_str(&serde_json::to_string(id).unwrap_or_else(|_| "\"\"".into()));
            if with_documents {
                out.push(',');
                out.push_str(
                    self.documents
                        .get(*position)
                        .map(String::as_str)
                        .unwrap_or("null"),
                );
            }
            out.push(']');
        }
        out.push(']');
        out
    }

    /// The stored document of `id`, as JSON text.
    pub fn document(&self, id: &str) -> Option<&str> {
        self.positions
            .get(id)
            .and_then(|at| self.documents.get(*at))
            .map(String::as_str)
    }

    /// Every id, in storage order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The store as JSON: `{version, dimensions, entries: [{id, document, vector}]}`.
    pub fn to_json(&self) -> String {
        let mut out = format!("{{\"version\":1,\"dimensions\":{},\"entries\":[", self.dims);
        for (index, id) in self.ids.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            out.push_str(&serde_json::to_string(id).unwrap_or_default());
            out.push_str(",\"document\":");
            out.push_str(
                self.documents
                    .get(index)
                    .map(String::as_str)
                    .unwrap_or("null"),
            );
            out.push_str(",\"vector\":");
            let start = index * self.dims;
            let vector = self
                .vectors
                .get(start..start + self.dims)
                .unwrap_or_default();
            out.push_str(&serde_json::to_string(vector).unwrap_or_default());
            out.push('}');
        }
        out.push_str("]}");
        out
    }

    /// A store read back from [`Self::to_json`].
    pub fn from_json(json: &str) -> Result<Self, VectorError> {
        #[derive(serde::Deserialize)]
        struct Entry {
            id: String,
            document: Box<serde_json::value::RawValue>,
            vector: Vec<f32>,
        }
        #[derive(serde::Deserialize)]
        struct Saved {
            version: u32,
            entries: Vec<Entry>,
        }
        let saved: Saved = serde_json::from_str(json).map_err(|e| {
            VectorError::invalid("json", format!("is not a saved vector store: {e}"))
        })?;
        if saved.version != 1 {
            return Err(VectorError::invalid(
                "json",
                format!("has version {}, this build reads version 1", saved.version),
            ));
        }
        let mut index = Self::new();
        for (at, entry) in saved.entries.into_iter().enumerate() {
            index.check_dims(entry.vector.len(), &format!("entries[{at}].vector"))?;
            let unit = normalized(&entry.vector, &format!("entries[{at}].vector"))?;
            index.put(entry.id, entry.document.get().to_owned(), &unit);
        }
        Ok(index)
    }

    /// The store as compact bytes (little-endian; vectors as f32).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.vectors.len() * 4 + self.ids.len() * 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.dims as u32).to_le_bytes());
        out.extend_from_slice(&(self.ids.len() as u32).to_le_bytes());
        for (id, document) in self.ids.iter().zip(&self.documents) {
            for text in [id, document] {
                out.extend_from_slice(&(text.len() as u32).to_le_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
        for value in &self.vectors {
            out.extend_from_slice(&value.to_le_bytes());
        }
        out
    }

    /// A store read back from [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VectorError> {
        let bad = |what: &str| {
            VectorError::invalid("bytes", format!("not a saved vector store ({what})"))
        };
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len()).ok_or_else(|| bad("too short"))? != MAGIC {
            return Err(bad("wrong header"));
        }
        let dims = reader.u32().ok_or_else(|| bad("truncated"))? as usize;
        let count = reader.u32().ok_or_else(|| bad("truncated"))? as usize;
        let mut entries = Vec::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            let id = reader.text().ok_or_else(|| bad("truncated id"))?;
            let document = reader.text().ok_or_else(|| bad("truncated document"))?;
            entries.push((id, document));
        }
        let mut index = Self::new();
        let mut vector = vec![0f32; dims];
        for (id, document) in entries {
            for slot in vector.iter_mut() {
                *slot = f32::from_le_bytes(
                    reader
                        .take(4)
                        .and_then(|b| <[u8; 4]>::try_from(b).ok())
                        .ok_or_else(|| bad("truncated vectors"))?,
                );
            }
            index.insert(&id, &document, &vector)?;
        }
        if reader.at != bytes.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(index)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// xorshift32 in [-1, 1).
    fn random(seed: &mut u32) -> f32 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 17;
        *seed ^= *seed << 5;
        (*seed as f32 / u32::MAX as f32) * 2.0 - 1.0
    }

    #[test]
    fn quantized_prefilter_returns_the_exact_top_k() {
        let mut seed = 7u32;
        let dims = 96;
        let mut index = VectorIndex::new();
        let mut all = Vec::new();
        for i in 0..3000 {
            let v: Vec<f32> = (0..dims).map(|_| random(&mut seed)).collect();
            index.insert(&format!("d{i}"), "null", &v).unwrap();
            all.push(normalized(&v, "v").unwrap());
        }
        for _ in 0..20 {
            let q: Vec<f32> = (0..dims).map(|_| random(&mut seed)).collect();
            let unit = normalized(&q, "q").unwrap();
            let mut brute: Vec<(f32, usize)> = all
                .iter()
                .enumerate()
                .map(|(p, v)| (dot(&unit, v), p))
                .collect();
            brute.sort_by(|a, b| b.0.total_cmp(&a.0));
            let hits = index.search(&q, 5, None).unwrap();
            let got: Vec<usize> = hits.iter().map(|(_, p)| *p).collect();
            let want: Vec<usize> = brute.iter().take(5).map(|(_, p)| *p).collect();
            assert_eq!(got, want);
            for ((s, _), (b, _)) in hits.iter().zip(&brute) {
                assert!((s - b).abs() < 1e-5, "scores are exact");
            }
        }
    }

    fn index() -> VectorIndex {
        let mut index = VectorIndex::new();
        index
            .insert("a", r#"{"text":"alpha"}"#, &[1.0, 0.0, 0.0])
            .unwrap();
        index
            .insert("b", r#"{"text":"beta"}"#, &[0.0, 2.0, 0.0])
            .unwrap();
        index.insert("c", r#""gamma""#, &[1.0, 1.0, 0.0]).unwrap();
        index
    }

    #[test]
    fn cosine_top_n_in_order() {
        let index = index();
        let hits = index.search(&[3.0, 0.1, 0.0], 2, None).unwrap();
        let ids: Vec<&str> = hits.iter().map(|(_, p)| index.ids()[*p].as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert!((hits[0].0 - 0.99944).abs() < 1e-3);
        assert_eq!(
            index.results_json(&hits[..1], true),
            format!("[[{},\"a\",{{\"text\":\"alpha\"}}]]", hits[0].0 as f64)
        );
        assert!(index.results_json(&hits, false).starts_with("[["));
    }

    #[test]
    fn threshold_and_samples() {
        let index = index();
        assert_eq!(
            index.search(&[1.0, 0.0, 0.0], 10, Some(0.9)).unwrap().len(),
            1
        );
        assert_eq!(index.search(&[1.0, 0.0, 0.0], 10, None).unwrap().len(), 3);
        assert!(index.search(&[1.0, 0.0, 0.0], 0, None).unwrap().is_empty());
    }

    #[test]
    fn rejects_bad_vectors() {
        let mut index = index();
        assert_eq!(
            index.insert("d", "{}", &[1.0, 0.0]).unwrap_err().field,
            "vector"
        );
        assert!(index.insert("d", "{}", &[0.0, 0.0, 0.0]).is_err());
        assert!(index.insert("d", "{}", &[f32::NAN, 0.0, 0.0]).is_err());
        assert!(index.insert("d", "{not json", &[1.0, 0.0, 0.0]).is_err());
        assert!(index.insert("", "{}", &[1.0, 0.0, 0.0]).is_err());
        assert!(index.search(&[1.0, 0.0], 1, None).is_err());
        assert_eq!(index.len(), 3, "nothing was added");
    }

    #[test]
    fn replace_and_remove_keep_positions_right() {
        let mut index = index();
        index.insert("a", r#""alpha2""#, &[0.0, 0.0, 1.0]).unwrap();
        assert_eq!(index.len(), 3);
        assert_eq!(index.document("a"), Some(r#""alpha2""#));
        assert!(index.remove("a"));
        assert!(!index.remove("a"));
        assert_eq!(index.len(), 2);
        let hits = index.search(&[1.0, 1.0, 0.0], 1, None).unwrap();
        assert_eq!(index.ids()[hits[0].1], "c");
        assert_eq!(index.document("c"), Some(r#""gamma""#));
        assert!(index.remove("b") && index.remove("c"));
        assert!(index.is_empty());
        index.insert("z", "1", &[1.0, 2.0]).unwrap();
        assert_eq!(index.dimensions(), 2);
    }

    #[test]
    fn insert_many_is_all_or_nothing() {
        let mut index = VectorIndex::new();
        let ids = vec!["x".to_owned(), "y".to_owned()];
        index
            .insert_many(&ids, r#"[1, {"k": 2}]"#, &[1.0, 0.0, 0.0, 1.0])
            .unwrap();
        assert_eq!(index.len(), 2);
        let bad = index.insert_many(&ids, "[1]", &[1.0, 0.0, 0.0, 1.0]);
        assert!(bad.is_err());
        let zero = index.insert_many(&["q".to_owned()], "[1]", &[0.0, 0.0]);
        assert!(zero.is_err());
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn round_trips_through_json_and_bytes() {
        let index = index();
        let json = VectorIndex::from_json(&index.to_json()).unwrap();
        let bytes = VectorIndex::from_bytes(&index.to_bytes()).unwrap();
        for copy in [json, bytes] {
            assert_eq!(copy.ids(), index.ids());
            assert_eq!(copy.document("a"), index.document("a"));
            let a = copy.search(&[1.0, 0.5, 0.0], 3, None).unwrap();
            let b = index.search(&[1.0, 0.5, 0.0], 3, None).unwrap();
            assert_eq!(a.len(), b.len());
            for ((sa, pa), (sb, pb)) in a.iter().zip(&b) {
                assert_eq!(pa, pb);
                assert!((sa - sb).abs() < 1e-6);
            }
        }
        assert!(VectorIndex::from_bytes(b"RIGVS").is_err());
        assert!(VectorIndex::from_bytes(&index.to_bytes()[..30]).is_err());
        assert!(VectorIndex::from_json("{}").is_err());
    }
}
