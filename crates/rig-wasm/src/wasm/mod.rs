//! The wasm-bindgen surface: the classes the TypeScript layer wraps.
//!
//! Nothing here is public API; `packages/rig-wasm` is. Every entry point
//! returns a `Promise` (or throws synchronously only for construction) and
//! every failure is a JavaScript `Error` carrying a [`BindError`] as JSON in
//! its `rigError` property, which the TypeScript layer turns into a typed
//! `RigError`. No JavaScript input reaches an `unwrap`.

mod agent;
mod completion;
mod embedding;
mod panic;
mod stream;
pub mod transport;
mod vector_store;

use std::future::Future;

use futures::future::{select, Either};
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::error::{BindError, ErrorCode};

pub use agent::WasmAgent;
pub use completion::WasmCompletionModel;
pub use embedding::WasmEmbeddingModel;
pub use stream::WasmStream;
pub use vector_store::WasmVectorStore;

/// A JavaScript `Error` carrying `error` for the TypeScript layer.
pub(crate) fn js_error(error: &BindError) -> JsValue {
    let out = js_sys::Error::new(&error.message);
    let _ = Reflect::set(
        &out,
        &JsValue::from_str("rigError"),
        &JsValue::from_str(&error.to_json()),
    );
    out.into()
}

/// JavaScript's `typeof value`, for error messages.
pub(crate) fn type_of(value: &JsValue) -> String {
    if value.is_null() {
        return "null".to_owned();
    }
    if js_sys::Array::is_array(value) {
        return "array".to_owned();
    }
    value
        .js_typeof()
        .as_string()
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A string argument, or an invalid-argument error naming `field`.
pub(crate) fn string_arg(value: &JsValue, field: &str) -> Result<String, BindError> {
    value.as_string().ok_or_else(|| {
        BindError::invalid(field, format!("must be a string, got {}", type_of(value)))
    })
}

/// Optional JSON text from the TypeScript layer (`undefined` means none).
pub(crate) fn optional_json(value: &JsValue, field: &str) -> Result<Option<String>, BindError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(value, field).map(Some)
}

/// Run `future` until it finishes or the call context's `aborted` promise
/// settles, whichever is first. Dropping the future cancels every request
/// and tool call it has in flight.
pub(crate) async fn abortable<T>(
    ctx: &JsValue,
    future: impl Future<Output = Result<T, BindError>>,
) -> Result<T, BindError> {
    // Most calls have no context (no signal, no timeout): `Reflect.get` on
    // `undefined` would throw, and a thrown TypeError (its stack captured)
    // cost ~40 µs per call, a tenth of the per-call overhead.
    let aborted = if ctx.is_object() {
        Reflect::get(ctx, &JsValue::from_str("aborted"))
            .ok()
            .and_then(|value| value.dyn_into::<Promise>().ok())
    } else {
        None
    };
    let Some(aborted) = aborted else {
        return future.await;
    };
    let aborted = JsFuture::from(aborted);
    futures::pin_mut!(future);
    match select(future, aborted).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => Err(BindError::new(ErrorCode::Aborted, "the call was aborted")),
    }
}

/// A promise for `future`'s JSON text, rejected with a typed error.
pub(crate) fn promise_json(
    future: impl Future<Output = Result<String, BindError>> + 'static,
) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        match future.await {
            Ok(json) => Ok(JsValue::from_str(&json)),
            Err(error) => Err(js_error(&error)),
        }
    })
}

/// The version of the binding crate.
#[wasm_bindgen(js_name = bindingVersion)]
pub fn binding_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The providers this build contains, as JSON `ProviderInfo[]`.
#[wasm_bindgen(js_name = providerTable)]
pub fn provider_table() -> String {
    let rows: Vec<crate::contract::ProviderInfo> = crate::providers::PROVIDERS
        .iter()
        .map(|spec| crate::contract::ProviderInfo {
            id: spec.id.to_owned(),
            completion: spec.completion,
            embeddings: spec.embeddings,
            key_required: spec.key == crate::options::KeyPolicy::Required,
        })
        .collect();
    crate::contract::to_json(&rows)
}

/// Whether a request that failed with `status` may succeed when retried
/// (the transport's retry rule; `crate::error` owns it).
#[wasm_bindgen(js_name = isRetryableStatus)]
pub fn is_retryable_status(status: u16) -> bool {
    crate::error::status_is_retryable(status)
}

/// The wait in ms a failed reply's headers (`name\nvalue\n` each) ask for
/// before a retry, if they ask.
#[wasm_bindgen(js_name = retryAfterMs)]
pub fn retry_after(headers: &str) -> Option<f64> {
    crate::error::retry_after_ms(&crate::error::header_map(headers), crate::error::now_ms())
        .map(|ms| ms as f64)
}

/// The error for a non-success reply of a service the TypeScript layer calls
/// itself (a vector database), as JSON `BindError`: the same status → code
/// rule and message as a provider's.
#[wasm_bindgen(js_name = httpError)]
pub fn http_error(service: &str, status: u16, body: &str) -> String {
    let detail = crate::error::truncate_body(body.trim());
    let body = (!body.is_empty()).then_some(body);
    crate::error::BindError::http_from(
        crate::error::Service::Database,
        service,
        status,
        body,
        &detail,
    )
    .to_json()
}

pub use panic::init_panic_hook;
