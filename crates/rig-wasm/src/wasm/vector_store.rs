//! Vector stores: `InMemoryVectorStore` (the index lives in wasm memory) and
//! the bridge that lets any JavaScript object with `topN(request)` serve as
//! a Rig `VectorStoreIndex` (dynamic context for agents).

use std::cell::RefCell;

use js_sys::{Function, Promise};
use rig_core::vector_store::request::Filter;
use rig_core::vector_store::{
    VectorSearchIdResult, VectorSearchRequest, VectorSearchResult, VectorStoreError,
    VectorStoreIndex,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js_error;
use super::transport::js_message;
use crate::error::BindError;
use rig_wasm_vector::{VectorError, VectorIndex};

/// The index behind `InMemoryVectorStore`.
#[wasm_bindgen]
pub struct WasmVectorStore {
    index: RefCell<VectorIndex>,
}

fn invalid(error: VectorError) -> JsValue {
    js_error(&BindError::invalid(error.field, error.message))
}

impl WasmVectorStore {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut VectorIndex) -> Result<T, VectorError>,
    ) -> Result<T, JsValue> {
        let mut index = self
            .index
            .try_borrow_mut()
            .map_err(|_| js_error(&BindError::internal("the vector store is busy")))?;
        f(&mut index).map_err(invalid)
    }
}

#[wasm_bindgen]
impl WasmVectorStore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmVectorStore {
        WasmVectorStore {
            index: RefCell::new(VectorIndex::new()),
        }
    }

    /// Add or replace one entry; `document` is JSON text.
    pub fn insert(&self, id: &str, document: &str, vector: &[f32]) -> Result<(), JsValue> {
        self.with(|index| index.insert(id, document, vector))
    }

    /// Add many entries: `documents` is a JSON array, `vectors` back to back.
    #[wasm_bindgen(js_name = insertMany)]
    pub fn insert_many(
        &self,
        ids: Vec<String>,
        documents: &str,
        vectors: &[f32],
    ) -> Result<(), JsValue> {
        self.with(|index| index.insert_many(&ids, documents, vectors))
    }

    pub fn remove(&self, id: &str) -> Result<bool, JsValue> {
        self.with(|index| Ok(index.remove(id)))
    }

    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.index.try_borrow().map(|i| i.len()).unwrap_or(0)
    }

    #[wasm_bindgen(getter)]
    pub fn dimensions(&self) -> usize {
        self.index.try_borrow().map(|i| i.dimensions()).unwrap_or(0)
    }

    /// The best `samples` matches for `query` as JSON `[[score, id, document?]]`.
    pub fn search(
        &self,
        query: &[f32],
        samples: usize,
        threshold: Option<f64>,
        with_documents: bool,
    ) -> Result<String, JsValue> {
        self.with(|index| {
            let hits = index.search(query, samples, threshold)?;
            Ok(index.results_json(&hits, with_documents))
        })
    }

    /// The document stored for `id`, as JSON text.
    pub fn document(&self, id: &str) -> Result<Option<String>, JsValue> {
        self.with(|index| Ok(index.document(id).map(str::to_owned)))
    }

    /// Every id, in storage order.
    pub fn ids(&self) -> Result<Vec<String>, JsValue> {
        self.with(|index| Ok(index.ids().to_vec()))
    }

    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.with(|index| Ok(index.to_json()))
    }

    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Result<Vec<u8>, JsValue> {
        self.with(|index| Ok(index.to_bytes()))
    }

    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(json: &str) -> Result<WasmVectorStore, JsValue> {
        VectorIndex::from_json(json)
            .map(|index| WasmVectorStore {
                index: RefCell::new(index),
            })
            .map_err(invalid)
    }

    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<WasmVectorStore, JsValue> {
        VectorIndex::from_bytes(bytes)
            .map(|index| WasmVectorStore {
                index: RefCell::new(index),
            })
            .map_err(invalid)
    }
}

impl Default for WasmVectorStore {
    fn default() -> Self {
        Self::new()
    }
}

/// A store failure, as the model's dynamic-context step reports it.
#[derive(Debug)]
struct StoreError(String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

fn store_error(message: impl Into<String>) -> VectorStoreError {
    VectorStoreError::DatastoreError(Box::new(StoreError(message.into())))
}

/// One result from a JavaScript store: `[score, id, document]` or
/// `{score, id, document}`.
pub fn parse_results(
    text: &str,
    with_documents: bool,
) -> Result<Vec<(f64, String, Value)>, String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("topN returned something that is not JSON: {e}"))?;
    let Value::Array(items) = value else {
        return Err(format!(
            "topN must return an array of [score, id, document] tuples, got {}",
            crate::options::type_name(&value)
        ));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let (score, id, document) = match item {
                Value::Array(mut parts) if parts.len() >= 2 => {
                    let document = if parts.len() >= 3 {
                        parts.swap_remove(2)
                    } else {
                        Value::Null
                    };
                    let id = parts.pop().unwrap_or(Value::Null);
                    let score = parts.pop().unwrap_or(Value::Null);
                    (score, id, document)
                }
                Value::Object(mut map) => (
                    map.remove("score").unwrap_or(Value::Null),
                    map.remove("id").unwrap_or(Value::Null),
                    map.remove("document").unwrap_or(Value::Null),
                ),
                other => {
                    return Err(format!(
                        "topN result {index} must be a [score, id, document] tuple, got {}",
                        short(&other)
                    ))
                }
            };
            let score = score.as_f64().filter(|s| s.is_finite()).ok_or_else(|| {
                format!(
                    "topN result {index}: the score must be a finite number, got {}",
                    short(&score)
                )
            })?;
            let id = match id {
                Value::String(id) => id,
                Value::Number(n) => n.to_string(),
                other => {
                    return Err(format!(
                        "topN result {index}: the id must be a string, got {}",
                        short(&other)
                    ))
                }
            };
            if with_documents && document.is_null() {
                return Err(format!("topN result {index} ({id}) has no document"));
            }
            Ok((score, id, document))
        })
        .collect()
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A JavaScript vector store, through the TypeScript bridge
/// `(method, requestJson) => Promise<resultsJson>`.
#[derive(Clone)]
pub struct JsVectorStore {
    bridge: Function,
}

impl JsVectorStore {
    pub fn new(bridge: Function) -> Self {
        Self { bridge }
    }

    async fn call(&self, method: &str, request: String) -> Result<String, VectorStoreError> {
        let promise = self
            .bridge
            .call2(
                &JsValue::NULL,
                &JsValue::from_str(method),
                &JsValue::from_str(&request),
            )
            .map_err(|e| store_error(js_message(&e)))?
            .dyn_into::<Promise>()
            .map_err(|_| store_error("the store bridge returned no promise"))?;
        let value = JsFuture::from(promise)
            .await
            .map_err(|e| store_error(js_message(&e)))?;
        value
            .as_string()
            .ok_or_else(|| store_error("the store bridge returned no JSON"))
    }
}

fn request_json(req: &VectorSearchRequest<Filter<Value>>) -> String {
    crate::contract::to_json(&crate::contract::StoreQuery {
        query: req.query().to_owned(),
        samples: req.samples(),
        threshold: req.threshold(),
    })
}

impl VectorStoreIndex for JsVectorStore {
    type Filter = Filter<Value>;

    async fn top_n<T: DeserializeOwned>(
        &self,
        req: VectorSearchRequest<Self::Filter>,
    ) -> Result<Vec<VectorSearchResult<T>>, VectorStoreError> {
        let text = self.call("topN", request_json(&req)).await?;
        let results = parse_results(&text, true).map_err(store_error)?;
        results
            .into_iter()
            .map(|(score, id, document)| {
                Ok(VectorSearchResult {
                    score,
                    id,
                    document: serde_json::from_value(document)?,
                })
            })
            .collect()
    }

    async fn top_n_ids(
        &self,
        req: VectorSearchRequest<Self::Filter>,
    ) -> Result<Vec<VectorSearchIdResult>, VectorStoreError> {
        let text = self.call("topNIds", request_json(&req)).await?;
        let results = parse_results(&text, false).map_err(store_error)?;
        Ok(results
            .into_iter()
            .map(|(score, id, _)| VectorSearchIdResult { score, id })
            .collect())
    }
}
