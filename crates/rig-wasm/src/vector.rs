//! The in-memory vector index behind `InMemoryVectorStore`.
//!
//! Vectors are L2-normalised on insert and kept in one flat `f32` buffer, so
//! a cosine search is one pass of dot products (SIMD on wasm32 with
//! `simd128`) and a small top-k selection. Documents are kept as the JSON
//! text JavaScript gave, and results are written as JSON directly, so a
//! search never re-parses documents. Platform independent and native-tested.

use std::collections::HashMap;

use crate::error::{BindError, ErrorCode};

/// Magic and version of the binary format.
const MAGIC: &[u8; 8] = b"RIGVS\x00\x01\x00";

/// An in-memory cosine-similarity index.
#[derive(Clone, Debug, Default)]
pub struct VectorIndex {
    dims: usize,
    ids: Vec<String>,
    documents: Vec<String>,
    vectors: Vec<f32>,
    positions: HashMap<String, usize>,
}

/// The dot product of two equally long slices.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::{f32x4, f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat};
    let mut acc0 = f32x4_splat(0.0);
    let mut acc1 = f32x4_splat(0.0);
    let mut a8 = a.chunks_exact(8);
    let mut b8 = b.chunks_exact(8);
    for (x, y) in (&mut a8).zip(&mut b8) {
        if let ([x0, x1, x2, x3, x4, x5, x6, x7], [y0, y1, y2, y3, y4, y5, y6, y7]) = (x, y) {
            acc0 = f32x4_add(
                acc0,
                f32x4_mul(f32x4(*x0, *x1, *x2, *x3), f32x4(*y0, *y1, *y2, *y3)),
            );
            acc1 = f32x4_add(
                acc1,
                f32x4_mul(f32x4(*x4, *x5, *x6, *x7), f32x4(*y4, *y5, *y6, *y7)),
            );
        }
    }
    let acc = f32x4_add(acc0, acc1);
    let mut sum = f32x4_extract_lane::<0>(acc)
        + f32x4_extract_lane::<1>(acc)
        + f32x4_extract_lane::<2>(acc)
        + f32x4_extract_lane::<3>(acc);
    for (x, y) in a8.remainder().iter().zip(b8.remainder()) {
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
    let mut a8 = a.chunks_exact(8);
    let mut b8 = b.chunks_exact(8);
    for (x, y) in (&mut a8).zip(&mut b8) {
        for ((slot, x), y) in acc.iter_mut().zip(x).zip(y) {
            *slot += x * y;
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in a8.remainder().iter().zip(b8.remainder()) {
        sum += x * y;
    }
    sum
}

/// `vector` scaled to unit length; an error for empty, zero or non-finite vectors.
pub fn normalized(vector: &[f32], field: &str) -> Result<Vec<f32>, BindError> {
    if vector.is_empty() {
        return Err(BindError::invalid(field, "must not be empty"));
    }
    if vector.iter().any(|x| !x.is_finite()) {
        return Err(BindError::invalid(
            field,
            "must contain only finite numbers",
        ));
    }
    let norm = dot(vector, vector).sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return Err(BindError::invalid(
            field,
            "must not be the zero vector (cosine similarity is undefined)",
        ));
    }
    Ok(vector.iter().map(|x| x / norm).collect())
}

fn check_document(document: &str, field: &str) -> Result<(), BindError> {
    serde_json::from_str::<serde::de::IgnoredAny>(document)
        .map(|_| ())
        .map_err(|e| BindError::invalid(field, format!("is not valid JSON: {e}")))
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

    fn check_dims(&self, len: usize, field: &str) -> Result<(), BindError> {
        if self.dims != 0 && len != self.dims {
            return Err(BindError::invalid(
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
    pub fn insert(&mut self, id: &str, document: &str, vector: &[f32]) -> Result<(), BindError> {
        if id.is_empty() {
            return Err(BindError::invalid("id", "must not be empty"));
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
                if let Some(slot) = self.documents.get_mut(at) {
                    *slot = document;
                }
            }
            None => {
                self.positions.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.documents.push(document);
                self.vectors.extend_from_slice(unit);
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
    ) -> Result<(), BindError> {
        let documents: Vec<Box<serde_json::value::RawValue>> = serde_json::from_str(documents)
            .map_err(|e| BindError::invalid("documents", format!("must be a JSON array: {e}")))?;
        if documents.len() != ids.len() {
            return Err(BindError::invalid(
                "documents",
                format!("has {} entries for {} ids", documents.len(), ids.len()),
            ));
        }
        if ids.is_empty() {
            return Ok(());
        }
        if !vectors.len().is_multiple_of(ids.len()) {
            return Err(BindError::invalid(
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
                return Err(BindError::invalid(
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
        if self.ids.is_empty() {
            self.dims = 0;
        }
        true
    }

    /// The `samples` best matches for `query` with a score of at least
    /// `threshold`, best first: `(score, position)`.
    pub fn search(
        &self,
        query: &[f32],
        samples: usize,
        threshold: Option<f64>,
    ) -> Result<Vec<(f32, usize)>, BindError> {
        if self.is_empty() || samples == 0 {
            return Ok(Vec::new());
        }
        self.check_dims(query.len(), "query")?;
        let unit = normalized(query, "query")?;
        let floor = threshold.map(|t| t as f32).unwrap_or(f32::NEG_INFINITY);
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(samples + 1);
        let mut worst = f32::NEG_INFINITY;
        for (position, vector) in self.vectors.chunks_exact(self.dims).enumerate() {
            let score = dot(&unit, vector);
            if score < floor || (best.len() == samples && score <= worst) {
                continue;
            }
            let at = best.partition_point(|(s, _)| *s >= score);
            best.insert(at, (score, position));
            if best.len() > samples {
                best.pop();
            }
            if best.len() == samples {
                worst = best.last().map(|(s, _)| *s).unwrap_or(f32::NEG_INFINITY);
            }
        }
        Ok(best)
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
    pub fn from_json(json: &str) -> Result<Self, BindError> {
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
        let saved: Saved = serde_json::from_str(json)
            .map_err(|e| BindError::invalid("json", format!("is not a saved vector store: {e}")))?;
        if saved.version != 1 {
            return Err(BindError::invalid(
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
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BindError> {
        let bad = |what: &str| {
            BindError::new(
                ErrorCode::InvalidArgument,
                format!("bytes: not a saved vector store ({what})"),
            )
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
mod tests {
    use super::*;

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
            index
                .insert("d", "{}", &[1.0, 0.0])
                .unwrap_err()
                .field
                .as_deref(),
            Some("vector")
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
